"""The reads the dashboard pages, the zone evaluation and their exports share: a few aggregate
queries in, plain rows and Polars frames out.

Nothing here writes. Every function gathers plain rows with bulk queries (``values_list`` over
the latest published disclosures of a year, executed on a raw cursor so that 100,000 rows cost
no model instances) for the pure engines (:mod:`czesg.engine.plan.targets`,
:mod:`czesg.engine.parks`) that :mod:`czesg.dashboards.figures` and :mod:`czesg.parks.queries`
call.

Definitions (documented on the pages too):

* The *latest published disclosure* of an enterprise-year is its published version with the
  highest version number (:meth:`~czesg.disclosures.models.DisclosureQuerySet.latest_published`,
  the one rule the whole platform uses).
* The *rating of a year* and the *latest rating* of an enterprise as of a year are those of
  :mod:`czesg.ratings.queries` (the ratings page counts "A or above" with the same rule).
  Without the ratings app, no enterprise is rated.
* Listed companies are those the registry marks as listed today (the registry keeps no history
  of listings), so earlier years' rates use today's list.

Caching: the figures change only when data changes, and every change of state goes through an
action that appends to the audit chain. The pages therefore ask for figures through
:func:`cached`, which keeps computed figures in Django's cache under a key holding the audit
chain's head (sequence and hash) and today's date, for at most
``settings.CZESG_DASHBOARD_CACHE_SECONDS`` (default 300; 0 turns caching off). Any audited change
makes a new key, so a publication, a rating run or a registry entry shows on the next request;
the time limit bounds how long a change made outside the actions could stay unseen. Without an
audit chain (an empty database) nothing is cached.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, FloatField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from czesg.audit.models import AuditHead
from czesg.disclosures.facts import COLUMNS as FACT_COLUMNS
from czesg.disclosures.models import (
    Datapoint,
    DatapointStatus,
    Disclosure,
    EnterpriseYear,
    State,
)
from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.plan import CityProfile, load_city_profile
from czesg.engine.plan import targets as engine
from czesg.enterprises.models import Enterprise
from czesg.ratings import queries as rating_queries
from czesg.ratings.models import Rating
from czesg.storage.bulk import frame_of_rows, read_frame

CITY_CODES: tuple[str, ...] = (engine.EMISSIONS, engine.REVENUE, engine.ENERGY)


# --------------------------------------------------------------------------------------------
# Small helpers


def rows_of(queryset: QuerySet) -> list[tuple]:
    """Run a ``values_list`` queryset on a raw cursor and return its rows as tuples."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def latest_published_ids(year: int) -> QuerySet:
    """A subquery of the primary keys of the latest published disclosure of each enterprise
    (:meth:`~czesg.disclosures.models.DisclosureQuerySet.latest_published`)."""
    return Disclosure.objects.latest_published(year=year).order_by().values("pk")


def published_years() -> list[int]:
    """The reporting years with at least one published disclosure, newest first.

    The fact table has a row per enterprise-year; a recursive query hops from each year to the
    next through the (year, enterprise) index instead of reading every row."""
    table = EnterpriseYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE hop(year) AS (SELECT MIN(year) FROM {table} UNION ALL "
            f"SELECT (SELECT MIN(year) FROM {table} WHERE year > hop.year) FROM hop "
            f"WHERE hop.year IS NOT NULL) SELECT year FROM hop WHERE year IS NOT NULL")
        return sorted((int(row[0]) for row in cursor.fetchall()), reverse=True)


def default_year() -> int:
    """The newest year with published disclosures (last calendar year when there is none)."""
    years = published_years()
    return years[0] if years else timezone.localdate().year - 1


def parse_year(raw: Any) -> int | None:
    """A reporting year from a query string (None when absent or not a plausible year)."""
    text = str(raw or "").strip()
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return None


def parse_threshold(raw: Any) -> str:
    """A grade threshold from a query string; "A" when absent or not on the AAA..C scale."""
    text = str(raw or "").strip().upper()
    return text if text in engine.GRADE_SCALE else "A"


@lru_cache(maxsize=4096)
def _lead_industry(code: str) -> str | None:
    try:
        lead = load_city_profile().lead_industry_of(code)
    except KeyError:
        return None
    return lead.key if lead else None


def name_of(profile: CityProfile, by: str, key: Any, lang: str) -> str | None:
    """The display name of a district code, park key or lead industry key (None when unknown)."""
    if key is None or key == "":
        return None
    english = lang.startswith("en")
    try:
        if by == "district":
            item = profile.district(str(key))
            return item.name_en if english else item.name_zh
        if by == "park":
            park = profile.park(str(key))
            return park.name_en if english else park.short_zh
        item = profile.lead_industry(str(key))
        return item.name_en if english else item.name_zh
    except KeyError:
        return str(key)


# --------------------------------------------------------------------------------------------
# Cache


CACHE_SECONDS = 300


def data_version() -> str | None:
    """The audit chain's head as a short text (None when no action has been audited yet)."""
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    if not head or not head[0]:
        return None
    return f"{head[0]}-{head[1][:24]}"


def cached(kind: str, parts: Sequence[Any], compute):
    """Return ``compute()``, kept in the cache under the data version (see the module doc)."""
    seconds = int(getattr(settings, "CZESG_DASHBOARD_CACHE_SECONDS", CACHE_SECONDS))
    version = data_version() if seconds > 0 else None
    if version is None:
        return compute()
    key = ":".join(["czesg-dashboards", kind, *(str(p) for p in parts),
                    timezone.localdate().isoformat(), version])
    value = cache.get(key)
    if value is None:
        # Requests of one server process that miss the same key together compute it once: the
        # others wait for that result (after a change, a city-wide figure takes a second or more
        # at 100,000 enterprises, and every thread computing it would hold the CPU in turn).
        with _COMPUTING_LOCK:
            lock = _COMPUTING.setdefault(key, threading.Lock())
        with lock:
            value = cache.get(key)
            if value is None:
                value = compute()
                cache.set(key, value, seconds)
        with _COMPUTING_LOCK:
            _COMPUTING.pop(key, None)
    return value


_COMPUTING: dict[str, threading.Lock] = {}
_COMPUTING_LOCK = threading.Lock()


# --------------------------------------------------------------------------------------------
# Ratings (read-only; the ratings app writes them)


def latest_runs() -> dict[int, int]:
    """The latest completed rating run of each year (:func:`czesg.ratings.queries.latest_runs`)."""
    return rating_queries.latest_runs()


def grades_of_year(year: int, runs: dict[int, int] | None = None) -> list[tuple[int, str]]:
    """``(enterprise id, grade)`` of every enterprise rated in the year's latest completed run."""
    runs = latest_runs() if runs is None else runs
    if year not in runs:
        return []
    return rows_of(Rating.objects.filter(run_id=runs[year]).order_by()
                   .values_list("enterprise_id", "grade"))


def grades_by_tier(year: int, runs: dict[int, int] | None = None) -> dict[str, dict[str, int]]:
    """Enterprises per disclosure tier and grade in the year's latest completed run (methodology
    2025.2 rates a basic-tier disclosure on its form and holds its grade at the tier's best)."""
    runs = latest_runs() if runs is None else runs
    if year not in runs:
        return {}
    found: dict[str, dict[str, int]] = {}
    for tier, grade, count in (Rating.objects.filter(run_id=runs[year]).order_by()
                               .values_list("tier", "grade").annotate(n=Count("id"))):
        found.setdefault(str(tier), {})[str(grade)] = int(count)
    return found


def rating_rows(up_to: int, runs: dict[int, int] | None = None) -> list[tuple[int, int, str]]:
    """``(enterprise id, year, grade)`` in the latest completed run of each year to ``up_to``
    (:func:`czesg.ratings.queries.rating_rows`)."""
    runs = latest_runs() if runs is None else runs
    if not runs:
        return []
    return rating_queries.rating_rows(up_to, runs)


def rating_frame(up_to: int, runs: dict[int, int] | None = None) -> pl.DataFrame:
    """:func:`rating_rows` as a frame with the columns ``enterprise``, ``year`` and ``grade``.

    A completed run's ratings never change, so the frame is kept in the cache under the runs'
    keys (not the data version): a publication does not make the ratings be read again."""
    runs = latest_runs() if runs is None else runs
    schema = {"enterprise": pl.Int64, "year": pl.Int64, "grade": pl.Utf8}
    chosen = sorted(int(pk) for year, pk in runs.items() if year <= up_to)
    if not chosen:
        return pl.DataFrame(schema=schema)

    def read() -> pl.DataFrame:
        marks = ", ".join(["%s"] * len(chosen))
        return read_frame(f"SELECT enterprise_id, year, grade FROM {Rating._meta.db_table} "
                        f"WHERE run_id IN ({marks})", chosen, schema)

    return cached_by_runs("ratings", up_to, runs, read)


def cached_by_runs(kind: str, up_to: int, runs: dict[int, int], compute):
    """``compute()``, kept in the cache under the keys of the completed rating runs up to a
    year: a run's ratings never change, so the key is exact and needs no data version."""
    seconds = int(getattr(settings, "CZESG_DASHBOARD_CACHE_SECONDS", CACHE_SECONDS))
    if seconds <= 0:
        return compute()
    chosen = sorted(int(pk) for year, pk in runs.items() if year <= up_to)
    key = f"czesg-dashboards:{kind}:" + "-".join(map(str, chosen))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def rated_series(rows: Sequence[tuple[int, int, str]] | pl.DataFrame,
                 threshold: str) -> list[tuple[int, float]]:
    """For each rated year, the enterprises whose latest rating up to that year is at or above
    the threshold: the count of :func:`~czesg.engine.plan.targets.rated_a_or_above` (whose grade set,
    :func:`~czesg.engine.plan.targets.grades_at_or_above`, it uses), done in one Polars pass per year
    so that 100,000 enterprises cost milliseconds."""
    if isinstance(rows, pl.DataFrame):
        frame = rows
    else:
        frame = frame_of_rows(rows, {"enterprise": pl.Int64, "year": pl.Int64, "grade": pl.Utf8})
    if not frame.height:
        return []
    unknown = frame.filter(~pl.col("grade").is_in(engine.GRADE_SCALE))
    if unknown.height:
        engine.grade_rank(unknown["grade"][0])  # refuses an unknown grade as the engine does
    accepted = engine.grades_at_or_above(threshold)
    series = []
    for year in sorted(frame["year"].unique().to_list()):
        latest = (frame.filter(pl.col("year") <= year).sort("year")
                  .unique(subset="enterprise", keep="last", maintain_order=False))
        series.append((int(year), float(latest.filter(pl.col("grade").is_in(accepted)).height)))
    return series


# --------------------------------------------------------------------------------------------
# Enterprise-year frames


def _value_annotations(codes: Sequence[str]) -> dict[str, Max]:
    catalogue = load_catalogue()
    annotations = {}
    for number, code in enumerate(codes):
        boolean = code in catalogue.codes and catalogue.get(code).data_type == "boolean"
        if boolean:
            then: Any = Case(When(value_bool=True, then=Value(1.0)),
                             When(value_bool=False, then=Value(0.0)), output_field=FloatField())
        else:
            then = "value_number"
        annotations[f"v{number}"] = Max(Case(When(indicator_code=code, then=then),
                                             output_field=FloatField()))
    return annotations


def latest_published(year: int) -> dict[int, int]:
    """Each enterprise with a published disclosure for the year → its latest published version."""
    return dict(rows_of(
        Disclosure.objects.latest_published(year=year).order_by().values_list("enterprise_id", "pk")
    ))


def value_rows(year: int, codes: Sequence[str], *, parks_only: bool = False,
               latest: dict[int, int] | None = None) -> list[tuple]:
    """One row per enterprise with a published disclosure of the year, taken from its latest
    published version: the enterprise id and the reported value of each code (None when missing
    or not applicable).

    The query groups the year's published datapoints of the codes by enterprise and disclosure;
    rows of superseded versions are then dropped here. On PostgreSQL it selects the year's
    published disclosures with a plain join (a subquery of the latest versions is misestimated
    and probed row by row, twice as slow at 100,000 enterprises); SQLite, which probes the
    (disclosure, indicator) index well, gets the subquery of the latest versions.
    """
    latest = latest_published(year) if latest is None else latest
    annotations = _value_annotations(codes)
    if connection.vendor == "postgresql":
        chosen = Q(disclosure__state=State.PUBLISHED, disclosure__year=year)
    else:
        chosen = Q(disclosure_id__in=latest_published_ids(year))
    query = Datapoint.objects.filter(
        chosen, indicator_code__in=list(codes), status=DatapointStatus.REPORTED,
    ).exclude(unit__in=all_output_units())  # per MW, per t of product…: not per-revenue figures
    if parks_only:
        query = query.exclude(disclosure__enterprise__park_key="")
    query = (query.order_by().values("disclosure__enterprise_id", "disclosure_id")
             .annotate(**annotations)
             .values_list("disclosure__enterprise_id", "disclosure_id", *annotations))
    return [(row[0], *row[2:]) for row in rows_of(query) if latest.get(row[0]) == row[1]]


def disclosed_ids(year: int) -> list[int]:
    """The enterprises with a published disclosure for the year."""
    return list(latest_published(year))


@contextmanager
def bulk_rows() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while hundreds of thousands of row tuples are
    made and dropped (none of them forms a cycle); it saves a fifth of a cold computation."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def enterprise_frame(year: int, codes: Sequence[str], *, parks_only: bool = False,
                     runs: dict[int, int] | None = None,
                     grades: Sequence[tuple[int, str]] | None = None) -> pl.DataFrame:
    """One row per registered enterprise for a year: ``uscc`` (the enterprise id), district,
    park_key (None outside parks), industry (lead industry key), listed, disclosed, grade and
    one numeric column per catalogue code."""
    registry = Enterprise.objects.order_by()
    if parks_only:
        registry = registry.exclude(park_key="")
    enterprises = frame_of_rows(
        rows_of(registry.values_list("id", "division_code", "park_key", "industry_code",
                                     "listed")),
        {"uscc": pl.Int64, "district": pl.Utf8, "park_key": pl.Utf8, "industry_code": pl.Utf8,
         "listed": pl.Boolean},
    )
    latest = latest_published(year)
    values = frame_of_rows(value_rows(year, codes, parks_only=parks_only, latest=latest),
                    {"uscc": pl.Int64, **{code: pl.Float64 for code in codes}})
    disclosed = pl.DataFrame({"uscc": list(latest)}, schema={"uscc": pl.Int64}).with_columns(
        pl.lit(True).alias("disclosed"))
    if grades is None:
        grades = grades_of_year(year, runs)
    graded = frame_of_rows(grades, {"uscc": pl.Int64, "grade": pl.Utf8})
    lead = _lead_industries(enterprises)
    return (
        enterprises.join(lead, on="industry_code", how="left")
        .join(values, on="uscc", how="left")
        .join(disclosed, on="uscc", how="left")
        .join(graded, on="uscc", how="left")
        .with_columns(
            pl.col("disclosed").fill_null(False),
            pl.when(pl.col("park_key") == "").then(None).otherwise(pl.col("park_key"))
            .alias("park_key"),
            pl.col("listed").cast(pl.Boolean),
        )
        .drop("industry_code")
    )


def _lead_industries(registry: pl.DataFrame) -> pl.DataFrame:
    """The lead industry of each distinct industry code of ``registry``, to join on the code."""
    industries = registry["industry_code"].unique().to_list()
    return pl.DataFrame({"industry_code": industries,
                         "industry": [_lead_industry(code) for code in industries]},
                        schema={"industry_code": pl.Utf8, "industry": pl.Utf8})


def city_frame(year: int, ratings: pl.DataFrame | None = None) -> pl.DataFrame:
    """:func:`enterprise_frame` of the city codes, read from the fact table
    (:class:`~czesg.disclosures.models.EnterpriseYear`) instead of the year's datapoints.

    The registry, the year's facts and the year's grades (taken from ``ratings``, a
    :func:`rating_frame`) are read as three frames and joined here: PostgreSQL joining 100,000
    rows takes twice as long as reading them apart."""
    registry = read_frame(
        f"SELECT id, division_code, NULLIF(park_key, ''), industry_code, "
        f"CASE WHEN listed THEN 1 ELSE 0 END FROM {Enterprise._meta.db_table}", [],
        {"uscc": pl.Int64, "district": pl.Utf8, "park_key": pl.Utf8, "industry_code": pl.Utf8,
         "listed": pl.Int8},
    )
    columns = {column: code for column, code in FACT_COLUMNS.items() if code in CITY_CODES}
    facts = read_frame(
        f"SELECT enterprise_id, {', '.join(columns)} FROM {EnterpriseYear._meta.db_table} "
        f"WHERE year = %s", [year],
        {"uscc": pl.Int64, **{code: pl.Float64 for code in columns.values()}},
    ).with_columns(pl.lit(True).alias("disclosed"))
    if ratings is None:
        ratings = rating_frame(year)
    grades = (ratings.filter(pl.col("year") == year)
              .select(pl.col("enterprise").alias("uscc"), "grade"))
    lead = _lead_industries(registry)
    return (
        registry.join(lead, on="industry_code", how="left")
        .join(facts, on="uscc", how="left")
        .join(grades, on="uscc", how="left")
        .with_columns(pl.col("listed").cast(pl.Boolean),
                      pl.col("disclosed").fill_null(False))
        .drop("industry_code")
        .sort("uscc")  # once here, so that each breakdown's own sort finds the frame sorted
    )


def cached_default_year() -> int:
    """:func:`default_year`, computed once per data version."""
    return cached("default-year", (), default_year)


def year_choices(year: int) -> list[int]:
    """The years a page offers: every published year, the shown one and last calendar year."""
    this_year = timezone.localdate().year
    years = cached("published-years", (), published_years)
    return sorted(set(years) | {year} | {this_year - 1}, reverse=True)
