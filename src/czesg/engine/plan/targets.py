"""The pure computations behind the city dashboard: plan targets, breakdowns and task status.

Everything here works on plain inputs (sets of codes, mappings, lists of ``(year, value)`` pairs,
a Polars frame of enterprise-year rows) and returns plain frozen dataclasses or dictionaries, so
that the web layer only gathers data and renders. No Django.

Definitions used on the dashboard:

* **Listed disclosure rate**: 100 × (listed companies with a published disclosure for the year, or a
  published report or exchange filing held in the records)
  ÷ (listed companies); disclosures of unlisted companies are ignored.
* **Rated A or above**: enterprises whose latest grade on the nine-grade AAA … C scale is at or
  above a threshold (``"A"`` by default: AAA, AA and A).
* **Target status** (:func:`target_progress`): ``met`` when the value satisfies the target's
  comparator; otherwise ``on_track`` when the value is at least as good as the straight line
  from the baseline (the value of :data:`BASELINE_YEAR`, 2024) to the target in the target year
  (2027) evaluated at the year of the value; otherwise ``behind``; ``no_data`` without a value.
  A value exactly on the line is on track. An unmet target without a baseline value cannot be
  on a path and is ``behind``. Per-year targets (count/year) are read like the others: the
  yearly figure has to reach the target by the target year.
* **Task flags** (:func:`task_status`): ``overdue`` when a milestone's due date is before today
  and it is not done by today; ``stalled`` when at least :data:`STALLED_AFTER_DAYS` days (90, a
  quarterly reporting rhythm, a platform choice) have passed since the last progress post (or
  since ``started`` when there has been none; with neither, a task without posts is stalled).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

GRADE_SCALE: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")
BASELINE_YEAR = 2024
STALLED_AFTER_DAYS = 90

STATUSES: tuple[str, ...] = ("met", "on_track", "behind", "no_data")
TRENDS: tuple[str, ...] = ("improving", "worsening", "flat")

BREAKDOWN_COLUMNS: dict[str, str] = {
    "district": "district", "park": "park_key", "industry": "industry",
}
METRICS: tuple[str, ...] = (
    "enterprises", "disclosure_coverage", "grade_distribution", "total_emissions",
    "emissions_intensity", "energy",
)
UNRATED = "unrated"
EMISSIONS = "E-GHG-01"
REVENUE = "G-GEN-01"
ENERGY = "E-ENG-01"


# --------------------------------------------------------------------------------------------
# Grades and the two platform-measured targets


def grade_rank(grade: str) -> int:
    """Return a grade's position on the AAA..C scale (0 = AAA); ValueError if unknown."""
    try:
        return GRADE_SCALE.index(grade)
    except ValueError:
        raise ValueError(
            f"unknown grade {grade!r}; expected one of {', '.join(GRADE_SCALE)}"
        ) from None


def grades_at_or_above(threshold: str) -> tuple[str, ...]:
    """Return the grades at or above a threshold grade, best first."""
    return GRADE_SCALE[: grade_rank(threshold) + 1]


def listed_disclosure_rate(
    listed_usccs: Iterable[str], disclosed_usccs: Iterable[str]
) -> float | None:
    """Return the percentage of listed companies that published a disclosure (None if none)."""
    listed = set(listed_usccs)
    if not listed:
        return None
    published = listed & set(disclosed_usccs)
    return 100.0 * len(published) / len(listed)


def _latest_grades(
    grades: Mapping[str, str | None] | Iterable[tuple[str, int, str | None]],
) -> dict[str, str | None]:
    if isinstance(grades, Mapping):
        return dict(grades)
    latest: dict[str, tuple[int, str]] = {}
    for row in grades:
        uscc, year, grade = row
        if grade is None:
            continue
        if uscc not in latest or year > latest[uscc][0]:
            latest[uscc] = (year, grade)
        elif year == latest[uscc][0] and grade != latest[uscc][1]:
            raise ValueError(f"{uscc} has two different grades in {year}")
    return {uscc: grade for uscc, (_, grade) in latest.items()}


def rated_a_or_above(
    grades: Mapping[str, str | None] | Iterable[tuple[str, int, str | None]],
    threshold: str = "A",
) -> int:
    """Count the enterprises whose latest grade is at or above ``threshold`` on the AAA..C scale.

    ``grades`` is either a mapping of enterprise → latest grade (None = not rated), or rows of
    ``(uscc, year, grade)`` from which each enterprise's latest non-empty grade is taken.
    """
    accepted = set(grades_at_or_above(threshold))
    count = 0
    for grade in _latest_grades(grades).values():
        if grade is None:
            continue
        grade_rank(grade)
        count += grade in accepted
    return count


# --------------------------------------------------------------------------------------------
# Target progress


@dataclass(frozen=True)
class TargetProgress:
    """One plan target's figure, share of target reached, status against its path, and trend."""

    key: str
    name_zh: str
    name_en: str
    unit: str
    comparator: str
    target: float
    target_year: int
    measured_by: str
    year: int | None
    value: float | None
    share_of_target: float | None
    status: str
    baseline_year: int
    baseline: float | None
    expected: float | None
    trend: str | None
    change: float | None
    series: tuple[tuple[int, float], ...]
    source: str
    confidence: str


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    value = float(value)
    return value if math.isfinite(value) else None


def expected_on_path(
    baseline: float, target: float, year: int, *, baseline_year: int = BASELINE_YEAR,
    target_year: int,
) -> float:
    """Return the value of the straight line from baseline to target at ``year`` (clamped)."""
    if target_year <= baseline_year:
        return target
    fraction = (year - baseline_year) / (target_year - baseline_year)
    fraction = min(1.0, max(0.0, fraction))
    return baseline + (target - baseline) * fraction


def _share_of_target(value: float, target: float, comparator: str) -> float | None:
    if comparator == ">=":
        return None if target == 0 else 100.0 * value / target
    return 100.0 if value <= 0 else 100.0 * target / value


def _trend(series: Sequence[tuple[int, float]], comparator: str) -> tuple[str | None, float | None]:
    if len(series) < 2:
        return None, None
    change = series[-1][1] - series[-2][1]
    if change == 0:
        return "flat", 0.0
    better = change > 0 if comparator == ">=" else change < 0
    return ("improving" if better else "worsening"), change


def target_progress(
    targets: Iterable[Any],
    measured: Mapping[str, float | None],
    history: Mapping[str, Sequence[tuple[int, float | None]]],
    *,
    year: int | None = None,
    baseline_year: int = BASELINE_YEAR,
) -> list[TargetProgress]:
    """Return each target's value, share of target, status (met/on_track/behind/no_data) and trend.

    ``targets`` are the city profile's :class:`~czesg.engine.plan.Target` objects;
    ``measured`` the current value by target key; ``history`` earlier ``(year, value)`` pairs.
    ``year`` is the year the measured values describe; without it, a target's latest history
    year is used. The measured value replaces a history entry of the same year.
    """
    results = []
    for target in targets:
        points: dict[int, float] = {}
        for point_year, point_value in history.get(target.key, ()):
            number = _finite(point_value)
            if number is not None:
                points[int(point_year)] = number
        value_year = year if year is not None else (max(points) if points else None)
        value = _finite(measured.get(target.key))
        if value is not None and value_year is not None:
            points[value_year] = value
        elif value is None and value_year is not None:
            value = points.get(value_year)
        series = tuple(sorted(points.items()))
        baseline = points.get(baseline_year)
        comparator = target.comparator
        goal = float(target.value)
        expected = None
        if value is None:
            status = "no_data"
        else:
            if baseline is not None and value_year is not None:
                expected = expected_on_path(
                    baseline, goal, value_year, baseline_year=baseline_year,
                    target_year=target.year,
                )
            if target.is_met(value):
                status = "met"
            elif expected is None:
                status = "behind"
            elif (value >= expected) if comparator == ">=" else (value <= expected):
                status = "on_track"
            else:
                status = "behind"
        trend, change = _trend(series, comparator)
        results.append(TargetProgress(
            key=target.key, name_zh=target.name_zh, name_en=target.name_en, unit=target.unit,
            comparator=comparator, target=goal, target_year=target.year,
            measured_by=target.measured_by, year=value_year, value=value,
            share_of_target=None if value is None else _share_of_target(value, goal, comparator),
            status=status, baseline_year=baseline_year, baseline=baseline, expected=expected,
            trend=trend, change=change, series=series, source=target.source,
            confidence=target.confidence,
        ))
    return results


# --------------------------------------------------------------------------------------------
# Breakdowns


def _numeric(frame: pl.DataFrame, code: str) -> pl.Expr:
    if code not in frame.columns:
        return pl.lit(None, dtype=pl.Float64)
    return pl.col(code).cast(pl.Float64).fill_nan(None)


def _flag(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name not in frame.columns:
        raise ValueError(f"the frame has no column {name!r}")
    return pl.col(name).cast(pl.Boolean).fill_null(False)


def _check_unique(frame: pl.DataFrame, keys: Sequence[str]) -> None:
    missing = [key for key in keys if key not in frame.columns]
    if missing:
        raise ValueError(f"the frame has no column {missing[0]!r}")
    duplicated = frame.filter(pl.struct(list(keys)).is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise ValueError(
            "the frame holds one enterprise twice: "
            + ", ".join(f"{key}={first[key]!r}" for key in keys)
        )


def _row(by: str, group: Any, metric: str, value: Any, unit: str, n: int,
         category: str | None = None) -> dict[str, Any]:
    return {
        "by": by, "group": group, "metric": metric, "category": category, "value": value,
        "unit": unit, "n": n,
    }


def breakdown(
    frame: pl.DataFrame, by: str, metrics: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Return tidy rows of dashboard metrics per district, park or industry.

    ``frame`` holds one row per enterprise (one year): ``uscc``, the grouping column
    (``district``, ``park_key`` or ``industry``), ``disclosed``, ``grade`` and the numeric columns
    E-GHG-01, G-GEN-01, E-ENG-01. Each row is ``{by, group, metric, category, value, unit, n}``
    where ``n`` is the number of enterprises the value is computed from. Metrics:
    ``enterprises``; ``disclosure_coverage`` (% of enterprises disclosed); ``grade_distribution``
    (count per grade AAA..C and ``unrated``, one row each); ``total_emissions`` (Σ E-GHG-01);
    ``emissions_intensity`` (Σ E-GHG-01 ÷ Σ G-GEN-01 over enterprises reporting both, never a mean
    of ratios); ``energy`` (Σ E-ENG-01). A sum without any reporter is None. Groups are sorted,
    an empty group value (None) last.
    """
    if by not in BREAKDOWN_COLUMNS:
        raise ValueError(f"unknown breakdown {by!r}; expected one of "
                         + ", ".join(BREAKDOWN_COLUMNS))
    chosen = tuple(METRICS if metrics is None else metrics)
    for metric in chosen:
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; expected one of " + ", ".join(METRICS))
    column = BREAKDOWN_COLUMNS[by]
    _check_unique(frame, ("uscc",))
    if column not in frame.columns:
        raise ValueError(f"the frame has no column {column!r}")
    needs_grade = "grade_distribution" in chosen
    grade = pl.col("grade") if needs_grade and "grade" in frame.columns else None
    if needs_grade and grade is None:
        raise ValueError("the frame has no column 'grade'")
    if needs_grade:
        unknown = (
            frame.select(pl.col("grade").drop_nulls().unique())
            .filter(~pl.col("grade").is_in(GRADE_SCALE))["grade"].to_list()
        )
        if unknown:
            raise ValueError(f"unknown grade {sorted(map(str, unknown))[0]!r}")

    emissions = _numeric(frame, EMISSIONS)
    revenue = _numeric(frame, REVENUE)
    energy = _numeric(frame, ENERGY)
    both = emissions.is_not_null() & revenue.is_not_null()
    aggregations = [
        pl.len().alias("n"),
        emissions.is_not_null().sum().alias("emissions_n"),
        emissions.sum().alias("emissions_sum"),
        both.sum().alias("pair_n"),
        pl.when(both).then(emissions).otherwise(None).sum().alias("pair_emissions"),
        pl.when(both).then(revenue).otherwise(None).sum().alias("pair_revenue"),
        energy.is_not_null().sum().alias("energy_n"),
        energy.sum().alias("energy_sum"),
    ]
    if "disclosure_coverage" in chosen:
        aggregations.append(_flag(frame, "disclosed").sum().alias("disclosed_n"))
    if needs_grade:
        for name in GRADE_SCALE:
            aggregations.append((pl.col("grade") == name).fill_null(False).sum().alias(name))
        aggregations.append(pl.col("grade").is_null().sum().alias(UNRATED))
    grouped = (
        frame.sort("uscc")
        .group_by(pl.col(column).alias("_group"), maintain_order=True)
        .agg(aggregations)
    )
    records = sorted(grouped.iter_rows(named=True),
                     key=lambda r: (r["_group"] is None, str(r["_group"])))
    rows: list[dict[str, Any]] = []
    for record in records:
        group, n = record["_group"], int(record["n"])
        for metric in chosen:
            if metric == "enterprises":
                rows.append(_row(by, group, metric, n, "count", n))
            elif metric == "disclosure_coverage":
                rows.append(_row(by, group, metric, 100.0 * record["disclosed_n"] / n, "%", n))
            elif metric == "grade_distribution":
                for name in (*GRADE_SCALE, UNRATED):
                    rows.append(_row(by, group, metric, int(record[name]), "count", n, name))
            elif metric == "total_emissions":
                reporters = int(record["emissions_n"])
                rows.append(_row(by, group, metric,
                                 float(record["emissions_sum"]) if reporters else None,
                                 "tCO2e", reporters))
            elif metric == "emissions_intensity":
                pairs = int(record["pair_n"])
                denominator = record["pair_revenue"] if pairs else None
                value = (float(record["pair_emissions"]) / float(denominator)
                         if denominator else None)
                rows.append(_row(by, group, metric, value, "tCO2e/10k_CNY", pairs))
            else:
                reporters = int(record["energy_n"])
                rows.append(_row(by, group, metric,
                                 float(record["energy_sum"]) if reporters else None,
                                 "tce", reporters))
    return rows


# --------------------------------------------------------------------------------------------
# Task status


@dataclass(frozen=True)
class ProgressPost:
    """A progress post on one of the plan's tasks."""

    task: int
    posted: date


@dataclass(frozen=True)
class Milestone:
    """A milestone of a plan task with its due date and, once done, the date it was done."""

    task: int
    key: str
    due: date
    done_on: date | None = None
    title: str = ""


@dataclass(frozen=True)
class TaskStatus:
    """One plan task's last post, milestone completion and overdue/stalled flags as of a day."""

    number: int
    title_zh: str
    title_en: str
    lead_departments: tuple[str, ...]
    posts: int
    last_post: date | None
    days_since_post: int | None
    milestones_total: int
    milestones_done: int
    completion: float | None
    overdue: bool
    overdue_milestones: tuple[str, ...]
    next_due: date | None
    stalled: bool


def _field(item: Any, *names: str) -> Any:
    for name in names:
        if isinstance(item, Mapping):
            if name in item:
                return item[name]
        elif hasattr(item, name):
            return getattr(item, name)
    raise ValueError(f"{item!r} has no {' or '.join(names)}")


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError(f"{value!r} is not a date")


def task_status(
    tasks: Iterable[Any],
    progress_posts: Iterable[Any],
    today: date,
    *,
    milestones: Iterable[Any] = (),
    stalled_after_days: int = STALLED_AFTER_DAYS,
    started: date | None = None,
) -> list[TaskStatus]:
    """Return each plan task's last post date, milestone completion and overdue/stalled flags.

    Posts and milestones are :class:`ProgressPost` / :class:`Milestone` objects or mappings with
    the same keys. Everything is judged as of ``today``: posts dated later are ignored and a
    milestone done later counts as not done. A milestone due today is not yet overdue.
    """
    if stalled_after_days < 1:
        raise ValueError("stalled_after_days must be at least 1")
    tasks = sorted(tasks, key=lambda task: task.number)
    numbers = {task.number for task in tasks}
    posts: dict[int, list[date]] = {number: [] for number in numbers}
    for post in progress_posts:
        number = int(_field(post, "task", "task_number"))
        if number not in numbers:
            raise ValueError(f"a progress post names task {number}, which is not a plan task")
        posted = _day(_field(post, "posted", "date"))
        if posted is not None and posted <= today:
            posts[number].append(posted)
    stones: dict[int, list[tuple[str, date, date | None]]] = {number: [] for number in numbers}
    for stone in milestones:
        number = int(_field(stone, "task", "task_number"))
        if number not in numbers:
            raise ValueError(f"a milestone names task {number}, which is not a plan task")
        due = _day(_field(stone, "due"))
        if due is None:
            raise ValueError(f"milestone {_field(stone, 'key')!r} has no due date")
        done = _day(_field(stone, "done_on")) if _has(stone, "done_on") else None
        stones[number].append((str(_field(stone, "key")), due, done))

    results = []
    for task in tasks:
        dates = posts[task.number]
        last = max(dates) if dates else None
        since = (today - last).days if last is not None else None
        reference = last if last is not None else started
        stalled = reference is None or (today - reference).days >= stalled_after_days
        items = sorted(stones[task.number], key=lambda s: (s[1], s[0]))
        achieved = [s for s in items if s[2] is not None and s[2] <= today]
        open_items = [s for s in items if s[2] is None or s[2] > today]
        overdue = tuple(key for key, due, _ in open_items if due < today)
        results.append(TaskStatus(
            number=task.number, title_zh=task.title_zh, title_en=task.title_en,
            lead_departments=tuple(getattr(task, "lead_department_keys", ())),
            posts=len(dates), last_post=last, days_since_post=since,
            milestones_total=len(items), milestones_done=len(achieved),
            completion=100.0 * len(achieved) / len(items) if items else None,
            overdue=bool(overdue), overdue_milestones=overdue,
            next_due=min((due for _, due, _ in open_items), default=None),
            stalled=stalled,
        ))
    return results


def _has(item: Any, name: str) -> bool:
    return name in item if isinstance(item, Mapping) else hasattr(item, name)
