"""What the plan's task tracker stores.

* :class:`DepartmentMembership`: which plan department (city profile key) a government user
  works for; it decides which tasks the user may report on.
* :class:`TaskProgress` and :class:`TaskMilestone`: progress posts and milestones of the plan's
  20 tasks.

Every change goes through :mod:`czesg.plan.actions` (permission, one transaction, audit).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.registries.models import GovernmentOnlyQuerySet


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
