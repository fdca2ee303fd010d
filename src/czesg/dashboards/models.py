"""What the dashboards store: the plan registries, zone statistics and the task tracker.

* Five registries that government users keep for the plan targets the platform cannot measure
  from enterprise data (standards, service agencies, key projects, professionals attracted) and
  for good-practice cases. Every entry carries its date and its source, and who entered it.
* :class:`ZoneStatistic`: a figure a park administrator enters for a zone and year, one of the
  statistics declared by the park evaluation methodology (``data/methodology/park-*.toml``).
* :class:`DepartmentMembership`: which plan department (city profile key) a government user
  works for; it decides which tasks the user may report on.
* :class:`TaskProgress` and :class:`TaskMilestone`: progress posts and milestones of the plan's
  20 tasks.

Every change goes through :mod:`czesg.dashboards.actions` (permission, one transaction, audit).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def _is_government(user) -> bool:
    from czesg.accounts.models import Role

    return bool(getattr(user, "is_authenticated", False)) and user.role in (
        Role.GOVERNMENT, Role.PLATFORM_ADMIN)


class GovernmentOnlyQuerySet(models.QuerySet):
    """Rows that only government users and platform administrators may read."""

    def visible_to(self, user) -> models.QuerySet:
        """Everything for government users and platform administrators; nothing for others."""
        return self.all() if _is_government(user) else self.none()


# --------------------------------------------------------------------------------------------
# Registries


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


# --------------------------------------------------------------------------------------------
# Zone statistics


class ZoneStatisticQuerySet(models.QuerySet):
    """Zone statistics, scoped to the zones an actor may see."""

    def visible_to(self, user) -> ZoneStatisticQuerySet:
        """Every zone for government users, the own zone for its park administrators."""
        from czesg.accounts.models import Role

        if _is_government(user):
            return self.all()
        if getattr(user, "is_authenticated", False) and user.role == Role.PARK_ADMIN \
                and user.park_key:
            return self.filter(park_key=user.park_key)
        return self.none()


class ZoneStatistic(models.Model):
    """A statistic of the park evaluation methodology entered for a zone and year."""

    park_key = models.CharField(_("zone"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    key = models.CharField(_("statistic"), max_length=60)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=24)
    source = models.CharField(_("source"), max_length=300)
    methodology_version = models.CharField(_("methodology"), max_length=20)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    objects = ZoneStatisticQuerySet.as_manager()

    class Meta:
        ordering = ["park_key", "-year", "key"]
        verbose_name = _("zone statistic")
        verbose_name_plural = _("zone statistics")
        constraints = [
            models.UniqueConstraint(fields=["park_key", "year", "key"],
                                    name="zone_statistic_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.park_key} {self.year} {self.key}={self.value:g}"


# --------------------------------------------------------------------------------------------
# Task tracker


class DepartmentMembership(models.Model):
    """A government user's department (a city profile department key) for the task tracker."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="departments"
    )
    department_key = models.CharField(_("department"), max_length=40)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))

    objects = GovernmentOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["department_key", "user_id"]
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department_key"],
                                    name="department_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.department_key}"


class TaskProgress(models.Model):
    """A lead department's progress post on one of the plan's 20 tasks."""

    task_number = models.PositiveSmallIntegerField(
        _("task"), validators=[MinValueValidator(1), MaxValueValidator(20)])
    department_key = models.CharField(_("department"), max_length=40)
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    link = models.URLField(_("attachment link"), max_length=500, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted at"))

    objects = GovernmentOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["task_number", "-date", "-id"]
        verbose_name = _("task progress post")
        verbose_name_plural = _("task progress posts")
        indexes = [models.Index(fields=["task_number", "date"])]

    def __str__(self) -> str:
        return f"task {self.task_number} {self.date}"


class TaskMilestone(models.Model):
    """A milestone of a plan task with its due date and, once reached, the date it was done."""

    task_number = models.PositiveSmallIntegerField(
        _("task"), validators=[MinValueValidator(1), MaxValueValidator(20)])
    title = models.CharField(_("title"), max_length=300)
    due = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    objects = GovernmentOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["task_number", "due", "id"]
        verbose_name = _("task milestone")
        verbose_name_plural = _("task milestones")

    def __str__(self) -> str:
        return f"task {self.task_number}: {self.title}"
