"""``czesg import`` (values into disclosures) and ``czesg catalogue export`` (the indicator
catalogue the disclosures are filled against)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from czesg.console import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_format,
    emit,
    progress_bar,
    setup_django,
)


def cmd_catalogue_export(args: argparse.Namespace) -> int:
    """Print the indicator catalogue as CSV or JSON."""
    # Imported when the command runs, so that building the czesg parser stays cheap.
    from czesg.engine.catalogue import export_rows, load_catalogue

    catalogue = load_catalogue()
    rows = export_rows(catalogue)
    if args.format == "json":
        emit({"version": catalogue.version, "indicators": rows}, "json", str)
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


def cmd_import(args: argparse.Namespace) -> int:
    """Import a filled template for one enterprise, or a long file of many (``--bulk``)."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.accounts.actors import system_actor
    from czesg.disclosures.bulk import import_checked, summary_text
    from czesg.disclosures.upload import import_file_for
    from czesg.engine.catalogue import load_catalogue
    from czesg.engine.disclosure.bulk import check_long, read_long

    path = Path(args.file)
    if not path.is_file():
        print(f"czesg import: no such file: {path}", file=sys.stderr)
        return EXIT_FAILED
    if args.bulk or path.suffix.lower() == ".parquet":
        frame = read_long(path)
        check = check_long(frame, load_catalogue())
        summary = import_checked(
            check, actor=system_actor(), evidence=f"bulk import {path.name}",
            progress=None if args.format == "json" or args.quiet else progress_bar("enterprises"),
        )
        data = summary.as_dict()
        emit(data, args.format, summary_text)
        return EXIT_OK if not summary.problems else EXIT_FAILED
    if not args.enterprise or not args.year:
        print("czesg import: a template file needs --enterprise USCC and --year YEAR", file=sys.stderr)
        return EXIT_USAGE
    result = import_file_for(path, uscc=args.enterprise, year=args.year, actor=system_actor())
    emit(result, args.format, lambda d: "\n".join(
        [f"values imported: {d['imported']}"]
        + [f"  {p['sheet']}!{p['cell']} {p['indicator']}: {p['message']}" for p in d["problems"]]
    ))
    return EXIT_OK if not result["problems"] else EXIT_FAILED


def register_import(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg import`` to the ``czesg`` command."""
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
    add_format(p)
    p.set_defaults(func=cmd_import)


def register_catalogue(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg catalogue`` and its actions to the ``czesg`` command."""
    p = sub.add_parser("catalogue", help="the indicator catalogue")
    csub = p.add_subparsers(dest="action", metavar="ACTION")
    csub.required = True
    e = csub.add_parser("export", help="print the catalogue")
    add_format(e, ("csv", "json"))
    e.set_defaults(func=cmd_catalogue_export)
