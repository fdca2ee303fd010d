"""What the zone evaluation stores: :class:`ZoneStatistic`, a figure a park administrator enters
for a zone and year, one of the statistics declared by the park evaluation methodology
(``data/methodology/park-*.toml``).

Every change goes through :mod:`czesg.parks.actions` (permission, one transaction, audit).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Role
from czesg.accounts.permissions import is_authenticated, is_government
from czesg.registries.models import YEAR_VALIDATORS


class ZoneStatisticQuerySet(models.QuerySet):
    """Zone statistics, scoped to the zones an actor may see."""

    def visible_to(self, user) -> ZoneStatisticQuerySet:
        """Every zone for government users, the own zone for its park administrators."""
        if is_government(user):
            return self.all()
        if is_authenticated(user) and user.role == Role.PARK_ADMIN and user.park_key:
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
