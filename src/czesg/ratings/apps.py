"""Django app configuration of the ESG ratings and green scores."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from czesg.ratings.signals import rating_queued


class RatingsConfig(AppConfig):
    """The ratings app: government records, rating runs, ratings, green scores and their pages."""

    name = "czesg.ratings"
    label = "ratings"
    verbose_name = _("Ratings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Start each queued rating run in the background once it is committed."""
        # Imported here: the tasks import models, which exist only once the registry is ready.
        from czesg.ratings import tasks

        rating_queued.connect(tasks.enqueue_rating, dispatch_uid="ratings-enqueue-run")
