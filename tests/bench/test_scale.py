"""The scale benchmark rates a small population in process and on Spark and names its figures."""

from __future__ import annotations

import pytest

from czesg.bench.scale import bench_scale, size_label


def test_size_labels():
    assert [size_label(n) for n in (1_000_000, 3_000_000, 100_000, 2500)] == [
        "1m", "3m", "100k", "2500"]


# As the bench runs: not inside a test transaction (PostgreSQL's VACUUM refuses one).
@pytest.mark.only_on("sqlite")  # the bench's own run; Spark's equality is tested on PostgreSQL
@pytest.mark.django_db(transaction=True)
def test_scale_bench_reports_both_engines(settings, tmp_path):
    settings.CZESG_BATCH_DIR = tmp_path
    figures = bench_scale(1.0, enterprises=300, partitions=3, api=False)
    assert figures["scale_enterprises"] == 300
    assert figures["rating_300_inprocess_s"] > 0 and figures["rating_300_spark_s"] > 0
    assert figures["rating_300_spark_total_s"] > 0
    assert 100 < figures["scale_rated_enterprise_years"] <= 300
    assert figures["scale_db_bytes_per_enterprise_year"] > 1000
    # The city dashboard over the same population (the profile API needs the production
    # server and wrk: the bench's own run, not the test's).
    assert figures["dashboard_server_ms_300"] > 0 and figures["dashboard_uncached_ms_300"] > 0
    assert "api_profile_p99_ms_300" not in figures
