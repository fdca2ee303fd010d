"""`czesg bench`: the performance figures the issues set targets for, measured on this machine.

Each group runs in a fresh database that the benchmark creates and removes itself (a temporary
SQLite file, or a temporary database on the PostgreSQL server named by ``--database-url``), so
that a benchmark never touches real data. Figures are seconds unless their name says otherwise.

With ``--keep-data`` the groups that load a synthetic city (:data:`CITY_GROUPS`) measure on the
database that ``--database-url`` names and leave it in place: the first run loads the city, later
runs find it there and measure again without reloading it (a city of 100,000 enterprises takes
the better part of an hour to load on two cores, its measurement a minute). See
:func:`load_city`.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import polars as pl

from czesg.engine.catalogue import load_catalogue

GROUPS: dict[str, Callable[..., dict]] = {}


def group(name: str):
    def register(fn):
        GROUPS[name] = fn
        return fn

    return register


def _fresh_enterprises(n: int, seed: int = 7) -> list[str]:
    """Register ``n`` synthetic enterprises quickly (through the bulk registration action)."""
    from czesg.accounts.actors import system_actor
    from czesg.engine import synth
    from czesg.enterprises.actions import EnterpriseFacts, bulk_register

    generated = synth.generate_enterprises(n, seed=seed)
    facts = [
        EnterpriseFacts(
            uscc=e.uscc, name=e.name, name_en=e.name_en, industry_code=e.industry_code,
            division_code=e.division_code, park_key=e.park_key, size_class=e.size_class,
            listed=False, state_owned=e.state_owned, is_synthetic=True,
        )
        for e in generated
    ]
    bulk_register(facts, actor=system_actor(), source="czesg bench")
    return [e.uscc for e in generated]


def long_values(usccs: list[str], year: int, per_enterprise: int = 100, seed: int = 11) -> pl.DataFrame:
    """A long-format frame of ``per_enterprise`` numeric values for every enterprise."""
    catalogue = load_catalogue()
    numeric = [i for i in catalogue.indicators if i.data_type == "number"][:per_enterprise]
    if len(numeric) < per_enterprise:
        numeric += [i for i in catalogue.indicators if i.data_type == "percentage"][
            : per_enterprise - len(numeric)
        ]
    rng = np.random.default_rng(seed)
    n = len(usccs) * len(numeric)
    values = rng.uniform(0, 100, n).round(3)
    return pl.DataFrame(
        {
            "uscc": np.repeat(np.array(usccs, dtype=object), len(numeric)),
            "year": [str(year)] * n,
            "indicator": np.tile(np.array([i.code for i in numeric], dtype=object), len(usccs)),
            "value": values.astype(str),
            "unit": np.tile(np.array([i.unit for i in numeric], dtype=object), len(usccs)),
        },
        schema={"uscc": pl.Utf8, "year": pl.Utf8, "indicator": pl.Utf8, "value": pl.Utf8,
                "unit": pl.Utf8},
    )


@group("import")
def bench_import(scale: float) -> dict:
    """Bulk import of 10,000 enterprises × 100 indicators (1,000,000 values)."""
    from czesg.accounts.actors import system_actor
    from czesg.disclosures.bulk import import_checked
    from czesg.engine.disclosure.bulk import check_long

    n = max(1, int(10_000 * scale))
    usccs = _fresh_enterprises(n)
    frame = long_values(usccs, 2024)
    t0 = time.perf_counter()
    check = check_long(frame, load_catalogue())
    t1 = time.perf_counter()
    summary = import_checked(check, actor=system_actor(), evidence="czesg bench")
    t2 = time.perf_counter()
    assert summary.imported_values == frame.height, summary.as_dict()["problems"][:3]
    return {
        "import_1m_values_s": round(t2 - t0, 3),
        "import_check_s": round(t1 - t0, 3),
        "import_write_s": round(t2 - t1, 3),
        "import_values": frame.height,
    }


@group("records")
def bench_records(scale: float) -> dict:
    """A register of installation emissions at the real shape: 167,700 figures over 15,000
    enterprises and 17 years, file bytes to committed records, and the same file again."""
    from czesg.bench.records import bench_records as run

    return run(scale, _fresh_enterprises)


@group("extraction")
def bench_extraction(scale: float) -> dict:
    """Figures read from the generated report corpus and from czesg's own report PDFs (zh and
    en) of a disclosure seeded in this benchmark's database: precision and recall on the
    headline indicators, and pages per second."""
    from czesg.bench.extraction import benchmark

    return benchmark(rounds=max(1, round(3 * min(scale, 1.0))))


@group("carbon")
def bench_carbon(scale: float) -> dict:
    """Carbon engine: 1,000,000 activity rows to per-enterprise Scope 1/2 totals."""
    from czesg.bench.carbon_engine import benchmark

    return benchmark(n_rows=max(1000, int(1_000_000 * scale)))


@group("finance")
def bench_finance(scale: float) -> dict:
    """Green finance: PCAF financed emissions with data quality and portfolio totals over
    100,000 exposures, carbon-efficiency labels of their borrowers, the book's portfolio
    temperature (company scores and every aggregation), and one enterprise's eligibility
    against every product."""
    from czesg.bench.finance import benchmark, eligibility

    return benchmark(n_exposures=max(100, int(100_000 * scale)),
                     n_borrowers=max(30, int(30_000 * scale))) | eligibility()


@group("rating")
def bench_rating(scale: float) -> dict:
    """Rating engine alone: the compute step over 100,000 synthetic enterprises, and its ratio to
    one plain NumPy pass over the same values (the memory-bound floor)."""
    from czesg.bench.rating_engine import benchmark

    figures = benchmark(n=max(100, int(100_000 * scale)))
    # The end-to-end group reports the compute step inside a real run under the name.
    figures["rating_engine_100k_compute_s"] = figures.pop("rating_100k_compute_s")
    return figures


@group("rating_e2e")
def bench_rating_e2e(scale: float) -> dict:
    """Rating end to end: read 100,000 enterprises' published disclosures, rate, write results."""
    from czesg.bench.rating_e2e import bench_rating_end_to_end

    return bench_rating_end_to_end(scale)


@group("scale")
def bench_scale(scale: float, enterprises: int | None = None, keep: bool = False) -> dict:
    """One year of 1,000,000 × scale enterprises (or ``--enterprises N``) rated in process and
    on Spark through the same action, with the load time and the database size."""
    from czesg.bench.scale import bench_scale as run

    return run(scale, enterprises, keep=keep)


# Groups that take ``--enterprises``.
SIZED = ("scale",)
# Groups that load a synthetic city, and so may keep it between runs (``--keep-data``).
CITY_GROUPS = ("load", "scale")


class HeldCity(Exception):
    """The kept database holds data other than the city a group would load."""


def load_city(enterprises: int, years: list[int], seed: int, *, keep: bool) -> float | None:
    """Load the group's synthetic city (:func:`czesg.demo.load_synthetic`) and return the
    seconds it took; with ``keep``, return None without loading when the database already holds
    that city: exactly ``enterprises`` enterprises, each with a disclosure in every one of
    ``years`` and in no other year (what an earlier run of the same group and size left).
    A kept database that holds anything else is refused (:class:`HeldCity`), never added to."""
    from django.db.models import Count

    from czesg.demo import load_synthetic
    from czesg.disclosures.models import Disclosure
    from czesg.enterprises.models import Enterprise

    if keep:
        held = Enterprise.objects.count()
        per_year = dict(Disclosure.objects.order_by().values_list("year")
                        .annotate(n=Count("id")))
        if held == enterprises and per_year == {year: enterprises for year in years}:
            return None
        if held or per_year:
            raise HeldCity(
                f"the kept database holds {held} enterprises and disclosures of "
                f"{per_year or 'no year'}, not the city of {enterprises} enterprises in {years} "
                "this group loads: name another database (or an empty one)")
    started = time.perf_counter()
    load_synthetic(enterprises=enterprises, years=years, seed=seed)
    return time.perf_counter() - started


WRK_SCRIPT = """
local paths, pauses = {}, {}
local i = 0
local pause = 0
init = function(args)
  for line in io.lines(args[1]) do
    local ms, path = line:match("^(%d+) (.+)$")
    if path then
      paths[#paths + 1] = path
      pauses[#pauses + 1] = tonumber(ms)
    else
      paths[#paths + 1] = line
      pauses[#pauses + 1] = -1
    end
  end
  pause = tonumber(args[2] or "0")
end
delay = function()
  local own = pauses[((i + 1) % #paths) + 1]
  if own >= 0 then return own end
  return pause
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    "CZESG rps=%.1f p99_ms=%.3f p50_ms=%.3f errors=%d status_errors=%d timeouts=%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    latency:percentile(50) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.errors.timeout))
end
"""


# Clients in the measured run: twice the server's request threads (2 workers x 4 threads on
# this machine), enough to keep every thread busy without queueing for long.
MEASURED_CONNECTIONS = 16


def _wait_for(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def need_wrk() -> None:
    """Stop with a clear message when the load tool is missing."""
    import shutil

    if shutil.which("wrk") is None:
        raise SystemExit("czesg bench: the load tool wrk is needed (apt-get install wrk)")


# The production server's secret key (the bench signs datapoint cursors for it).
SERVER_SECRET_KEY = "b" * 50


@contextlib.contextmanager
def production_server(workers: int, threads: int | None = None) -> Iterator[str]:
    """The production server (gunicorn, ``czesg serve``, with its default threads per worker
    unless ``threads`` is given) on this benchmark's database, with the rate limits off (every
    request comes from one address); yields its base URL."""
    import socket
    import subprocess
    import sys

    from django.conf import settings

    from czesg.web.server import THREADS

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ, "CZESG_ENV": "production", "DJANGO_SECRET_KEY": SERVER_SECRET_KEY,
        "CZESG_AUDIT_KEY": os.environ.get("CZESG_AUDIT_KEY", "a" * 50),
        "DATABASE_URL": os.environ["DATABASE_URL"], "CZESG_HTTPS": "0",
        "CZESG_RATE_BUDGET_ANON": "off", "CZESG_RATE_BUDGET_USER": "off",
        "CZESG_VAR_DIR": str(settings.VAR_DIR), "CZESG_ACCESS_LOG": "0",
    }
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, "-m", "czesg.cli", "serve", "--port", str(port), "--workers",
         str(workers), "--threads", str(threads or THREADS)],
        env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:  # a loaded machine takes a while to import the app in every worker
            _wait_for(f"{base}/api/v1/indicators", seconds=300)
        except OSError as exc:
            log.seek(0)
            raise RuntimeError(f"the server did not start: {log.read().decode()[-2000:]}") from exc
        yield base
    finally:
        server.terminate()
        try:  # gunicorn lets requests in flight finish for up to 30 s before it stops
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()


def wrk(base: str, paths: Path, connections: int, seconds: float, pause_ms: int = 0) -> dict:
    """Run wrk on one thread over the paths of a file (one a line, each optionally prefixed by
    the pause in milliseconds before it is sent) and return rps, p99_ms, p50_ms and errors
    (non-2xx/3xx answers and timeouts included; status_errors and timeouts apart). The latency
    wrk reports excludes the pauses; a request is given 30 s before it counts as a timeout, so
    that a slow answer counts in the latency instead of vanishing from it."""
    import subprocess

    script = paths.with_suffix(".lua")
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
         "-s", str(script),
         base, "--", str(paths), str(pause_ms)],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("CZESG "))
    return {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}


@contextlib.contextmanager
def profile_server(usccs: list[str]) -> Iterator[tuple[str, Path]]:
    """The production server (one worker per core), warmed up, and a wrk file requesting the
    public profile of each of ``usccs`` in that order: what the profile figures measure on."""
    from django.db import connections

    connections.close_all()  # the server's processes open their own
    with production_server(os.cpu_count() or 2) as base, \
            tempfile.TemporaryDirectory() as folder:
        profiles = Path(folder) / "profiles.txt"
        profiles.write_text("".join(f"/api/v1/enterprises/{u}/profile\n" for u in usccs))
        wrk(base, profiles, MEASURED_CONNECTIONS, 5)  # warm-up: the workers import the app
        yield base, profiles


@group("api")
def bench_api(scale: float) -> dict:
    """The public profile endpoint and search page over 100,000 enterprises, on the production
    server (gunicorn) with a real load tool (wrk) on loopback."""
    import statistics
    import urllib.parse
    import urllib.request

    from django.db import connections

    from czesg.demo import load_synthetic
    from czesg.enterprises.models import Enterprise

    need_wrk()
    n = max(100, int(100_000 * scale))
    t0 = time.perf_counter()
    load_synthetic(enterprises=n, years=[2024, 2025], seed=3)
    load_s = time.perf_counter() - t0
    if connections["default"].vendor == "postgresql":
        with connections["default"].cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("VACUUM ANALYZE")
    # Requests go to every enterprise in a shuffled order, so that no cache of recent answers
    # (in the server or in PostgreSQL's buffers of a few rows) can stand in for the 100,000.
    usccs = list(Enterprise.objects.values_list("uscc", flat=True))
    random.Random(7).shuffle(usccs)
    from czesg.portal.profiles import build_profiles, stored_profile

    ids = list(Enterprise.objects.values_list("pk", flat=True)[:300])
    start = time.perf_counter()
    built = sum(1 for _ in build_profiles(ids))
    build_ms = (time.perf_counter() - start) * 1000 / built
    read = []
    for uscc in usccs[:300]:
        start = time.perf_counter()
        stored_profile(uscc)
        read.append((time.perf_counter() - start) * 1000)
    with profile_server(usccs) as (base, profiles):
        # The figure: the rate the server sustains with MEASURED_CONNECTIONS clients that
        # each send their next request as soon as the last is answered, and the p99 latency
        # of those same requests. (wrk cannot offer a fixed rate: a pause between requests
        # adds to the latency, so a paced run offers less than it aims at.)
        measured = wrk(base, profiles, MEASURED_CONNECTIONS, 15)
        saturation = wrk(base, profiles, 2 * MEASURED_CONNECTIONS, 10)
        timings = []
        for i in range(40):
            query = urllib.parse.urlencode({"q": "合成样例", "district": "320411"} if i % 2 else
                                           {"q": f"{i:04d}", "industry": "C38"})
            start = time.perf_counter()
            with urllib.request.urlopen(f"{base}/search/?{query}", timeout=10) as response:
                response.read()
            timings.append((time.perf_counter() - start) * 1000)
    return {
        "api_profile_rps": round(float(measured["rps"]), 1),
        "api_profile_max_rps": round(float(saturation["rps"]), 1),
        "api_profile_max_p99_ms": round(float(saturation["p99_ms"]), 2),
        "api_profile_p99_ms": round(float(measured["p99_ms"]), 2),
        "api_profile_p50_ms": round(float(measured["p50_ms"]), 2),
        "api_profile_errors": int(measured["errors"] + saturation["errors"]),
        "api_profile_read_ms": round(statistics.median(read), 3),
        "api_profile_build_ms": round(build_ms, 3),
        "api_profile_distinct_enterprises": len(usccs),
        "search_page_ms": round(statistics.median(timings), 1),
        "search_page_p95_ms": round(sorted(timings)[int(len(timings) * 0.95) - 1], 1),
        "api_enterprises": n,
        "api_load_data_s": round(load_s, 1),
        "api_server_workers": os.cpu_count() or 2,
    }


@group("load")
def bench_load(scale: float, keep: bool = False) -> dict:
    """A page of published datapoints over 100,000 enterprises, and the home page's p99 while
    sixteen anonymous clients spend their rate-limit budgets on the heaviest endpoints."""
    from czesg.bench.load import bench_load as run

    return run(scale, keep=keep)


@group("reports")
def bench_reports(scale: float) -> dict:
    """The ESG report PDF of a standard-tier published disclosure."""
    from czesg.bench.reports import bench_reports as run

    return run(scale)


@group("dashboard")
def bench_dashboard(scale: float) -> dict:
    """City dashboard server time over 100,000 x scale synthetic enterprises."""
    from czesg.bench.dashboard import bench_dashboard as run

    return run(scale)


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(terse=True)}


def run_benchmarks(*, only: list[str] | None = None, scale: float = 1.0,
                   enterprises: int | None = None, keep: bool = False) -> dict:
    """Run the chosen groups (all by default), each in a fresh database; return the figures.

    ``enterprises`` sets the population of the groups in :data:`SIZED` (else their scale).
    ``keep``: one group of :data:`CITY_GROUPS`, on a kept database that is not emptied first
    (see :func:`load_city`)."""
    from django.core.management import call_command
    from django.db import connection

    figures: dict = {}
    chosen = only or list(GROUPS)
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown:
        raise SystemExit(f"czesg bench: unknown group(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(GROUPS)}")
    if keep and (len(chosen) != 1 or chosen[0] not in CITY_GROUPS):
        raise SystemExit("czesg bench: --keep-data measures one group that loads a city: "
                         f"--only {' or --only '.join(CITY_GROUPS)}")
    for name in chosen:
        if not keep:
            call_command("flush", interactive=False, verbosity=0)  # the benchmark's own database
        options: dict = {"keep": True} if keep else {}
        if name in SIZED:
            options["enterprises"] = enterprises
        try:
            figures.update(GROUPS[name](scale, **options))
        except ImportError as exc:
            figures[f"{name}_unavailable"] = str(exc)
        except HeldCity as exc:
            raise SystemExit(f"czesg bench: {exc}") from None
    return {"database": connection.vendor, "machine": _machine(), "scale": scale,
            "enterprises": enterprises, "figures": figures}


def _admin(config: dict) -> dict:
    """psycopg's arguments for the server's maintenance database (to create or drop one)."""
    return dict(host=config["HOST"] or None, port=config["PORT"] or None,
                user=config["USER"] or None, password=config["PASSWORD"] or None,
                dbname="postgres", autocommit=True)


def kept_database(server_url: str | None) -> str:
    """The PostgreSQL database that ``server_url`` names, created (empty) if the server has no
    such database yet; it is the benchmark's own and stays after the run."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(server_url) if server_url else {}
    if "postgresql" not in config.get("ENGINE", "") or not config.get("NAME"):
        raise SystemExit("czesg bench: --keep-data needs --database-url naming a PostgreSQL "
                         "database (postgres://user@host:port/name), which the benchmark keeps")
    admin = _admin(config)
    with psycopg.connect(**admin) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    return server_url


@contextlib.contextmanager
def temporary_database(server_url: str | None) -> Iterator[str]:
    """A database URL that exists only for the benchmark: a temporary SQLite file, or a
    temporary database created (and dropped afterwards) on the given PostgreSQL server."""
    if not server_url:
        with tempfile.TemporaryDirectory(prefix="czesg-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(server_url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("czesg bench: --database-url must be a PostgreSQL server URL")
    name = f"czesg_bench_{os.getpid()}"
    admin = _admin(config)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
        yield f"postgres://{auth}@{config['HOST']}:{config['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
