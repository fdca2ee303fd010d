"""The CDP-WWF temperature rating method: the SBTi-Finance Tool's own published test cases
(test/test_temperature_score.py with test/inputs/data_test_temperature_score.csv of
ScienceBasedTargets/SBTi-finance-tool, transcribed into data/temperature_published_*.csv), to the
decimals they assert, and our own worked cases."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from czesg.engine.finance.temperature import (
    AGGREGATIONS,
    aggregate,
    company_scores,
    load_temperature_method,
    portfolio_temperature,
    target_scores,
)

DATA = Path(__file__).parent / "data"
TARGETS = pl.read_csv(DATA / "temperature_published_targets.csv",
                      schema_overrides={"base_year": pl.Int64, "end_year": pl.Int64})
COMPANIES = pl.read_csv(DATA / "temperature_published_companies.csv")


@pytest.fixture(scope="module")
def method():
    return load_temperature_method()


@pytest.fixture(scope="module")
def scores(method):
    return company_scores(TARGETS, COMPANIES, method)


def score_of(scores, company, scope, time_frame):
    row = scores.filter((pl.col("company") == company) & (pl.col("scope") == scope)
                        & (pl.col("time_frame") == time_frame))
    assert row.height == 1
    return row["score"][0]


def test_published_company_scores(scores):
    # test_temp_score: Company T S1S2 (short) 1.77, the fallback of Company E 3.2, Company AA
    # S1S2S3 mid 1.97 (emissions-weighted) and long 3.2 (fallback), to the places asserted there.
    assert score_of(scores, "Company T", "S1S2", "short") == pytest.approx(1.77, abs=0.005)
    for time_frame in ("short", "mid", "long"):
        assert score_of(scores, "Company E", "S1S2", time_frame) == pytest.approx(3.2, abs=0.005)
    assert score_of(scores, "Company AA", "S1S2S3", "mid") == pytest.approx(1.97, abs=0.005)
    assert score_of(scores, "Company AA", "S1S2S3", "long") == pytest.approx(3.2, abs=5e-6)


PUBLISHED = {  # aggregation → (short, mid, long) S1S2 portfolio score, asserted to 2 places
    "WATS": (2.73, 2.89, 3.2),
    "TETS": (2.86, 3.41, 3.2),
    "MOTS": (2.88, 3.43, 3.2),
    "EOTS": (2.93, 3.48, 3.2),
    "ECOTS": (2.93, 3.48, 3.2),
    "AOTS": (2.88, 3.43, 3.2),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_portfolio_aggregations(scores, name):
    result = aggregate(scores, COMPANIES, name).filter(pl.col("scope") == "S1S2")
    by_frame = dict(zip(result["time_frame"], result["score"], strict=True))
    for time_frame, expected in zip(("short", "mid", "long"), PUBLISHED[name], strict=True):
        assert by_frame[time_frame] == pytest.approx(expected, abs=0.005), (name, time_frame)


def test_worked_target_score_by_hand(method):
    # Company T: absolute, 41.6 % from 2009 to 2020: LAR = 0.416 / 11 = 3.7818 %/year;
    # Kyoto gases slope5: -0.212692101951652 × 3.7818 + 2.57430302122667 = 1.769936...
    scored = target_scores(TARGETS.filter(pl.col("company") == "Company T"), method)
    assert scored["variable"][0] == "Emissions|Kyoto Gases"
    assert scored["lar"][0] == pytest.approx(0.416 / 11)
    assert scored["score"][0] == pytest.approx(
        -0.212692101951652 * 0.416 / 11 * 100 + 2.57430302122667, rel=1e-12)


def test_sector_mapping_and_default_share(method):
    # A cement maker (GB/T C30) with an absolute S1S2 target reads the energy and industrial CO2
    # pathway; its S3 has no target, so S1S2S3 (S3 half of the emissions) is half default.
    targets = pl.DataFrame({"company": ["C"], "scope": ["S1S2"], "time_frame": ["mid"],
                            "target_type": ["absolute"], "metric": [None], "sector": ["C3011"],
                            "reduction": [0.3], "base_year": [2020], "end_year": [2035],
                            "validated": [False]})
    companies = pl.DataFrame({"company": ["C", "D"], "ghg_s1s2": [100.0, None],
                              "ghg_s3": [100.0, None]})
    scores = company_scores(targets, companies, method)
    s12 = -0.311648326394271 * 0.3 / 15 * 100 + 2.61727833547122  # 1.99398...
    assert score_of(scores, "C", "S1S2", "mid") == round(s12, 2) == 1.99
    mixed = scores.filter((pl.col("company") == "C") & (pl.col("scope") == "S1S2S3")
                          & (pl.col("time_frame") == "mid"))
    assert mixed["score"][0] == round((s12 + 3.2) / 2, 2) == 2.6
    assert mixed["default_share"][0] == 0.5 and mixed["target"][0]
    # D has no target and no emissions: the default score everywhere, wholly default.
    d = scores.filter(pl.col("company") == "D")
    assert d.height == 9 and set(d["score"]) == {3.2} and set(d["default_share"]) == {1.0}
    assert not any(d["target"])


def test_best_target_is_the_latest_end_year(method):
    two = pl.DataFrame({"company": ["X", "X"], "scope": ["S1S2", "S1S2"],
                        "time_frame": ["long", "long"], "target_type": ["absolute", "absolute"],
                        "metric": [None, None], "sector": [None, None], "reduction": [0.5, 0.9],
                        "base_year": [2020, 2020], "end_year": [2045, 2050],
                        "validated": [True, True]})
    scores = company_scores(two, pl.DataFrame({"company": ["X"], "ghg_s1s2": [1.0],
                                               "ghg_s3": [0.0]}), method)
    expected = -0.483330528210875 * 0.9 / 30 * 100 + 2.84133794650491
    assert score_of(scores, "X", "S1S2", "long") == round(expected, 2) == 1.39


def test_time_frames_from_the_reporting_year(method):
    assert method.time_frame_of(2029, 2025) == "short"
    assert method.time_frame_of(2030, 2025) == "mid"
    assert method.time_frame_of(2040, 2025) == "mid"
    assert method.time_frame_of(2055, 2025) == "long"
    assert method.time_frame_of(2056, 2025) is None
    assert method.time_frame_of(2024, 2025) is None


def test_left_out_companies_are_counted(method):
    scores = company_scores(TARGETS, COMPANIES, method)
    holdings = COMPANIES.with_columns(
        pl.when(pl.col("company") == "Company E").then(None).otherwise(pl.col("total_assets"))
        .alias("total_assets"))
    result = aggregate(scores, holdings, "AOTS").filter(
        (pl.col("scope") == "S1S2") & (pl.col("time_frame") == "long"))
    assert result["companies"][0] == 10 and result["left_out"][0] == 1
    # WATS over two exposures of one company equals one exposure of their sum.
    split = pl.concat([COMPANIES, COMPANIES.filter(pl.col("company") == "Company T")
                       .with_columns(pl.lit(1000, pl.Int64).alias("investment"))])
    merged = COMPANIES.with_columns(
        pl.when(pl.col("company") == "Company T").then(pl.col("investment") + 1000)
        .otherwise(pl.col("investment")).alias("investment"))
    assert aggregate(scores, split, "WATS").equals(aggregate(scores, merged, "WATS"))


def test_all_aggregations_at_once(method):
    holdings = COMPANIES.with_columns(pl.lit(1.0e6).alias("revenue"))
    scores, results = portfolio_temperature(TARGETS, COMPANIES, holdings, method)
    assert scores.height == 11 * 9
    assert set(results) == set(AGGREGATIONS)
    assert all(frame.height == 9 for frame in results.values())


def test_sectors_are_gbt4754_codes_not_isic(method):
    # GB/T 4754 C23 is printing (ISIC C23 is non-metallic minerals): Kyoto gases, not the
    # energy and industrial CO2 pathway of cement.
    targets = pl.DataFrame({"company": ["P"], "scope": ["S1S2"], "time_frame": ["short"],
                            "target_type": ["absolute"], "metric": [None], "sector": ["C2311"],
                            "reduction": [0.2], "base_year": [2020], "end_year": [2028],
                            "validated": [True]})
    assert target_scores(targets, method)["variable"][0] == "Emissions|Kyoto Gases"
