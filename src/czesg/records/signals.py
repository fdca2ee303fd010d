"""Signals of the records app: who must hear that records changed."""

from django.dispatch import Signal

# Sent inside the import's transaction with ``enterprise_ids``: the enterprises whose records
# changed (the portal refreshes their public profiles).
records_changed = Signal()
