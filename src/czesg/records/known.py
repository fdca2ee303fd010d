"""What the enterprise database knows of an enterprise-year-indicator, and on what basis.

A figure is *disclosed* (the enterprise's latest published disclosure holds it), else *recorded*
(the current records of a named source, summed over the source's installations or accounts; when
several sources hold one, the kind first in ``data/records/sources.toml``'s ``[precedence]`` wins),
else *not reported*. Pages, API and open data read this module so that they always say which.

Records are public or restricted by source: restricted ones (a utility's meter data) are read only
by the enterprise's members, government users, and those it granted its records to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, Sum

from czesg.access.models import Grant, Scope
from czesg.accounts.models import Membership, Role
from czesg.accounts.permissions import is_authenticated
from czesg.engine.records.sources import source_precedence
from czesg.records.models import Record, Visibility

DISCLOSED = "disclosed"
RECORD = "record"
NOT_REPORTED = "not_reported"
BATCH = 2000
# Above this many enterprises, their records are read in one query over the whole table.
WHOLE_TABLE = 20 * BATCH


@dataclass(frozen=True)
class Recorded:
    """A source's enterprise-year figure: the sum over its current records' subjects."""

    number: float | None
    unit: str
    source: str
    source_kind: str
    source_name_zh: str
    source_name_en: str
    document: str
    page: int | None
    subjects: int

    def source_name(self, language: str) -> str:
        """The source's name in the language (Chinese unless English is asked for)."""
        return self.source_name_en if language.startswith("en") else self.source_name_zh


def restricted_readable(user, enterprise_ids: Iterable[int]) -> set[int]:
    """The enterprises among ``enterprise_ids`` whose restricted records ``user`` may read."""
    ids = set(enterprise_ids)
    if not is_authenticated(user) or not ids:
        return set()
    if user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN):
        return ids
    members = set(Membership.objects.filter(user=user, enterprise_id__in=ids)
                  .values_list("enterprise_id", flat=True))
    granted = set(Grant.objects.for_grantee(user, Scope.RECORDS).filter(enterprise_id__in=ids)
                  .values_list("enterprise_id", flat=True))
    return members | granted


def recorded_values(
    enterprise_ids: Iterable[int], *, years: Iterable[int] | None = None,
    codes: Iterable[str] | None = None, restricted: Iterable[int] = (),
) -> dict[tuple[int, int, str], Recorded]:
    """The preferred recorded figure of each (enterprise, year, indicator); restricted records
    only of the enterprises in ``restricted`` (see :func:`restricted_readable`)."""
    rank = {kind: i for i, kind in enumerate(source_precedence())}
    allowed = set(restricted)
    found: dict[tuple[int, int, str], Recorded] = {}
    ids = sorted(set(enterprise_ids))
    wanted = set(ids)
    batches: list[list[int] | None]
    if len(ids) > WHOLE_TABLE and (not allowed or wanted <= allowed):
        # A population (a rating run's): one read of the year's records, the rows of other
        # enterprises dropped below. Hundreds of queries each binding 2,000 ids took 41 s at
        # a million enterprises, most of it building and quoting the id lists.
        batches = [None]
    else:
        batches = [ids[start:start + BATCH] for start in range(0, len(ids), BATCH)]
    for batch in batches:
        rows = Record.objects.filter(current=True)
        if batch is not None:
            rows = rows.filter(enterprise_id__in=batch)
        if years is not None:
            rows = rows.filter(year__in=list(years))
        if codes is not None:
            rows = rows.filter(indicator_code__in=list(codes))
        if batch is not None or not allowed:
            rows = rows.filter(Q(visibility=Visibility.PUBLIC) | Q(enterprise_id__in=allowed))
        grouped = (rows.order_by().values(
            "enterprise_id", "year", "indicator_code", "unit", "source__code", "source__kind",
            "source__name_zh", "source__name_en")
            .annotate(total=Sum("value_number"), subjects=Count("id"),
                      document=Max("document"), page=Min("page")))
        for row in grouped:
            if batch is None and row["enterprise_id"] not in wanted:
                continue
            key = (row["enterprise_id"], row["year"], row["indicator_code"])
            candidate = Recorded(
                row["total"], row["unit"], row["source__code"], row["source__kind"],
                row["source__name_zh"], row["source__name_en"], row["document"], row["page"],
                row["subjects"])
            held = found.get(key)
            if held is None or (rank.get(candidate.source_kind, 99), candidate.source) < (
                    rank.get(held.source_kind, 99), held.source):
                found[key] = candidate
    return found


@dataclass(frozen=True)
class Known:
    """What is known of one enterprise-year-indicator: its basis (``disclosed`` or ``record``),
    the figure in the indicator's canonical unit, and for a record its source."""

    basis: str
    number: float | None
    unit: str
    recorded: Recorded | None = None


def known_figures(
    enterprise_ids: Iterable[int], *, codes: Iterable[str], years: Iterable[int] | None = None,
    restricted: Iterable[int] = (),
) -> dict[tuple[int, int, str], Known]:
    """Each (enterprise, year, indicator) with a figure: the latest published disclosure's value
    first (a not-applicable answer counts as disclosed, without a number), else the preferred
    record. Absent keys are *not reported*."""
    from czesg.disclosures.models import Datapoint, Disclosure

    ids = sorted(set(enterprise_ids))
    wanted = list(codes)
    chosen_years = None if years is None else list(years)
    known: dict[tuple[int, int, str], Known] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        published = Disclosure.objects.latest_published(enterprises=batch)
        if chosen_years is not None:
            published = published.filter(year__in=chosen_years)
        for enterprise_id, year, code, number, unit in Datapoint.objects.filter(
                disclosure__in=published.values("pk"), indicator_code__in=wanted,
        ).values_list("disclosure__enterprise_id", "disclosure__year", "indicator_code",
                      "value_number", "unit"):
            known[(enterprise_id, year, code)] = Known(DISCLOSED, number, unit)
    for key, recorded in recorded_values(ids, years=chosen_years, codes=wanted,
                                         restricted=restricted).items():
        known.setdefault(key, Known(RECORD, recorded.number, recorded.unit, recorded))
    return known
