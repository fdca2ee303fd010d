"""``czesg audit verify``: verify the hash-chained audit log."""

from __future__ import annotations

import argparse

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify the chain; exit 1 naming the first broken entry."""
    setup_django()
    # Imported once Django is set up: the audit log is a model.
    from czesg.audit.recording import verify

    report = verify()

    def text(r):
        if r.ok:
            return f"audit chain intact: {r.entries} entries, head {r.head_hash[:16]}…"
        return f"audit chain BROKEN at entry {r.broken_seq}: {r.reason}"

    emit(report.as_dict(), args.format, lambda d: text(report))
    return EXIT_OK if report.ok else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg audit`` and its actions to the ``czesg`` command."""
    p = sub.add_parser("audit", help="the hash-chained audit log")
    asub = p.add_subparsers(dest="action", metavar="ACTION")
    asub.required = True
    v = asub.add_parser("verify", help="verify the chain; exit 1 naming the first broken entry")
    add_format(v)
    v.set_defaults(func=cmd_verify)
