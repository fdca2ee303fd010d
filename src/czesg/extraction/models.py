"""Report PDFs read for their figures, and the candidates a person accepts, corrects or rejects.

An :class:`ExtractionRun` keeps the uploaded report as evidence (file, SHA-256, size, pages) with
the enterprise, the reporting year and who uploaded it, and whether the figures go to the
enterprise's own draft disclosure or, for a government or platform analyst, to the records of the
enterprise database. Each :class:`Candidate` cites the page, bounding box and exact text it was
read from; nothing of it is written anywhere before a person decides.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Role


class Destination(models.TextChoices):
    """Where accepted figures of a run go."""

    DISCLOSURE = "disclosure", _("The enterprise's draft disclosure")
    RECORDS = "records", _("Records of the enterprise database")


class RunState(models.TextChoices):
    """Whether the report's text could be read."""

    READ = "read", _("Read")
    UNREADABLE = "unreadable", _("Unreadable")


class CandidateState(models.TextChoices):
    """What a person decided about a candidate."""

    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    CORRECTED = "corrected", _("Corrected")
    REJECTED = "rejected", _("Rejected")


def report_path(instance: ExtractionRun, filename: str) -> str:
    """Where a report is stored: under a random name (never the user's)."""
    return f"extraction/{uuid.uuid4().hex}.pdf"


class ExtractionRunQuerySet(models.QuerySet):
    """Runs scoped to who may see them."""

    def visible_to(self, user) -> ExtractionRunQuerySet:
        """Every run for government users and platform administrators; an enterprise user's
        runs of the enterprises they belong to."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN):
            return self.all()
        if user.role == Role.ENTERPRISE:
            return self.filter(enterprise__memberships__user=user,
                               destination=Destination.DISCLOSURE)
        return self.none()


class ExtractionRun(models.Model):
    """One report PDF read for one enterprise and reporting year, kept as evidence."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                   related_name="extraction_runs")
    year = models.PositiveSmallIntegerField(_("reporting year"))
    destination = models.CharField(_("accepted figures go to"), max_length=12,
                                   choices=Destination.choices)
    file = models.FileField(_("report"), upload_to=report_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveIntegerField(_("pages"), default=0)
    state = models.CharField(_("state"), max_length=12, choices=RunState.choices)
    problem = models.JSONField(_("why the text could not be read"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ExtractionRunQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("report read for figures")
        verbose_name_plural = _("reports read for figures")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.original_name}"


class Candidate(models.Model):
    """A figure read from a report for an indicator of the reporting year, with its citation
    and checks, waiting for (or carrying) a person's decision."""

    run = models.ForeignKey(ExtractionRun, on_delete=models.CASCADE, related_name="candidates")
    indicator_code = models.CharField(_("indicator"), max_length=24)
    value_number = models.FloatField(_("value (canonical unit)"), null=True, blank=True)
    unit = models.CharField(_("canonical unit"), max_length=24)
    printed = models.CharField(_("value as printed"), max_length=64)
    unit_printed = models.CharField(_("unit as printed"), max_length=40, blank=True)
    prior_value = models.FloatField(_("prior-year value"), null=True, blank=True)
    page = models.PositiveIntegerField(_("page"))
    bbox = models.JSONField(_("bounding box (points)"))
    text = models.CharField(_("text as printed"), max_length=500)
    year_basis = models.CharField(_("year told by"), max_length=12)
    findings = models.JSONField(_("checks"), default=list, blank=True)
    conflicts = models.JSONField(_("pages with another value"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=CandidateState.choices,
                             default=CandidateState.PENDING)
    final_value = models.FloatField(_("accepted value"), null=True, blank=True)
    final_entered = models.CharField(_("accepted value as entered"), max_length=64, blank=True)
    final_unit = models.CharField(_("accepted unit as entered"), max_length=24, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    written_to = models.CharField(_("written to"), max_length=60, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        verbose_name = _("extracted candidate")
        verbose_name_plural = _("extracted candidates")

    def __str__(self) -> str:
        return f"{self.indicator_code} p.{self.page} {self.printed}"

    @property
    def citation(self) -> str:
        """The citation a written value keeps: file, hash and page."""
        return f"{self.run.original_name} sha256:{self.run.sha256[:16]} p. {self.page}"
