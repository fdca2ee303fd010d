"""The ``czesg`` command: start the platform, load data, verify the audit chain, export data.

Every subcommand has ``--help``, exits non-zero on failure, and prints machine-readable output
with ``--format json`` where it prints data.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "czesg.settings")
    import django

    django.setup()


def _emit(data: Any, fmt: str, text: Callable[[Any], str]) -> None:
    if fmt == "json":
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text(data))
        if not text(data).endswith("\n"):
            sys.stdout.write("\n")


def _add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json")) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0], help="output format")


# --- catalogue --------------------------------------------------------------------------------
def cmd_catalogue_export(args: argparse.Namespace) -> int:
    from czesg.engine.catalogue import export_rows, load_catalogue

    catalogue = load_catalogue()
    rows = export_rows(catalogue)
    if args.format == "json":
        _emit({"version": catalogue.version, "indicators": rows}, "json", str)
        return EXIT_OK
    buffer = io.StringIO()
    flat = [
        {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v) for k, v in r.items()}
        for r in rows
    ]
    writer = csv.DictWriter(buffer, fieldnames=list(flat[0].keys()), lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    sys.stdout.write(buffer.getvalue())
    return EXIT_OK


# --- audit ------------------------------------------------------------------------------------
def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup_django()
    from czesg.audit.recording import verify

    report = verify()

    def text(r):
        if r.ok:
            return f"audit chain intact: {r.entries} entries, head {r.head_hash[:16]}…"
        return f"audit chain BROKEN at entry {r.broken_seq}: {r.reason}"

    _emit(report.as_dict(), args.format, lambda d: text(report))
    return EXIT_OK if report.ok else EXIT_FAILED


# --- data loading -----------------------------------------------------------------------------
def cmd_synth(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    from czesg.demo import load_synthetic

    call_command("migrate", interactive=False, verbosity=0)
    summary = load_synthetic(
        enterprises=args.enterprises, years=args.years, seed=args.seed, progress=args.format == "text"
    )
    _emit(summary, args.format, lambda s: "\n".join(f"{k}: {v}" for k, v in s.items()))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    from czesg.demo import DEMO_ACCOUNTS, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    summary = load_demo(reset=args.reset)
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
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        return EXIT_OK
    finally:
        worker.terminate()


def _serve(host: str, port: int, workers: int, threads: int = 4, migrate: bool = False) -> int:
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
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["czesg manage", *args.rest])
    return EXIT_OK


def _progress_bar(label: str):
    """A one-line progress bar on standard error (standard output stays machine-readable)."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        pct = 100 * done / total if total else 100
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {pct:5.1f}% {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def cmd_import(args: argparse.Namespace) -> int:
    _setup_django()
    from pathlib import Path

    from czesg.accounts.actors import system_actor
    from czesg.engine.catalogue import load_catalogue

    path = Path(args.file)
    if not path.is_file():
        print(f"czesg import: no such file: {path}", file=sys.stderr)
        return EXIT_FAILED
    if args.bulk or path.suffix.lower() == ".parquet":
        from czesg.disclosures.bulk import import_checked
        from czesg.engine.bulk import check_long, read_long

        frame = read_long(path)
        check = check_long(frame, load_catalogue())
        summary = import_checked(
            check, actor=system_actor(), evidence=f"bulk import {path.name}",
            progress=None if args.format == "json" or args.quiet else _progress_bar("enterprises"),
        )
        data = summary.as_dict()

        def text(d):
            lines = [
                f"rows read: {d['rows']}",
                f"values imported: {d['imported_values']} for {d['enterprises']} enterprises "
                f"({d['disclosures_created']} disclosures created, {d['disclosures_updated']} updated)",
                f"rows refused: {d['refused_rows']}",
            ]
            lines += [f"  row {p['row']} ({p['column']}): {p['message']}" for p in d["problems"]]
            return "\n".join(lines)

        _emit(data, args.format, text)
        return EXIT_OK if not summary.problems else EXIT_FAILED
    from czesg.disclosures.upload import import_file_for

    if not args.enterprise or not args.year:
        print("czesg import: a template file needs --enterprise USCC and --year YEAR", file=sys.stderr)
        return EXIT_USAGE
    result = import_file_for(path, uscc=args.enterprise, year=args.year, actor=system_actor())
    _emit(result, args.format, lambda d: "\n".join(
        [f"values imported: {d['imported']}"]
        + [f"  {p['sheet']}!{p['cell']} {p['indicator']}: {p['message']}" for p in d["problems"]]
    ))
    return EXIT_OK if not result["problems"] else EXIT_FAILED


def cmd_bench(args: argparse.Namespace) -> int:
    from czesg.bench import temporary_database

    with temporary_database(args.database_url) as url:
        os.environ["DATABASE_URL"] = url
        _setup_django()
        from django.core.management import call_command

        from czesg.bench import run_benchmarks

        call_command("migrate", interactive=False, verbosity=0)
        figures = run_benchmarks(only=args.only, scale=args.scale)
        from django.db import connections

        connections.close_all()
    _emit(figures, args.format, lambda d: "\n".join(
        f"{k:<32} {v}" for k, v in d["figures"].items()
    ) + f"\n(database: {d['database']}, machine: {d['machine']})")
    return EXIT_OK


def cmd_carbon(args: argparse.Namespace) -> int:
    from czesg.carbon.cli import run

    return run(args)


def cmd_rate(args: argparse.Namespace) -> int:
    from czesg.ratings.cli import run

    return run(args)


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
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="run the production application server (gunicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4, help="threads per worker (1: sync workers)")
    p.add_argument("--migrate", action="store_true", help="apply database migrations first")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    p = sub.add_parser("synth", help="generate synthetic enterprises and disclosures at any size")
    p.add_argument("--enterprises", type=int, default=300, help="number of enterprises")
    p.add_argument("--years", type=int, default=2, help="number of reporting years, ending last year")
    p.add_argument("--seed", type=int, default=2025)
    _add_format(p)
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser(
        "import",
        help="import values: a filled template (xlsx/csv) for one enterprise, or a long "
        "CSV/Parquet file of many (uscc, year, indicator, value, unit) with --bulk",
    )
    p.add_argument("file", help="the file to import")
    p.add_argument("--enterprise", help="credit code of the enterprise (template mode)")
    p.add_argument("--year", type=int, help="reporting year (template mode)")
    p.add_argument("--bulk", action="store_true", help="long format: many enterprises in one file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_format(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("bench", help="run the performance benchmarks and print named figures")
    p.add_argument("--only", action="append", help="run only the named benchmark group(s)")
    p.add_argument("--scale", type=float, default=1.0, help="shrink the workloads (e.g. 0.01)")
    p.add_argument(
        "--database-url",
        help="a PostgreSQL server to measure on (postgres://user@host:port/any); the benchmark "
        "creates and drops its own database there. Default: a temporary SQLite file.",
    )
    _add_format(p)
    p.set_defaults(func=cmd_bench)

    from czesg.carbon.cli import add_arguments as carbon_arguments

    p = sub.add_parser(
        "carbon",
        help="calculate Scope 1/2/3 emissions and energy (tce) from a CSV of activity rows "
        "(computes only, writes nothing)",
    )
    carbon_arguments(p)
    p.set_defaults(func=cmd_carbon)

    from czesg.ratings.cli import add_arguments as rate_arguments

    p = sub.add_parser(
        "rate", help="rate every enterprise's published disclosure of a year (in the foreground)"
    )
    rate_arguments(p)
    p.set_defaults(func=cmd_rate)

    p = sub.add_parser("catalogue", help="the indicator catalogue")
    csub = p.add_subparsers(dest="action", metavar="ACTION")
    csub.required = True
    e = csub.add_parser("export", help="print the catalogue")
    _add_format(e, ("csv", "json"))
    e.set_defaults(func=cmd_catalogue_export)

    p = sub.add_parser("audit", help="the hash-chained audit log")
    asub = p.add_subparsers(dest="action", metavar="ACTION")
    asub.required = True
    v = asub.add_parser("verify", help="verify the chain; exit 1 naming the first broken entry")
    _add_format(v)
    v.set_defaults(func=cmd_audit_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``czesg`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        # Hand everything after "manage" to Django untouched (including --help).
        _setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["czesg manage", *argv[1:]])
        return EXIT_OK
    parser = build_parser()
    args = parser.parse_args(argv)
    from czesg.engine.errors import CzesgError

    try:
        return int(args.func(args) or EXIT_OK)
    except CzesgError as exc:
        print(f"czesg: {exc.render()}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
