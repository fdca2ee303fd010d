"""The enterprise-year fact table (:class:`~czesg.disclosures.models.EnterpriseYear`), kept current.

One SQL statement builds the rows of chosen enterprises (or of all) from the latest published
version of each enterprise-year (``Disclosure.objects.latest_published``, the one rule) and that
version's reported values of the three summed indicators; :func:`refresh_facts` replaces an enterprise's rows with it whenever a disclosure of
the enterprise is published (it receives the ``disclosures_published`` signal inside the
publishing transaction), and :func:`rebuild_facts` rebuilds the whole table (the migration that
moved it beside the disclosures uses it; so can a repair from ``czesg manage shell``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from czesg.disclosures.models import Disclosure, EnterpriseYear
from czesg.engine.plan.targets import EMISSIONS, ENERGY, REVENUE

BATCH = 2000  # enterprises per statement (well under SQLite's limit on query parameters)
ANALYZE_FROM = 500  # enterprises refreshed at once from which the statistics are renewed first
COLUMNS = {"emissions": EMISSIONS, "revenue": REVENUE, "energy": ENERGY}

# One row per chosen disclosure; each figure is looked up by the unique (disclosure, indicator)
# index. A join grouped by disclosure let PostgreSQL pick a plan from the statistics of the
# moment, and right after a bulk load into the (partitioned) datapoints, with statistics from
# before it, one statement of 2,000 enterprises ran for minutes; a lookup per figure cannot.
_FIGURE = ("(SELECT p.value_number FROM disclosures_datapoint p WHERE p.disclosure_id = d.id "
           "AND p.indicator_code = '{code}' AND p.status = 'reported')")
_SELECT = """
SELECT d.enterprise_id, d.year, d.id, {values}
FROM disclosures_disclosure d
WHERE d.id IN ({latest})
"""


def _insert(enterprise_ids: list[int] | None = None) -> tuple[str, list]:
    """The statement (and its parameters) that inserts the fact rows of these enterprises (or of
    all), from the latest published versions that :meth:`latest_published` chooses."""
    values = ", ".join(_FIGURE.format(code=code) for code in COLUMNS.values())
    latest, params = (Disclosure.objects.latest_published(enterprises=enterprise_ids)
                      .order_by().values("pk").query.sql_with_params())
    select = _SELECT.format(values=values, latest=latest)
    return (f"INSERT INTO {_table()} (enterprise_id, year, disclosure_id, "
            f"{', '.join(COLUMNS)}) {select}", list(params))


def _table() -> str:
    return EnterpriseYear._meta.db_table


def refresh_facts(enterprise_ids: Iterable[int], cursor=None) -> None:
    """Replace the fact rows of these enterprises by what their published disclosures say."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    with connection.cursor() as own:
        cursor = cursor or own
        if connection.vendor == "postgresql" and len(ids) >= ANALYZE_FROM:
            # A bulk load just wrote these disclosures: without fresh statistics PostgreSQL
            # believes the table nearly empty and plans the latest-version choice as nested
            # loops over it (minutes for 2,000 enterprises). ANALYZE sees this transaction's rows.
            cursor.execute("ANALYZE disclosures_disclosure")
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {_table()} WHERE enterprise_id IN ({marks})", chunk)
            cursor.execute(*_insert(chunk))


def rebuild_facts(cursor=None) -> None:
    """Rebuild the whole fact table from the published disclosures."""
    with connection.cursor() as own:
        cursor = cursor or own
        cursor.execute(f"DELETE FROM {_table()}")
        cursor.execute(*_insert())


def on_published(sender, *, enterprise_ids, **kwargs) -> None:
    """Receiver of ``disclosures_published``."""
    refresh_facts(enterprise_ids)
