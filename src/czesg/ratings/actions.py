"""Rating the city: government records in, ratings and green scores out (fetch → compute → persist).

The government records themselves are imported by :mod:`czesg.records.actions`.

* :func:`start_rating` creates a queued :class:`RatingRun` and, once committed, announces it
  (:data:`~czesg.ratings.signals.rating_queued`); :mod:`czesg.ratings.tasks` then enqueues the
  background task that calls :func:`run_rating`.
* :func:`run_rating` reads the latest published disclosure of every enterprise for the year and
  the year's government records with a few bulk queries into the engine's columnar
  :class:`~czesg.engine.rating.RatingInput`, calls :func:`~czesg.engine.rating.rate` and
  :func:`~czesg.engine.rating.green_score`, and writes every result in one transaction (COPY on
  PostgreSQL) with one audit entry for the run. Reading the inputs is :mod:`czesg.ratings.inputs`;
  the result rows and their bulk insert are :mod:`czesg.ratings.results`.
* :func:`reproduce_rating` rebuilds the run's inputs from the stored input rows and recomputes.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from czesg.access.models import Grant, Scope
from czesg.accounts.models import Membership, Role
from czesg.accounts.permissions import is_authenticated, require_government, require_manager
from czesg.audit.recording import record
from czesg.disclosures.models import Disclosure, Tier
from czesg.engine import rating as engine
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.answers import Answer
from czesg.engine.kernel.errors import CatalogueError, NotFound, StateConflict, gettext_noop
from czesg.engine.plan import load_city_profile
from czesg.enterprises.models import Enterprise
from czesg.ratings import results
from czesg.ratings.fields import green_fields, rating_fields
from czesg.ratings.inputs import (
    fetch_inputs,
    input_rows,
    inputs_from_rows,
    records_of,
    stored_inputs,
)
from czesg.ratings.models import (
    Rating,
    RatingRun,
    RunStatus,
)
from czesg.ratings.signals import rating_queued
from czesg.records.actions import check_year
from czesg.records.known import recorded_values

Progress = Callable[[int, int], None]



# --------------------------------------------------------------------------------------------
# Starting a run


def start_rating(year: int, *, actor, enqueue: bool = True) -> RatingRun:
    """Queue a rating of every enterprise that published a disclosure for ``year`` (government
    or platform administrator); the background task starts once the run is committed."""
    require_government(actor)
    year = check_year(year)
    methodology = engine.load_methodology()
    green = engine.load_green_methodology()
    with transaction.atomic():
        if RatingRun.objects.filter(year=year, status__in=[RunStatus.QUEUED,
                                                           RunStatus.RUNNING]).exists():
            raise StateConflict(gettext_noop("A rating of %(year)s is already under way."),
                                year=year)
        run = RatingRun.objects.create(
            year=year, methodology_version=methodology.version,
            green_methodology_version=green.version, started_by=actor,
        )
        record(actor, "rating.start", run, year=year, methodology=methodology.version,
               green_methodology=green.version)
        if enqueue:
            run_id = run.pk
            transaction.on_commit(
                lambda: rating_queued.send(sender=RatingRun, run_id=run_id))
    return run


# --------------------------------------------------------------------------------------------
# Running


def _set_progress(run_id: int, percent: int, progress: Progress | None) -> None:
    RatingRun.objects.filter(pk=run_id).update(progress=percent)
    if progress:
        progress(percent, 100)


ENGINES = ("inprocess", "spark")


def run_rating(run_id: int, *, progress: Progress | None = None, engine_name: str = "inprocess",
               partitions: int | None = None) -> dict[str, Any]:
    """Rate every enterprise with a published disclosure for the run's year and store the
    results in one transaction; the run's progress is updated as it goes. Returns the summary
    (with the timings of the read, compute and write steps).

    ``engine_name`` "spark" computes on the Spark master of ``CZESG_SPARK_MASTER``
    (:mod:`czesg.ratings.spark`, in ``partitions`` partitions); reading the inputs, writing the
    results and the audit entry are the same, and so are the results, bit for bit."""
    if engine_name not in ENGINES:
        raise CatalogueError(gettext_noop("Unknown engine “%(engine)s”; use one of %(engines)s."),
                             engine=engine_name, engines=", ".join(ENGINES), field="engine")
    claimed = RatingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=1)
    run = RatingRun.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    if not claimed:
        return run_summary(run)
    try:
        summary = _run(run, progress, engine_name, partitions)
    except BaseException as exc:
        RatingRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return summary


def _compute(inputs: engine.RatingInput, methodology: engine.Methodology,
             green_methodology: engine.GreenMethodology, engine_name: str,
             partitions: int | None) -> tuple[dict[str, list], dict[str, list], dict[str, float]]:
    """The rating and green-score fields of every enterprise (inputs' order), and timings."""
    if engine_name == "spark":
        # Imported here: the Spark module is only needed, and only loaded, for a Spark run.
        from czesg.ratings import spark

        computed = spark.compute(inputs, methodology, green_methodology,
                                 master=settings.CZESG_SPARK_MASTER,
                                 folder=settings.CZESG_BATCH_DIR, partitions=partitions or 8)
        return computed.rating, computed.green, computed.timings
    result = engine.rate(inputs, methodology)
    green = engine.green_score(inputs, green_methodology)
    return rating_fields(result), green_fields(green), {}


def _run(run: RatingRun, progress: Progress | None, engine_name: str = "inprocess",
         partitions: int | None = None) -> dict[str, Any]:
    methodology = engine.load_methodology(run.methodology_version)
    green_methodology = engine.load_green_methodology(run.green_methodology_version)
    started = time.perf_counter()
    _set_progress(run.pk, 5, progress)
    inputs, enterprise_ids = fetch_inputs(run.year, methodology)
    read_s = time.perf_counter() - started
    _set_progress(run.pk, 35, progress)
    n = len(inputs)
    compute_s = 0.0
    if n:
        t0 = time.perf_counter()
        rating_columns, green_columns, engine_timings = _compute(
            inputs, methodology, green_methodology, engine_name, partitions)
        compute_s = time.perf_counter() - t0
        _set_progress(run.pk, 50, progress)
        t1 = time.perf_counter()
        rows_json = input_rows(inputs)
        inputs_hash = inputs.hash()
        ratings = results.rows_of_ratings(run, rating_columns, inputs, enterprise_ids,
                                          rows_json, inputs_hash, methodology.version)
        greens = results.rows_of_greens(run, green_columns, enterprise_ids,
                                        green_methodology.version, inputs_hash)
        prepare_s = time.perf_counter() - t1
        grade_counts = results.counts([b.key for b in methodology.bands],
                                      rating_columns["grade"])
        label_counts = results.counts([b.key for b in green_methodology.labels],
                                      green_columns["label"])
    else:
        ratings, greens, prepare_s = [], [], 0.0
        grade_counts = {b.key: 0 for b in methodology.bands}
        label_counts = {b.key: 0 for b in green_methodology.labels}
        inputs_hash = ""
    _set_progress(run.pk, 60, progress)
    t2 = time.perf_counter()
    written = [0]
    total_rows = max(len(ratings) + len(greens), 1)

    def advance(count: int) -> None:
        written[0] += count
        if progress:
            progress(60 + int(39 * written[0] / total_rows), 100)

    with transaction.atomic():
        results.write_results(ratings, greens, advance)
        RatingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, progress=100, finished_at=timezone.now(), rated=n,
            grade_counts=grade_counts, label_counts=label_counts, inputs_hash=inputs_hash,
            error="",
        )
        extra = {"engine": engine_name} if engine_name != "inprocess" else {}
        record(run.started_by, "rating.run", run, year=run.year, rated=n,
               grades=grade_counts, labels=label_counts, inputs_hash=inputs_hash,
               methodology=methodology.version, green_methodology=green_methodology.version,
               **extra)
    write_s = time.perf_counter() - t2
    if progress:
        progress(100, 100)
    run.refresh_from_db()
    summary = run_summary(run)
    summary["timings"] = {
        "read_s": round(read_s, 3), "compute_s": round(compute_s, 3),
        "prepare_s": round(prepare_s, 3), "write_s": round(write_s, 3),
        "total_s": round(time.perf_counter() - started, 3),
    }
    if n and engine_timings:
        summary["timings"]["engine"] = engine_name
        summary["timings"].update({f"spark_{k}": v for k, v in engine_timings.items()})
    _invalidate(run.pk)
    return summary


def grades_at_or_above(threshold: str, methodology: engine.Methodology | None = None
                       ) -> tuple[str, ...]:
    """The grades at ``threshold`` or better (refused when the grade is unknown)."""
    methodology = methodology or engine.load_methodology()
    keys = [b.key for b in methodology.bands]
    wanted = str(threshold or "").strip().upper()
    if wanted not in keys:
        raise CatalogueError(gettext_noop("Unknown grade “%(grade)s”; use one of %(grades)s."),
                             grade=threshold, grades=", ".join(keys), field="threshold")
    return tuple(keys[: keys.index(wanted) + 1])


def count_at_or_above(run: RatingRun, threshold: str = "A") -> int:
    """How many enterprises the run rated at ``threshold`` or better (counted in the stored
    ratings)."""
    top = grades_at_or_above(threshold, engine.load_methodology(run.methodology_version))
    return Rating.objects.filter(run=run, grade__in=top).count()


def run_summary(run: RatingRun, threshold: str = "A") -> dict[str, Any]:
    """A run as plain data: its status, counts per grade and the count at or above a grade."""
    methodology = engine.load_methodology(run.methodology_version)
    top = grades_at_or_above(threshold, methodology)
    counts = run.grade_counts or {}
    return {
        "run": run.pk, "year": run.year, "status": run.status, "progress": run.progress,
        "rated": run.rated, "grade_distribution": counts, "threshold": top[-1],
        "at_or_above_threshold": count_at_or_above(run, top[-1]),
        "label_distribution": run.label_counts or {},
        "methodology_version": run.methodology_version,
        "green_methodology_version": run.green_methodology_version,
        "inputs_hash": run.inputs_hash,
        "started_at": run.started_at, "finished_at": run.finished_at, "error": run.error,
    }


# --------------------------------------------------------------------------------------------
# Reading results


def latest_run(year: int | None = None) -> RatingRun | None:
    """The newest finished run (of ``year`` when given)."""
    runs = RatingRun.objects.filter(status=RunStatus.DONE)
    if year:
        runs = runs.filter(year=year)
    return runs.order_by("-year", "-finished_at", "-id").first()


def latest_rating(enterprise: Enterprise) -> Rating | None:
    """The enterprise's newest rating: the latest year, then the latest run."""
    return (Rating.objects.filter(enterprise=enterprise).select_related("run")
            .order_by("-year", "-run__finished_at", "-run_id").first())


def history(enterprise: Enterprise) -> list[Rating]:
    """Every rating of the enterprise across runs, newest first."""
    return list(Rating.objects.filter(enterprise=enterprise).select_related("run")
                .order_by("-year", "-run__finished_at", "-run_id"))


def can_see_explanation(user, enterprise: Enterprise) -> bool:
    """Whether the user may read the detailed explanation and green score: the enterprise's
    members, government users and platform administrators, and grantees of the scores scope."""
    if not is_authenticated(user):
        return False
    if user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN):
        return True
    if Membership.objects.filter(user=user, enterprise=enterprise).exists():
        return True
    return Grant.objects.for_grantee(user, Scope.SCORES).filter(enterprise=enterprise).exists()


@dataclass(frozen=True)
class Population:
    """A finished run's inputs and results, rebuilt from what is stored."""

    run_id: int
    inputs: engine.RatingInput
    result: engine.RatingResult
    green: engine.GreenScoreResult
    methodology: engine.Methodology


_CACHE: OrderedDict[tuple[int, str], Population] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 2


def _invalidate(run_id: int) -> None:
    with _CACHE_LOCK:
        for key in [key for key in _CACHE if key[0] == run_id]:
            del _CACHE[key]


def population(run: RatingRun) -> Population:
    """The run's rebuilt population (kept for the last runs read, by run and inputs hash; a
    finished run never changes)."""
    key = (run.pk, run.inputs_hash)
    with _CACHE_LOCK:
        held = _CACHE.get(key)
        if held is not None:
            _CACHE.move_to_end(key)
            return held
    methodology = engine.load_methodology(run.methodology_version)
    inputs = stored_inputs(run, methodology)
    built = Population(
        run_id=run.pk, inputs=inputs, result=engine.rate(inputs, methodology),
        green=engine.green_score(inputs, engine.load_green_methodology(
            run.green_methodology_version)),
        methodology=methodology,
    )
    with _CACHE_LOCK:
        _CACHE[key] = built
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built


def explanation(rating: Rating) -> engine.Explanation:
    """Why the enterprise has its rating: contributions, deductions, peers, improvements."""
    pop = population(rating.run)
    return engine.explain(pop.result, pop.inputs, pop.methodology, rating.enterprise.uscc)


def weight_shares(rating: Rating) -> dict[str, float]:
    """The share of the rating's rated weight backed by disclosed, recorded and missing data
    (from its own stored input row: effective weights do not depend on the peers)."""
    methodology = engine.load_methodology(rating.methodology_version)
    inputs = inputs_from_rows([json.loads(rating.input_row)], rating.year, methodology)
    row = engine.basis_shares(inputs, methodology)[0].tolist()
    return dict(zip(engine.BASES, row, strict=True))


def reproduce_rating(rating: Rating) -> dict[str, Any]:
    """Recompute a stored rating from its run's stored input rows and its methodology version
    (re-read from the file); ``equal`` says whether every stored figure came out the same."""
    run = rating.run
    methodology = engine.load_methodology(rating.methodology_version)
    inputs = stored_inputs(run, methodology)
    result = engine.reproduce(inputs, methodology, expected_hash=rating.inputs_hash)
    uscc = rating.enterprise.uscc
    row = json.loads(rating.input_row)
    own = input_rows(inputs.take([inputs.index(uscc)]))[0]
    fresh = result.row(uscc)
    rank, size = results.group_positions(result.score, inputs.group_index)
    e = result.index(uscc)
    stored = {
        "score": rating.score, "grade": rating.grade, "tier": rating.tier,
        "grade_capped": rating.grade_capped, "total": rating.total,
        "deductions": rating.deductions, "pillars": rating.pillars,
        "group": rating.peer_group, "rank": rating.peer_rank, "size": rating.peer_size,
        "deduction_points": rating.deduction_points, "inputs_hash": rating.inputs_hash,
    }
    recomputed = {
        "score": fresh["score"], "grade": fresh["grade"], "tier": fresh["tier"],
        "grade_capped": fresh["grade_capped"], "total": fresh["total"],
        "deductions": fresh["deductions"], "pillars": fresh["pillars"], "group": fresh["group"],
        "rank": int(rank[e]), "size": int(size[e]),
        "deduction_points": dict(zip(result.deduction_keys,
                                     result.deduction_points[e].tolist(), strict=True)),
        "inputs_hash": result.inputs_hash,
    }
    differences = [key for key in stored if stored[key] != recomputed[key]]
    if json.loads(own) != row:
        differences.append("input_row")
    return {"equal": not differences, "differences": differences, "stored": stored,
            "recomputed": recomputed, "methodology_version": methodology.version}


def tier_grade_counts(run: RatingRun, grades: list[str]
                      ) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """Enterprises per grade in a run for each disclosure tier that has ratings:
    ``(tier, tier name, [(grade, count)])`` in the tiers' order."""
    found: dict[str, dict[str, int]] = {}
    for tier, grade, count in (Rating.objects.filter(run=run).order_by()
                               .values_list("tier", "grade").annotate(n=Count("id"))):
        found.setdefault(tier, {})[grade] = int(count)
    return [(tier, str(label), [(g, found[tier].get(g, 0)) for g in grades])
            for tier, label in Tier.choices if tier in found]


def distribution(run: RatingRun, by: str, lang: str = "zh-hans") -> list[dict[str, Any]]:
    """Enterprises per grade in a run, by lead industry (``industry``) or ``district``."""
    if by not in ("industry", "district"):
        raise CatalogueError(gettext_noop("Group by “industry” or “district”."), field="by")
    profile = load_city_profile()
    en = lang.startswith("en")
    column = "enterprise__industry_code" if by == "industry" else "enterprise__division_code"
    grades = [b.key for b in engine.load_methodology(run.methodology_version).bands]
    buckets: dict[str, dict[str, Any]] = {}
    for code, grade, count in (Rating.objects.filter(run=run).order_by().values_list(column, "grade")
                               .annotate(n=Count("id"))):
        if by == "industry":
            try:
                lead = profile.lead_industry_of(code)
            except KeyError:
                lead = None
            key = lead.key if lead else "other"
            name = (lead.name_en if en else lead.name_zh) if lead else ("Other" if en else "其他")
        else:
            try:
                district = profile.district(code)
                key, name = district.code, district.name_en if en else district.name_zh
            except (KeyError, Exception):
                key, name = code, code
        bucket = buckets.setdefault(key, {"key": key, "name": name,
                                          "counts": dict.fromkeys(grades, 0), "total": 0})
        bucket["counts"][grade] = bucket["counts"].get(grade, 0) + count
        bucket["total"] += count
    return sorted(buckets.values(), key=lambda b: (-b["total"], b["key"]))


# --------------------------------------------------------------------------------------------
# Self-diagnosis


QUESTIONNAIRE: tuple[str, ...] = (
    "G-GEN-01", "S-EMP-01", "E-GHG-01", "E-ENG-01", "S-OHS-01", "S-EMP-05-COV", "S-EMP-03",
    "S-TRN-02", "G-GOV-06", "G-ABC-04", "G-ABC-03", "G-ABC-02",
)
# Intensities the questionnaire derives from the amounts and the revenue (G-GEN-01, 万元).
DERIVED: dict[str, str] = {"E-GHG-05": "E-GHG-01", "E-ENG-02": "E-ENG-01"}


def questionnaire() -> list:
    """The short questionnaire: basic-tier catalogue indicators the rating scores or needs."""
    catalogue = load_catalogue()
    return [catalogue.get(code) for code in QUESTIONNAIRE]


def derive_intensities(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Add the emission and energy intensities per 万元 of revenue when the amounts are given."""
    revenue = answers.get("G-GEN-01")
    out = dict(answers)
    if revenue is None or not revenue.number:
        return out
    for code, amount in DERIVED.items():
        given = answers.get(amount)
        if code not in out and given is not None and given.number is not None:
            out[code] = Answer(code=code, number=given.number / revenue.number)
    return out


def diagnosis_disclosure(enterprise: Enterprise) -> Disclosure | None:
    """The disclosure a self-diagnosis starts from: the newest version of the latest year."""
    return (Disclosure.objects.filter(enterprise=enterprise)
            .order_by("-year", "-version").first())


def self_diagnosis(enterprise: Enterprise, answers: dict[str, Answer], *, year: int,
                   tier: str = Tier.BASIC, actor) -> engine.Diagnosis:
    """An enterprise's estimated score and grade from its own answers, ranked against the year's
    rated population when there is one (the enterprise itself left out), with its government
    records, disclosure gaps and an improvement plan (for its managers)."""
    require_manager(actor, enterprise)
    methodology = engine.load_methodology()
    run = latest_run(year)
    peers = None
    if run is not None and run.rated and run.methodology_version == methodology.version:
        pop = population(run)
        keep = [e for e, uscc in enumerate(pop.inputs.enterprises) if uscc != enterprise.uscc]
        if keep:
            peers = pop.inputs.take(keep)
    records = records_of(enterprise, year)
    answers = with_recorded_answers(enterprise, answers, year, methodology)
    return engine.self_diagnose(answers, enterprise.industry_code, methodology, peers=peers,
                                tier=tier, records=records or None)


def with_recorded_answers(enterprise: Enterprise, answers: dict[str, Answer], year: int,
                          methodology: engine.Methodology) -> dict[str, Answer]:
    """The answers with each numeric rated indicator left unanswered filled from the
    enterprise's preferred record of the year, its restricted records included (a
    self-diagnosis is the enterprise's own), where the methodology rates records."""
    if not methodology.records_fill:
        return answers
    numeric = [i.code for i in methodology.indicators
               if i.data_type not in ("boolean", "choice") and i.code not in answers]
    found = recorded_values([enterprise.pk], years=[year], codes=numeric,
                            restricted=[enterprise.pk])
    filled = dict(answers)
    for (_, _, code), recorded in sorted(found.items()):
        if recorded.number is not None:
            filled[code] = Answer(code=code, number=recorded.number,
                                  evidence=f"record: {recorded.source}")
    return filled
