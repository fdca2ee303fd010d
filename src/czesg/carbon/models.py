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
