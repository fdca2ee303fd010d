"""The platform's own account, the actor of writes that no person makes (command-line loads)."""

from __future__ import annotations

from czesg.accounts.models import Role, User

SYSTEM_USERNAME = "czesg-system"


def system_actor() -> User:
    """The platform's own account, used by command-line loads; it cannot sign in."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": Role.PLATFORM_ADMIN, "first_name": "czesg", "last_name": "system"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
