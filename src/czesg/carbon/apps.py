"""Django app configuration of the carbon calculator."""

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from czesg.engine.carbon import problem_data
from czesg.web.problems import problem_text, register_problem_items


def carbon_problem_items(exc) -> list[dict[str, Any]]:
    """The itemised problems of a refused carbon input, each with its translated sentence."""
    return [{**problem_data(p), "text": problem_text(p)} for p in exc.problems]


class CarbonConfig(AppConfig):
    """The carbon calculator app: stored calculations, their pages, API and command."""

    name = "czesg.carbon"
    label = "carbon"
    verbose_name = _("Carbon accounting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """List a refused input's problems in every problem document (API and pages)."""
        register_problem_items("carbon_input_invalid", carbon_problem_items)
