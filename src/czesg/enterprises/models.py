"""The city's enterprise registry, keyed by the unified social credit code (USCC)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Role


class SizeClass(models.TextChoices):
    """Enterprise size by the NBS classification (统计上大中小微型企业划分办法)."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Exchange(models.TextChoices):
    """Where a listed enterprise's shares trade."""

    SSE = "SSE", _("Shanghai Stock Exchange")
    SZSE = "SZSE", _("Shenzhen Stock Exchange")
    BSE = "BSE", _("Beijing Stock Exchange")
    HKEX = "HKEX", _("Hong Kong Exchange")
    OTHER = "other", _("Other exchange")


class EnterpriseQuerySet(models.QuerySet):
    """Enterprises, with the scope of what each actor may see."""

    def visible_to(self, user) -> EnterpriseQuerySet:
        """Registry entries the actor may see: registry facts are public (not disclosures)."""
        return self.all()

    def managed_by(self, user) -> EnterpriseQuerySet:
        """Enterprises whose data the actor may read in full (drafts included)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN):
            return self.all()
        if user.role == Role.PARK_ADMIN and user.park_key:
            return self.filter(park_key=user.park_key)
        if user.role == Role.ENTERPRISE:
            return self.filter(memberships__user=user)
        return self.none()


class Enterprise(models.Model):
    """An enterprise registered in Changzhou, identified by its unified social credit code."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    industry_code = models.CharField(
        _("industry (GB/T 4754-2017)"), max_length=5, db_index=True
    )
    division_code = models.CharField(_("administrative division"), max_length=6, db_index=True)
    park_key = models.CharField(_("park"), max_length=60, blank=True, db_index=True)
    size_class = models.CharField(_("size"), max_length=10, choices=SizeClass.choices)
    listed = models.BooleanField(_("listed"), default=False)
    exchange = models.CharField(_("exchange"), max_length=10, choices=Exchange.choices, blank=True)
    stock_code = models.CharField(_("stock code"), max_length=12, blank=True)
    state_owned = models.BooleanField(_("state-owned"), default=False)
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated for demonstration or load tests; not a real enterprise."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(listed=True, stock_code=""), name="listed_has_stock_code"
            )
        ]
        # Search matches a stock code exactly, beside the name (a trigram index on PostgreSQL,
        # migration 0002) and the credit code (unique): each part of the OR has its index.
        indexes = [models.Index(fields=["stock_code"], name="enterprise_stock_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"

    def display_name(self, language: str = "zh-hans") -> str:
        """The name in the requested language, falling back to the registered Chinese name."""
        return self.name_en if language.startswith("en") and self.name_en else self.name
