"""The task tracker's Excel workbook: tasks with their flags, milestones and progress posts,
written with :mod:`czesg.reports.workbooks`.
"""

from __future__ import annotations

from typing import Any

from czesg.engine.plan import load_city_profile
from czesg.plan.queries import TaskBoard, all_milestones, all_posts
from czesg.reports.workbooks import Sheet, about_rows, workbook


def tasks_workbook(board: TaskBoard, context: dict[str, Any] | None = None) -> bytes:
    """The task tracker: tasks with their flags, milestones and progress posts."""
    profile = load_city_profile()
    rows = []
    for s in board.statuses:
        task = profile.task(s.number)
        rows.append([
            s.number, s.title_zh, s.title_en,
            "、".join(d.name_zh for d in task.lead_departments),
            "; ".join(d.name_en for d in task.lead_departments),
            s.posts, s.last_post, s.days_since_post, s.milestones_total, s.milestones_done,
            s.completion, s.overdue, len(s.overdue_milestones), s.next_due, s.stalled,
        ])
    overdue = {key for s in board.statuses for key in s.overdue_milestones}
    milestones = [[m.task_number, m.title, m.due, m.done_on, str(m.pk) in overdue]
                  for m in all_milestones()]
    departments = {d.key: d for d in profile.departments}
    posts = []
    for p in all_posts():
        department = departments.get(p.department_key)
        posts.append([p.task_number, p.department_key,
                      department.name_zh if department else "",
                      department.name_en if department else "", p.date, p.text, p.link,
                      p.posted_by.username, p.posted_at])
    sheets = [
        Sheet("任务 Tasks", [
            ("任务", "Task"), ("名称", "Title (Chinese)"), ("英文名称", "Title (English)"),
            ("牵头部门", "Lead departments (Chinese)"), ("英文部门", "Lead departments (English)"),
            ("进展条数", "Posts"), ("最近进展", "Last post"), ("距最近进展天数", "Days since post"),
            ("里程碑数", "Milestones"), ("已完成", "Done"), ("完成率（%）", "Completion (%)"),
            ("逾期", "Overdue"), ("逾期里程碑数", "Overdue milestones"),
            ("下一到期日", "Next due"), (f"停滞（{board.stalled_after_days}天无进展）",
                                       f"Stalled ({board.stalled_after_days} days without a post)"),
        ], rows),
        Sheet("里程碑 Milestones", [
            ("任务", "Task"), ("里程碑", "Milestone"), ("到期日", "Due"), ("完成日", "Done on"),
            ("逾期", "Overdue"),
        ], milestones),
        Sheet("进展 Progress", [
            ("任务", "Task"), ("部门", "Department"), ("部门名称", "Department (Chinese)"),
            ("英文部门", "Department (English)"), ("日期", "Date"), ("进展", "Progress"),
            ("附件链接", "Attachment link"), ("发布人", "Posted by"), ("发布时间", "Posted at"),
        ], posts),
    ]
    return workbook(sheets, about_rows(
        "任务跟踪", "Task tracker", ("截至", "As of", board.today),
        ("停滞标准", "Stalled after", f"{board.stalled_after_days} 天 days"),
    ))
