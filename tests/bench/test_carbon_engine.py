"""The carbon engine benchmark reports its figures, after checking the batch path and the loop
against the engine."""

from __future__ import annotations

from czesg.bench import carbon_engine


def test_benchmark_reports_its_figures():
    figures = carbon_engine.benchmark(n_rows=40_000)
    assert figures["carbon_1m_rows_s"] > 0 and figures["carbon_1m_rows_traced_s"] > 0
    assert figures["carbon_vs_loop_speedup"] > 1
    assert figures["loop_rows"] == 40_000 and figures["carbon_rows"] == 40_000
    assert figures["carbon_enterprise_years"] == 30_000
