"""The scale benchmark: one year of N synthetic enterprises rated in process and on Spark.

``czesg bench --only scale --enterprises N`` loads N enterprises with one year of disclosures
(2024; about 30 % stay draft or submitted, as in the synthetic data; the load is timed apart),
then rates the year twice through the same action, :func:`~czesg.ratings.actions.run_rating`:
in process and with ``engine_name="spark"`` (``CZESG_SPARK_MASTER``, local[2] by default). Both
runs must store the same grades and inputs hash, and the same rows for a sample of enterprises
(the test suite compares every row). The figures are named after N (``rating_1m_inprocess_s``
for a million, ``rating_100k_spark_s`` for 100,000), with the database's size per rated
enterprise-year. On the same population it then measures the public profile endpoint on the
production server with wrk (``api_profile_p99_ms_<N>``, as the ``api`` group does over its
own 100,000) and the city dashboard's server time in process (``dashboard_server_ms_<N>``,
warm, and ``dashboard_uncached_ms_<N>`` after emptying the caches, as the ``dashboard`` group
does).
"""

from __future__ import annotations

import time
from typing import Any


def size_label(n: int) -> str:
    """1m, 100k, 2500: the enterprise count as the figures name it."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def database_bytes() -> int:
    """The size of the benchmark's database on disk (all its tables and indexes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), "
                           "pragma_page_size()")
        return int(cursor.fetchone()[0])


def _sample(run_id: int, count: int = 500) -> list[tuple]:
    from czesg.ratings.models import Rating

    columns = [f.attname for f in Rating._meta.concrete_fields
               if f.attname not in ("id", "run_id", "created_at")]
    return list(Rating.objects.filter(run_id=run_id).order_by("enterprise_id")
                .values_list(*columns)[:count])


def bench_scale(scale: float, enterprises: int | None = None, partitions: int = 8,
                api: bool = True, keep: bool = False) -> dict[str, Any]:
    """Load, then rate in process and on Spark; the figures of both runs, then the profile
    API's (``api``: it starts the production server on the benchmark's database and needs wrk)
    and the city dashboard's. ``keep``: on a kept database, load the city only if an earlier
    run has not (:func:`czesg.bench.load_city`; the load figure is then None and
    ``scale_load_reused`` true), and remove the earlier runs' ratings first, so that the
    database's size is that of one load and two rating runs, as in a fresh run."""
    from czesg.accounts.actors import system_actor
    from czesg.bench import load_city
    from czesg.bench.rating_e2e import _settle
    from czesg.ratings.actions import run_rating, start_rating
    from czesg.ratings.models import RatingRun

    n = enterprises or max(100, int(1_000_000 * scale))
    label = size_label(n)
    started = time.perf_counter()
    loaded = load_city(n, [2024], seed=2025, keep=keep)
    if loaded is None:
        _forget_ratings()
    _settle()
    load_s = None if loaded is None else time.perf_counter() - started
    figures: dict[str, Any] = {
        f"scale_load_{label}_s": None if load_s is None else round(load_s, 1),
        "scale_load_reused": load_s is None, "scale_enterprises": n}
    runs = {}
    for engine_name in ("inprocess", "spark"):
        run = start_rating(2024, actor=system_actor(), enqueue=False)
        t0 = time.perf_counter()
        summary = run_rating(run.pk, engine_name=engine_name, partitions=partitions)
        figures[f"rating_{label}_{engine_name}_s"] = round(time.perf_counter() - t0, 3)
        timings = summary["timings"]
        for step in ("read_s", "compute_s", "prepare_s", "write_s"):
            figures[f"rating_{label}_{engine_name}_{step}"] = timings[step]
        for key, value in timings.items():
            if key.startswith("spark_"):
                figures[f"rating_{label}_{key}"] = value
        runs[engine_name] = RatingRun.objects.get(pk=run.pk)
    inprocess, spark = runs["inprocess"], runs["spark"]
    if (inprocess.grade_counts != spark.grade_counts
            or inprocess.inputs_hash != spark.inputs_hash
            or _sample(inprocess.pk) != _sample(spark.pk)):
        raise AssertionError("the Spark run stored other ratings than the in-process run")
    rated = inprocess.rated
    figures["scale_rated_enterprise_years"] = rated
    figures["scale_spark_partitions"] = partitions
    size = database_bytes()
    figures["scale_db_bytes"] = size
    figures["scale_db_bytes_per_enterprise_year"] = round(size / max(rated, 1))
    if api:
        figures.update(_api_figures(label))
    figures.update(_dashboard_figures(label))
    figures["scale_note"] = (
        "one year loaded (about 70 % published and rated); both ratings go through "
        "run_rating (read, compute, write, audit); the database holds both runs' results; "
        "spark_session_s includes starting the JVM")
    return figures


def _forget_ratings() -> None:
    """Empty the rating tables of a kept benchmark database (nothing else refers to them)."""
    from django.core.management.color import no_style
    from django.db import connection

    from czesg.ratings.models import GreenScore, Rating, RatingRun

    tables = [m._meta.db_table for m in (Rating, GreenScore, RatingRun)]
    with connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=False):
            cursor.execute(statement)


def _api_figures(label: str) -> dict[str, Any]:
    """The profile endpoint's p99 over every loaded enterprise in a shuffled order, on the
    production server with MEASURED_CONNECTIONS closed-loop wrk clients (as ``bench api``)."""
    import os
    import random

    from django.db import connection

    from czesg.bench import MEASURED_CONNECTIONS, need_wrk, profile_server, wrk
    from czesg.enterprises.models import Enterprise

    need_wrk()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the profiles were written in the load
            cursor.execute("VACUUM ANALYZE portal_publicprofile")
    usccs = list(Enterprise.objects.values_list("uscc", flat=True))
    random.Random(7).shuffle(usccs)
    with profile_server(usccs) as (base, profiles):
        measured = wrk(base, profiles, MEASURED_CONNECTIONS, 15)
    return {
        f"api_profile_p99_ms_{label}": round(float(measured["p99_ms"]), 2),
        f"api_profile_p50_ms_{label}": round(float(measured["p50_ms"]), 2),
        f"api_profile_rps_{label}": round(float(measured["rps"]), 1),
        f"api_profile_errors_{label}": int(measured["errors"]),
        "api_server_workers": os.cpu_count() or 2,
    }


def _dashboard_figures(label: str) -> dict[str, Any]:
    """The city dashboard's server time as a government user (Django's test client): the
    median of warm requests and of requests after emptying every cache (as ``bench
    dashboard``)."""
    import statistics

    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from czesg.accounts.models import Role, User
    from czesg.bench.dashboard import REQUESTS, UNCACHED, WARM_UP, _median_ms

    user, _ = User.objects.get_or_create(
        username="czesg-bench-government", defaults={"role": Role.GOVERNMENT})
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    city = reverse("dashboards:city")
    for _ in range(WARM_UP):
        client.get(city)
    warm_ms, _ = _median_ms(client, city, REQUESTS)
    uncached = []
    for _ in range(UNCACHED):
        cache.clear()
        uncached.append(_median_ms(client, city, 1)[0])
    return {f"dashboard_server_ms_{label}": round(warm_ms, 1),
            f"dashboard_uncached_ms_{label}": round(statistics.median(uncached), 1)}
