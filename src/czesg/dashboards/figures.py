"""Fetch → compute for the dashboards: a few aggregate queries in, the pure engines' results out.

Nothing here writes. Every function gathers plain rows with bulk queries (``values_list`` over
the latest published disclosures of a year, executed on a raw cursor so that 100,000 rows cost
no model instances), hands them to :mod:`czesg.engine.plan.targets` or :mod:`czesg.engine.parks`,
and returns plain results that the pages and the exports render.

Definitions (documented on the pages too):

* The *latest published disclosure* of an enterprise-year is its published version with the
  highest version number (:meth:`~czesg.disclosures.models.DisclosureQuerySet.latest_published`,
  the one rule the whole platform uses).
* The *rating of a year* and the *latest rating* of an enterprise as of a year are those of
  :mod:`czesg.ratings.queries` (the ratings page counts "A or above" with the same rule).
  Without the ratings app, no enterprise is rated.
* Listed companies are those the registry marks as listed today (the registry keeps no history
  of listings), so earlier years' rates use today's list.
* Registry targets: standards and service agencies are cumulative counts of entries dated up to
  the end of each year (no data while the registry is empty); key projects and professionals are
  per-year figures (no data for a year without entries). They run up to the current year, while
  the platform-measured targets describe the selected reporting year.

Caching: the figures change only when data changes, and every change of state goes through an
action that appends to the audit chain. The pages therefore ask :func:`cached_city_figures` and
:func:`cached_zone_figures`, which keep computed figures in Django's cache under a key holding
the audit chain's head (sequence and hash) and today's date, for at most
``settings.CZESG_DASHBOARD_CACHE_SECONDS`` (default 300; 0 turns caching off). Any audited change
makes a new key, so a publication, a rating run or a registry entry shows on the next request;
the time limit bounds how long a change made outside the actions could stay unseen. Without an
audit chain (an empty database) nothing is cached.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import polars as pl
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, FloatField, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from czesg.dashboards.models import (
    KeyProject,
    ProfessionalIntake,
    ServiceAgency,
    Standard,
    TaskMilestone,
    TaskProgress,
    ZoneStatistic,
)
from czesg.disclosures.facts import COLUMNS as FACT_COLUMNS
from czesg.disclosures.models import (
    Datapoint,
    DatapointStatus,
    Disclosure,
    EnterpriseYear,
    State,
)
from czesg.engine.catalogue import load_catalogue
from czesg.engine.parks import (
    ParkEvaluation,
    ParkMethodology,
    aggregate_enterprises,
    evaluate_parks,
    load_park_methodology,
)
from czesg.engine.plan import CityProfile, load_city_profile
from czesg.engine.plan import targets as engine
from czesg.enterprises.models import Enterprise

BREAKDOWNS: tuple[str, ...] = ("district", "park", "industry")
CITY_CODES: tuple[str, ...] = (engine.EMISSIONS, engine.REVENUE, engine.ENERGY)
PLATFORM_TARGETS = ("listed_disclosure_rate", "a_rated_enterprises")
CUMULATIVE_REGISTRIES = {"standards": Standard, "service_agencies": ServiceAgency}


# --------------------------------------------------------------------------------------------
# Small helpers


def frame_of(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run a query and return its rows as a Polars frame with the given columns and types.

    On PostgreSQL the server writes the rows as one CSV text (``string_agg``) that Polars
    parses: at 100,000 rows that is three times faster than a Python tuple per row, and twice
    as fast as ``COPY``, which hands Python one message per row. The query must return booleans
    as 0/1, and text columns only of codes (no comma, quote or line break; a NULL and an empty
    text both arrive as null)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return _frame(cursor.fetchall(), schema)
    names = [f"c{i}" for i in range(len(schema))]
    row = "concat_ws(',', " + ", ".join(f"coalesce({name}::text, '')" for name in names) + ")"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg({row}, E'\\n') FROM ({sql}) AS q({', '.join(names)})",
                       params)
        text = cursor.fetchone()[0]
    if not text:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(text.encode(), has_header=False, new_columns=list(schema), schema=schema)


def rows_of(queryset: QuerySet) -> list[tuple]:
    """Run a ``values_list`` queryset on a raw cursor and return its rows as tuples."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def ratings_installed() -> bool:
    """Tell whether the ratings app (and so the Rating table) is part of this installation."""
    return apps.is_installed("czesg.ratings")


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
    from czesg.audit.models import AuditHead

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
        value = compute()
        cache.set(key, value, seconds)
    return value


# --------------------------------------------------------------------------------------------
# Ratings (read-only; the ratings app writes them)


def latest_runs() -> dict[int, int]:
    """The latest completed rating run of each year (:func:`czesg.ratings.queries.latest_runs`);
    none without the ratings app."""
    if not ratings_installed():
        return {}
    from czesg.ratings import queries

    return queries.latest_runs()


def grades_of_year(year: int, runs: dict[int, int] | None = None) -> list[tuple[int, str]]:
    """``(enterprise id, grade)`` of every enterprise rated in the year's latest completed run."""
    runs = latest_runs() if runs is None else runs
    if year not in runs:
        return []
    from czesg.ratings.models import Rating

    return rows_of(Rating.objects.filter(run_id=runs[year]).order_by()
                   .values_list("enterprise_id", "grade"))


def rating_rows(up_to: int, runs: dict[int, int] | None = None) -> list[tuple[int, int, str]]:
    """``(enterprise id, year, grade)`` in the latest completed run of each year to ``up_to``
    (:func:`czesg.ratings.queries.rating_rows`)."""
    runs = latest_runs() if runs is None else runs
    if not runs:
        return []
    from czesg.ratings import queries

    return queries.rating_rows(up_to, runs)


def rating_frame(up_to: int, runs: dict[int, int] | None = None) -> pl.DataFrame:
    """:func:`rating_rows` as a frame with the columns ``enterprise``, ``year`` and ``grade``.

    A completed run's ratings never change, so the frame is kept in the cache under the runs'
    keys (not the data version): a publication does not make the ratings be read again."""
    runs = latest_runs() if runs is None else runs
    schema = {"enterprise": pl.Int64, "year": pl.Int64, "grade": pl.Utf8}
    chosen = sorted(int(pk) for year, pk in runs.items() if year <= up_to)
    if not chosen:
        return pl.DataFrame(schema=schema)
    from czesg.ratings.models import Rating

    def read() -> pl.DataFrame:
        marks = ", ".join(["%s"] * len(chosen))
        return frame_of(f"SELECT enterprise_id, year, grade FROM {Rating._meta.db_table} "
                        f"WHERE run_id IN ({marks})", chosen, schema)

    return _cached_by_runs("ratings", up_to, runs, read)


def _cached_by_runs(kind: str, up_to: int, runs: dict[int, int], compute):
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
        frame = _frame(rows, {"enterprise": pl.Int64, "year": pl.Int64, "grade": pl.Utf8})
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
    )
    if parks_only:
        query = query.exclude(disclosure__enterprise__park_key="")
    query = (query.order_by().values("disclosure__enterprise_id", "disclosure_id")
             .annotate(**annotations)
             .values_list("disclosure__enterprise_id", "disclosure_id", *annotations))
    return [(row[0], *row[2:]) for row in rows_of(query) if latest.get(row[0]) == row[1]]


def disclosed_ids(year: int) -> list[int]:
    """The enterprises with a published disclosure for the year."""
    return list(latest_published(year))


def _frame(rows: Sequence[tuple], schema: dict[str, Any]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema, orient="row")


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
    enterprises = _frame(
        rows_of(registry.values_list("id", "division_code", "park_key", "industry_code",
                                     "listed")),
        {"uscc": pl.Int64, "district": pl.Utf8, "park_key": pl.Utf8, "industry_code": pl.Utf8,
         "listed": pl.Boolean},
    )
    latest = latest_published(year)
    values = _frame(value_rows(year, codes, parks_only=parks_only, latest=latest),
                    {"uscc": pl.Int64, **{code: pl.Float64 for code in codes}})
    disclosed = pl.DataFrame({"uscc": list(latest)}, schema={"uscc": pl.Int64}).with_columns(
        pl.lit(True).alias("disclosed"))
    if grades is None:
        grades = grades_of_year(year, runs)
    graded = _frame(grades, {"uscc": pl.Int64, "grade": pl.Utf8})
    industries = enterprises["industry_code"].unique().to_list()
    lead = pl.DataFrame({"industry_code": industries,
                         "industry": [_lead_industry(code) for code in industries]},
                        schema={"industry_code": pl.Utf8, "industry": pl.Utf8})
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


def city_frame(year: int, ratings: pl.DataFrame | None = None) -> pl.DataFrame:
    """:func:`enterprise_frame` of the city codes, read from the fact table
    (:class:`~czesg.disclosures.models.EnterpriseYear`) instead of the year's datapoints.

    The registry, the year's facts and the year's grades (taken from ``ratings``, a
    :func:`rating_frame`) are read as three frames and joined here: PostgreSQL joining 100,000
    rows takes twice as long as reading them apart."""
    from czesg.enterprises.models import Enterprise as Registry

    registry = frame_of(
        f"SELECT id, division_code, NULLIF(park_key, ''), industry_code, "
        f"CASE WHEN listed THEN 1 ELSE 0 END FROM {Registry._meta.db_table}", [],
        {"uscc": pl.Int64, "district": pl.Utf8, "park_key": pl.Utf8, "industry_code": pl.Utf8,
         "listed": pl.Int8},
    )
    columns = {column: code for column, code in FACT_COLUMNS.items() if code in CITY_CODES}
    facts = frame_of(
        f"SELECT enterprise_id, {', '.join(columns)} FROM {EnterpriseYear._meta.db_table} "
        f"WHERE year = %s", [year],
        {"uscc": pl.Int64, **{code: pl.Float64 for code in columns.values()}},
    ).with_columns(pl.lit(True).alias("disclosed"))
    if ratings is None:
        ratings = rating_frame(year)
    grades = (ratings.filter(pl.col("year") == year)
              .select(pl.col("enterprise").alias("uscc"), "grade"))
    industries = registry["industry_code"].unique().to_list()
    lead = pl.DataFrame({"industry_code": industries,
                         "industry": [_lead_industry(code) for code in industries]},
                        schema={"industry_code": pl.Utf8, "industry": pl.Utf8})
    return (
        registry.join(lead, on="industry_code", how="left")
        .join(facts, on="uscc", how="left")
        .join(grades, on="uscc", how="left")
        .with_columns(pl.col("listed").cast(pl.Boolean),
                      pl.col("disclosed").fill_null(False))
        .drop("industry_code")
        .sort("uscc")  # once here, so that each breakdown's own sort finds the frame sorted
    )


# --------------------------------------------------------------------------------------------
# The city dashboard


@dataclass
class CityFigures:
    """Everything the city dashboard shows for a reporting year."""

    year: int
    threshold: str
    years: list[int]
    targets: list[engine.TargetProgress]
    breakdowns: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    today: date = field(default_factory=timezone.localdate)


def _listed_history(up_to: int, listed_total: int) -> tuple[int, list[tuple[int, float | None]]]:
    """The listed companies' disclosure rate of each year to ``up_to`` (today's list)."""
    if not listed_total:
        return 0, []
    per_year = (EnterpriseYear.objects.filter(enterprise__listed=True, year__lte=up_to)
                .order_by().values_list("year").annotate(n=Count("id")).order_by("year"))
    return listed_total, [(int(y), 100.0 * n / listed_total) for y, n in per_year]


def _cumulative(model, up_to: int) -> list[tuple[int, float]]:
    per_year = dict(model.objects.order_by().values_list("date__year").annotate(n=Count("id")))
    if not per_year:
        return []
    first = min(min(per_year), engine.BASELINE_YEAR)
    running, series = 0, []
    for year in range(first, up_to + 1):
        running += per_year.get(year, 0)
        series.append((year, float(running)))
    return series


def registry_history(today: date | None = None) -> dict[str, list[tuple[int, float]]]:
    """The registry targets' yearly figures up to the current year (see the module docstring)."""
    up_to = (today or timezone.localdate()).year
    history = {key: _cumulative(model, up_to) for key, model in CUMULATIVE_REGISTRIES.items()}
    history["key_projects"] = [
        (int(y), float(n)) for y, n in KeyProject.objects.filter(year__lte=up_to).order_by()
        .values_list("year").annotate(n=Count("id")).order_by("year")]
    history["talent"] = [
        (int(y), float(n)) for y, n in ProfessionalIntake.objects.filter(year__lte=up_to)
        .order_by().values_list("year").annotate(n=Sum("count")).order_by("year")]
    return history


def city_figures(year: int | None = None, threshold: str = "A") -> CityFigures:
    """Fetch the year's enterprise data, ratings and registries and compute the dashboard."""
    profile = load_city_profile()
    years = published_years()
    year = year or (years[0] if years else timezone.localdate().year - 1)
    threshold = parse_threshold(threshold)
    runs = latest_runs()
    ratings = rating_frame(year, runs)
    frame = city_frame(year, ratings)

    listed = frame.filter(pl.col("listed"))
    rate = engine.listed_disclosure_rate(
        listed["uscc"].to_list(), listed.filter(pl.col("disclosed"))["uscc"].to_list())
    listed_total, listed_history = _listed_history(year, listed.height)
    rated_history = _cached_by_runs(f"rated-series:{threshold}", year, runs,
                                    lambda: rated_series(ratings, threshold))
    history: dict[str, list[tuple[int, float | None]]] = {
        "listed_disclosure_rate": [p for p in listed_history if p[0] != year] + [(year, rate)],
        "a_rated_enterprises": list(rated_history),
    }
    history.update(registry_history())
    progress = engine.target_progress(profile.targets, {}, history)

    breakdowns = {by: engine.breakdown(frame, by) for by in BREAKDOWNS}
    counts = {
        "enterprises": frame.height,
        "listed": listed_total,
        "disclosed": int(frame["disclosed"].sum()) if frame.height else 0,
        "listed_disclosed": int(listed["disclosed"].sum()) if listed.height else 0,
        "rated": int(frame["grade"].is_not_null().sum()) if frame.height else 0,
    }
    return CityFigures(year=year, threshold=threshold, years=years, targets=progress,
                       breakdowns=breakdowns, counts=counts)


def cached_city_figures(year: int | None = None, threshold: str = "A") -> CityFigures:
    """:func:`city_figures`, computed once per data version (see the module docstring)."""
    threshold = parse_threshold(threshold)
    def compute() -> CityFigures:
        with bulk_rows():
            return city_figures(year, threshold)

    return cached("city", (year, threshold), compute)


def cached_default_year() -> int:
    """:func:`default_year`, computed once per data version."""
    return cached("default-year", (), default_year)


def breakdown_table(figures: CityFigures, by: str, lang: str) -> dict[str, Any]:
    """One breakdown reshaped for a chart and a table: groups and one list per metric."""
    profile = load_city_profile()
    groups: list[Any] = []
    metrics: dict[str, dict[Any, Any]] = defaultdict(dict)
    reporters: dict[str, dict[Any, int]] = defaultdict(dict)
    grades: dict[str, dict[Any, int]] = defaultdict(dict)
    for row in figures.breakdowns[by]:
        group = row["group"]
        if group not in groups:
            groups.append(group)
        if row["metric"] == "grade_distribution":
            grades[row["category"]][group] = row["value"]
        else:
            metrics[row["metric"]][group] = row["value"]
            reporters[row["metric"]][group] = row["n"]
    return {
        "by": by,
        "keys": ["" if g is None else str(g) for g in groups],
        "labels": [name_of(profile, by, g, lang) for g in groups],
        "metrics": {m: [metrics[m].get(g) for g in groups] for m in engine.METRICS
                    if m != "grade_distribution"},
        "reporters": {m: [reporters[m].get(g) for g in groups] for m in engine.METRICS
                      if m != "grade_distribution"},
        "grades": {g: [grades[g].get(group, 0) for group in groups]
                   for g in (*engine.GRADE_SCALE, engine.UNRATED)},
    }


# --------------------------------------------------------------------------------------------
# Zones


@dataclass
class ZoneFigures:
    """The evaluation of every zone of the city profile for a year."""

    year: int
    methodology: ParkMethodology
    evaluations: list[ParkEvaluation]
    statistics: dict[str, dict[str, float | None]]
    enterprises: dict[str, dict[str, int]]

    def of(self, park_key: str) -> ParkEvaluation:
        """The evaluation of one zone (KeyError if it is not a zone of the profile)."""
        for evaluation in self.evaluations:
            if evaluation.park_key == park_key:
                return evaluation
        raise KeyError(park_key)


def zone_statistics(year: int, methodology: ParkMethodology,
                    parks: Iterable[str] | None = None) -> dict[str, dict[str, float | None]]:
    """The statistics entered for a year: park key → statistic key → value (declared keys only)."""
    declared = {s.key for s in methodology.statistics}
    query = ZoneStatistic.objects.filter(year=year, key__in=declared)
    if parks is not None:
        query = query.filter(park_key__in=list(parks))
    values: dict[str, dict[str, float | None]] = defaultdict(dict)
    for park, key, value in query.order_by().values_list("park_key", "key", "value"):
        values[park][key] = value
    return dict(values)


def zone_figures(year: int, methodology: ParkMethodology | None = None) -> ZoneFigures:
    """Aggregate the zones' enterprise data, add the entered statistics and score every zone."""
    methodology = methodology or load_park_methodology()
    catalogue = load_catalogue()
    parks = [park.key for park in load_city_profile().parks]
    codes = sorted({code for indicator in methodology.aggregated
                    for code in indicator.aggregation.codes  # type: ignore[union-attr]
                    if code in catalogue.codes})
    frame = enterprise_frame(year, codes, parks_only=True).filter(
        pl.col("park_key").is_in(parks))
    aggregates = aggregate_enterprises(frame, methodology)
    statistics = zone_statistics(year, methodology, parks)
    evaluations = evaluate_parks(statistics, aggregates, methodology, parks=parks)
    counts = {park: {"enterprises": 0, "disclosed": 0, "listed": 0} for park in parks}
    if frame.height:
        for row in frame.group_by("park_key").agg(
            pl.len().alias("enterprises"), pl.col("disclosed").sum().alias("disclosed"),
            pl.col("listed").sum().alias("listed"),
        ).iter_rows(named=True):
            counts[row["park_key"]] = {k: int(row[k]) for k in ("enterprises", "disclosed",
                                                                 "listed")}
    return ZoneFigures(year=year, methodology=methodology, evaluations=evaluations,
                       statistics=statistics, enterprises=counts)


def cached_zone_figures(year: int) -> ZoneFigures:
    """:func:`zone_figures`, computed once per data version (see the module docstring)."""
    def compute() -> ZoneFigures:
        with bulk_rows():
            return zone_figures(year)

    return cached("zones", (year,), compute)


# --------------------------------------------------------------------------------------------
# Tasks


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


__all__ = [
    "BREAKDOWNS", "CityFigures", "TaskBoard", "ZoneFigures", "breakdown_table", "city_figures",
    "default_year", "parse_threshold", "parse_year", "task_board", "zone_figures",
]
