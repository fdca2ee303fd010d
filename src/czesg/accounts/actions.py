"""Account actions: set a password (by its owner, by e-mail reset or by an administrator) and
lift a sign-in lock, each with its audit entry. A new password ends every other session of the
account (Django checks each session against a hash of the password)."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from czesg.accounts.models import User
from czesg.audit.recording import record

# Why a password changed, as the audit entry names it.
REASONS = ("changed_by_owner", "reset_by_email", "reset_by_administrator")


def set_password(user: User, raw_password: str, *, actor, reason: str) -> None:
    """Give ``user`` a new (already validated) password and lift any sign-in lock on the account."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    from axes.utils import reset

    with transaction.atomic():
        user.set_password(raw_password)
        user.save(update_fields=["password"])
        record(actor, "accounts.set_password", user, username=user.username, reason=reason)
    reset(username=user.username)


def reset_password(user: User, *, actor, new_password: str | None = None) -> str:
    """An administrator resets ``user``'s password: validated, or a random one; returns it."""
    password = new_password or secrets.token_urlsafe(12)
    validate_password(password, user)
    set_password(user, password, actor=actor, reason="reset_by_administrator")
    return password


def unlock(*, actor, username: str = "", ip_address: str = "") -> int:
    """Lift the sign-in lock of an account or an address; returns the attempts cleared."""
    from axes.utils import reset

    cleared = 0
    if username:
        cleared += reset(username=username)
    if ip_address:
        cleared += reset(ip=ip_address)
    with transaction.atomic():
        record(actor, "accounts.unlock", None, target_type="accounts.signin",
               target_id=username or ip_address, username=username, ip_address=ip_address,
               cleared=cleared)
    return cleared
