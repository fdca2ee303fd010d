"""The rating's end-to-end benchmark: read the published disclosures from the database, rate,
and write the results, for 100,000 × scale synthetic enterprises (the load is not timed)."""

from __future__ import annotations

import time


def _settle() -> None:
    """Let the database settle after the bulk load, as autovacuum would before any real rating:
    statistics for the planner and, on PostgreSQL, the visibility map and hint bits (without
    this the first read of freshly written rows rewrites every page it touches)."""
    from django.db import connection

    from czesg.disclosures.models import Datapoint, Disclosure
    from czesg.enterprises.models import Enterprise

    tables = [m._meta.db_table for m in (Datapoint, Disclosure, Enterprise)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        else:
            cursor.execute("ANALYZE")


def bench_rating_end_to_end(scale: float) -> dict:
    """Load 100,000 × ``scale`` synthetic enterprises with one year of disclosures (2024; about
    30 % stay draft or submitted, as in the synthetic data), then time :func:`run_rating`
    (``rating_100k_end_to_end_s``) and its compute step (``rating_100k_compute_s``)."""
    from czesg.accounts.actors import system_actor
    from czesg.demo import load_synthetic
    from czesg.ratings.actions import run_rating, start_rating

    n = max(100, int(100_000 * scale))
    started = time.perf_counter()
    load_synthetic(enterprises=n, years=[2024])
    _settle()
    load_s = time.perf_counter() - started
    run = start_rating(2024, actor=system_actor(), enqueue=False)
    t0 = time.perf_counter()
    summary = run_rating(run.pk)
    end_to_end = time.perf_counter() - t0
    timings = summary["timings"]
    return {
        "rating_100k_end_to_end_s": round(end_to_end, 3),
        "rating_100k_compute_s": timings["compute_s"],
        "rating_e2e_read_s": timings["read_s"],
        "rating_e2e_prepare_s": timings["prepare_s"],
        "rating_e2e_write_s": timings["write_s"],
        "rating_e2e_enterprises": summary["rated"],
        "rating_e2e_load_s_untimed": round(load_s, 1),
    }
