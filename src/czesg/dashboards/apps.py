"""Django app configuration of the city dashboards, registries, zone evaluation and task tracker."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The dashboards app: plan targets, registries, zone evaluation, task tracker and exports."""

    name = "czesg.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")
    default_auto_field = "django.db.models.BigAutoField"
