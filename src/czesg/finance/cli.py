"""``czesg finance import-loans FILE --bank USER --year YEAR``: a bank's loan book from CSV through
the loan-book import action (every refused row named, nothing written unless all pass);
``czesg finance remind [--date D]``: reminders to banks of requests they have not answered."""

from __future__ import annotations

import argparse
from pathlib import Path

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django


def cmd_import_loans(args: argparse.Namespace) -> int:
    """Import the loan book of ``--year`` for the bank user ``--bank``; exit 1 naming each
    refused row."""
    setup_django()
    from czesg.accounts.models import User
    from czesg.engine.finance.loanbook import LoanBookRefused
    from czesg.finance.loanbook import import_loan_book

    bank = User.objects.filter(username=args.bank).first()
    if bank is None:
        emit({"ok": False, "error": f"no user {args.bank!r}"}, args.format,
             lambda d: f"czesg finance: {d['error']}")
        return EXIT_FAILED
    path = Path(args.file)
    try:
        with path.open("rb") as stream:
            book = import_loan_book(stream, path.name, year=args.year, actor=bank)
    except LoanBookRefused as exc:
        problems = [{"row": p.row, "column": p.column, "message": p.text()}
                    for p in exc.problems]
        emit({"ok": False, "error": exc.render(), "problems": problems}, args.format,
             lambda d: "\n".join([d["error"], *(f"  row {p['row']} ({p['column']}): "
                                                f"{p['message']}" for p in d["problems"])]))
        return EXIT_FAILED
    summary = {"ok": True, "bank": bank.username, "year": book.year,
               "exposures": book.exposures.count(), "sha256": book.sha256}
    emit(summary, args.format,
         lambda d: f"loan book {d['year']} of {d['bank']}: {d['exposures']} exposures imported")
    return EXIT_OK


def cmd_remind(args: argparse.Namespace) -> int:
    """Remind banks of the open requests they have not answered (run daily)."""
    setup_django()
    import datetime as dt

    from czesg.accounts.actors import system_actor
    from czesg.finance.reminders import send_request_reminders

    day = dt.date.fromisoformat(args.date) if args.date else None
    reminded = send_request_reminders(day, actor=system_actor())
    summary = {"ok": True, "reminded": [{"request": r.request_id, "bank": r.bank.username,
                                         "reminder": r.reminders} for r in reminded]}
    emit(summary, args.format, lambda d: f"{len(d['reminded'])} reminders sent")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg finance import-loans`` to the ``czesg`` command."""
    p = sub.add_parser("finance", help="green finance: a bank's loan book")
    fsub = p.add_subparsers(dest="action", metavar="ACTION")
    fsub.required = True
    i = fsub.add_parser("import-loans", help="import a bank's loan book of a year from CSV "
                        "(exposure, uscc, instrument, outstanding, currency, as_of)")
    i.add_argument("file", help="the CSV file")
    i.add_argument("--bank", required=True, help="the bank user's name")
    i.add_argument("--year", required=True, type=int, help="the book's year")
    add_format(i)
    i.set_defaults(func=cmd_import_loans)
    r = fsub.add_parser("remind", help="remind banks of financing requests they have not "
                        "answered (by the rule of data/finance/reminders.toml; run daily)")
    r.add_argument("--date", help="the day to remind on (YYYY-MM-DD; today by default)")
    add_format(r)
    r.set_defaults(func=cmd_remind)
