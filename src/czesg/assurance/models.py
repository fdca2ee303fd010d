"""Independent assurance: firms and their verifiers, engagements, procedures, findings.

An engagement moves invited → accepted (or declined) → fieldwork → concluded → signed; the
conclusion is drawn by the lead verifier and signed off by a second verifier of the same firm
(four eyes). Signing marks the assured datapoints (``disclosures.actions.mark_assured``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Role
from czesg.enterprises.models import Enterprise


class AssuranceFirm(models.Model):
    """A registered assurance firm, its accreditation and its independence declaration."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    accreditation = models.CharField(
        _("accreditation"), max_length=300,
        help_text=_("Licence or accreditation (body and number) under which the firm assures."),
    )
    independence_declaration = models.TextField(_("independence declaration"))
    declared_at = models.DateField(_("declared on"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("assurance firm")
        verbose_name_plural = _("assurance firms")

    def __str__(self) -> str:
        return self.name


class FirmMember(models.Model):
    """A verifier user who works for an assurance firm."""

    firm = models.ForeignKey(AssuranceFirm, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assurance_membership"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verifier of a firm")
        verbose_name_plural = _("verifiers of firms")

    def __str__(self) -> str:
        return f"{self.user} @ {self.firm}"


class ConsultingRelationship(models.Model):
    """A recorded consulting service of a firm to an enterprise in a year (independence check)."""

    firm = models.ForeignKey(AssuranceFirm, on_delete=models.CASCADE, related_name="consulting")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.CharField(_("service"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consulting relationship")
        verbose_name_plural = _("consulting relationships")

    def __str__(self) -> str:
        return f"{self.firm} → {self.enterprise} {self.year}"


class Level(models.TextChoices):
    """The level of assurance (the same words as ``disclosures.Assurance``)."""

    LIMITED = "limited", _("Limited assurance")
    REASONABLE = "reasonable", _("Reasonable assurance")


class EngagementState(models.TextChoices):
    """Where an engagement stands."""

    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    FIELDWORK = "fieldwork", _("Fieldwork")
    CONCLUDED = "concluded", _("Concluded, awaiting sign-off")
    SIGNED = "signed", _("Signed")


class ConclusionKind(models.TextChoices):
    """The assurance conclusion."""

    UNMODIFIED = "unmodified", _("Unmodified")
    MODIFIED = "modified", _("Modified (qualified)")
    ADVERSE = "adverse", _("Adverse")
    DISCLAIMER = "disclaimer", _("Disclaimer of conclusion")


class EngagementQuerySet(models.QuerySet):
    """Engagements, scoped to what an actor may see."""

    def visible_to(self, user) -> EngagementQuerySet:
        """The firm's engagements for its verifiers, the enterprise's for its members,
        all for government users; none for anybody else."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN):
            return self.all()
        if user.role == Role.VERIFIER:
            return self.filter(firm__members__user=user)
        if user.role == Role.ENTERPRISE:
            return self.filter(enterprise__memberships__user=user)
        return self.none()


class Engagement(models.Model):
    """An assurance engagement of a firm on one disclosure version's chosen indicators."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    firm = models.ForeignKey(AssuranceFirm, on_delete=models.PROTECT, related_name="engagements")
    disclosure = models.ForeignKey(
        "disclosures.Disclosure", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("disclosure version"),
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    scope = models.JSONField(_("indicators in scope"), default=list)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    criteria = models.JSONField(_("criteria"), default=dict)
    materiality = models.FloatField(_("materiality threshold (%)"))
    starts_on = models.DateField(_("fieldwork from"))
    ends_on = models.DateField(_("statement due"))
    state = models.CharField(
        _("state"), max_length=12, choices=EngagementState.choices, default=EngagementState.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("lead verifier"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("reviewer"),
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    sample = models.JSONField(_("sample"), default=list)
    sample_rule = models.CharField(_("how the sample was chosen"), max_length=20, blank=True)
    conclusion = models.CharField(
        _("conclusion"), max_length=12, choices=ConclusionKind.choices, blank=True
    )
    basis = models.TextField(_("basis for the conclusion"), blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    grants = models.JSONField(default=list)  # ids of the access grants the invitation made

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-invited_at"]
        verbose_name = _("assurance engagement")
        verbose_name_plural = _("assurance engagements")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The engagement's reference as printed on the statement."""
        return f"ASR-{self.year}-{self.pk:05d}"


class ProcedureKind(models.TextChoices):
    """What a verifier did for one item."""

    INSPECTED = "inspected", _("Inspected evidence")
    RECALCULATED = "recalculated", _("Recalculated")
    CONFIRMED = "confirmed", _("Confirmed with a third party")
    ANALYTICAL = "analytical", _("Analytical review")
    INQUIRY = "inquiry", _("Inquiry of management")


class Procedure(models.Model):
    """One procedure performed on one in-scope indicator."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="procedures")
    indicator_code = models.CharField(_("indicator"), max_length=24)
    kind = models.CharField(_("procedure"), max_length=14, choices=ProcedureKind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator_code", "performed_at"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.indicator_code}: {self.kind}"


class FindingKind(models.TextChoices):
    """What a verifier found."""

    MISSTATEMENT = "misstatement", _("Misstatement")
    MISSING_EVIDENCE = "missing_evidence", _("Missing evidence")
    SCOPE_LIMITATION = "scope_limitation", _("Scope limitation")


class FindingState(models.TextChoices):
    """Where a finding stands."""

    OPEN = "open", _("Open")
    RESPONDED = "responded", _("Responded")
    CORRECTED = "corrected", _("Corrected by amendment")
    CLOSED = "closed", _("Closed")


class Finding(models.Model):
    """A finding sent to the enterprise, answered by an amendment or a response."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="findings")
    indicator_code = models.CharField(_("indicator"), max_length=24)
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    amount = models.FloatField(_("misstatement (canonical unit)"), null=True, blank=True)
    description = models.TextField(_("description"))
    state = models.CharField(
        _("state"), max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    amendment = models.ForeignKey(
        "disclosures.Disclosure", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("correcting amendment"),
    )

    class Meta:
        ordering = ["raised_at"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.indicator_code}: {self.kind}"
