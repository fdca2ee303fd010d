"""Every change made by the carbon calculator: calculate, apply to a draft, recalculate, and
the year's batch run (``czesg batch carbon``).

Each action checks that the actor manages the enterprise (a platform administrator may act on
its behalf), runs in one transaction and appends to the audit chain. The figures come from the
pure engine (:mod:`czesg.engine.carbon`); bad input raises its
:class:`~czesg.engine.carbon.CarbonInputError` listing every problem, and nothing is stored.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from czesg.accounts.permissions import require_government, require_manager
from czesg.audit.recording import record
from czesg.carbon.batch import BatchInputs, fetch_batch_inputs
from czesg.carbon.models import (
    BatchEngine,
    BatchStatus,
    CarbonBatchRun,
    CarbonBatchTotal,
    CarbonCalculation,
)
from czesg.disclosures import actions as disclosure_actions
from czesg.disclosures.models import Disclosure, Method, State
from czesg.engine import carbon
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import CatalogueError, NotFound, StateConflict, gettext_noop
from czesg.engine.kernel.ledger import canonical_json
from czesg.engine.kernel.units import conversion_factor
from czesg.enterprises.models import Enterprise
from czesg.storage.bulk import insert_rows

# The activity columns a caller may give; uscc and year come from the enterprise-year.
ROW_COLUMNS: tuple[str, ...] = (
    "activity", "quantity", "unit", "facility", "region", "measured_factor",
)

# Catalogue indicators filled from the totals (always: the calculation is the inventory).
TOTAL_INDICATORS: tuple[tuple[str, str], ...] = (
    ("E-GHG-02", "scope1_tco2e"),
    ("E-GHG-03", "scope2_location_tco2e"),
    ("E-GHG-03-MKT", "scope2_market_tco2e"),
    ("E-GHG-01", "total_tco2e"),
)
# Energy carriers: an indicator is filled only when the calculation holds rows of its
# activities (a carrier that was not entered stays missing rather than becoming a zero).
CARRIER_INDICATORS: dict[str, tuple[str, ...]] = {
    "E-ENG-01-ELEC": ("electricity",),
    "E-ENG-01-GAS": ("natural_gas",),
    "E-ENG-01-DSL": ("diesel",),
    "E-ENG-01-GSL": ("gasoline",),
    "E-ENG-01-LPG": ("lpg",),
    "E-ENG-01-FO": ("fuel_oil",),
    "E-ENG-01-COAL": ("anthracite", "bituminous_coal", "lignite", "cleaned_coal",
                      "other_washed_coal", "briquettes"),
    "E-ENG-01-HEAT": ("purchased_heat",),
    "E-ENG-01-PV": ("own_renewable_generation",),
    "E-ENG-01-GREEN": ("green_certificate_electricity", "green_power_contract"),
}
# Every indicator the calculator may fill, and how its evidence starts.
FILLABLE: frozenset[str] = frozenset(
    [code for code, _ in TOTAL_INDICATORS] + ["E-GHG-04", "E-ENG-01", *CARRIER_INDICATORS]
)
EVIDENCE_PREFIX = "carbon calculation #"
ROUND_DIGITS = 6  # below a gram of CO2e or a gram of coal equivalent: removes float noise only


def _json(value: Any) -> str:
    return canonical_json(value)


def _row_dicts(rows: Any) -> list[dict[str, Any]]:
    """The caller's rows as plain mappings (dataclasses, schemas and dicts are accepted)."""
    plain = []
    for row in rows:
        if hasattr(row, "model_dump"):
            row = row.model_dump()
        elif not isinstance(row, Mapping):
            row = vars(row)
        plain.append(dict(row))
    return plain


def _prepare(enterprise: Enterprise, year: int, rows: Sequence[Mapping[str, Any]]
             ) -> list[dict[str, Any]]:
    """Rows for the engine: the enterprise-year's uscc and year on every row, numbered from 1."""
    prepared = []
    for position, row in enumerate(_row_dicts(rows), start=1):
        item: dict[str, Any] = {"uscc": enterprise.uscc, "year": year}
        for column in ROW_COLUMNS:
            # Text throughout: the engine reads numbers itself and names the cell it cannot read.
            value = row.get(column)
            item[column] = "" if value is None else str(value).strip()
        number = row.get("row")
        item["row"] = int(number) if isinstance(number, int) and number > 0 else position
        prepared.append(item)
    if not prepared:
        raise carbon.CarbonInputError([carbon.input_problem(
            row=None, column="activity",
            message=gettext_noop("No activity rows were given; enter at least one."),
        )])
    return prepared


def _check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if not 1990 <= value <= 2100:
        raise carbon.CarbonInputError([carbon.input_problem(
            row=None, column="year", message=carbon.MSG_YEAR, params={"value": str(year)},
            table="parameters",
        )])
    return value


def _check_factor_set(version: str | None) -> str | None:
    if not version:
        return None
    available = carbon.available_factor_sets()
    if version.strip() not in available:
        raise carbon.CarbonInputError([carbon.input_problem(
            row=None, column="factor_set",
            message=gettext_noop("There is no factor set “%(version)s”; available: %(available)s."),
            params={"version": version, "available": ", ".join(available)}, table="parameters",
        )])
    return version.strip()


def _store(result: carbon.CarbonResult, enterprise: Enterprise, year: int, *, actor,
           supersedes: CarbonCalculation | None = None) -> CarbonCalculation:
    totals = result.totals.to_dicts()
    if len(totals) != 1:  # the rows all carry one uscc and year, so this cannot happen
        raise StateConflict(gettext_noop("A calculation covers exactly one enterprise-year."))
    return CarbonCalculation.objects.create(
        enterprise=enterprise, year=year, created_by=actor, factor_set=result.factor_set,
        activities_version=result.activities_version, gwp_set=result.gwp_set or "",
        inputs_hash=result.inputs_hash, inputs=_json(result.inputs.to_dicts()),
        totals=_json(totals[0]), trace=_json(result.trace), supersedes=supersedes,
    )


def _audit_totals(calculation: CarbonCalculation) -> dict[str, Any]:
    totals = calculation.totals_data
    return {key: totals[key] for key in carbon.TOTAL_COLUMNS[2:] if key in totals}


def calculate_for(enterprise: Enterprise, year: int, rows: Sequence[Mapping[str, Any]], *,
                  gwp_set: str | None, factor_set: str | None = None,
                  actor) -> CarbonCalculation:
    """Compute an enterprise-year's emissions and energy from activity rows and store the result.

    ``rows`` hold ``activity, quantity, unit`` and optionally ``facility, region,
    measured_factor`` and ``row`` (the number shown in problems; default: position from 1).
    ``gwp_set`` is the caller's explicit choice (needed when a gas is released); ``factor_set``
    defaults to the latest. Raises :class:`~czesg.engine.carbon.CarbonInputError` listing every
    problem; nothing is stored then.
    """
    require_manager(actor, enterprise)
    year = _check_year(year)
    factor_set = _check_factor_set(factor_set)
    prepared = _prepare(enterprise, year, rows)
    result = carbon.calculate(prepared, factor_set=factor_set or None, gwp_set=gwp_set or None)
    with transaction.atomic():
        calculation = _store(result, enterprise, year, actor=actor)
        record(actor, "carbon.calculate", calculation, enterprise=enterprise.uscc, year=year,
               factor_set=calculation.factor_set, gwp_set=calculation.gwp_set,
               activities=calculation.activities_version, inputs_hash=calculation.inputs_hash,
               rows=len(prepared), totals=_audit_totals(calculation))
    return calculation


def _locked(calculation: CarbonCalculation) -> CarbonCalculation:
    """Re-read the calculation under a row lock so that its state checks see the committed truth."""
    return (
        CarbonCalculation.objects.select_for_update().select_related("enterprise")
        .get(pk=calculation.pk)
    )


def entries_for(calculation: CarbonCalculation) -> list[disclosure_actions.Entry]:
    """The datapoints a calculation fills, each marked calculated with the calculation as evidence."""
    catalogue = load_catalogue()
    known = {indicator.code for indicator in catalogue.indicators}
    totals = calculation.totals_data
    evidence = f"{EVIDENCE_PREFIX}{calculation.pk}, factor set {calculation.factor_set}"
    if calculation.gwp_set:
        evidence += f", GWP {calculation.gwp_set}"

    def entry(code: str, value: float, unit: str) -> disclosure_actions.Entry:
        return disclosure_actions.Entry(code, round(float(value), ROUND_DIGITS), unit,
                                        Method.CALCULATED, evidence)

    entries = [entry(code, totals[key], "tCO2e") for code, key in TOTAL_INDICATORS
               if code in known]
    activities = carbon.load_activities()
    rows = calculation.input_rows
    present = {row["activity"] for row in rows}
    if "E-GHG-04" in known and any(
        activities[a].scope == "3" for a in present if a in activities
    ):
        entries.append(entry("E-GHG-04", totals["scope3_tco2e"], "tCO2e"))
    if "E-ENG-01" in known and not totals.get("energy_unconverted_rows"):
        entries.append(entry("E-ENG-01", totals["energy_tce"], "tce"))
    # Carrier quantities: each input row's quantity in its activity's unit, then the indicator's.
    converted: dict[str, float] = {}
    for row in rows:
        activity = activities[row["activity"]]
        converted[activity.code] = converted.get(activity.code, 0.0) + float(
            row["quantity"]
        ) * conversion_factor(row["unit"], activity.unit)
    for code, codes in CARRIER_INDICATORS.items():
        if code not in known or not any(a in present for a in codes):
            continue
        indicator = catalogue.get(code)
        total = sum(
            converted[a] * conversion_factor(activities[a].unit, indicator.unit)
            for a in codes if a in present
        )
        entries.append(entry(code, total, indicator.unit))
    return entries


def apply_to_disclosure(calculation: CarbonCalculation, disclosure: Disclosure, *,
                        actor) -> CarbonCalculation:
    """Write a calculation's totals into the enterprise-year's draft as calculated datapoints."""
    require_manager(actor, calculation.enterprise)
    if disclosure.enterprise_id != calculation.enterprise_id or disclosure.year != calculation.year:
        raise StateConflict(
            gettext_noop("Calculation #%(id)s is for %(enterprise)s in %(year)s; it can only go "
                         "into that enterprise's %(year)s disclosure."),
            id=calculation.pk, year=calculation.year, enterprise=calculation.enterprise.name,
        )
    now = timezone.now()
    with transaction.atomic():
        calculation = _locked(calculation)
        if disclosure.state != State.DRAFT or Disclosure.objects.filter(
            pk=disclosure.pk
        ).exclude(state=State.DRAFT).exists():
            raise StateConflict(
                gettext_noop("Version %(version)s of the %(year)s disclosure is %(state)s; only a "
                             "draft can take calculated values."),
                version=disclosure.version, year=disclosure.year, state=disclosure.state,
            )
        previous = calculation.applied_to
        if previous is not None and previous.pk != disclosure.pk and previous.state != State.DRAFT:
            raise StateConflict(
                gettext_noop("Calculation #%(id)s already backs version %(version)s, which is "
                             "%(state)s; it cannot be applied again."),
                id=calculation.pk, version=previous.version, state=previous.state,
            )
        entries = entries_for(calculation)
        disclosure_actions.set_values(disclosure, entries, actor=actor)
        # Values an earlier calculation wrote that this one does not give (a carrier no longer
        # entered) would mix two calculations in one draft: they become missing again.
        written = {e.indicator for e in entries}
        stale = disclosure.datapoints.filter(
            method=Method.CALCULATED, evidence_ref__startswith=EVIDENCE_PREFIX,
            indicator_code__in=sorted(FILLABLE - written),
        ).values_list("indicator_code", flat=True)
        cleared = sorted(stale)
        for code in cleared:
            disclosure_actions.clear_value(disclosure, code, actor=actor)
        calculation.applied_to = disclosure
        calculation.applied_at = now
        calculation.save(update_fields=["applied_to", "applied_at"])
        record(actor, "carbon.apply", calculation, disclosure=disclosure.pk,
               version=disclosure.version, year=disclosure.year,
               factor_set=calculation.factor_set,
               values={e.indicator: [e.value, e.unit] for e in entries}, cleared=cleared)
    return calculation


def newer_factor_sets(version: str) -> list[str]:
    """The shipped factor-set versions newer than ``version``, oldest first."""
    available = carbon.available_factor_sets()
    key = carbon.version_key(version)
    return [v for v in available if carbon.version_key(v) > key]


def recalculate(calculation: CarbonCalculation, factor_set_version: str, *,
                actor) -> CarbonCalculation:
    """Compute a calculation's inputs again with a newer factor set, as a new calculation beside it.

    The original is never changed; the new calculation ``supersedes`` it.
    """
    require_manager(actor, calculation.enterprise)
    version = (factor_set_version or "").strip()
    available = carbon.available_factor_sets()
    if version not in available:
        raise CatalogueError(
            gettext_noop("There is no factor set “%(version)s”; available: %(available)s."),
            version=version, available=", ".join(available), field="factor_set",
        )
    if version not in newer_factor_sets(calculation.factor_set):
        raise StateConflict(
            gettext_noop("Factor set %(version)s is not newer than %(current)s, which calculation "
                         "#%(id)s used."),
            version=version, current=calculation.factor_set, id=calculation.pk,
        )
    existing = calculation.recalculations.filter(factor_set=version).first()
    if existing is not None:
        raise StateConflict(
            gettext_noop("Calculation #%(id)s was already recalculated with factor set "
                         "%(version)s (calculation #%(other)s)."),
            id=calculation.pk, version=version, other=existing.pk,
        )
    rows = json.loads(calculation.inputs)
    result = carbon.calculate(rows, factor_set=version, gwp_set=calculation.gwp_set or None)
    with transaction.atomic():
        original = _locked(calculation)
        fresh = _store(result, original.enterprise, original.year, actor=actor,
                       supersedes=original)
        record(actor, "carbon.recalculate", fresh, supersedes=original.pk,
               enterprise=original.enterprise.uscc, year=original.year,
               factor_set=version, previous_factor_set=original.factor_set,
               inputs_hash=fresh.inputs_hash, totals=_audit_totals(fresh))
    return fresh


# --------------------------------------------------------------------------------------------
# The year's batch run: every enterprise-year's latest calculation, one factor set, totals only

BATCH_ENGINES: tuple[str, ...] = tuple(BatchEngine.values)
# The stored columns of a batch total, in the order of the engine's totals frame.
BATCH_TOTAL_COLUMNS: tuple[str, ...] = carbon.TOTAL_COLUMNS[2:]


def _check_gwp_set(gwp_set: str | None) -> str | None:
    """The engine's check of a GWP set, a blank one taken as none given."""
    return carbon.check_gwp_set(gwp_set if gwp_set and str(gwp_set).strip() else None)


def start_carbon_batch(year: int, *, actor, engine: str = BatchEngine.INPROCESS,
                       factor_set: str | None = None, gwp_set: str | None) -> CarbonBatchRun:
    """Start a batch run of ``year`` (government or platform administrator): the totals of every
    enterprise-year's latest stored calculation, recomputed with one factor set (default the
    latest) and GWP set, on ``engine``. Refused, with nothing written, when the year has no
    stored calculation or a batch run of it is under way; :func:`run_carbon_batch` computes."""
    require_government(actor)
    year = _check_year(year)
    if engine not in BATCH_ENGINES:
        raise CatalogueError(gettext_noop("Unknown engine “%(engine)s”; use one of %(engines)s."),
                             engine=engine, engines=", ".join(BATCH_ENGINES), field="engine")
    fs = carbon.load_factor_set(_check_factor_set(factor_set))
    gwp = _check_gwp_set(gwp_set)
    activities = carbon.load_activities()
    if not CarbonCalculation.objects.filter(year=year).exists():
        raise NotFound(gettext_noop(
            "No carbon calculation is stored for %(year)s, so there is nothing to compute: "
            "the batch run reads each enterprise's latest calculation of the year."), year=year)
    with transaction.atomic():
        if CarbonBatchRun.objects.filter(
            year=year, status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING]
        ).exists():
            raise StateConflict(gettext_noop("A batch carbon run of %(year)s is already under "
                                             "way."), year=year)
        run = CarbonBatchRun.objects.create(
            year=year, engine=engine, factor_set=fs.version,
            activities_version=activities.version, gwp_set=gwp or "", started_by=actor,
        )
        record(actor, "carbon.batch.start", run, year=year, engine=engine,
               factor_set=fs.version, activities=activities.version, gwp_set=gwp or "")
    return run


def run_carbon_batch(run_id: int, *, partitions: int | None = None) -> dict[str, Any]:
    """Compute a queued batch run and store its totals (:func:`store_batch_totals`); returns the
    summary with the timings of the read, compute and write steps. A refusal of the engine
    (:class:`~czesg.engine.carbon.CarbonInputError`) or any failure marks the run failed, stores
    no total and is raised again."""
    claimed = CarbonBatchRun.objects.filter(pk=run_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING)
    run = CarbonBatchRun.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    if not claimed:
        return batch_summary(run)
    try:
        started = time.perf_counter()
        inputs = fetch_batch_inputs(run.year)
        read_s = time.perf_counter() - started
        t0 = time.perf_counter()
        totals, engine_timings = _batch_compute(run, inputs, partitions)
        compute_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        store_batch_totals(run, inputs, totals)
        write_s = time.perf_counter() - t1
    except BaseException as exc:
        CarbonBatchRun.objects.filter(pk=run_id).update(
            status=BatchStatus.FAILED, finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    run.refresh_from_db()
    summary = batch_summary(run)
    summary["timings"] = {"read_s": round(read_s, 3), "compute_s": round(compute_s, 3),
                          "write_s": round(write_s, 3),
                          "total_s": round(time.perf_counter() - started, 3),
                          **{f"spark_{k}": v for k, v in engine_timings.items()}}
    return summary


def _batch_compute(run: CarbonBatchRun, inputs: BatchInputs, partitions: int | None
                   ) -> tuple[Any, dict[str, float]]:
    """The totals frame of the run's rows on its engine, and the engine's step timings."""
    gwp = run.gwp_set or None
    if run.engine == BatchEngine.SPARK and inputs.frame.height:
        # Imported here: the Spark module is only needed, and only loaded, for a Spark run.
        from czesg.carbon import spark

        computed = spark.compute(inputs.frame, year=run.year, factor_set=run.factor_set,
                                 gwp_set=gwp, master=settings.CZESG_SPARK_MASTER,
                                 folder=settings.CZESG_BATCH_DIR, partitions=partitions or 8)
        return computed.totals, computed.timings
    return carbon.batch_totals(inputs.frame, factor_set=run.factor_set, gwp_set=gwp), {}


def store_batch_totals(run: CarbonBatchRun, inputs: BatchInputs, totals: Any) -> CarbonBatchRun:
    """Store a run's totals frame (one row per enterprise-year, as ``batch_totals`` returns it),
    mark the run done with its counts and write its one result entry to the audit chain, in one
    transaction. Both engines store through here."""
    columns = totals.columns
    if tuple(columns) != carbon.TOTAL_COLUMNS:
        raise StateConflict(gettext_noop("The batch totals have the columns %(columns)s, not "
                                         "the engine's."), columns=", ".join(columns))
    codes = totals.get_column("uscc").to_list()
    missing = sorted(set(codes) - set(inputs.enterprise_of)) + sorted(
        set(inputs.enterprise_of) - set(codes))
    if missing or len(set(codes)) != len(codes):
        raise StateConflict(gettext_noop("The batch totals do not match the year's calculations "
                                         "(credit codes %(codes)s)."),
                            codes=", ".join(missing[:10]))
    stored = (CarbonBatchTotal._meta.db_table,
              ("run_id", "enterprise_id", "year", "calculation_id", *BATCH_TOTAL_COLUMNS))
    values = [totals.get_column(name).to_list() for name in BATCH_TOTAL_COLUMNS]
    years = totals.get_column("year").to_list()
    rows = [
        (run.pk, inputs.enterprise_of[uscc], years[i], inputs.calculation_of[uscc],
         *(column[i] for column in values))
        for i, uscc in enumerate(codes)
    ]
    sums = {name: math.fsum(column) for name, column in zip(BATCH_TOTAL_COLUMNS[:6], values,
                                                            strict=False)}
    with transaction.atomic():
        insert_rows(*stored, rows)
        CarbonBatchRun.objects.filter(pk=run.pk).update(
            status=BatchStatus.DONE, finished_at=timezone.now(), enterprises=len(rows),
            calculations=inputs.calculations, rows=inputs.frame.height,
            inputs_hash=inputs.inputs_hash, error="")
        record(run.started_by, "carbon.batch.run", run, year=run.year, engine=run.engine,
               factor_set=run.factor_set, gwp_set=run.gwp_set, enterprises=len(rows),
               calculations=inputs.calculations, rows=inputs.frame.height,
               inputs_hash=inputs.inputs_hash, totals=sums)
    run.refresh_from_db()
    return run


def batch_summary(run: CarbonBatchRun) -> dict[str, Any]:
    """A batch run as plain data: its versions, status, counts and the year's sums."""
    stored = CarbonBatchTotal.objects.filter(run=run).values_list(*BATCH_TOTAL_COLUMNS[:6])
    columns = list(zip(*stored, strict=True)) or [()] * 6
    # fsum: the correctly rounded sum, whatever order the rows come in.
    sums = {name: math.fsum(column) for name, column in zip(BATCH_TOTAL_COLUMNS[:6], columns,
                                                            strict=True)}
    return {
        "run": run.pk, "year": run.year, "engine": run.engine, "status": run.status,
        "factor_set": run.factor_set, "activities_version": run.activities_version,
        "gwp_set": run.gwp_set, "enterprises": run.enterprises,
        "calculations": run.calculations, "rows": run.rows, "inputs_hash": run.inputs_hash,
        "totals": sums, "error": run.error,
    }

