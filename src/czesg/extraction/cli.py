"""``czesg extract``: read a report PDF's headline figures, kept as evidence for review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django


def cmd_extract(args: argparse.Namespace) -> int:
    """Read one report for an enterprise and year; exit 1 when its text cannot be read."""
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.accounts.actors import system_actor
    from czesg.engine.kernel.errors import NotFound, gettext_noop
    from czesg.enterprises.models import Enterprise
    from czesg.extraction.actions import read_report

    path = Path(args.file)
    if not path.is_file():
        print(f"czesg extract: no such file: {path}", file=sys.stderr)
        return EXIT_FAILED
    enterprise = Enterprise.objects.filter(uscc=args.enterprise.strip().upper()).first()
    if enterprise is None:
        raise NotFound(gettext_noop("No enterprise with credit code “%(uscc)s” is registered."),
                       uscc=args.enterprise)
    run = read_report(enterprise, args.year, path.read_bytes(), path.name, actor=system_actor())
    data = {
        "run": run.pk, "enterprise": enterprise.uscc, "year": run.year, "file": run.original_name,
        "sha256": run.sha256, "pages": run.pages, "state": run.state,
        "problem": (run.problem.get("message", "") % (run.problem.get("params") or {}))
        if run.problem else "",
        "candidates": [{
            "indicator": c.indicator_code, "value": c.value_number, "unit": c.unit,
            "printed": c.printed, "unit_printed": c.unit_printed, "prior_value": c.prior_value,
            "page": c.page, "bbox": c.bbox, "text": c.text, "year_basis": c.year_basis,
            "conflicts": c.conflicts, "checks": [f["rule"] for f in c.findings],
            "state": c.state,
        } for c in run.candidates.order_by("id")],
    }

    def text(d):
        lines = [f"{d['file']} sha256:{d['sha256']} ({d['pages']} pages): {d['state']}"]
        if d["problem"]:
            lines.append(d["problem"])
        for c in d["candidates"]:
            value = "not converted" if c["value"] is None else f"{c['value']:g} {c['unit']}"
            checks = f"  [{', '.join(c['checks'])}]" if c["checks"] else ""
            lines.append(f"  {c['indicator']:<14} {value:<22} p. {c['page']:<3} "
                         f"“{c['printed']} {c['unit_printed']}”{checks}")
        lines.append(f"{len(d['candidates'])} figure(s) await review (run {d['run']}).")
        return "\n".join(lines)

    emit(data, args.format, text)
    return EXIT_OK if not run.problem else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg extract`` to the ``czesg`` command."""
    p = sub.add_parser("extract", help="read headline figures from a report PDF for review")
    p.add_argument("file", help="the report PDF")
    p.add_argument("--enterprise", required=True, help="the enterprise's credit code (USCC)")
    p.add_argument("--year", required=True, type=int, help="the reporting year")
    add_format(p)
    p.set_defaults(func=cmd_extract)
