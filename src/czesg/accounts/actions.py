"""Changes to user accounts, each checked and audited: accounts made and changed by platform
administrators; passwords set by their owner, by e-mail reset or by an administrator; sign-in locks
lifted. A new password ends every other session of the account (Django checks each session
against a hash of the password)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from czesg.accounts.models import Role, User
from czesg.accounts.permissions import require_role
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CzesgError, gettext_noop
from czesg.engine.plan import load_city_profile

#: The account fields an administrator may set (permissions come from the role, not from
#: Django's groups and per-user permissions).
ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "role", "organisation",
                  "park_key", "is_active", "is_staff", "is_superuser")


class AccountError(CzesgError):
    """An account is refused: its role and park do not fit together."""

    code = "account_invalid"
    http_status = 422


def check_account(role: str, park_key: str) -> None:
    """Refuse an unknown role, a park administrator without a known park, or a park on another role."""
    if role not in Role.values:
        raise AccountError(gettext_noop("Unknown role “%(value)s”."), field="role", value=role)
    if role == Role.PARK_ADMIN:
        if not park_key:
            raise AccountError(gettext_noop("A park administrator needs the park they administer."),
                               field="park_key")
        try:
            load_city_profile().park(park_key)
        except (KeyError, CzesgError) as exc:
            raise AccountError(gettext_noop("Unknown park “%(value)s”."), field="park_key",
                               value=park_key) from exc
    elif park_key:
        raise AccountError(gettext_noop("Only a park administrator has a park."), field="park_key")


def create_account(fields: dict[str, Any], *, password: str | None, actor) -> User:
    """Create an account (platform administrators); no password makes it unable to sign in."""
    require_role(actor, Role.PLATFORM_ADMIN)
    fields = {k: v for k, v in fields.items() if k in ACCOUNT_FIELDS}
    check_account(fields.get("role", Role.ENTERPRISE), fields.get("park_key", ""))
    with transaction.atomic():
        user = User(**fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        record(actor, "account.create", user, username=user.username, role=user.role,
               park_key=user.park_key, password_set=bool(password))
    return user


def update_account(user: User, changes: dict[str, Any], *, actor) -> User:
    """Change an account's fields (platform administrators); the audit names each change."""
    require_role(actor, Role.PLATFORM_ADMIN)
    changes = {k: v for k, v in changes.items() if k in ACCOUNT_FIELDS}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        check_account(changes.get("role", user.role), changes.get("park_key", user.park_key))
        diff = {k: [getattr(user, k), v] for k, v in changes.items() if getattr(user, k) != v}
        if diff:
            for name, value in changes.items():
                setattr(user, name, value)
            user.save(update_fields=list(diff))
            record(actor, "account.update", user, changes=diff)
    return user


def set_account_password(user: User, password: str | None, *, actor) -> User:
    """Set (or, with None, disable) an account's password (platform administrators); audited
    without the password."""
    require_role(actor, Role.PLATFORM_ADMIN)
    with transaction.atomic():
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        record(actor, "account.set_password", user, username=user.username,
               usable=bool(password))
    return user

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
    require_role(actor, Role.PLATFORM_ADMIN)
    password = new_password or secrets.token_urlsafe(12)
    validate_password(password, user)
    set_password(user, password, actor=actor, reason="reset_by_administrator")
    return password


def unlock(*, actor, username: str = "", ip_address: str = "") -> int:
    """Lift the sign-in lock of an account or an address; returns the attempts cleared."""
    from axes.utils import reset

    require_role(actor, Role.PLATFORM_ADMIN)
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
