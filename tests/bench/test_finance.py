"""The finance benchmark reports its figures."""

from __future__ import annotations

from czesg.bench import finance


def test_benchmark_reports_its_figures():
    figures = finance.benchmark(n_exposures=2_000, n_borrowers=600)
    assert figures["pcaf_100k_exposures_s"] > 0 and figures["pcaf_exposures"] == 2_000
    assert 0 < figures["pcaf_covered"] <= 2_000
    assert figures["carbon_labels"] > 0


def test_temperature_figure():
    exposures, borrowers = finance.synthetic_book(2_000, 600)
    seconds, companies = finance.temperature(exposures, borrowers)
    assert seconds > 0 and companies == 600


def test_eligibility_figure(db):
    figures = finance.eligibility(n_products=12, repeats=3)
    assert figures["eligibility_one_enterprise_ms"] > 0
    assert figures["eligibility_products"] == 12
