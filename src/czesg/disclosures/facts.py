"""The enterprise-year fact table (:class:`~czesg.disclosures.models.EnterpriseYear`), kept current.

The rows of chosen enterprises (or of all) name the latest published version of each
enterprise-year (the one rule of ``Disclosure.objects.latest_published``: the highest published
version number) and carry that version's reported values of the three summed indicators;
:func:`refresh_facts` replaces an enterprise's rows whenever a disclosure of the enterprise is
published (it receives the ``disclosures_published`` signal inside the publishing transaction),
and :func:`rebuild_facts` rebuilds the whole table (the migration that moved it beside the
disclosures uses it; so can a repair from ``czesg manage shell``).

Each step is a plain filtered read whose cost is linear in the rows it reads under any plan. A
single ``INSERT … SELECT`` with the latest-version choice as a subquery let PostgreSQL plan it from
the statistics of the moment: right after a bulk load inside one transaction (which autovacuum
cannot see) it planned nested loops over tables it believed empty, and one refresh of 2,000
enterprises ran for minutes. The choice of the highest version is made here in Python from the
published versions read in one query; ``tests/apps/disclosures/test_latest_published.py`` holds it
equal to :meth:`~czesg.disclosures.models.DisclosureQuerySet.latest_published`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from czesg.disclosures.models import Datapoint, Disclosure, EnterpriseYear, State
from czesg.engine.plan.targets import EMISSIONS, ENERGY, REVENUE

BATCH = 2000  # enterprises or disclosures per statement (well under SQLite's parameter limit)
COLUMNS = {"emissions": EMISSIONS, "revenue": REVENUE, "energy": ENERGY}


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _latest(cursor, enterprise_ids: list[int] | None) -> dict[int, tuple[int, int]]:
    """``{disclosure id: (enterprise id, year)}`` of the latest published version of each
    enterprise-year of these enterprises (or of all)."""
    sql = (f"SELECT id, enterprise_id, year, version FROM {Disclosure._meta.db_table} "
           "WHERE state = %s")
    chunks: list[list[int] | None] = [None]
    if enterprise_ids is not None:
        chunks = [enterprise_ids[i : i + BATCH] for i in range(0, len(enterprise_ids), BATCH)]
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for chunk in chunks:
        if chunk is None:
            cursor.execute(sql, [State.PUBLISHED.value])
        else:
            cursor.execute(f"{sql} AND enterprise_id IN ({_marks(chunk)})",
                           [State.PUBLISHED.value, *chunk])
        for pk, enterprise_id, year, version in cursor.fetchall():
            key = (enterprise_id, year)
            if key not in best or version > best[key][0]:
                best[key] = (version, pk)
    return {pk: key for key, (_version, pk) in best.items()}


def _rows(cursor, enterprise_ids: list[int] | None) -> list[tuple]:
    """The fact rows of these enterprises (or of all), in the table's column order."""
    latest = _latest(cursor, enterprise_ids)
    codes = list(COLUMNS.values())
    figures: dict[tuple[int, str], float | None] = {}
    ids = sorted(latest)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        cursor.execute(
            f"SELECT disclosure_id, indicator_code, value_number FROM {Datapoint._meta.db_table} "
            f"WHERE disclosure_id IN ({_marks(chunk)}) AND indicator_code IN ({_marks(codes)}) "
            "AND status = 'reported'", [*chunk, *codes])
        for disclosure_id, code, value in cursor.fetchall():
            figures[(disclosure_id, code)] = None if value is None else float(value)
    return [(enterprise_id, year, pk, *(figures.get((pk, code)) for code in codes))
            for pk, (enterprise_id, year) in latest.items()]


def _table() -> str:
    return EnterpriseYear._meta.db_table


def _insert(cursor, rows: list[tuple]) -> None:
    if rows:
        cursor.executemany(
            f"INSERT INTO {_table()} (enterprise_id, year, disclosure_id, {', '.join(COLUMNS)}) "
            f"VALUES (%s, %s, %s, {_marks(list(COLUMNS))})", rows)


def refresh_facts(enterprise_ids: Iterable[int], cursor=None) -> None:
    """Replace the fact rows of these enterprises by what their published disclosures say."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    with connection.cursor() as own:
        cursor = cursor or own
        rows = _rows(cursor, ids)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            cursor.execute(f"DELETE FROM {_table()} WHERE enterprise_id IN ({_marks(chunk)})",
                           chunk)
        _insert(cursor, rows)


def rebuild_facts(cursor=None) -> None:
    """Rebuild the whole fact table from the published disclosures."""
    with connection.cursor() as own:
        cursor = cursor or own
        rows = _rows(cursor, None)
        cursor.execute(f"DELETE FROM {_table()}")
        _insert(cursor, rows)


def on_published(sender, *, enterprise_ids, **kwargs) -> None:
    """Receiver of ``disclosures_published``."""
    refresh_facts(enterprise_ids)
