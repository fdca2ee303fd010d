"""Government records: the facts government departments hold about an enterprise in a year.

Penalties, accidents, credit grades and colours, and certifications, imported by government
users (:mod:`czesg.records.actions`). The ratings read them as rating inputs; the data adapters
of later issues write them here too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    """What a government record says about an enterprise in a year."""

    ENVIRONMENTAL_PENALTY = "environmental_penalty", _("Environmental administrative penalty")
    SAFETY_ACCIDENT = "safety_accident", _("Work-safety accident")
    TAX_CREDIT_GRADE = "tax_credit_grade", _("Tax credit grade")
    ENVIRONMENTAL_CREDIT_COLOUR = "environmental_credit_colour", _("Environmental credit colour")
    CERTIFICATION = "certification", _("Green certification")


# Kinds of which an enterprise has at most one record a year.
SINGLE_KINDS = (RecordKind.TAX_CREDIT_GRADE, RecordKind.ENVIRONMENTAL_CREDIT_COLOUR)


class GovernmentRecord(models.Model):
    """One fact a government department holds about an enterprise in a year (a penalty, an
    accident, a credit grade or colour, a certification), imported by a government user."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="government_records"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    count = models.PositiveIntegerField(
        _("count"), default=1,
        help_text=_("Number of penalties or accidents the record stands for."),
    )
    amount = models.FloatField(_("amount (10,000 CNY)"), null=True, blank=True)
    key = models.CharField(
        _("grade, colour, certification or severity"), max_length=40, blank=True
    )
    source = models.CharField(_("source (department, document)"), max_length=300)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["enterprise_id", "year", "kind", "id"]
        verbose_name = _("government record")
        verbose_name_plural = _("government records")
        indexes = [models.Index(fields=["year", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "kind"],
                condition=models.Q(kind__in=[k.value for k in SINGLE_KINDS]),
                name="government_record_one_grade_a_year",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "year", "kind", "key"],
                condition=models.Q(kind=RecordKind.CERTIFICATION),
                name="government_record_one_certification_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.kind} {self.key or self.count}"
