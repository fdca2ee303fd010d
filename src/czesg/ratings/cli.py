"""``czesg rate`` and ``czesg batch rate``: rate every enterprise's published disclosure of a year
in the foreground, in process or (``batch rate --engine spark``) on Spark.

This module imports nothing from Django at load time, so that the ``czesg`` parser can take
:func:`add_arguments` from it cheaply; :func:`run` sets Django up when it has not been.
"""

from __future__ import annotations

import argparse
import json
import sys

from czesg.console import add_format, batch_jobs, progress_bar, setup_django


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``czesg rate``."""
    parser.add_argument("--year", type=int, required=True, help="the reporting year to rate")
    parser.add_argument("--threshold", default="A",
                        help="count the enterprises at this grade or above (default A)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on standard error")
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    """Rate the year synchronously (a new run, by the platform's system account), show progress
    on standard error and print the summary: run id, rated count, grade distribution and the
    count at or above the threshold grade. Returns the exit status."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.accounts.actors import system_actor
    from czesg.engine.kernel.errors import CzesgError
    from czesg.ratings.actions import grades_at_or_above, run_rating, run_summary, start_rating
    from czesg.ratings.models import RatingRun, RunStatus

    threshold = getattr(args, "threshold", "A") or "A"
    fmt = getattr(args, "format", "text")
    try:
        grades_at_or_above(threshold)
        run = start_rating(args.year, actor=system_actor(), enqueue=False)
        bar = None if getattr(args, "quiet", False) else progress_bar("rating", counts=False)
        summary = run_rating(run.pk, progress=bar,
                             engine_name=getattr(args, "engine", "inprocess"),
                             partitions=getattr(args, "partitions", None))
    except CzesgError as exc:
        print(f"czesg rate: {exc.render()}", file=sys.stderr)
        return 1
    done = run_summary(RatingRun.objects.get(pk=run.pk), threshold)
    data = {
        "run": done["run"], "year": done["year"], "status": done["status"],
        "rated": done["rated"], "grade_distribution": done["grade_distribution"],
        "threshold": done["threshold"], "at_or_above_threshold": done["at_or_above_threshold"],
        "label_distribution": done["label_distribution"],
        "methodology_version": done["methodology_version"],
        "green_methodology_version": done["green_methodology_version"],
        "inputs_hash": done["inputs_hash"], "timings": summary.get("timings", {}),
    }
    if fmt == "json":
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        lines = [
            f"rating run #{data['run']} for {data['year']}: {data['status']}",
            f"enterprises rated: {data['rated']}",
            f"at {data['threshold']} or above: {data['at_or_above_threshold']}",
            "grades: " + ", ".join(f"{g} {n}" for g, n in data["grade_distribution"].items()),
            f"methodology {data['methodology_version']}, inputs {data['inputs_hash'][:16]}…",
        ]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0 if data["status"] == RunStatus.DONE else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg rate`` and ``czesg batch rate`` to the ``czesg`` command."""
    p = sub.add_parser(
        "rate", help="rate every enterprise's published disclosure of a year (in the foreground)"
    )
    add_arguments(p)
    p.set_defaults(func=run)

    p = batch_jobs(sub).add_parser(
        "rate", help="rate a year (the same run, results and audit entry as czesg rate); "
        "--engine spark computes on CZESG_SPARK_MASTER (default local[2])")
    add_arguments(p)
    p.add_argument("--engine", choices=("inprocess", "spark"), default="inprocess",
                   help="where the rating is computed (default inprocess)")
    p.add_argument("--partitions", type=int, default=8,
                   help="Parquet partitions (Spark tasks) by credit-code hash (default 8)")
    p.set_defaults(func=run)
    register_partitions(sub)


def run_partitions(args: argparse.Namespace) -> int:
    """``czesg partitions list|add|archive|analyze``: show, add or archive (detach) year
    partitions, or refresh the partitioned tables' statistics."""
    setup_django()
    import datetime

    from czesg.accounts.actors import system_actor
    from czesg.engine.kernel.errors import CzesgError
    from czesg.ratings import partitions

    needed = {"add": "year", "archive": "before"}.get(args.action)
    if needed and getattr(args, needed) is None:
        print(f"czesg partitions {args.action}: --{needed} is required", file=sys.stderr)
        return 2
    try:
        if args.action == "add":
            done = partitions.add_year(args.year, actor=system_actor())
        elif args.action == "analyze":
            done = partitions.analyze()
        elif args.action == "archive":
            latest = args.latest or datetime.date.today().year - 1
            done = partitions.archive_before(args.before, actor=system_actor(), latest=latest)
        else:
            done = None
    except CzesgError as exc:
        print(f"czesg partitions: {exc.render()}", file=sys.stderr)
        return 1
    data = {"tables": {t: [list(p) for p in parts]
                       for t, parts in partitions.state().items()}}
    if done is not None:
        data["changed"] = done
    if getattr(args, "format", "text") == "json":
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for table, parts in data["tables"].items():
        sys.stdout.write(f"{table}: " + (", ".join(n for n, _ in parts) or "plain") + "\n")
    if done is not None:
        sys.stdout.write(f"{args.action}: " + (", ".join(done) or "nothing to do") + "\n")
    return 0


def register_partitions(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg partitions`` (the year partitions on PostgreSQL) to the ``czesg`` command."""
    p = sub.add_parser("partitions", help="list, add, archive or analyze the partitions (PostgreSQL)")
    p.add_argument("action", choices=("list", "add", "archive", "analyze"),
                   help="analyze: refresh the statistics of the partitioned tables (after a "
                   "bulk load and nightly: autovacuum never analyzes a partitioned table)")
    p.add_argument("--year", type=int, help="add: the year whose partitions to create")
    p.add_argument("--before", type=int,
                   help="archive: detach every year before this one into archive_ tables")
    p.add_argument("--latest", type=int, default=None,
                   help="archive: the newest reporting year (default last calendar year)")
    add_format(p)
    p.set_defaults(func=run_partitions)
