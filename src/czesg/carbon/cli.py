"""``czesg carbon``: calculate emissions and energy from a CSV file of activity rows, offline;
and ``czesg batch carbon``: the year's totals of every stored calculation, in process or on Spark.

``czesg carbon FILE [--format text|json] [--gwp AR6] [--factor-set VERSION]`` reads rows
``uscc, year, activity, quantity, unit`` (optionally ``facility, region, measured_factor``) and
prints, per enterprise-year, Scope 1, Scope 2 location- and market-based, Scope 3, the total,
energy in tce and the full trace. ``czesg carbon --list-activities`` prints the activity codes
with their unit and scope. Bad input exits 1 naming every problem by row and column (on standard
error, and under ``problems`` with ``--format json``); nothing is computed from a guess and
nothing is written to the database. Needs no Django set-up.

``czesg batch carbon --year Y [--engine inprocess|spark] [--partitions N] [--factor-set V]
[--gwp SET] [--format text|json] [--quiet]`` recomputes, with one factor set, the totals of every
enterprise-year's latest stored calculation of the year and stores them as a batch run
(:func:`czesg.carbon.actions.start_carbon_batch` / :func:`~czesg.carbon.actions.run_carbon_batch`),
with its audit entries; ``--engine spark`` computes them on ``CZESG_SPARK_MASTER``. A year
without calculations, or input the engine refuses, exits 1 with the reason and stores no total.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from czesg.carbon import display
from czesg.console import add_format, batch_jobs, setup_django

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Kept here so that building the ``czesg`` parser does not load the engine (NumPy, Polars);
# the engine checks the value (czesg.engine.carbon.GWP_SETS, DEFAULT_GWP_SET).
GWP_HELP = "SAR, AR4, AR5 or AR6"
SUGGESTED_GWP = "AR6"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``carbon`` subcommand's arguments to ``parser`` (and return it)."""
    parser.add_argument(
        "file", nargs="?",
        help="CSV file with columns uscc, year, activity, quantity, unit and optionally "
        "facility, region, measured_factor ('-' reads standard input)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")
    parser.add_argument(
        "--gwp", default=None, metavar="SET",
        help=f"IPCC GWP-100 set for released gases: {GWP_HELP} (default: the suggested "
        f"{SUGGESTED_GWP}; the set used is recorded in the output)",
    )
    parser.add_argument("--factor-set", dest="factor_set", metavar="VERSION",
                        help="factor-set version (default: the latest published)")
    parser.add_argument("--list-activities", action="store_true",
                        help="print the activity codes with their unit and scope, then exit")
    return parser


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone parser of the ``carbon`` subcommand (the ``czesg`` command adds its own)."""
    return add_arguments(argparse.ArgumentParser(
        prog="czesg carbon", description="Calculate emissions and energy from activity rows."
    ))


def _dump(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    return "\n".join(lines)


def list_activities(fmt: str, out: TextIO) -> int:
    """Print every activity code with its canonical unit and scope."""
    from czesg.engine import carbon  # loaded when the command runs (NumPy, Polars)

    activities = carbon.list_activities()
    if fmt == "json":
        _dump({"activities": activities}, out)
        return EXIT_OK
    out.write(_table([(a["code"], a["unit"], a["scope"], a["kind"], a["name_en"])
                      for a in activities], ("code", "unit", "scope", "kind", "name")) + "\n")
    return EXIT_OK


def _problem_line(problem: dict[str, Any]) -> str:
    where = []
    if problem.get("row") is not None:
        where.append(f"row {problem['row']}")
    if problem.get("column"):
        where.append(f"column {problem['column']}")
    return f"{', '.join(where) or problem.get('table', 'input')}: {problem['text']}"


def _fail(problems: list[dict[str, Any]], fmt: str, out: TextIO, err: TextIO) -> int:
    err.write(f"czesg carbon: {len(problems)} problem(s); nothing was calculated\n")
    for problem in problems:
        err.write(f"  {_problem_line(problem)}\n")
    if fmt == "json":
        _dump({"results": [], "problems": problems}, out)
    return EXIT_FAILED


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def _results(result: Any) -> list[dict[str, Any]]:
    trace = result.trace
    out = []
    for totals in result.totals.to_dicts():
        key = (totals["uscc"], totals["year"])
        out.append({
            **totals,
            "trace": [e for e in trace if (e["uscc"], e["year"]) == key],
        })
    return out


def _text(data: dict[str, Any]) -> str:
    lines = [f"factor set {data['factor_set']} · activities {data['activities_version']} · "
             f"GWP {data['gwp_set'] or '-'} · inputs {data['inputs_hash'][:16]}…"]
    for item in data["results"]:
        lines += ["", f"{item['uscc']} {item['year']}"]
        lines += [f"  {display.TOTALS[i][1]:<44} {display.number(item[key]):>14} "
                  f"{display.TOTALS[i][2]}"
                  for i, key in enumerate(k for k, _, _ in display.TOTALS)]
        if item.get("energy_unconverted_rows"):
            lines.append(f"  ({item['energy_unconverted_rows']} row(s) without a sourced "
                         "standard-coal coefficient are not in the energy total)")
        lines.append("")
        rows = [
            (e["row"] if e["row"] is not None else "-", e["activity"], e["basis"],
             f"{display.number(e['quantity'])} {e['unit'] or ''}".strip(),
             e["factor_id"] or "-", display.factor_text(e),
             e["factor_year"] if e["factor_year"] is not None else "-",
             display.level_text(e), f"{display.number(e['result'])} {e['result_unit']}")
            for e in item["trace"]
        ]
        lines.append("\n".join("  " + line for line in _table(rows, (
            "row", "activity", "basis", "quantity", "factor id", "factor", "year",
            "level / fallback", "result")).splitlines()))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None
        ) -> int:
    """Run ``czesg carbon`` with parsed arguments; returns the exit status."""
    # Imported when the command runs: the engine loads NumPy and Polars (see GWP_HELP).
    from czesg.carbon import activity_csv
    from czesg.engine import carbon

    out = out or sys.stdout
    err = err or sys.stderr
    fmt = getattr(args, "format", "text")
    if getattr(args, "list_activities", False):
        return list_activities(fmt, out)
    if not getattr(args, "file", None):
        err.write("czesg carbon: give a CSV file of activity rows, or --list-activities\n")
        return EXIT_USAGE
    factor_set = getattr(args, "factor_set", None)
    available = carbon.available_factor_sets()
    if factor_set and factor_set not in available:
        return _fail([{"table": "parameters", "row": None, "column": "factor_set",
                       "message": "There is no factor set “%(version)s”; available: "
                       "%(available)s.",
                       "params": {"version": factor_set, "available": ", ".join(available)},
                       "text": f"There is no factor set “{factor_set}”; available: "
                       f"{', '.join(available)}."}], fmt, out, err)
    try:
        data = _read(args.file)
    except OSError as exc:
        err.write(f"czesg carbon: cannot read {args.file}: {exc.strerror or exc}\n")
        return EXIT_FAILED
    try:
        rows = activity_csv.read_rows(data, required=activity_csv.FILE_REQUIRED,
                                      optional=activity_csv.PAGE_OPTIONAL)
        result = carbon.calculate(rows, factor_set=factor_set or None,
                                  gwp_set=getattr(args, "gwp", None) or carbon.DEFAULT_GWP_SET)
    except carbon.CarbonInputError as exc:
        return _fail([carbon.problem_data(p) for p in exc.problems], fmt, out, err)
    report = {
        "factor_set": result.factor_set, "activities_version": result.activities_version,
        "gwp_set": result.gwp_set, "inputs_hash": result.inputs_hash,
        "results": _results(result), "problems": [],
    }
    if fmt == "json":
        _dump(report, out)
    else:
        out.write(_text(report))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the subcommand on its own (``python -m czesg.carbon.cli FILE``)."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())


def run_batch(args: argparse.Namespace, *, out: TextIO | None = None,
              err: TextIO | None = None) -> int:
    """Run ``czesg batch carbon`` with parsed arguments (a new run by the platform's system
    account); prints the run's summary and returns the exit status."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.accounts.actors import system_actor
    from czesg.carbon.actions import run_carbon_batch, start_carbon_batch
    from czesg.carbon.models import BatchStatus
    from czesg.engine import carbon
    from czesg.engine.kernel.errors import CzesgError

    out = out or sys.stdout
    err = err or sys.stderr
    fmt = getattr(args, "format", "text")
    quiet = getattr(args, "quiet", False)
    engine = getattr(args, "engine", "inprocess")
    try:
        run = start_carbon_batch(args.year, actor=system_actor(), engine=engine,
                                 factor_set=getattr(args, "factor_set", None),
                                 gwp_set=getattr(args, "gwp", None))
        if not quiet:
            err.write(f"batch carbon run #{run.pk} for {run.year}: computing on {engine}, "
                      f"factor set {run.factor_set}…\n")
        summary = run_carbon_batch(run.pk, partitions=getattr(args, "partitions", None))
    except carbon.CarbonInputError as exc:
        problems = [carbon.problem_data(p) for p in exc.problems]
        err.write(f"czesg batch carbon: {len(problems)} problem(s); no total was stored\n")
        for problem in problems:
            err.write(f"  {_problem_line(problem)}\n")
        if fmt == "json":
            _dump({"run": None, "problems": problems}, out)
        return EXIT_FAILED
    except CzesgError as exc:
        err.write(f"czesg batch carbon: {exc.render()}\n")
        if fmt == "json":
            _dump({"run": None, "problems": [{"code": exc.code, "text": exc.render()}]}, out)
        return EXIT_FAILED
    if fmt == "json":
        _dump(summary, out)
    else:
        lines = [
            f"batch carbon run #{summary['run']} for {summary['year']} ({summary['engine']}): "
            f"{summary['status']}",
            f"enterprise-years: {summary['enterprises']} (from {summary['calculations']} "
            f"calculations, {summary['rows']} activity rows)",
            f"factor set {summary['factor_set']} · activities {summary['activities_version']} · "
            f"GWP {summary['gwp_set'] or '-'} · inputs {summary['inputs_hash'][:16]}…",
        ]
        lines += [f"  {label:<44} {display.number(summary['totals'][key]):>16} {unit}"
                  for key, label, unit in display.TOTALS]
        out.write("\n".join(lines) + "\n")
    return EXIT_OK if summary["status"] == BatchStatus.DONE else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg carbon`` and ``czesg batch carbon`` to the ``czesg`` command."""
    p = sub.add_parser(
        "carbon",
        help="calculate Scope 1/2/3 emissions and energy (tce) from a CSV of activity rows "
        "(computes only, writes nothing)",
    )
    add_arguments(p)
    p.set_defaults(func=run)

    p = batch_jobs(sub).add_parser(
        "carbon", help="recompute, with one factor set, the totals of every enterprise's latest "
        "stored carbon calculation of a year and store them as a batch run (with its audit "
        "entries); --engine spark computes on CZESG_SPARK_MASTER (default local[2])")
    p.add_argument("--year", type=int, required=True, help="the reporting year")
    p.add_argument("--engine", choices=("inprocess", "spark"), default="inprocess",
                   help="where the totals are computed (default inprocess)")
    p.add_argument("--partitions", type=int, default=8,
                   help="Parquet partitions (Spark tasks) by credit-code hash (default 8)")
    p.add_argument("--factor-set", dest="factor_set", metavar="VERSION",
                   help="factor-set version (default: the latest published)")
    p.add_argument("--gwp", default=SUGGESTED_GWP, metavar="SET",
                   help=f"IPCC GWP-100 set for released gases: {GWP_HELP} (default "
                   f"{SUGGESTED_GWP}; recorded on the run)")
    p.add_argument("--quiet", action="store_true", help="nothing on standard error but errors")
    add_format(p)
    p.set_defaults(func=run_batch)
