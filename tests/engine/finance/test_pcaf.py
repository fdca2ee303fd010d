"""PCAF attribution, data quality and portfolio totals on a worked example (CNY, tCO2e)."""

from __future__ import annotations

import polars as pl
import pytest

from czesg.engine.finance.pcaf import financed_emissions, load_pcaf_method, portfolio

M = 1_000_000.0
BORROWERS = pl.DataFrame([
    # borrower, sector, emissions, scope3, basis, revenue, assets
    ("B1", "C3841", 1000.0, 200.0, "assured", 50 * M, 100 * M),
    ("B2", "C3841", 2000.0, None, "reported", 100 * M, 200 * M),
    ("B3", "C3825", 500.0, None, "record", 10 * M, 50 * M),
    ("B4", "C3899", None, None, None, 20 * M, 40 * M),
    ("B5", "C3850", None, None, None, None, None),
    ("B6", "D4411", None, None, None, None, None),
    ("B7", "C3841", 100.0, None, "reported", None, None),
], schema=["borrower", "sector", "emissions", "scope3", "basis", "revenue", "assets"],
    orient="row")
EXPOSURES = pl.DataFrame([
    # exposure, borrower, outstanding, listed, evic, equity_debt
    ("X1", "B1", 10 * M, False, None, None),
    ("X2", "B2", 20 * M, True, 400 * M, None),
    ("X3", "B3", 5 * M, False, None, 25 * M),
    ("X4", "B4", 4 * M, False, None, None),
    ("X5", "B5", 1 * M, False, None, None),
    ("X6", "B6", 2 * M, False, None, None),
    ("X7", "B7", 3 * M, False, None, None),
    ("X8", "B1", 200 * M, False, None, None),
], schema=["exposure", "borrower", "outstanding", "listed", "evic", "equity_debt"],
    orient="row")


def test_method_file():
    m = load_pcaf_method()
    assert m.scores == {"assured": 1, "reported": 2, "record": 3, "sector_revenue": 4,
                        "sector_assets": 5}
    assert m.cap == 1.0 and m.sector_levels == ("division", "section") and m.min_peers == 3


def test_worked_example():
    rows = {r["exposure"]: r for r in financed_emissions(EXPOSURES, BORROWERS).to_dicts()}
    # X1: 10 M over total assets 100 M → 0.1 × 1,000 t (assured) = 100 t, score 1; Scope 3 20 t
    assert (rows["X1"]["attribution"], rows["X1"]["financed_tco2e"], rows["X1"]["quality"],
            rows["X1"]["financed_scope3_tco2e"]) == (0.1, 100.0, 1, 20.0)
    # X2: listed, 20 M over EVIC 400 M → 0.05 × 2,000 t = 100 t, score 2
    assert (rows["X2"]["attribution"], rows["X2"]["financed_tco2e"], rows["X2"]["quality"]) == (
        0.05, 100.0, 2)
    # X3: the book's equity + debt 25 M → 0.2 × 500 t (record) = 100 t, score 3
    assert (rows["X3"]["attribution"], rows["X3"]["financed_tco2e"], rows["X3"]["quality"]) == (
        0.2, 100.0, 3)
    # X4: no emissions; division C38's 3,500 t / 160 M revenue × its 20 M revenue = 437.5 t,
    # × 4 M / 40 M = 43.75 t, score 4
    assert rows["X4"]["financed_tco2e"] == pytest.approx(43.75)
    assert (rows["X4"]["quality"], rows["X4"]["sector_level"]) == (4, "division")
    # X5: no revenue: 1 M × C38's 3,500 t / 350 M assets = 10 t, score 5
    assert rows["X5"]["financed_tco2e"] == pytest.approx(10.0) and rows["X5"]["quality"] == 5
    # X6: section D has no reporting peers; X7: reported emissions but no denominator
    assert (rows["X6"]["missing"], rows["X6"]["financed_tco2e"], rows["X6"]["quality"]) == (
        "no_emissions", None, None)
    assert (rows["X7"]["missing"], rows["X7"]["quality"]) == ("no_denominator", None)
    # X8: 200 M over 100 M assets is capped at 1 → all 1,000 t
    assert (rows["X8"]["attribution"], rows["X8"]["financed_tco2e"]) == (1.0, 1000.0)


def test_portfolio_totals():
    book = portfolio(financed_emissions(EXPOSURES, BORROWERS))
    assert (book.exposures, book.covered) == (8, 6)
    assert (book.outstanding, book.covered_outstanding) == (245 * M, 240 * M)
    assert book.financed_tco2e == pytest.approx(1353.75)
    assert book.financed_scope3_tco2e == pytest.approx(220.0)
    assert book.intensity_per_million == pytest.approx(1353.75 / 240)
    assert book.weighted_quality == pytest.approx(286 / 240)  # (1·10+2·20+3·5+4·4+5·1+1·200)/240
    assert book.coverage == pytest.approx(240 / 245)
