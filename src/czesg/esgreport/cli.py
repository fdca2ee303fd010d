"""``czesg report`` (a published disclosure's ESG report as PDF) and ``czesg xbrl`` (its inline
XBRL or xBRL-JSON, and the czesg taxonomy package)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django


def cmd_report(args: argparse.Namespace) -> int:
    """Write the ESG report PDF of an enterprise-year's latest published disclosure."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.esgreport.contents import published_for
    from czesg.esgreport.rendering import report_language, report_pdf

    disclosure = published_for(args.enterprise, args.year)
    lang = report_language(args.lang)
    data = report_pdf(disclosure, lang)
    Path(args.file).write_bytes(data)
    emit({"file": str(args.file), "bytes": len(data), "enterprise": disclosure.enterprise.uscc,
          "year": disclosure.year, "version": disclosure.version, "language": lang},
         args.format, lambda d: f"{d['file']}: {d['bytes']} bytes (version {d['version']})")
    return EXIT_OK


def cmd_xbrl_export(args: argparse.Namespace) -> int:
    """Write (or print) the inline XBRL or xBRL-JSON of a published disclosure."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.esgreport.contents import published_for
    from czesg.esgreport.rendering import report_language
    from czesg.esgreport.xbrl import ixbrl_for, json_for

    disclosure = published_for(args.enterprise, args.year)
    lang = report_language(args.lang)
    text = (ixbrl_for if args.format == "ixbrl" else json_for)(disclosure, lang)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_xbrl_import(args: argparse.Namespace) -> int:
    """Import an xBRL-JSON or inline-XBRL report's czesg facts into an enterprise-year's draft
    disclosure."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.accounts.actors import system_actor
    from czesg.disclosures.models import Disclosure, State
    from czesg.esgreport.actions import import_xbrl

    path = Path(args.file)
    draft = Disclosure.objects.filter(enterprise__uscc=args.enterprise.strip().upper(),
                                      year=args.year, state=State.DRAFT).first()
    if draft is None:
        print(f"czesg xbrl import: {args.enterprise} has no draft disclosure for {args.year}",
              file=sys.stderr)
        return EXIT_FAILED
    points = import_xbrl(draft, path.read_bytes(), name=path.name, actor=system_actor())
    emit({"imported": len(points), "disclosure": draft.pk}, args.format,
         lambda d: f"values imported: {d['imported']}")
    return EXIT_OK


def cmd_xbrl_taxonomy(args: argparse.Namespace) -> int:
    """Write the czesg taxonomy package zip."""
    from czesg.esgreport.xbrl import taxonomy_package

    data = taxonomy_package()
    Path(args.file).write_bytes(data)
    print(f"{args.file}: {len(data)} bytes")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg report`` to the ``czesg`` command."""
    p = sub.add_parser("report", help="write the ESG report PDF of a published disclosure")
    p.add_argument("file", help="the PDF file to write")
    p.add_argument("--enterprise", required=True, metavar="USCC", help="unified social credit code")
    p.add_argument("--year", required=True, type=int, help="reporting year")
    p.add_argument("--lang", default="zh-hans", choices=("zh-hans", "zh", "en"),
                   help="report language (default Chinese)")
    add_format(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("xbrl", help="XBRL of published disclosures, and the czesg taxonomy")
    xbrl_sub = p.add_subparsers(dest="xbrl_command", required=True)
    q = xbrl_sub.add_parser("export", help="the inline XBRL (.xhtml) or xBRL-JSON of a published "
                            "disclosure")
    q.add_argument("--enterprise", required=True, metavar="USCC", help="unified social credit code")
    q.add_argument("--year", required=True, type=int, help="reporting year")
    q.add_argument("--format", required=True, choices=("ixbrl", "json"))
    q.add_argument("--lang", default="zh-hans", choices=("zh-hans", "zh", "en"),
                   help="language of the document's text (default Chinese)")
    q.add_argument("--output", "-o", help="the file to write (default: standard output)")
    q.set_defaults(func=cmd_xbrl_export)
    q = xbrl_sub.add_parser("import", help="import an xBRL-JSON or inline-XBRL report (czesg "
                            "concepts) into the enterprise-year's draft disclosure")
    q.add_argument("file", help="the xBRL-JSON (.json) or inline-XBRL (.xhtml) file")
    q.add_argument("--enterprise", required=True, metavar="USCC", help="unified social credit code")
    q.add_argument("--year", required=True, type=int, help="reporting year")
    add_format(q)
    q.set_defaults(func=cmd_xbrl_import)
    q = xbrl_sub.add_parser("taxonomy", help="write the czesg taxonomy package zip")
    q.add_argument("file", help="the zip file to write")
    q.set_defaults(func=cmd_xbrl_taxonomy)
