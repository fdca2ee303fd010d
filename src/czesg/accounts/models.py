"""People who use czesg, the role each plays and the enterprises they belong to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user is to the platform; it decides what the user may see and do."""

    ENTERPRISE = "enterprise", _("Enterprise user")
    VERIFIER = "verifier", _("Verifier (assurance firm)")
    BANK = "bank", _("Bank")
    PARK_ADMIN = "park_admin", _("Park administrator")
    GOVERNMENT = "government", _("Government")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    REGULATOR = "regulator", _("Financial regulator")


class User(AbstractUser):
    """A person who signs in; the anonymous public needs no account."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("The bank, assurance firm or department the user works for."),
    )
    park_key = models.CharField(
        _("park"),
        max_length=60,
        blank=True,
        help_text=_("For park administrators: the park or zone they administer."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_government(self) -> bool:
        return self.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN)

    def label(self) -> str:
        """How the user is named in audit entries and provenance."""
        full = self.get_full_name()
        return f"{self.username} ({full})" if full else self.username


class MembershipRole(models.TextChoices):
    """What a member may do for an enterprise."""

    MANAGER = "manager", _("ESG manager")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's membership of an enterprise; an enterprise user may belong to several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("membership role"),
        max_length=20,
        choices=MembershipRole.choices,
        default=MembershipRole.MANAGER,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "enterprise"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.enterprise}"
