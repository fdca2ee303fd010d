"""Shared command-line plumbing that imports no app: exit statuses, Django set-up, output in
text or JSON, and a progress bar. Each app's ``cli`` module uses it to register its subcommands
with the ``czesg`` command (:mod:`czesg.cli`).

It must stay cheap to import: building the ``czesg`` parser loads every app's ``cli`` module, so
none of them may load Django's models, NumPy or Polars before a command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def setup_django() -> None:
    """Set Django up for a command (once; a second call does nothing)."""
    from django.apps import apps

    if apps.ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "czesg.settings")
    import django

    django.setup()


def emit(data: Any, fmt: str, text: Callable[[Any], str]) -> None:
    """Print ``data`` as JSON (``fmt == "json"``) or as the text ``text(data)`` renders."""
    if fmt == "json":
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text(data))
        if not text(data).endswith("\n"):
            sys.stdout.write("\n")


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json")) -> None:
    """Add the ``--format`` option (the first choice is the default)."""
    parser.add_argument("--format", choices=choices, default=choices[0], help="output format")


def progress_bar(label: str, *, counts: bool = True) -> Callable[[int, int], None]:
    """A one-line progress bar on standard error (standard output stays machine-readable);
    ``counts`` adds ``done/total`` after the percentage."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        pct = 100 * done / total if total else 100
        tail = f" {done}/{total}" if counts else ""
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {pct:5.1f}%{tail}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def batch_jobs(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The jobs of ``czesg batch`` (``batch rate``, ``batch carbon``, ...): the group is created
    by the first app that adds a job to it and shared by the others, in any order."""
    group = sub.choices.get("batch")
    if group is None:
        group = sub.add_parser(
            "batch", help="batch jobs over a whole reporting year, in process or on Spark "
            "(CZESG_SPARK_MASTER)")
        jobs = group.add_subparsers(dest="job", metavar="JOB")
        jobs.required = True
        return jobs
    return next(action for action in group._actions
                if isinstance(action, argparse._SubParsersAction))
