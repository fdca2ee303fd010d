"""Who may read what an enterprise shares: the checks that depend on its grants."""

from __future__ import annotations

from czesg.access.models import Grant, Scope
from czesg.accounts.models import Membership, Role
from czesg.accounts.permissions import is_authenticated


def can_read_evidence(user, enterprise) -> bool:
    """Evidence files are private: the enterprise's own members may read them, and those it has
    granted access to its evidence."""
    if not is_authenticated(user):
        return False
    if user.role == Role.ENTERPRISE and Membership.objects.filter(
        user=user, enterprise=enterprise
    ).exists():
        return True
    return Grant.objects.for_grantee(user, Scope.EVIDENCE).filter(enterprise=enterprise).exists()
