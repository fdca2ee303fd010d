"""Rating runs and their results: ratings and green scores (the government records they read
live in :mod:`czesg.records`).

A rating is never edited. Re-rating the city is a new :class:`RatingRun`; an enterprise's
history is the list of its ratings across runs. Every rating keeps the methodology version, the
hash of the run's inputs and the enterprise's own input row as canonical JSON, so that the run
can be rebuilt from what is stored and recomputed bit for bit.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.disclosures.models import Tier
from czesg.engine.kernel.errors import StateConflict, gettext_noop


class RunStatus(models.TextChoices):
    """Where a rating run stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RatingRun(models.Model):
    """One rating of every enterprise that published a disclosure for a year."""

    year = models.PositiveSmallIntegerField(_("year"))
    methodology_version = models.CharField(_("rating methodology"), max_length=20)
    green_methodology_version = models.CharField(_("green score methodology"), max_length=20)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rated = models.PositiveIntegerField(_("enterprises rated"), default=0)
    grade_counts = models.JSONField(_("enterprises per grade"), default=dict, blank=True)
    label_counts = models.JSONField(_("enterprises per green label"), default=dict, blank=True)
    inputs_hash = models.CharField(_("inputs hash"), max_length=64, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("rating run")
        verbose_name_plural = _("rating runs")

    def __str__(self) -> str:
        return f"rating {self.year} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Whether the run is still waiting or working."""
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class RunResult:
    """A model mixin for a run's results, which are never edited nor deleted (re-rate instead)."""

    def save(self, *args, **kwargs):
        # Results are never edited: a re-rating is a new run.
        if not self._state.adding:
            raise StateConflict(gettext_noop("A stored rating cannot change; rate again instead."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise StateConflict(gettext_noop("A stored rating cannot be deleted."))


class Rating(RunResult, models.Model):
    """An enterprise's ESG rating in one run: score, grade, pillars, deductions and peers."""

    # Indexed by the unique (run, enterprise) and the (enterprise, year) indexes below. The run
    # has no database constraint: a run writes its results in the transaction that creates
    # them, and a deferred check of each row's run costs about a second per 100,000 results at
    # commit; Django's PROTECT still refuses to delete a run that has results.
    run = models.ForeignKey(RatingRun, on_delete=models.PROTECT, related_name="ratings",
                            db_index=False, db_constraint=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="ratings",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.FloatField(_("score"))
    grade = models.CharField(_("grade"), max_length=4)
    # The indicator set the rating was computed on: the disclosure's tier under a tier-aware
    # methodology (2025.2 on); every rating of an earlier methodology used the full standard
    # set. ``grade_capped``: the grade was held at the tier's best grade.
    tier = models.CharField(_("rated on tier"), max_length=10, choices=Tier.choices,
                            default=Tier.STANDARD)
    grade_capped = models.BooleanField(_("grade held at the tier's best grade"), default=False)
    total = models.FloatField(_("score before deductions"))
    deductions = models.FloatField(_("deductions"))
    # Canonical JSON text (cheaper to write in bulk than a JSON column): points by deduction.
    deduction_points_json = models.TextField(_("deductions by kind"), default="{}")
    pillar_e = models.FloatField(_("environmental pillar"), null=True, blank=True)
    pillar_s = models.FloatField(_("social pillar"), null=True, blank=True)
    pillar_g = models.FloatField(_("governance pillar"), null=True, blank=True)
    peer_group = models.CharField(_("materiality group"), max_length=20)
    peer_level = models.CharField(_("peers used"), max_length=8, blank=True)
    peer_rank = models.PositiveIntegerField(_("rank in group"))
    peer_size = models.PositiveIntegerField(_("enterprises in group"))
    inputs_hash = models.CharField(_("inputs hash"), max_length=64)
    methodology_version = models.CharField(_("methodology"), max_length=20)
    # Canonical JSON text (not a JSON column, which would renormalise numbers and key order).
    input_row = models.TextField(_("inputs"))

    class Meta:
        ordering = ["-year", "-run_id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [models.Index(fields=["enterprise", "year"])]
        constraints = [
            # Carrying year and grade lets the dashboards read a run's grades from the index
            # alone (PostgreSQL), not from the wide rows.
            models.UniqueConstraint(fields=["run", "enterprise"], name="rating_once_per_run",
                                    include=["year", "grade"])
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}: {self.grade} ({self.score:.2f})"

    @property
    def deduction_points(self) -> dict[str, float]:
        """Points deducted for each kind of controversy (after each kind's cap)."""
        return json.loads(self.deduction_points_json or "{}")

    @property
    def pillars(self) -> dict[str, float | None]:
        """The pillar scores keyed E, S and G."""
        return {"E": self.pillar_e, "S": self.pillar_s, "G": self.pillar_g}


class GreenScore(RunResult, models.Model):
    """An enterprise's green score (常绿分) and label in one run, with its components."""

    # Read by run and enterprise (the unique index below); the run as in Rating.run.
    run = models.ForeignKey(RatingRun, on_delete=models.PROTECT, related_name="green_scores",
                            db_index=False, db_constraint=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="green_scores",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.FloatField(_("green score"))
    label = models.CharField(_("label"), max_length=16)
    label_capped = models.BooleanField(_("label limited by the environmental credit colour"),
                                       default=False)
    total = models.FloatField(_("score before deductions"))
    deductions = models.FloatField(_("deductions"))
    # Canonical JSON text: {component: {"points", "score", "weight"}}.
    components_json = models.TextField(_("components"), default="{}")
    green_category = models.CharField(_("green industry category"), max_length=40, blank=True)
    green_category_basis = models.CharField(_("category basis"), max_length=16, blank=True)
    methodology_version = models.CharField(_("methodology"), max_length=20)
    inputs_hash = models.CharField(_("inputs hash"), max_length=64)

    class Meta:
        ordering = ["-year", "-run_id"]
        verbose_name = _("green score")
        verbose_name_plural = _("green scores")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="green_score_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}: {self.label} ({self.score:.2f})"

    @property
    def components(self) -> dict[str, dict[str, float | None]]:
        """Each component's score (None when unknown and dropped), weight and points."""
        return json.loads(self.components_json or "{}")
