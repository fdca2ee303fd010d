"""The reads of ratings that pages, exports and other apps share: which run counts for a year and
each enterprise's *latest rating*.

Definitions (the city dashboard and the ratings page both use them, so they agree):

* The *rating of a year* is the enterprise's rating in the latest completed rating run of that
  year (a later run of the same year supersedes an earlier one).
* The *latest rating* of an enterprise as of a year is its rating of the latest year up to that
  year in which it was rated: an enterprise rated A for 2024 that has not published for 2025
  yet still counts as rated A in 2025.
"""

from __future__ import annotations

from django.db import connection

from czesg.engine.plan import targets
from czesg.ratings.models import Rating, RatingRun, RunStatus


def latest_runs() -> dict[int, int]:
    """The latest completed rating run of each year: year → run primary key."""
    runs: dict[int, int] = {}
    for year, pk in (RatingRun.objects.filter(status=RunStatus.DONE)
                     .order_by("year", "finished_at", "id").values_list("year", "id")):
        runs[int(year)] = int(pk)
    return runs


def rating_rows(up_to: int, runs: dict[int, int] | None = None) -> list[tuple[int, int, str]]:
    """``(enterprise id, year, grade)`` in the latest completed run of each year to ``up_to``."""
    runs = latest_runs() if runs is None else runs
    chosen = [pk for year, pk in runs.items() if year <= up_to]
    if not chosen:
        return []
    sql, params = (Rating.objects.filter(run_id__in=chosen).order_by()
                   .values_list("enterprise_id", "year", "grade").query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rated_at_or_above(year: int, threshold: str = "A") -> int:
    """How many enterprises' latest rating as of ``year`` is at ``threshold`` or better (the
    count of the plan target "enterprises rated A or above")."""
    rows = rating_rows(year)
    return targets.rated_a_or_above([(str(e), y, g) for e, y, g in rows], threshold)
