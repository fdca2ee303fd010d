"""The ``czesg`` command: a dispatcher. Each app's ``cli`` module registers its subcommands
(``register(subparsers)``); this module adds only the platform's own: ``demo``, ``serve``,
``manage``, ``synth`` and ``bench``, which belong to no app.

Every subcommand has ``--help``, exits non-zero on failure, and prints machine-readable output
with ``--format json`` where it prints data. Building the parser loads no Django model, NumPy or
Polars: commands import what they need when they run (after Django is set up).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from czesg.accounts import cli as accounts_cli
from czesg.audit import cli as audit_cli
from czesg.carbon import cli as carbon_cli
from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django
from czesg.disclosures import cli as disclosures_cli
from czesg.engine.kernel.errors import CzesgError
from czesg.esgreport import cli as esgreport_cli
from czesg.extraction import cli as extraction_cli
from czesg.finance import cli as finance_cli
from czesg.ratings import cli as ratings_cli
from czesg.records import cli as records_cli
from czesg.supplychain import cli as supplychain_cli
from czesg.web.server import THREADS


# --- the platform's own commands -------------------------------------------------------------
def cmd_synth(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    from czesg.demo import load_synthetic  # imports models: only once Django is set up

    call_command("migrate", interactive=False, verbosity=0)
    summary = load_synthetic(
        enterprises=args.enterprises, years=args.years, seed=args.seed, progress=args.format == "text"
    )
    emit(summary, args.format, lambda s: "\n".join(f"{k}: {v}" for k, v in s.items()))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo runs locally with the development secret and DEBUG: say so explicitly, since
    # settings default to production; the server and worker started below inherit it.
    os.environ.setdefault("CZESG_ENV", "development")
    setup_django()
    from django.core.management import call_command

    from czesg.demo import DEMO_ACCOUNTS, load_demo  # imports models: only once Django is set up

    call_command("migrate", interactive=False, verbosity=0)
    summary = load_demo(reset=args.reset, enterprises=args.enterprises)
    print("czesg demo data ready:", json.dumps(summary, ensure_ascii=False))
    print()
    print("Demo accounts (user / password / role):")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.username:<12} {account.password:<18} {account.role}")
    print()
    if args.no_serve:
        return EXIT_OK
    # The server and a background worker (for jobs started from pages, such as a city re-rating)
    # run as fresh processes: this one loaded the data with Polars, whose thread pool does not
    # survive the fork of a server worker.
    import subprocess

    command = [sys.executable, "-m", "czesg.cli"]
    worker = subprocess.Popen([*command, "manage", "db_worker"])
    server = subprocess.Popen([*command, "serve", "--host", args.host, "--port", str(args.port),
                               "--workers", str(args.workers)])
    return _supervise([server, worker])


def _supervise(children: list, grace: float = 10.0) -> int:
    """Wait on child processes and stop them all together: SIGTERM or SIGINT received here, or
    one child exiting on its own, sends SIGTERM to every child still running (SIGKILL after
    ``grace`` seconds); returns 0 when stopped by a signal, non-zero when a child died."""
    import signal
    import subprocess
    import time

    received: list[int] = []

    def on_signal(signum, frame):
        received.append(signum)

    handled = (signal.SIGTERM, signal.SIGINT)
    previous = {signum: signal.signal(signum, on_signal) for signum in handled}
    try:
        while not received and all(child.poll() is None for child in children):
            time.sleep(0.2)
        died = next((child for child in children if child.poll() is not None), None)
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received or died is None:
        return EXIT_OK
    print(f"czesg: process {died.args!r} exited with status {died.returncode}; stopped the others",
          file=sys.stderr)
    return died.returncode if died.returncode > 0 else EXIT_FAILED


def _serve(host: str, port: int, workers: int, threads: int = THREADS,
           migrate: bool = False) -> int:
    """Run gunicorn. Its master process never loads the application: NumPy's and Polars'
    thread pools do not survive a fork, so each worker imports the app after it is forked, and
    migrations and static files are handled by short-lived child processes first."""
    import subprocess

    check = subprocess.run(  # settings refuse a default secret outside development
        [sys.executable, "-c", "import czesg.settings"], capture_output=True, text=True
    )
    if check.returncode != 0:
        sys.stderr.write(check.stderr)
        return EXIT_FAILED
    manage = [sys.executable, "-m", "czesg.cli", "manage"]
    if migrate:
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], check=True)
    subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], check=True)
    from gunicorn.app.wsgiapp import WSGIApplication

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "czesg.settings")
    print(f"Serving czesg at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    sys.argv = [
        "gunicorn",
        "czesg.wsgi:application",
        # Hooks: each worker freezes its loaded application out of the garbage collector.
        "--config", "python:czesg.web.server",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        # Threaded workers keep connections alive between requests (sync workers cannot).
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--threads", str(threads),
        "--keep-alive", "5",
        "--access-logfile", "-" if os.environ.get("CZESG_ACCESS_LOG", "1") == "1" else "/dev/null",
        "--timeout", "120",
    ]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    return _serve(args.host, args.port, workers=args.workers, threads=args.threads,
                  migrate=args.migrate)


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["czesg manage", *args.rest])
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    # The bench package loads NumPy and Polars, and its runs need Django set up on their database.
    import contextlib

    from czesg.bench import kept_database, temporary_database

    place = (contextlib.nullcontext(kept_database(args.database_url)) if args.keep_data
             else temporary_database(args.database_url))
    with place as url:
        os.environ["DATABASE_URL"] = url
        setup_django()
        from django.core.management import call_command

        from czesg.bench import run_benchmarks

        call_command("migrate", interactive=False, verbosity=0)
        figures = run_benchmarks(only=args.only, scale=args.scale,
                                 enterprises=args.enterprises, keep=args.keep_data)
        from django.db import connections

        connections.close_all()
    emit(figures, args.format, lambda d: "\n".join(
        f"{k:<32} {v}" for k, v in d["figures"].items()
    ) + f"\n(database: {d['database']}, machine: {d['machine']})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``czesg`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="czesg",
        description="Changzhou ESG data service platform (czesg).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("demo", help="set up the embedded database with demo data and serve it")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--reset", action="store_true", help="delete the embedded database first")
    p.add_argument("--no-serve", action="store_true", help="load the data, then exit")
    p.add_argument("--enterprises", type=int, default=300, help="synthetic enterprises to load")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="run the production application server (gunicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=THREADS,
                   help="threads per worker (1: sync workers)")
    p.add_argument("--migrate", action="store_true", help="apply database migrations first")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    p = sub.add_parser("synth", help="generate synthetic enterprises and disclosures at any size")
    p.add_argument("--enterprises", type=int, default=300, help="number of enterprises")
    p.add_argument("--years", type=int, default=2, help="number of reporting years, ending last year")
    p.add_argument("--seed", type=int, default=2025)
    add_format(p)
    p.set_defaults(func=cmd_synth)

    disclosures_cli.register_import(sub)

    p = sub.add_parser("bench", help="run the performance benchmarks and print named figures")
    p.add_argument("--only", action="append", help="run only the named benchmark group(s)")
    p.add_argument("--scale", type=float, default=1.0, help="shrink the workloads (e.g. 0.01)")
    p.add_argument("--enterprises", type=int, default=None,
                   help="the population of the scale group (default 1,000,000 x scale)")
    p.add_argument(
        "--database-url",
        help="a PostgreSQL server to measure on (postgres://user@host:port/any); the benchmark "
        "creates and drops its own database there. Default: a temporary SQLite file.",
    )
    p.add_argument(
        "--keep-data", action="store_true",
        help="measure the load or scale group on the database --database-url names and keep "
        "it: the first run loads the group's city there, later runs of the same group and size "
        "reuse it without reloading (the database must be empty or hold that city)",
    )
    add_format(p)
    p.set_defaults(func=cmd_bench)

    carbon_cli.register(sub)
    ratings_cli.register(sub)
    disclosures_cli.register_catalogue(sub)
    audit_cli.register(sub)
    records_cli.register(sub)
    extraction_cli.register(sub)
    supplychain_cli.register(sub)
    accounts_cli.register(sub)
    esgreport_cli.register(sub)
    finance_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``czesg`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        # Hand everything after "manage" to Django untouched (including --help).
        setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["czesg manage", *argv[1:]])
        return EXIT_OK
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or EXIT_OK)
    except CzesgError as exc:
        print(f"czesg: {exc.render()}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
