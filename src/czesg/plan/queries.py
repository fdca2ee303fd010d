"""The task tracker's reads: every plan task's posts, milestones and overdue or stalled flags,
computed by :func:`czesg.engine.plan.targets.task_status`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from czesg.engine.plan import load_city_profile
from czesg.engine.plan import targets as engine
from czesg.plan.models import TaskMilestone, TaskProgress


def plan_start() -> date:
    """The day the action plan was issued, from which an unreported task counts as stalled."""
    return date.fromisoformat(load_city_profile().plan.issued)


@dataclass
class TaskBoard:
    """The 20 tasks' status as of a day, with their posts and milestones."""

    today: date
    statuses: list[engine.TaskStatus]
    posts: dict[int, list[TaskProgress]]
    milestones: dict[int, list[TaskMilestone]]
    stalled_after_days: int = engine.STALLED_AFTER_DAYS


def task_board(today: date | None = None, *, only: int | None = None) -> TaskBoard:
    """Every plan task's last post, milestones and overdue/stalled flags (via task_status)."""
    today = today or timezone.localdate()
    tasks = load_city_profile().tasks
    posts_query = TaskProgress.objects.select_related("posted_by").order_by("-date", "-id")
    milestones_query = TaskMilestone.objects.order_by("due", "id")
    if only is not None:
        posts_query = posts_query.filter(task_number=only)
        milestones_query = milestones_query.filter(task_number=only)
    posts: dict[int, list[TaskProgress]] = defaultdict(list)
    milestones: dict[int, list[TaskMilestone]] = defaultdict(list)
    if only is None:
        post_rows = list(TaskProgress.objects.order_by().values_list("task_number", "date"))
        stone_rows = list(TaskMilestone.objects.order_by().values_list(
            "task_number", "id", "due", "done_on", "title"))
    else:
        post_list = list(posts_query)
        stone_list = list(milestones_query)
        for post in post_list:
            posts[post.task_number].append(post)
        for stone in stone_list:
            milestones[stone.task_number].append(stone)
        post_rows = [(p.task_number, p.date) for p in post_list]
        stone_rows = [(m.task_number, m.pk, m.due, m.done_on, m.title) for m in stone_list]
        tasks = tuple(t for t in tasks if t.number == only)
    statuses = engine.task_status(
        tasks, [engine.ProgressPost(task=n, posted=d) for n, d in post_rows], today,
        milestones=[engine.Milestone(task=n, key=str(pk), due=due, done_on=done, title=title)
                    for n, pk, due, done, title in stone_rows],
        started=plan_start(),
    )
    return TaskBoard(today=today, statuses=statuses, posts=dict(posts),
                     milestones=dict(milestones))


def all_milestones() -> list[TaskMilestone]:
    """Every milestone, by task and due date (for the exports)."""
    return list(TaskMilestone.objects.order_by("task_number", "due", "id"))


def all_posts() -> list[TaskProgress]:
    """Every progress post, by task and date (for the exports)."""
    return list(TaskProgress.objects.select_related("posted_by")
                .order_by("task_number", "-date", "-id"))
