"""What the registry actions announce to the read models that show registry facts."""

from django.dispatch import Signal

# Sent inside the transaction that registered or edited enterprises, with ``enterprise_ids``.
enterprises_changed = Signal()
