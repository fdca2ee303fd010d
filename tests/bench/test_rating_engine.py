"""The rating engine's benchmark reports its figures (at a small size)."""

from __future__ import annotations

from czesg.bench.rating_engine import benchmark


def test_benchmark_reports_its_figures_at_a_small_size():
    figures = benchmark(n=200, repeat=1)
    assert figures["rating_enterprises"] == 200
    assert figures["rating_100k_compute_s"] > 0
    assert figures["rating_compute_vs_numpy_floor"] > 0
