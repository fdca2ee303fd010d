"""Stored carbon calculations: the inputs, totals and full trace of one enterprise-year.

A calculation records the factor-set, activities and GWP versions it used and the hash of its
canonical inputs, so that it can be reproduced exactly. It is never recomputed in place: a newer
factor set gives a new calculation that ``supersedes`` the original, shown beside it. Once the
calculation has been applied to a disclosure that is no longer a draft, it cannot change at all.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import MembershipRole, Role
from czesg.disclosures.models import State
from czesg.engine.kernel.errors import StateConflict, gettext_noop


class CarbonCalculationQuerySet(models.QuerySet):
    """Calculations, scoped to what an actor may read: its enterprises' managers and admins."""

    def visible_to(self, user) -> CarbonCalculationQuerySet:
        """Calculations of the enterprises the user manages; every one for platform admins."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.PLATFORM_ADMIN:
            return self.all()
        if user.role != Role.ENTERPRISE:
            return self.none()
        return self.filter(
            enterprise__memberships__user=user,
            enterprise__memberships__role=MembershipRole.MANAGER,
        ).distinct()


class CarbonCalculation(models.Model):
    """One carbon calculation of an enterprise-year, with the versions it used and its trace."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="carbon_calculations"
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("calculated at"), auto_now_add=True)
    factor_set = models.CharField(_("factor set"), max_length=20)
    activities_version = models.CharField(_("activities version"), max_length=20)
    gwp_set = models.CharField(_("GWP set"), max_length=8, blank=True)
    inputs_hash = models.CharField(_("inputs hash (SHA-256)"), max_length=64)
    inputs = models.TextField(_("activity rows (canonical JSON)"))
    totals = models.TextField(_("totals (JSON)"))
    trace = models.TextField(_("trace (JSON)"))
    applied_to = models.ForeignKey(
        "disclosures.Disclosure", on_delete=models.PROTECT, null=True, blank=True,
        related_name="carbon_calculations",
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="recalculations"
    )

    objects = CarbonCalculationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("carbon calculation")
        verbose_name_plural = _("carbon calculations")
        indexes = [models.Index(fields=["enterprise", "year"], name="carbon_calc_enterprise_year")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applied_to__isnull=True, applied_at__isnull=True)
                | models.Q(applied_to__isnull=False, applied_at__isnull=False),
                name="carbon_calc_applied_with_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.enterprise_id} {self.year} ({self.factor_set})"

    # -- immutability ----------------------------------------------------------------------
    def save(self, *args, **kwargs):
        # Defence in depth: the actions refuse first, with a user-facing message.
        if self._frozen():
            raise StateConflict(gettext_noop(
                "This calculation backs a submitted or published disclosure and cannot change."
            ))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._frozen():
            raise StateConflict(gettext_noop(
                "This calculation backs a submitted or published disclosure and cannot change."
            ))
        return super().delete(*args, **kwargs)

    def _frozen(self) -> bool:
        """Whether the stored row is applied to a disclosure that has left the draft state."""
        if self.pk is None:
            return False
        stored = (
            type(self).objects.filter(pk=self.pk)
            .values_list("applied_to__state", flat=True).first()
        )
        return stored is not None and stored != State.DRAFT

    # -- stored JSON -----------------------------------------------------------------------
    @property
    def totals_data(self) -> dict[str, Any]:
        """The enterprise-year totals as a mapping (scope1_tco2e, energy_tce, ...)."""
        return json.loads(self.totals)

    @property
    def trace_data(self) -> list[dict[str, Any]]:
        """Every entry of the trace, as computed (factor id, value, year, level, result)."""
        return json.loads(self.trace)

    @property
    def input_rows(self) -> list[dict[str, Any]]:
        """The canonical activity rows the calculation was computed from."""
        return json.loads(self.inputs)


# --------------------------------------------------------------------------------------------
# Batch runs: one factor set over every enterprise-year of a year (``czesg batch carbon``)


class BatchStatus(models.TextChoices):
    """Where a batch carbon run stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BatchEngine(models.TextChoices):
    """Where a batch carbon run computes: in this process, or on the Spark master."""

    INPROCESS = "inprocess", _("In process")
    SPARK = "spark", _("Spark")


class CarbonBatchRun(models.Model):
    """One batch computation of a year's totals for every enterprise with a stored calculation.

    The activity rows are those of each enterprise-year's latest stored calculation; the run
    computes them with one factor set and GWP set (so that the year's figures are comparable)
    and stores totals only, no trace: the trace of an enterprise-year is its calculation's.
    """

    year = models.PositiveSmallIntegerField(_("reporting year"))
    engine = models.CharField(_("engine"), max_length=10, choices=BatchEngine.choices)
    factor_set = models.CharField(_("factor set"), max_length=20)
    activities_version = models.CharField(_("activities version"), max_length=20)
    gwp_set = models.CharField(_("GWP set"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices,
                              default=BatchStatus.QUEUED)
    enterprises = models.PositiveIntegerField(_("enterprise-years computed"), default=0)
    calculations = models.PositiveIntegerField(_("calculations read"), default=0)
    rows = models.PositiveIntegerField(_("activity rows"), default=0)
    inputs_hash = models.CharField(_("inputs hash (SHA-256)"), max_length=64, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("batch carbon run")
        verbose_name_plural = _("batch carbon runs")

    def __str__(self) -> str:
        return f"carbon batch {self.year} #{self.pk} ({self.status})"


class CarbonBatchTotal(models.Model):
    """The totals of one enterprise-year in a batch run: the columns of the engine's totals
    frame (:data:`czesg.engine.carbon.TOTAL_COLUMNS`), and the calculation whose rows they
    come from. Never edited: a new run gives new rows."""

    run = models.ForeignKey(CarbonBatchRun, on_delete=models.PROTECT, related_name="totals")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    calculation = models.ForeignKey(
        CarbonCalculation, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("calculation (activity rows)"),
    )
    scope1_tco2e = models.FloatField(_("Scope 1 (tCO2e)"))
    scope2_location_tco2e = models.FloatField(_("Scope 2, location-based (tCO2e)"))
    scope2_market_tco2e = models.FloatField(_("Scope 2, market-based (tCO2e)"))
    scope3_tco2e = models.FloatField(_("Scope 3 (tCO2e)"))
    total_tco2e = models.FloatField(_("Scope 1 + 2 location-based (tCO2e)"))
    energy_tce = models.FloatField(_("energy (tce)"))
    electricity_mwh = models.FloatField(_("purchased electricity (MWh)"))
    green_electricity_mwh = models.FloatField(_("green electricity (MWh)"))
    own_renewable_mwh = models.FloatField(_("own renewable generation (MWh)"))
    energy_unconverted_rows = models.PositiveIntegerField(
        _("rows without a standard-coal coefficient"))

    class Meta:
        ordering = ["run", "enterprise"]
        verbose_name = _("batch carbon total")
        verbose_name_plural = _("batch carbon totals")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise", "year"],
                                    name="carbon_batch_total_once_per_run"),
        ]
        indexes = [models.Index(fields=["enterprise", "year"],
                                name="carbon_batch_enterprise_year")]

    def __str__(self) -> str:
        return f"run #{self.run_id} {self.enterprise_id} {self.year}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise StateConflict(gettext_noop(
                "Batch carbon totals are never changed; run the batch again instead."))
        return super().save(*args, **kwargs)
