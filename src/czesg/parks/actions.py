"""Every change of the zone evaluation: the zone statistics a park administrator enters.

A park administrator enters statistics for the zone in ``user.park_key``; government users and
platform administrators for any zone of the city profile. Each action checks the actor's
permission (refusing with :class:`~czesg.engine.kernel.errors.PermissionRefused`), runs in one
transaction, and appends an entry to the audit chain (:func:`czesg.audit.recording.record`) in
that transaction; a refused or invalid change writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.accounts.permissions import is_authenticated, is_government
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CatalogueError, NotFound, PermissionRefused, gettext_noop
from czesg.engine.parks import ParkMethodology, load_park_methodology
from czesg.engine.plan import load_city_profile
from czesg.parks.models import ZoneStatistic

# --------------------------------------------------------------------------------------------
# Permission checks


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
                             field=statistic.key, value=raw,
                             field_zh=statistic.name_zh, field_en=statistic.name_en) from None
    if isinstance(raw, bool) or not math.isfinite(value):
        raise CatalogueError(gettext_noop("%(field)s: “%(value)s” is not a number."),
                             field=statistic.key, value=raw,
                             field_zh=statistic.name_zh, field_en=statistic.name_en)
    if statistic.min is not None and value < statistic.min:
        raise CatalogueError(gettext_noop("%(field)s: %(value)s is below %(limit)s."),
                             field=statistic.key, value=f"{value:g}", limit=f"{statistic.min:g}",
                             field_zh=statistic.name_zh, field_en=statistic.name_en)
    if statistic.max is not None and value > statistic.max:
        raise CatalogueError(gettext_noop("%(field)s: %(value)s is above %(limit)s."),
                             field=statistic.key, value=f"{value:g}", limit=f"{statistic.max:g}",
                             field_zh=statistic.name_zh, field_en=statistic.name_en)
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
