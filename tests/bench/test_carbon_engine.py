"""The carbon engine benchmark reports its figures."""

from __future__ import annotations

from czesg.bench import carbon_engine


def test_benchmark_reports_its_figures():
    figures = carbon_engine.benchmark(n_rows=40_000)
    assert figures["carbon_1m_rows_s"] > 0
    assert figures["carbon_vs_loop_speedup"] > 1
    assert figures["loop_rows"] == 40_000 and figures["carbon_rows"] == 40_000
