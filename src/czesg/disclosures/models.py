"""ESG disclosures: an enterprise's report for a year, in versions, made of datapoints."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.access.models import Grant, Scope
from czesg.accounts.models import MembershipRole, Role
from czesg.engine.kernel.errors import StateConflict, UnitError, gettext_noop
from czesg.engine.kernel.units import conversion_factor
from czesg.enterprises.models import Enterprise


class State(models.TextChoices):
    """Where a disclosure version stands; only a draft can change."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")


class Tier(models.TextChoices):
    """Which indicator set the disclosure follows."""

    BASIC = "basic", _("Basic (SMEs)")
    STANDARD = "standard", _("Standard (listed companies)")


class Method(models.TextChoices):
    """How a value came to be: the provenance a reader needs to weigh it."""

    TYPED = "typed", _("Typed in")
    IMPORTED = "imported", _("Imported from a file")
    CALCULATED = "calculated", _("Calculated by the platform")
    GOVERNMENT = "government", _("Government record")
    EXTRACTED = "extracted", _("Extracted from a report")
    COPIED = "copied", _("Copied forward from last year")


class Assurance(models.TextChoices):
    """Whether an independent verifier has assured the value."""

    NONE = "none", _("Not assured")
    LIMITED = "limited", _("Limited assurance")
    REASONABLE = "reasonable", _("Reasonable assurance")


class DatapointStatus(models.TextChoices):
    """A datapoint is reported, or not applicable with an explanation; missing means absent."""

    REPORTED = "reported", _("Reported")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class DisclosureQuerySet(models.QuerySet):
    """Disclosures, scoped to what an actor may read."""

    def visible_to(self, user) -> DisclosureQuerySet:
        """Published versions for everybody; drafts and submissions for those who manage them
        and for those the enterprise has granted access to its disclosures."""
        published = models.Q(state=State.PUBLISHED)
        if not getattr(user, "is_authenticated", False):
            return self.filter(published)
        managed = Enterprise.objects.managed_by(user).values("pk")
        consented = Grant.objects.for_grantee(user, Scope.DISCLOSURES).values("enterprise_id")
        return self.filter(
            published | models.Q(enterprise__in=managed) | models.Q(enterprise__in=consented)
        )

    def latest_published(self, *, year: int | None = None,
                         enterprises: Iterable[int] | models.QuerySet | None = None
                         ) -> DisclosureQuerySet:
        """The latest published disclosure of each enterprise-year: among the published versions
        of an (enterprise, year), the one with the **highest version number** (an amendment is a
        new version, so the newest published version is what the enterprise stands by).

        This is the platform's one rule; the portal, the dashboards and their fact table, the
        ratings and the enterprise profiles all read it from here. ``year`` and ``enterprises``
        (primary keys or a queryset of them) narrow the result. The newest version is found with
        ``NOT EXISTS`` a newer published version, which both PostgreSQL (an anti-join) and SQLite
        (a probe of the unique (enterprise, year, version) index) answer without sorting or
        grouping the table, so it stays fast at 100,000 enterprises and inside a larger query.
        """
        published = self.filter(state=State.PUBLISHED)
        if year is not None:
            published = published.filter(year=year)
        if enterprises is not None:
            published = published.filter(enterprise_id__in=enterprises)
        newer = Disclosure.objects.filter(
            enterprise_id=models.OuterRef("enterprise_id"), year=models.OuterRef("year"),
            state=State.PUBLISHED, version__gt=models.OuterRef("version"),
        )
        return published.filter(~models.Exists(newer))

    def editable_by(self, user) -> DisclosureQuerySet:
        """Disclosures whose drafts the actor may change."""
        if not getattr(user, "is_authenticated", False) or user.role != Role.ENTERPRISE:
            return self.none()
        return self.filter(
            enterprise__memberships__user=user,
            enterprise__memberships__role=MembershipRole.MANAGER,
        )


class Disclosure(models.Model):
    """One version of an enterprise's ESG disclosure for a reporting year."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="disclosures"
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.BASIC)
    catalogue_version = models.CharField(_("catalogue version"), max_length=20)
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    amendment_reason = models.TextField(_("reason for amendment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-year", "-version"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "version"], name="disclosure_version_unique"
            ),
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                condition=models.Q(state__in=[State.DRAFT, State.SUBMITTED]),
                name="disclosure_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.state == State.DRAFT


class Datapoint(models.Model):
    """One indicator's value in a disclosure, with its provenance and assurance."""

    # No index of its own: the unique (disclosure, indicator_code) index serves every lookup by
    # disclosure, and each index costs a bulk import a write per value.
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="datapoints",
                                   db_index=False)
    indicator_code = models.CharField(_("indicator"), max_length=24)  # indexed in Meta.indexes
    status = models.CharField(
        _("status"), max_length=16, choices=DatapointStatus.choices, default=DatapointStatus.REPORTED
    )
    value_number = models.FloatField(_("value (canonical unit)"), null=True, blank=True)
    value_text = models.TextField(_("text value"), blank=True)
    value_bool = models.BooleanField(_("yes/no value"), null=True, blank=True)
    value_choice = models.CharField(_("choice"), max_length=40, blank=True)
    unit = models.CharField(_("canonical unit"), max_length=24, blank=True)
    entered_value = models.CharField(_("value as entered"), max_length=64, blank=True)
    entered_unit = models.CharField(_("unit as entered"), max_length=24, blank=True)
    # How the platform derived the stored value: the named coefficient of a conversion across
    # dimensions (energy into standard coal), or the formula and inputs of a calculated value.
    derivation = models.JSONField(_("derivation"), default=dict, blank=True)
    na_explanation = models.TextField(_("why not applicable"), blank=True)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    evidence_ref = models.CharField(_("evidence"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))
    assurance = models.CharField(
        _("assurance"), max_length=12, choices=Assurance.choices, default=Assurance.NONE
    )
    assured_by = models.ForeignKey(  # indexed only where set (see Meta.indexes)
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )
    assured_at = models.DateTimeField(null=True, blank=True)
    # Which engagement assured the value: {"engagement", "reference", "firm", "level", "date"}
    # (set by czesg.assurance on sign-off through mark_assured; empty when not assured).
    assurance_detail = models.JSONField(_("assurance engagement"), default=dict, blank=True)

    class Meta:
        ordering = ["indicator_code"]
        verbose_name = _("datapoint")
        verbose_name_plural = _("datapoints")
        indexes = [
            # One indicator across disclosures, in disclosure order: the API's datapoints filtered
            # by indicator read their cursor pages from it (it also serves the indicator alone,
            # so no plain indicator index: each index costs a bulk import a write per value).
            models.Index(fields=["indicator_code", "disclosure"], name="datapoint_indicator_order"),
            # Few values are ever assured: a partial index, not one entry per imported value.
            models.Index(fields=["assured_by"], condition=models.Q(assured_by__isnull=False),
                         name="datapoint_assured_by_set"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "indicator_code"], name="datapoint_unique_indicator"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DatapointStatus.NOT_APPLICABLE, na_explanation=""),
                name="datapoint_na_needs_explanation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code}={self.display_value}"

    def save(self, *args, **kwargs):
        # Defence in depth: the actions refuse first, with a user-facing message.
        if self.disclosure.state != State.DRAFT:
            raise StateConflict(gettext_noop("A published or submitted disclosure cannot change."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.disclosure.state != State.DRAFT:
            raise StateConflict(gettext_noop("A published or submitted disclosure cannot change."))
        return super().delete(*args, **kwargs)

    @property
    def was_converted(self) -> bool:
        """Whether the value was typed in another unit than the canonical one it is stored in."""
        if not self.entered_unit or not self.unit or self.entered_unit == self.unit:
            return False
        try:
            return conversion_factor(self.entered_unit, self.unit) != 1.0
        except UnitError:
            return True

    @property
    def display_value(self) -> str:
        if self.status == DatapointStatus.NOT_APPLICABLE:
            return "n/a"
        if self.value_number is not None:
            return f"{self.value_number:g}"
        if self.value_bool is not None:
            return "yes" if self.value_bool else "no"
        return self.value_choice or self.value_text


def evidence_path(instance: Evidence, filename: str) -> str:
    """Where an evidence file is stored: per disclosure, under a random name (never the user's)."""
    import uuid

    return f"evidence/{instance.disclosure_id}/{uuid.uuid4().hex}{instance.extension}"


class Evidence(models.Model):
    """A file that backs a value (invoice, meter reading, certificate), private to its readers."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="evidence")
    indicator_code = models.CharField(_("indicator"), max_length=24)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("file type"), max_length=80)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator_code", "uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return f"{self.indicator_code}: {self.original_name}"


class WarningAcknowledgement(models.Model):
    """A manager's confirmation that a validation warning is understood and the value stands."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    key = models.CharField(_("warning"), max_length=80)
    note = models.CharField(_("note"), max_length=300, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledged warning")
        verbose_name_plural = _("acknowledged warnings")
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "key"], name="acknowledgement_unique")
        ]

    def __str__(self) -> str:
        return self.key


class EnterpriseYear(models.Model):
    """The enterprise-year fact table: one row per enterprise and year with a published disclosure.

    It names the latest published version (``Disclosure.objects.latest_published``: the highest
    published version number) and holds that version's reported values of the three indicators the
    city breakdowns sum (:data:`czesg.engine.plan.targets.EMISSIONS`, ``REVENUE`` and ``ENERGY``).
    It is a read model: :mod:`czesg.disclosures.facts` rebuilds an enterprise's rows whenever a
    disclosure of it is published, in the publishing transaction, so that the city dashboard
    (and the portal's search facets) read 100,000 narrow rows instead of grouping millions of datapoints.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("enterprise"), db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    disclosure = models.ForeignKey(
        "disclosures.Disclosure", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("latest published disclosure"),
    )
    emissions = models.FloatField(_("Scope 1 and 2 emissions (tCO2e)"), null=True)
    revenue = models.FloatField(_("operating revenue"), null=True)
    energy = models.FloatField(_("energy consumption (tce)"), null=True)

    class Meta:
        verbose_name = _("enterprise-year fact")
        verbose_name_plural = _("enterprise-year facts")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"],
                                    name="dashboards_enterpriseyear_unique"),
        ]
        # The city dashboard reads a year's rows from this index alone (PostgreSQL).
        indexes = [models.Index(fields=["year", "enterprise"], name="dashboards_ey_year",
                                include=["emissions", "revenue", "energy"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.year}"
