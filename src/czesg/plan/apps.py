"""Django app configuration of the action plan's task tracker."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    """The plan app: the action plan's task tracker: departments, progress posts and milestones."""

    name = "czesg.plan"
    label = "plan"
    verbose_name = _("Plan tasks")
    default_auto_field = "django.db.models.BigAutoField"
