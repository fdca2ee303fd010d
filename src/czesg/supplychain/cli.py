"""``czesg supplychain remind``: mark the reminders of buyers' requests that are due today.

Run it once a day (cron or a worker); it is idempotent within a day, e-mails invited suppliers
and writes one audit entry per reminder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django


def cmd_remind(args: argparse.Namespace) -> int:
    """Send the due reminders (as of ``--date``, today by default) and list them."""
    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"czesg supplychain remind: not a date (YYYY-MM-DD): {args.date}", file=sys.stderr)
        return EXIT_FAILED
    setup_django()
    # Imported once Django is set up: these modules import models.
    from czesg.accounts.actors import system_actor
    from czesg.supplychain.actions import send_due_reminders

    reminded = send_due_reminders(day, actor=system_actor())
    data = {"reminded": [{"request": r.request_id, "uscc": r.uscc, "reminder": r.reminders,
                          "due_date": r.request.due_date.isoformat()} for r in reminded]}

    def text(d):
        lines = [f"reminders sent: {len(d['reminded'])}"]
        lines += [f"  request {r['request']} -> {r['uscc']} (reminder {r['reminder']}, due "
                  f"{r['due_date']})" for r in d["reminded"]]
        return "\n".join(lines)

    emit(data, args.format, text)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg supplychain`` and its actions to the ``czesg`` command."""
    p = sub.add_parser("supplychain", help="buyers' requests to suppliers")
    ssub = p.add_subparsers(dest="action", metavar="ACTION")
    ssub.required = True
    remind = ssub.add_parser("remind", help="send the reminders of open requests due today")
    remind.add_argument("--date", default="", help="as of this date (YYYY-MM-DD), for a rerun")
    add_format(remind)
    remind.set_defaults(func=cmd_remind)
