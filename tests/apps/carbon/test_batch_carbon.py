"""Issue 19, item 2: ``czesg batch carbon`` recomputes the totals of every enterprise-year's latest
stored calculation of a year, in process or on Spark, and stores them as a batch run.

The calculations are made through the carbon app's own action (``calculate_for``); the batch
run's stored totals must equal the calculations' stored totals exactly (``batch_totals`` returns
``calculate``'s totals bit for bit), and the Spark run's rows must equal the in-process run's.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import random

import pytest

from czesg.audit.models import AuditEvent
from czesg.audit.recording import verify
from czesg.carbon import actions
from czesg.carbon.cli import register as register_carbon
from czesg.carbon.models import BatchStatus, CarbonBatchRun, CarbonBatchTotal, CarbonCalculation
from czesg.engine import carbon
from czesg.engine.kernel.errors import NotFound, PermissionRefused
from czesg.ratings.cli import register as register_ratings

pytestmark = pytest.mark.django_db

YEAR = 2024
FACTOR_SET = "2025.1"  # the set whose numbers these tests assert; named, so a newer one breaks none
COLUMNS = actions.BATCH_TOTAL_COLUMNS
GAS_AND_POWER = [
    {"activity": "natural_gas", "quantity": 10, "unit": "万Nm3", "facility": "boiler house"},
    {"activity": "electricity", "quantity": "1,200,000", "unit": "kWh"},
]


def parser() -> argparse.ArgumentParser:
    """The ``czesg`` command's apps that add batch jobs, in the command's order."""
    top = argparse.ArgumentParser(prog="czesg")
    sub = top.add_subparsers(dest="command")
    register_carbon(sub)
    register_ratings(sub)
    return top


def batch(*argv: str) -> tuple[int, str, str]:
    args = parser().parse_args(["batch", "carbon", *argv])
    out, err = io.StringIO(), io.StringIO()
    status = args.func(args, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def stored(run: CarbonBatchRun) -> list[tuple]:
    return list(CarbonBatchTotal.objects.filter(run=run).order_by("enterprise__uscc")
                .values_list("enterprise__uscc", "year", "calculation_id", *COLUMNS))


def expected_gas_and_power(fs: carbon.FactorSet) -> dict[str, float]:
    """GAS_AND_POWER's totals from the factor set itself (see test_carbon_app.py)."""
    def chain(category: str) -> carbon.Factor:
        for region in ("Jiangsu", "East China", "CN"):
            factor = fs.latest(category, region, YEAR)
            if factor is not None:
                return factor
        raise AssertionError(category)

    gas = fs.get("FUEL-NATURAL_GAS")
    scope1 = 10.0 * gas.ncv * gas.carbon_content_tC_per_GJ * gas.oxidation_rate * 44 / 12
    location = 1200.0 * chain("grid_provincial").value
    return {
        "scope1_tco2e": scope1, "scope2_location_tco2e": location,
        "scope2_market_tco2e": 1200.0 * chain("grid_residual").value, "scope3_tco2e": 0.0,
        "total_tco2e": scope1 + location,
        "energy_tce": 10 * 10_000 * fs.get("TCE-NATURAL_GAS_2").value / 1000
        + 1200 * 1000 * fs.get("TCE-ELECTRICITY-CALORIFIC").value / 1000,
    }


@pytest.fixture
def calculations(make_enterprise, system):
    """Three enterprises' calculations of YEAR (one recalculated later: its latest counts) and
    one of another year."""
    first, second, third = (make_enterprise() for _ in range(3))

    def calc(enterprise, rows, year=YEAR):
        return actions.calculate_for(enterprise, year, rows, gwp_set="AR6",
                                     factor_set=FACTOR_SET, actor=system)

    a = calc(first, GAS_AND_POWER)
    b = calc(second, [
        {"activity": "diesel", "quantity": 3.5, "unit": "t"},
        {"activity": "refrigerant_hfc_134a", "quantity": 2, "unit": "kg"},
        {"activity": "electricity", "quantity": 800, "unit": "MWh"},
        {"activity": "green_certificate_electricity", "quantity": 300, "unit": "MWh"},
        {"activity": "scope3_cat6", "quantity": 12.25, "unit": "tCO2e"},
    ])
    old = calc(third, [{"activity": "electricity", "quantity": 50, "unit": "MWh"}])
    c = calc(third, [
        {"activity": "electricity", "quantity": 75, "unit": "MWh"},
        {"activity": "purchased_heat", "quantity": 400, "unit": "GJ", "measured_factor": 0.09},
        {"activity": "own_renewable_generation", "quantity": 20, "unit": "MWh"},
    ])
    calc(first, GAS_AND_POWER, year=YEAR - 1)
    return {"latest": [a, b, c], "older": old}


def test_batch_carbon_stores_the_calculations_totals_exactly(calculations):
    status, out, err = batch("--year", str(YEAR), "--format", "json", "--quiet")
    assert status == 0, err
    assert err == ""
    printed = json.loads(out)
    run = CarbonBatchRun.objects.get()
    assert printed["run"] == run.pk and printed["status"] == BatchStatus.DONE
    assert (run.year, run.engine, run.factor_set, run.activities_version, run.gwp_set) == (
        YEAR, "inprocess", FACTOR_SET, "2025.1", "AR6")
    latest = sorted(calculations["latest"], key=lambda c: c.enterprise.uscc)
    assert (run.enterprises, run.calculations, run.rows) == (3, 3, 2 + 5 + 3)
    assert run.status == BatchStatus.DONE and run.finished_at is not None and run.error == ""

    # Each enterprise-year's stored totals are its latest calculation's, bit for bit.
    rows = stored(run)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (c.enterprise.uscc, YEAR, c.pk) for c in latest]
    for row, calculation in zip(rows, latest, strict=True):
        totals = calculation.totals_data
        assert dict(zip(COLUMNS, row[3:], strict=True)) == {k: totals[k] for k in COLUMNS}
    # ... and the enterprise with gas and power has the factor set's own figures.
    gas_and_power = next(r for r in rows if r[2] == calculations["latest"][0].pk)
    expected = expected_gas_and_power(carbon.load_factor_set(FACTOR_SET))
    for name, value in expected.items():
        assert gas_and_power[3 + COLUMNS.index(name)] == pytest.approx(value, rel=1e-12), name
    assert CarbonCalculation.objects.filter(year=YEAR).count() == 4  # the older one is not read

    digest = hashlib.sha256(b"czesg.carbon.batch-inputs/1\n")
    for calculation in latest:
        digest.update(f"{calculation.enterprise.uscc}\t{YEAR}\t{calculation.inputs_hash}\n"
                      .encode())
    assert run.inputs_hash == printed["inputs_hash"] == digest.hexdigest()
    year_sums = {name: math.fsum(c.totals_data[name] for c in latest) for name in COLUMNS[:6]}
    assert printed["totals"] == year_sums

    started = AuditEvent.objects.get(action="carbon.batch.start", target_id=str(run.pk))
    assert started.payload == {"year": YEAR, "engine": "inprocess", "factor_set": FACTOR_SET,
                               "activities": "2025.1", "gwp_set": "AR6"}
    done = AuditEvent.objects.get(action="carbon.batch.run", target_id=str(run.pk))
    assert done.payload == {
        "year": YEAR, "engine": "inprocess", "factor_set": FACTOR_SET, "gwp_set": "AR6",
        "enterprises": 3, "calculations": 3, "rows": 10, "inputs_hash": run.inputs_hash,
        "totals": year_sums,
    }
    assert started.actor_id == done.actor_id == run.started_by_id
    assert verify().ok


def test_the_text_summary_names_the_run_versions_and_year_sums(calculations):
    status, out, err = batch("--year", str(YEAR))
    assert status == 0
    run = CarbonBatchRun.objects.get()
    assert err == (f"batch carbon run #{run.pk} for {YEAR}: computing on inprocess, "
                   f"factor set {FACTOR_SET}…\n")
    lines = out.splitlines()
    assert lines[:2] == [f"batch carbon run #{run.pk} for {YEAR} (inprocess): done",
                         "enterprise-years: 3 (from 3 calculations, 10 activity rows)"]
    assert lines[2].startswith(f"factor set {FACTOR_SET} · activities 2025.1 · GWP AR6 · inputs ")
    scope3 = math.fsum(c.totals_data["scope3_tco2e"] for c in calculations["latest"])
    assert scope3 == 12.25  # the business travel row alone
    assert lines[6].split() == ["Scope", "3", "12.25", "tCO2e"]


def test_a_year_without_calculations_is_refused_and_nothing_is_written(calculations):
    status, out, err = batch("--year", str(YEAR - 2), "--quiet")
    assert status == 1 and out == ""
    assert err == ("czesg batch carbon: No carbon calculation is stored for 2022, so there is "
                   "nothing to compute: the batch run reads each enterprise's latest calculation "
                   "of the year.\n")
    status, out, _ = batch("--year", str(YEAR - 2), "--quiet", "--format", "json")
    assert status == 1 and json.loads(out)["problems"][0]["code"] == "not_found"
    assert not CarbonBatchRun.objects.exists() and not CarbonBatchTotal.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="carbon.batch").exists()


def test_a_refusal_of_the_engine_stores_no_total(calculations, gov):
    # Without a GWP set the refrigerant row cannot be computed: the engine names it.
    run = actions.start_carbon_batch(YEAR, actor=gov, factor_set=FACTOR_SET, gwp_set=None)
    with pytest.raises(carbon.CarbonInputError) as refused:
        actions.run_carbon_batch(run.pk)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "activity")]
    run.refresh_from_db()
    assert run.status == BatchStatus.FAILED and run.error.startswith("CarbonInputError")
    assert not CarbonBatchTotal.objects.exists()
    assert AuditEvent.objects.filter(action="carbon.batch.start").count() == 1
    assert not AuditEvent.objects.filter(action="carbon.batch.run").exists()
    assert verify().ok


def test_only_government_may_start_a_batch_and_bad_parameters_are_named(calculations, make_user):
    with pytest.raises(PermissionRefused):
        actions.start_carbon_batch(YEAR, actor=make_user("someone"), gwp_set="AR6")
    status, _, err = batch("--year", str(YEAR), "--gwp", "AR9", "--quiet")
    assert status == 1 and "gwp_set: Unknown GWP set “AR9”" in err
    status, _, err = batch("--year", str(YEAR), "--factor-set", "1999.1", "--quiet")
    assert status == 1 and "There is no factor set “1999.1”" in err
    with pytest.raises(NotFound):
        actions.run_carbon_batch(10**9)
    assert not CarbonBatchRun.objects.exists()


def test_batch_rate_and_batch_carbon_share_the_batch_group():
    for order in ((register_carbon, register_ratings), (register_ratings, register_carbon)):
        top = argparse.ArgumentParser(prog="czesg")
        sub = top.add_subparsers(dest="command")
        for register in order:
            register(sub)
        rate = top.parse_args(["batch", "rate", "--year", "2024", "--engine", "spark"])
        assert (rate.job, rate.engine, rate.func.__module__) == (
            "rate", "spark", "czesg.ratings.cli")
        job = top.parse_args(["batch", "carbon", "--year", "2024", "--partitions", "3"])
        assert (job.job, job.engine, job.partitions, job.gwp, job.func.__module__) == (
            "carbon", "inprocess", 3, "AR6", "czesg.carbon.cli")


# --- Spark ----------------------------------------------------------------------------------
ACTIVITIES = [("natural_gas", "万Nm3", 0.5, 40.0), ("diesel", "t", 0.1, 30.0),
              ("electricity", "MWh", 10.0, 5000.0), ("gasoline", "t", 0.1, 8.0),
              ("lpg", "t", 0.1, 5.0), ("scope3_cat1", "tCO2e", 1.0, 900.0),
              ("green_power_contract", "MWh", 0.0, 5.0), ("process_emissions", "tCO2e", 0.0, 50.0),
              ("refrigerant_hfc_32", "kg", 0.0, 20.0), ("purchased_heat", "GJ", 1.0, 800.0)]


@pytest.mark.only_on("postgresql")  # the JVM is the one test_spark.py starts in this process
@pytest.mark.xdist_group("spark")  # one worker, one JVM for both Spark tests
def test_spark_batch_carbon_equals_the_in_process_run(settings, tmp_path, make_enterprise,
                                                      system):
    settings.CZESG_SPARK_MASTER = "local[2]"
    settings.CZESG_BATCH_DIR = tmp_path
    generator = random.Random(19)
    total_rows = 0
    for n in range(60):
        enterprise = make_enterprise()
        rows = [{"activity": code, "quantity": round(generator.uniform(low, high), 3),
                 "unit": unit}
                for code, unit, low, high in ACTIVITIES for _ in range(5)]
        if n == 7:  # a measured heat factor: its partition (and the in-process run) goes
            rows[-1]["measured_factor"] = 0.11  # through calculate(), with the same totals
        total_rows += len(rows)
        actions.calculate_for(enterprise, YEAR, rows, gwp_set="AR6", factor_set=FACTOR_SET,
                              actor=system)
    assert total_rows == 3000
    status, _, err = batch("--year", str(YEAR), "--quiet")
    assert status == 0, err
    first = CarbonBatchRun.objects.get(engine="inprocess")
    status, out, err = batch("--year", str(YEAR), "--engine", "spark", "--partitions", "5",
                             "--format", "json", "--quiet")
    assert status == 0, err
    printed = json.loads(out)
    second = CarbonBatchRun.objects.get(pk=printed["run"])
    assert second.engine == "spark" and second.status == BatchStatus.DONE
    assert printed["timings"]["spark_total_s"] > 0
    assert (second.enterprises, second.rows, second.inputs_hash) == (
        first.enterprises, first.rows, first.inputs_hash) == (60, 3000, first.inputs_hash)
    spark_rows = stored(second)
    assert spark_rows == stored(first)  # every column, bit for bit
    by_calculation = {c.pk: c.totals_data for c in CarbonCalculation.objects.filter(year=YEAR)}
    for row in spark_rows:
        assert dict(zip(COLUMNS, row[3:], strict=True)) == {
            k: by_calculation[row[2]][k] for k in COLUMNS}
    for run in (first, second):
        assert AuditEvent.objects.filter(action="carbon.batch.start",
                                         target_id=str(run.pk)).count() == 1
    payloads = [AuditEvent.objects.get(action="carbon.batch.run", target_id=str(run.pk)).payload
                for run in (first, second)]
    assert payloads[1] == {**payloads[0], "engine": "spark"}
    assert verify().ok
    assert not any(tmp_path.iterdir())  # the exchange folder is cleaned up


def test_the_spark_task_module_imports_no_django():
    # Spark's Python workers import czesg.carbon.spark to run its task, without Django set up.
    import subprocess
    import sys

    code = "import sys; sys.modules['django'] = None; import czesg.carbon.spark; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
