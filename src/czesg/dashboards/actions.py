"""Every change the dashboards make: registry entries, zone statistics, departments, task posts.

Each action checks the actor's permission (refusing with
:class:`~czesg.engine.kernel.errors.PermissionRefused`), runs in one transaction, and appends an entry
to the audit chain (:func:`czesg.audit.recording.record`) in that transaction; a refused or
invalid change writes nothing.

Who may do what:

* registries: government users and platform administrators;
* zone statistics: a park administrator for the zone in ``user.park_key``; government users and
  platform administrators for any zone of the city profile;
* department memberships: government users and platform administrators assign a government user
  to a department of the city profile (``DepartmentMembership``; ``User.organisation`` stays
  free text and is not used to decide permissions);
* task progress and milestones: government users who belong to one of the task's lead
  departments, and platform administrators.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Role, User
from czesg.accounts.permissions import is_authenticated, require_government
from czesg.audit.recording import record
from czesg.dashboards.models import (
    DepartmentMembership,
    GoodPracticeCase,
    KeyProject,
    ProfessionalIntake,
    RegistryEntry,
    ServiceAgency,
    Standard,
    TaskMilestone,
    TaskProgress,
    ZoneStatistic,
)
from czesg.engine.kernel.errors import CatalogueError, NotFound, PermissionRefused, gettext_noop
from czesg.engine.parks import ParkMethodology, load_park_methodology
from czesg.engine.plan import load_city_profile

# --------------------------------------------------------------------------------------------
# Permission checks


def is_government(user) -> bool:
    """Whether the user is a government user or a platform administrator."""
    return is_authenticated(user) and user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN)


def may_see_zone(user, park_key: str) -> bool:
    """Whether the user may see a zone's report and statistics."""
    if is_government(user):
        return True
    return (is_authenticated(user) and user.role == Role.PARK_ADMIN
            and bool(user.park_key) and user.park_key == park_key)


def require_zone(user, park_key: str) -> None:
    """Refuse unless the user may enter statistics for the zone."""
    if not may_see_zone(user, park_key):
        raise PermissionRefused(
            gettext_noop("Only the zone's administrators or the government can do this."))


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
# Registries


@dataclass(frozen=True)
class Registry:
    """One registry: its model, the fields a government user fills, and the target it feeds."""

    key: str
    model: type[RegistryEntry]
    fields: tuple[str, ...]
    target: str | None
    title: Any
    date_label: Any = _("Date")


REGISTRIES: dict[str, Registry] = {
    registry.key: registry for registry in (
        Registry("standards", Standard, ("title", "kind", "role", "date", "document", "source"),
                 "standards", _("Standards led or joined"), _("Issued on")),
        Registry("agencies", ServiceAgency, ("name", "kind", "date", "source"),
                 "service_agencies", _("ESG service agencies"), _("Registered on")),
        Registry("projects", KeyProject, ("name", "year", "date", "source"), "key_projects",
                 _("ESG key projects"), _("Signed on")),
        Registry("professionals", ProfessionalIntake, ("year", "count", "date", "source"),
                 "talent", _("ESG professionals attracted"), _("Reported on")),
        Registry("cases", GoodPracticeCase,
                 ("title", "enterprise", "year", "date", "summary", "source"), None,
                 _("Good-practice cases"), _("Published on")),
    )
}


def registry(key: str) -> Registry:
    """Return the registry with this key (NotFound if unknown)."""
    try:
        return REGISTRIES[key]
    except KeyError:
        raise NotFound() from None


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return getattr(value, "uscc", None) or str(value.pk)
    return value


def snapshot(entry: RegistryEntry, fields: tuple[str, ...]) -> dict[str, Any]:
    """The entry's filled fields as plain data (for the audit chain)."""
    return {name: _plain(getattr(entry, name)) for name in fields}


def _refuse_invalid(error: ValidationError) -> None:
    messages = getattr(error, "message_dict", None) or {"-": error.messages}
    field_name, problems = next(iter(messages.items()))
    raise CatalogueError(gettext_noop("%(field)s: %(reason)s"), field=field_name,
                         reason="; ".join(str(p) for p in problems))


def save_registry_entry(key: str, data: Mapping[str, Any], *, actor,
                        entry: RegistryEntry | None = None) -> RegistryEntry:
    """Create a registry entry, or change ``entry``, from ``data`` (government users only)."""
    require_government(actor)
    spec = registry(key)
    with transaction.atomic():
        if entry is None:
            instance = spec.model(entered_by=actor, entered_at=timezone.now())
            before = None
        else:
            instance = spec.model.objects.select_for_update().filter(pk=entry.pk).first()
            if instance is None:
                raise NotFound()
            before = snapshot(instance, spec.fields)
        for name in spec.fields:
            value = data.get(name)
            if isinstance(value, str):
                value = value.strip()
            if value is None and name not in ("enterprise",):
                value = "" if isinstance(spec.model._meta.get_field(name),
                                         models.CharField | models.TextField) else None
            setattr(instance, name, value)
        if before is not None:
            instance.updated_at = timezone.now()
        try:
            instance.full_clean(exclude=["entered_by"])
        except ValidationError as error:
            _refuse_invalid(error)
        after = snapshot(instance, spec.fields)
        if before is not None and after == before:
            return instance
        instance.save()
        if before is None:
            record(actor, f"registry.{key}.create", instance, entry=after)
        else:
            changed = {k: [before[k], after[k]] for k in spec.fields if before[k] != after[k]}
            record(actor, f"registry.{key}.update", instance, changes=changed)
    return instance


def delete_registry_entry(key: str, entry: RegistryEntry, *, actor, reason: str = "") -> None:
    """Remove a registry entry (government users only); the audit chain keeps what it said."""
    require_government(actor)
    spec = registry(key)
    with transaction.atomic():
        instance = spec.model.objects.select_for_update().filter(pk=entry.pk).first()
        if instance is None:
            raise NotFound()
        removed = snapshot(instance, spec.fields)
        record(actor, f"registry.{key}.delete", instance, entry=removed, reason=reason.strip())
        instance.delete()


# --------------------------------------------------------------------------------------------
# Zone statistics


def _check_zone(park_key: str) -> None:
    try:
        load_city_profile().park(park_key)
    except KeyError:
        raise NotFound(gettext_noop("There is no zone %(zone)s."), zone=park_key) from None


def _check_year(year: Any) -> int:
    try:
        number = int(year)
    except (TypeError, ValueError):
        number = 0
    if not 2000 <= number <= 2100:
        raise CatalogueError(gettext_noop("%(year)s is not a reporting year."), year=year,
                             field="year")
    return number


def _statistic_value(statistic, raw: Any) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).replace(",", "").strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise CatalogueError(gettext_noop("%(field)s: “%(value)s” is not a number."),
                             field=statistic.key, value=raw) from None
    if isinstance(raw, bool) or not math.isfinite(value):
        raise CatalogueError(gettext_noop("%(field)s: “%(value)s” is not a number."),
                             field=statistic.key, value=raw)
    if statistic.min is not None and value < statistic.min:
        raise CatalogueError(gettext_noop("%(field)s: %(value)s is below %(limit)s."),
                             field=statistic.key, value=f"{value:g}", limit=f"{statistic.min:g}")
    if statistic.max is not None and value > statistic.max:
        raise CatalogueError(gettext_noop("%(field)s: %(value)s is above %(limit)s."),
                             field=statistic.key, value=f"{value:g}", limit=f"{statistic.max:g}")
    return value


def enter_zone_statistics(park_key: str, year: int, entries: Mapping[str, tuple[Any, str]], *,
                          actor, methodology: ParkMethodology | None = None) -> int:
    """Set (or clear, with an empty value) a zone's statistics for a year; returns how many
    changed. ``entries`` maps a statistic key to ``(value, source)``; every entry is checked
    before anything is written, and each change is audited with the previous value."""
    require_zone(actor, park_key)
    _check_zone(park_key)
    year = _check_year(year)
    methodology = methodology or load_park_methodology()
    declared = {statistic.key: statistic for statistic in methodology.statistics}
    checked: dict[str, tuple[float | None, str]] = {}
    for key, (raw, source) in entries.items():
        statistic = declared.get(key)
        if statistic is None:
            raise CatalogueError(gettext_noop("%(field)s is not a zone statistic."), field=key)
        value = _statistic_value(statistic, raw)
        source = (source or "").strip()
        if value is not None and not source:
            raise CatalogueError(gettext_noop("%(field)s: say where the figure comes from."),
                                 field=key)
        checked[key] = (value, source[:300])
    changed = 0
    with transaction.atomic():
        existing = {s.key: s for s in ZoneStatistic.objects.select_for_update().filter(
            park_key=park_key, year=year, key__in=list(checked))}
        now = timezone.now()
        for key, (value, source) in checked.items():
            statistic, held = declared[key], existing.get(key)
            if value is None:
                if held is not None:
                    record(actor, "zone_statistic.clear", held, zone=park_key, year=year,
                           key=key, previous=held.value, previous_source=held.source)
                    held.delete()
                    changed += 1
                continue
            if held is not None and held.value == value and held.source == source:
                continue
            previous = None if held is None else held.value
            if held is None:
                held = ZoneStatistic(park_key=park_key, year=year, key=key)
            held.value, held.unit, held.source = value, statistic.unit, source
            held.methodology_version = methodology.version
            held.entered_by, held.entered_at = actor, now
            held.save()
            record(actor, "zone_statistic.set", held, zone=park_key, year=year, key=key,
                   value=value, unit=statistic.unit, source=source, previous=previous,
                   methodology=methodology.version)
            changed += 1
    return changed


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
