"""Granting, revoking and using consent; issuing API tokens. Each action is audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from czesg.access.models import TOKEN_WRITE_ROLES, AccessLog, ApiToken, Grant, Scope, TokenScope
from czesg.accounts.models import Role
from czesg.accounts.permissions import require_manager
from czesg.audit.recording import record
from czesg.engine.kernel.errors import (  # noqa: F401 (re-exported to views)
    CatalogueError,
    PermissionRefused,
    StateConflict,
    gettext_noop,
)
from czesg.enterprises.models import Enterprise

GRANTEE_ROLES = (Role.BANK, Role.ENTERPRISE, Role.VERIFIER)
MAX_GRANT_DAYS = 3 * 366


def grant_access(enterprise, grantee, *, scopes: list[str], valid_until: dt.date, purpose: str,
                 actor, engagement: str = "") -> Grant:
    """Let a named bank, buyer or verifier read the enterprise's non-public data until a date.

    A verifier receives access only through an assurance engagement (``engagement``: its
    reference), which limits it to the engagement's data and due date; a grant beyond that is
    refused, and the attempt audited."""
    require_manager(actor, enterprise)
    if grantee.role == Role.VERIFIER and not engagement:
        with transaction.atomic():
            record(actor, "access.refused", enterprise, attempt="access.grant",
                   grantee=grantee.username, reason="verifier_outside_engagement")
        raise PermissionRefused(
            gettext_noop("A verifier receives access only through an assurance engagement, "
                         "limited to its data and due date; invite the firm instead."),
            field="grantee")
    if grantee.role not in GRANTEE_ROLES:
        raise CatalogueError(
            gettext_noop("Access can be granted to a bank, a buyer or a verifier, not to %(user)s."),
            user=grantee.username,
        )
    if grantee.memberships.filter(enterprise=enterprise).exists():
        raise CatalogueError(gettext_noop("%(user)s is already a member of the enterprise."),
                             user=grantee.username)
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown or not scopes:
        raise CatalogueError(gettext_noop("Choose what to share."), field="scopes")
    today = timezone.localdate()
    if valid_until < today or valid_until > today + dt.timedelta(days=MAX_GRANT_DAYS):
        raise CatalogueError(
            gettext_noop("The end date must lie between today and %(days)s days from now."),
            days=MAX_GRANT_DAYS, field="valid_until",
        )
    if not purpose.strip():
        raise CatalogueError(gettext_noop("Say what the data will be used for."), field="purpose")
    with transaction.atomic():
        grant = Grant.objects.create(
            enterprise=enterprise, grantee=grantee, purpose=purpose.strip()[:300],
            valid_until=valid_until, created_by=actor,
            **{f"share_{s}": (s in scopes) for s in Scope.values},
        )
        record(actor, "access.grant", grant, enterprise=enterprise.uscc, grantee=grantee.username,
               scopes=grant.scopes, valid_until=valid_until.isoformat(), purpose=grant.purpose,
               **({"engagement": engagement} if engagement else {}))
    return grant


def revoke_grant(grant: Grant, *, actor) -> Grant:
    """End a grant now; the grantee loses access at once."""
    require_manager(actor, grant.enterprise)
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise StateConflict(gettext_noop("This consent was already revoked."))
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        record(actor, "access.revoke", grant, enterprise=grant.enterprise.uscc,
               grantee=grant.grantee.username)
    return grant


def grant_for(user, enterprise, scope: str) -> Grant | None:
    """The active grant under which the user may read the enterprise's data of a scope."""
    return (
        Grant.objects.for_grantee(user, scope).filter(enterprise=enterprise).order_by("-valid_until").first()
    )


def log_access(grant: Grant, user, resource: str, channel: str) -> AccessLog:
    """Record that a grantee read consented data (the enterprise sees every such read)."""
    return AccessLog.objects.create(grant=grant, user=user, resource=resource[:200], channel=channel)


def log_accesses(grants: list[Grant], user, resource: str, channel: str) -> list[AccessLog]:
    """Record one read under each of several grants at once (one statement, not one per grant)."""
    return AccessLog.objects.bulk_create(
        AccessLog(grant=grant, user=user, resource=resource[:200], channel=channel) for grant in grants
    )


def issue_token(user, *, name: str, scopes: list[str], days: int | None = 365, actor) -> tuple[ApiToken, str]:
    """Create an API token for the actor itself; returns the token and its secret (shown once)."""
    if actor.pk != user.pk:
        raise PermissionRefused()
    if not scopes or any(s not in TokenScope.values for s in scopes):
        raise CatalogueError(gettext_noop("Choose the token's scopes."), field="scopes")
    if TokenScope.WRITE in scopes and user.role not in TOKEN_WRITE_ROLES:
        # Only enterprises and government users write through the API; everybody else reads.
        raise PermissionRefused(
            gettext_noop("Only enterprise and government users may have a token with the write "
                         "scope; choose read."), field="scopes")
    secret = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:80] or "token", prefix=secret[6:14],
            key_hash=ApiToken.digest(secret), scopes=sorted(set(scopes)),
            expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
        )
        record(actor, "access.issue_token", token, name=token.name, scopes=token.scopes)
    return token, secret


def revoke_token(token: ApiToken, *, actor) -> None:
    """Revoke one of the actor's own tokens."""
    if token.user_id != actor.pk:
        raise PermissionRefused()
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "access.revoke_token", token, name=token.name)


def note_consented_read(user, enterprise, scope: str, resource: str, channel: str) -> None:
    """If the user reads the enterprise's non-public data only thanks to a grant, log the read."""
    if not getattr(user, "is_authenticated", False):
        return
    if Enterprise.objects.managed_by(user).filter(pk=enterprise.pk).exists():
        return
    if user.memberships.filter(enterprise=enterprise).exists():
        return
    grant = grant_for(user, enterprise, scope)
    if grant is not None:
        log_access(grant, user, resource, channel)
