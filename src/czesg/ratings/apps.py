"""Django app configuration of the ESG ratings and green scores."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    """The ratings app: government records, rating runs, ratings, green scores and their pages."""

    name = "czesg.ratings"
    label = "ratings"
    verbose_name = _("Ratings")
    default_auto_field = "django.db.models.BigAutoField"
