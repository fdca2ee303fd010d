"""``czesg records import``: read a source's file into the enterprise database's records."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, progress_bar, setup_django


def cmd_import(args: argparse.Namespace) -> int:
    """Import one file with the named adapter; exit 1 when any row was refused."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.accounts.actors import system_actor
    from czesg.records.adapters import adapter_named
    from czesg.records.running import run_import
    from czesg.records.sources import source_of

    path = Path(args.file)
    if not path.is_file():
        print(f"czesg records import: no such file: {path}", file=sys.stderr)
        return EXIT_FAILED
    summary = run_import(
        adapter_named(args.adapter), path.read_bytes(), path.name,
        source=source_of(args.source), actor=system_actor(),
        progress=None if args.format == "json" or args.quiet else progress_bar("records"),
    )

    def text(d):
        lines = [f"rows read: {d['rows']}",
                 f"added: {d['added']}, changed: {d['changed']}, unchanged: {d['unchanged']}",
                 f"rows refused: {d['refused_rows']}"]
        lines += [f"  enterprise {e['uscc']} refused, with {e['valid_rows_refused_with_it']} "
                  f"valid row(s)" for e in d["refused_enterprises"]]
        lines += [f"  row {p['row']} ({p['column']}): {p['message']}" for p in d["problems"]]
        return "\n".join(lines)

    emit(summary.as_dict(), args.format, text)
    return EXIT_OK if not summary.problems else EXIT_FAILED


def cmd_link_accounts(args: argparse.Namespace) -> int:
    """Load a source's account table (account -> credit code); exit 1 when a row was refused."""
    setup_django()
    from czesg.accounts.actors import system_actor
    from czesg.records.accounts import link_accounts
    from czesg.records.sources import source_of

    path = Path(args.file)
    if not path.is_file():
        print(f"czesg records link-accounts: no such file: {path}", file=sys.stderr)
        return EXIT_FAILED
    summary = link_accounts(path.read_bytes(), path.name, source=source_of(args.source),
                            actor=system_actor())

    def text(d):
        lines = [f"rows read: {d['rows']}",
                 f"added: {d['added']}, changed: {d['changed']}, unchanged: {d['unchanged']}",
                 f"rows refused: {d['refused_rows']}"]
        lines += [f"  row {p['row']} ({p['column']}): {p['message']}" for p in d["problems"]]
        return "\n".join(lines)

    emit(summary.as_dict(), args.format, text)
    return EXIT_OK if not summary.problems else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg records`` and its actions to the ``czesg`` command."""
    p = sub.add_parser("records", help="records from named sources (registers, utilities)")
    rsub = p.add_subparsers(dest="action", metavar="ACTION")
    rsub.required = True
    i = rsub.add_parser("import", help="read a source's file into the records")
    i.add_argument("adapter", help="the file format, e.g. installation-emissions")
    i.add_argument("file", help="the CSV or XLSX file")
    i.add_argument("--source", required=True, help="the source's code (data/records/sources.toml)")
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    add_format(i)
    i.set_defaults(func=cmd_import)
    link = rsub.add_parser("link-accounts",
                           help="load a utility's account table (account -> credit code)")
    link.add_argument("file", help="the CSV or XLSX file (columns account, uscc)")
    link.add_argument("--source", required=True, help="the utility source's code")
    add_format(link)
    link.set_defaults(func=cmd_link_accounts)
