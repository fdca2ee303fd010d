"""Who may do what: the checks every action makes before it changes anything."""

from __future__ import annotations

from czesg.accounts.models import Membership, MembershipRole, Role
from czesg.engine.kernel.errors import PermissionRefused, gettext_noop


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_manage_enterprise(user, enterprise) -> bool:
    """Whether the user is an ESG manager of the enterprise (may edit its drafts)."""
    if not is_authenticated(user) or user.role != Role.ENTERPRISE:
        return False
    return Membership.objects.filter(
        user=user, enterprise=enterprise, role=MembershipRole.MANAGER
    ).exists()


def require_manager(user, enterprise) -> None:
    """Refuse unless the user manages the enterprise's disclosures; platform administrators may
    also write on an enterprise's behalf (imports from the command line), always audited."""
    if is_authenticated(user) and user.role == Role.PLATFORM_ADMIN:
        return
    if not can_manage_enterprise(user, enterprise):
        raise PermissionRefused(
            gettext_noop("Only an ESG manager of %(enterprise)s can do this."),
            enterprise=enterprise.name,
        )


def require_role(user, *roles: str) -> None:
    """Refuse unless the user has one of the roles."""
    if not is_authenticated(user) or user.role not in roles:
        raise PermissionRefused()


def require_government(user) -> None:
    """Refuse unless the user is a government user or platform administrator."""
    require_role(user, Role.GOVERNMENT, Role.PLATFORM_ADMIN)



def is_government(user) -> bool:
    """Whether the user is a government user or a platform administrator."""
    return is_authenticated(user) and user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN)
