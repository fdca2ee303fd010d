"""Every change of the plan's task tracker: department memberships, progress posts, milestones.

Who may do what:

* department memberships: government users and platform administrators assign a government user
  to a department of the city profile (``DepartmentMembership``; ``User.organisation`` stays
  free text and is not used to decide permissions);
* task progress and milestones: government users who belong to one of the task's lead
  departments, and platform administrators.

Each action checks the actor's permission (refusing with
:class:`~czesg.engine.kernel.errors.PermissionRefused`), runs in one transaction, and appends an
entry to the audit chain (:func:`czesg.audit.recording.record`) in that transaction; a refused
or invalid change writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from czesg.accounts.models import Role, User
from czesg.accounts.permissions import is_authenticated, require_government
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CatalogueError, NotFound, PermissionRefused, gettext_noop
from czesg.engine.plan import load_city_profile
from czesg.plan.models import DepartmentMembership, TaskMilestone, TaskProgress

# --------------------------------------------------------------------------------------------
# Permission checks


def user_departments(user) -> set[str]:
    """The department keys a government user belongs to (empty for other users)."""
    if not is_authenticated(user) or user.role != Role.GOVERNMENT:
        return set()
    return set(DepartmentMembership.objects.filter(user=user)
               .values_list("department_key", flat=True))


def reporting_departments(user, task_number: int) -> list[str]:
    """The lead departments of a task on whose behalf the user may post (in the plan's order)."""
    task = _task(task_number)
    if is_authenticated(user) and user.role == Role.PLATFORM_ADMIN:
        return list(task.lead_department_keys)
    mine = user_departments(user)
    return [key for key in task.lead_department_keys if key in mine]


def may_report_on(user, task_number: int) -> bool:
    """Whether the user may post progress and milestones on a task."""
    return bool(reporting_departments(user, task_number))


def require_reporter(user, task_number: int) -> None:
    """Refuse unless the user may report on the task."""
    if not may_report_on(user, task_number):
        raise PermissionRefused(
            gettext_noop("Only the lead departments of task %(task)s can report on it."),
            task=task_number)


def _task(task_number: int):
    try:
        return load_city_profile().task(int(task_number))
    except (KeyError, TypeError, ValueError):
        raise NotFound(gettext_noop("The plan has no task %(task)s."), task=task_number) from None


# --------------------------------------------------------------------------------------------
# Departments


def _check_department(key: str) -> str:
    try:
        return load_city_profile().department(key).key
    except KeyError:
        raise CatalogueError(gettext_noop("%(field)s: there is no department “%(value)s”."),
                             field="department_key", value=key) from None


def assign_department(user: User, department_key: str, *, actor) -> DepartmentMembership:
    """Make a government user a member of a plan department (government users only)."""
    require_government(actor)
    department_key = _check_department(department_key)
    if user.role != Role.GOVERNMENT:
        raise CatalogueError(gettext_noop("Only government users belong to departments."),
                             field="user")
    with transaction.atomic():
        membership, created = DepartmentMembership.objects.get_or_create(
            user=user, department_key=department_key,
            defaults={"assigned_by": actor, "assigned_at": timezone.now()},
        )
        if created:
            record(actor, "department.assign", membership, user=user.username,
                   department=department_key)
    return membership


def remove_department(membership: DepartmentMembership, *, actor) -> None:
    """End a government user's membership of a department (government users only)."""
    require_government(actor)
    with transaction.atomic():
        held = DepartmentMembership.objects.select_for_update().filter(pk=membership.pk).first()
        if held is None:
            raise NotFound()
        record(actor, "department.remove", held, user=held.user.username,
               department=held.department_key)
        held.delete()


# --------------------------------------------------------------------------------------------
# Task progress and milestones


def _text(value: Any, field_name: str, limit: int | None = None) -> str:
    text = str(value or "").strip()
    if not text:
        raise CatalogueError(gettext_noop("%(field)s: this field is required."),
                             field=field_name)
    if limit is not None and len(text) > limit:
        raise CatalogueError(gettext_noop("%(field)s: at most %(limit)s characters."),
                             field=field_name, limit=limit)
    return text


def _date(value: Any, field_name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CatalogueError(gettext_noop("%(field)s: “%(value)s” is not a date."),
                             field=field_name, value=value) from None


def post_task_progress(task_number: int, department_key: str, on: date, text: str, *, actor,
                       link: str = "") -> TaskProgress:
    """Post progress on a plan task on behalf of one of its lead departments."""
    require_reporter(actor, task_number)
    if department_key not in reporting_departments(actor, task_number):
        raise PermissionRefused(
            gettext_noop("You cannot post on behalf of this department."))
    on = _date(on, "date")
    if on > timezone.localdate():
        raise CatalogueError(gettext_noop("%(field)s: a progress post cannot be dated in the "
                                          "future."), field="date")
    body = _text(text, "text", 5000)
    link = (link or "").strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise CatalogueError(gettext_noop("%(field)s: “%(value)s” is not a web address."),
                                 field="link", value=link) from None
    with transaction.atomic():
        post = TaskProgress.objects.create(
            task_number=task_number, department_key=department_key, date=on, text=body,
            link=link, posted_by=actor, posted_at=timezone.now(),
        )
        record(actor, "task.progress", post, task=task_number, department=department_key,
               date=on, text=body, link=link)
    return post


def add_milestone(task_number: int, title: str, due: date, *, actor) -> TaskMilestone:
    """Add a milestone with its due date to a plan task (its lead departments)."""
    require_reporter(actor, task_number)
    title = _text(title, "title", 300)
    due = _date(due, "due")
    with transaction.atomic():
        milestone = TaskMilestone.objects.create(
            task_number=task_number, title=title, due=due, created_by=actor,
            created_at=timezone.now(),
        )
        record(actor, "task.milestone.add", milestone, task=task_number, title=title, due=due)
    return milestone


def set_milestone_done(milestone: TaskMilestone, done_on: date | None, *, actor
                       ) -> TaskMilestone:
    """Record the day a milestone was reached (None reopens it)."""
    require_reporter(actor, milestone.task_number)
    done = None if done_on in (None, "") else _date(done_on, "done_on")
    if done is not None and done > timezone.localdate():
        raise CatalogueError(gettext_noop("%(field)s: a milestone cannot be done in the future."),
                             field="done_on")
    with transaction.atomic():
        held = TaskMilestone.objects.select_for_update().filter(pk=milestone.pk).first()
        if held is None:
            raise NotFound()
        if held.done_on == done:
            return held
        previous = held.done_on
        held.done_on, held.updated_at = done, timezone.now()
        held.save(update_fields=["done_on", "updated_at"])
        record(actor, "task.milestone.done", held, task=held.task_number, done_on=done,
               previous=previous)
    return held
