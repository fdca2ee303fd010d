"""The batch path returns exactly the engine's totals (same bits), and the same refusals."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from czesg.engine.carbon import CarbonInputError, batch, load_activities
from tests.engine.carbon import FACTOR_SET, calculate, problems_of

OPTIONS = {"factor_set": FACTOR_SET, "gwp_set": "AR5"}
# Every activity the engine computes without a refusal or a measured factor, in its own unit
# and in a second spelling of a unit that converts to it.
OTHER_UNIT = {"t": "kg", "kWh": "MWh", "MWh": "kWh", "GJ": "MJ", "Nm3": "万Nm3",
              "万Nm3": "Nm3", "kg": "t", "tCO2e": "tCO2e"}


def _mixed_rows(n: int, n_enterprises: int = 150, seed: int = 5) -> pl.DataFrame:
    """``n`` rows over every computable activity, three years and messy spellings."""
    rng = np.random.default_rng(seed)
    acts = [a for a in load_activities().values()
            if a.kind not in ("coal_unspecified", "green_instrument")]
    years = np.array([2021, 2022, 2023])
    ids = [f"91320400MA{i:07d}X" for i in range(n_enterprises)]
    rows: dict[str, list] = {"uscc": [], "year": [], "activity": [], "quantity": [], "unit": []}
    # One large electricity row per enterprise-year first, so that green never exceeds it.
    for e in range(n_enterprises):
        for y in years.tolist():
            rows["uscc"].append(ids[e])
            rows["year"].append(y)
            rows["activity"].append("electricity")
            rows["quantity"].append(9.0e6)
            rows["unit"].append("kWh")
    green = [a for a in load_activities().values() if a.kind == "green_instrument"]
    for _ in range(n - len(rows["uscc"])):
        pick = rng.integers(0, len(acts) + len(green))
        a = (acts + green)[pick]
        unit = a.unit if rng.random() < 0.5 else OTHER_UNIT.get(a.unit, a.unit)
        uscc = ids[rng.integers(0, n_enterprises)]
        rows["uscc"].append(uscc if rng.random() < 0.8 else f"  {uscc.lower()} ")
        rows["year"].append(int(years[rng.integers(0, len(years))]))
        rows["activity"].append(a.code if rng.random() < 0.8 else f" {a.code.upper()}")
        rows["quantity"].append(float(rng.random() * 1000) if a.kind != "green_instrument"
                                else float(rng.random()))
        rows["unit"].append(unit)
    return pl.DataFrame(rows, schema={"uscc": pl.String, "year": pl.Int64,
                                      "activity": pl.String, "quantity": pl.Float64,
                                      "unit": pl.String})


def _assert_same_bits(left: pl.DataFrame, right: pl.DataFrame) -> None:
    assert left.columns == right.columns
    assert left.schema == right.schema
    assert left.get_column("uscc").to_list() == right.get_column("uscc").to_list()
    for name in left.columns[1:]:
        a, b = left.get_column(name).to_numpy(), right.get_column(name).to_numpy()
        assert a.dtype == b.dtype
        assert np.array_equal(a.view(np.int64), b.view(np.int64)), name


def test_fast_path_equals_engine_bit_for_bit():
    frame = _mixed_rows(6000)
    encoded = batch._encode(frame)
    assert encoded is not None  # the fast path takes this frame, not the fallback
    fast = batch._fast_totals(encoded, OPTIONS)
    assert fast is not None
    engine = calculate(frame, **OPTIONS).totals
    assert fast.height == engine.height == 450
    assert engine.get_column("scope2_market_tco2e").sum() > 0
    assert engine.get_column("scope1_tco2e").sum() > 0
    _assert_same_bits(fast, engine)
    _assert_same_bits(batch.batch_totals(frame, **OPTIONS), engine)


def test_one_region_column_and_integer_quantities():
    frame = _mixed_rows(2000, n_enterprises=40, seed=9).with_columns(
        pl.lit(" jiangsu").alias("region"), pl.col("quantity").round(0).cast(pl.Int64),
        pl.lit(None, dtype=pl.Float64).alias("measured_factor"),
    )
    assert batch._encode(frame) is not None
    _assert_same_bits(batch.batch_totals(frame, **OPTIONS), calculate(frame, **OPTIONS).totals)


def test_inputs_outside_the_fast_path_give_the_engines_totals():
    frame = _mixed_rows(1500, n_enterprises=30, seed=3)
    # Enterprises with an even number are in Jiangsu, the others in Zhejiang.
    even = pl.col("uscc").str.strip_chars().str.slice(-2, 1).cast(pl.Int64) % 2 == 0
    two_regions = frame.with_columns(
        pl.when(even).then(pl.lit("Jiangsu")).otherwise(pl.lit("Zhejiang")).alias("region"))
    as_rows = frame.head(200).to_dicts()
    assert batch._encode(two_regions) is None
    _assert_same_bits(batch.batch_totals(two_regions, **OPTIONS),
                      calculate(two_regions, **OPTIONS).totals)
    _assert_same_bits(batch.batch_totals(as_rows, **OPTIONS), calculate(as_rows, **OPTIONS).totals)


@pytest.mark.parametrize("change", [
    pl.when(pl.int_range(pl.len()) == 7).then(-1.0).otherwise(pl.col("quantity")).alias(
        "quantity"),
    pl.when(pl.int_range(pl.len()) == 11).then(pl.lit("unobtainium")).otherwise(
        pl.col("activity")).alias("activity"),
    pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("furlong")).otherwise(
        pl.col("unit")).alias("unit"),
    pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("   ")).otherwise(
        pl.col("uscc")).alias("uscc"),
], ids=["negative quantity", "unknown activity", "unknown unit", "empty uscc"])
def test_refusals_are_the_engines(change):
    frame = _mixed_rows(400, n_enterprises=10, seed=1).with_columns(change)
    with pytest.raises(CarbonInputError) as engine:
        calculate(frame, **OPTIONS)
    with pytest.raises(CarbonInputError) as fast:
        batch.batch_totals(frame, **OPTIONS)
    assert problems_of(fast) == problems_of(engine) and problems_of(fast)


def test_green_electricity_above_purchased_is_refused_with_its_rows():
    frame = pl.DataFrame({
        "uscc": ["91320400MA1XXXXX1A"] * 2, "year": [2023, 2023],
        "activity": ["electricity", "green_certificate_electricity"],
        "quantity": [1000.0, 5.0], "unit": ["kWh", "MWh"],
    })
    with pytest.raises(CarbonInputError) as fast:
        batch.batch_totals(frame, **OPTIONS)
    assert [(p.row, p.column) for p in fast.value.problems] == [(3, "quantity")]


def test_gases_without_a_gwp_set_are_refused():
    frame = pl.DataFrame({"uscc": ["91320400MA1XXXXX1A"], "year": [2023],
                          "activity": ["sf6"], "quantity": [1.0], "unit": ["kg"]})
    with pytest.raises(CarbonInputError) as fast:
        batch.batch_totals(frame, factor_set=FACTOR_SET)
    assert [p.column for p in fast.value.problems] == ["activity"]
