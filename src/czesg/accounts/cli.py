"""``czesg accounts reset-password`` and ``czesg accounts unlock``: an administrator's account
help on the server (each writes an audit entry)."""

from __future__ import annotations

import argparse
import getpass
import sys

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django


def cmd_reset_password(args: argparse.Namespace) -> int:
    """Set a new password for a user: typed (--prompt) or generated and printed once."""
    setup_django()
    from django.core.exceptions import ValidationError

    from czesg.accounts import actions
    from czesg.accounts.actors import system_actor
    from czesg.accounts.models import User

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"czesg: no user named {args.username!r}", file=sys.stderr)
        return EXIT_FAILED
    typed = getpass.getpass("New password: ") if args.prompt else None
    try:
        password = actions.reset_password(user, actor=system_actor(), new_password=typed)
    except ValidationError as exc:
        print("czesg: " + " ".join(exc.messages), file=sys.stderr)
        return EXIT_FAILED
    result = {"username": user.username, "password": None if typed else password,
              "sessions_ended": True}
    emit(result, args.format, lambda r: (
        f"password of {r['username']} reset; other sessions are ended"
        + ("" if typed else f"\ntemporary password (tell the user, who should change it): {password}")
    ))
    return EXIT_OK


def cmd_unlock(args: argparse.Namespace) -> int:
    """Lift the sign-in lock of an account and/or an address."""
    if not (args.username or args.ip):
        print("czesg: give --username and/or --ip", file=sys.stderr)
        return EXIT_FAILED
    setup_django()
    from czesg.accounts import actions
    from czesg.accounts.actors import system_actor

    cleared = actions.unlock(actor=system_actor(), username=args.username or "", ip_address=args.ip or "")
    emit({"username": args.username, "ip": args.ip, "cleared": cleared}, args.format,
         lambda r: f"sign-in lock lifted ({r['cleared']} failed attempts cleared)")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg accounts`` and its actions to the ``czesg`` command."""
    p = sub.add_parser("accounts", help="account help for administrators")
    asub = p.add_subparsers(dest="action", metavar="ACTION")
    asub.required = True
    r = asub.add_parser("reset-password", help="set a new password for a user (audited)")
    r.add_argument("username")
    r.add_argument("--prompt", action="store_true",
                   help="type the new password instead of generating one")
    add_format(r)
    r.set_defaults(func=cmd_reset_password)
    u = asub.add_parser("unlock", help="lift a sign-in lock of an account or address (audited)")
    u.add_argument("--username")
    u.add_argument("--ip")
    add_format(u)
    u.set_defaults(func=cmd_unlock)
