"""What the rating actions announce: the background tasks listen, so actions need not know them."""

from django.dispatch import Signal

# Sent once a queued rating run is committed, with ``run_id``: the run to start in the
# background. ``czesg.ratings.tasks`` enqueues it (connected in the app's ``ready``).
rating_queued = Signal()
