"""What the registries store: the entries government users keep for the plan targets the platform
cannot measure from enterprise data (standards, service agencies, key projects, professionals
attracted) and the good-practice cases. Every entry carries its date and its source, and who
entered it.

Every change goes through :mod:`czesg.registries.actions` (permission, one transaction, audit).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.accounts.permissions import is_government

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class GovernmentOnlyQuerySet(models.QuerySet):
    """Rows that only government users and platform administrators may read."""

    def visible_to(self, user) -> models.QuerySet:
        """Everything for government users and platform administrators; nothing for others."""
        return self.all() if is_government(user) else self.none()




class RegistryEntry(models.Model):
    """Common fields of every registry entry: its date, its source and who entered it."""

    date = models.DateField(_("date"))
    source = models.CharField(
        _("source"), max_length=300,
        help_text=_("The document, notice or department the entry is taken from."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    objects = GovernmentOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]


class StandardKind(models.TextChoices):
    """The level of a standard (GB/T 1.1 and the Standardization Law's five kinds)."""

    NATIONAL = "national", _("National standard")
    INDUSTRY = "industry", _("Industry standard")
    LOCAL = "local", _("Local standard")
    GROUP = "group", _("Group standard")
    ENTERPRISE = "enterprise", _("Enterprise standard")


class StandardRole(models.TextChoices):
    """Whether the city's bodies led the drafting of a standard or took part in it."""

    LED = "led", _("Led")
    JOINED = "joined", _("Took part")


class Standard(RegistryEntry):
    """A standard or specification that the city's bodies led or took part in drafting."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=StandardKind.choices)
    role = models.CharField(_("role"), max_length=8, choices=StandardRole.choices)
    document = models.CharField(
        _("document"), max_length=300, blank=True,
        help_text=_("Standard number or a link to the published text."),
    )

    class Meta(RegistryEntry.Meta):
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return self.title


class AgencyKind(models.TextChoices):
    """What an ESG service agency does."""

    DISCLOSURE = "disclosure", _("Disclosure services")
    ASSURANCE = "assurance", _("Assurance")
    RATING = "rating", _("Rating")
    CONSULTING = "consulting", _("Consulting")


class ServiceAgency(RegistryEntry):
    """A professional ESG service agency attracted to or grown in the city (date = registered)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=AgencyKind.choices)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("ESG service agency")
        verbose_name_plural = _("ESG service agencies")

    def __str__(self) -> str:
        return self.name


class KeyProject(RegistryEntry):
    """An ESG key project attracted in a year."""

    name = models.CharField(_("name"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("ESG key project")
        verbose_name_plural = _("ESG key projects")

    def __str__(self) -> str:
        return self.name


class ProfessionalIntake(RegistryEntry):
    """A count of ESG professionals attracted in a year, as one source reports it."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    count = models.PositiveIntegerField(_("professionals"))

    class Meta(RegistryEntry.Meta):
        verbose_name = _("ESG professionals attracted")
        verbose_name_plural = _("ESG professionals attracted")

    def __str__(self) -> str:
        return f"{self.year}: {self.count}"


class GoodPracticeCase(RegistryEntry):
    """A published good-practice case, optionally of a registered enterprise."""

    title = models.CharField(_("title"), max_length=300)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("enterprise"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    summary = models.TextField(_("summary"))

    class Meta(RegistryEntry.Meta):
        verbose_name = _("good-practice case")
        verbose_name_plural = _("good-practice cases")

    def __str__(self) -> str:
        return self.title
