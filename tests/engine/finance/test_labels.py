"""The carbon-efficiency label on a worked example, each number derived by hand from the
methodology file's formulas (see data/finance/carbon-label-2026.1.toml)."""

from __future__ import annotations

import polars as pl
import pytest

from czesg.engine.finance.labels import label_year, load_label_methodology

ROWS = [
    # enterprise, year, industry, district, emissions (tCO2e), revenue (10k CNY)
    (1, 2025, "C3841", "320411", 100.0, 1000.0),
    (2, 2025, "C3841", "320411", 200.0, 1000.0),
    (3, 2025, "C3841", "320411", 300.0, 1000.0),
    (4, 2025, "C3841", "320411", 400.0, 1000.0),
    (5, 2025, "C3841", "320411", 500.0, 1000.0),
    (6, 2025, "C3825", "320412", 250.0, 1000.0),
    (7, 2025, "D4411", "320412", 9000.0, 10000.0),
    (8, 2025, "C3841", "320411", 8500.0, None),  # no revenue: not labelled, counts in its district
    (1, 2024, "C3841", "320411", 110.0, 1000.0),
    (2, 2024, "C3841", "320411", 200.0, 1000.0),
    (3, 2024, "C3841", "320411", 290.0, 1000.0),
]


def frame() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema=["enterprise", "year", "industry", "district", "emissions",
                                      "revenue"], orient="row")


def share_score(share: float) -> float:
    return min(100.0, max(0.0, (0.10 - share) / (0.10 - 0.01) * 100))


def test_methodology_reads_with_its_provenance():
    m = load_label_methodology("2026.1")
    assert m.weights == {"position": 0.5, "share": 0.2, "trend": 0.3}
    assert [(b.key, b.low) for b in m.labels] == [("dark_green", 75), ("light_green", 50),
                                                  ("yellow", 25), ("red", 0)]
    assert m.model.confidence.startswith("unconfirmed-")
    assert all(p.confidence == "methodology-choice" for p in m.provenance.values())


def test_worked_example():
    result = {row["enterprise"]: row for row in label_year(frame(), 2025).to_dicts()}
    assert sorted(result) == [1, 2, 3, 4, 5, 6, 7]
    # Position: five peers in class C3841 → 100, 75, 50, 25, 0; enterprise 6 is alone in its
    # class and ranks 3rd of 6 in division C38 → (6 − 3) / 5 = 60; enterprise 7 is alone in
    # class and division and ranks last of all 7 → 0.
    assert [(result[e]["peer_level"], result[e]["peer_count"], result[e]["position_score"])
            for e in range(1, 8)] == [
        ("industry_class", 5, 100.0), ("industry_class", 5, 75.0), ("industry_class", 5, 50.0),
        ("industry_class", 5, 25.0), ("industry_class", 5, 0.0),
        ("industry_division", 6, 60.0), ("all", 7, 0.0)]
    # Share: district 320411 emits 10,000 t (enterprise 8 included), 320412 9,250 t.
    assert result[1]["share"] == pytest.approx(0.01)
    assert result[6]["share"] == pytest.approx(250 / 9250)
    assert result[2]["share_score"] == pytest.approx(800 / 9)
    assert result[6]["share_score"] == pytest.approx(share_score(250 / 9250))
    assert result[7]["share_score"] == 0.0
    # Trend: 0.10 after 0.11 (−9.1 % → 100), 0.20 after 0.20 (0 → 50), 0.30 after 0.29
    # (+3.45 % → 15.5); no previous year → 50.
    assert result[1]["trend"] == pytest.approx(0.1 / 0.11 - 1)
    assert result[1]["trend_score"] == 100.0
    assert result[2]["trend_score"] == pytest.approx(50.0)
    assert result[3]["trend_score"] == pytest.approx((0.05 - (0.3 / 0.29 - 1)) / 0.1 * 100)
    assert result[4]["trend"] is None and result[4]["trend_score"] == 50.0
    expected = {
        1: (100.0, "dark_green"),
        2: (0.5 * 75 + 0.2 * 800 / 9 + 0.3 * 50, "light_green"),  # 70.28
        3: (0.5 * 50 + 0.2 * 700 / 9 + 0.3 * (0.05 - (0.3 / 0.29 - 1)) / 0.1 * 100,
            "yellow"),  # 45.21
        4: (0.5 * 25 + 0.2 * 600 / 9 + 0.3 * 50, "yellow"),  # 40.83
        5: (0.2 * 500 / 9 + 0.3 * 50, "yellow"),  # 26.11
        6: (0.5 * 60 + 0.2 * share_score(250 / 9250) + 0.3 * 50, "light_green"),  # 61.22
        7: (0.3 * 50, "red"),  # 15
    }
    for enterprise, (score, label) in expected.items():
        assert result[enterprise]["score"] == pytest.approx(score, abs=1e-9), enterprise
        assert result[enterprise]["label"] == label, enterprise
    assert round(result[2]["score"], 2) == 70.28 and round(result[6]["score"], 2) == 61.22


def test_ties_share_the_average_rank_and_empty_years_give_no_rows():
    rows = [(e, 2025, "C3841", "320411", 100.0, 1000.0) for e in range(1, 6)]
    result = label_year(pl.DataFrame(rows, schema=["enterprise", "year", "industry", "district",
                                                   "emissions", "revenue"], orient="row"), 2025)
    assert result["position_score"].to_list() == [50.0] * 5
    assert label_year(frame(), 2019).is_empty()
