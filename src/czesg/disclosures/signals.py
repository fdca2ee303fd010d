"""What the disclosure actions announce to the read models that depend on published data."""

from django.dispatch import Signal

# Sent inside the publishing transaction, after disclosures became published (one publication or
# a bulk import), with ``enterprise_ids``: the set of enterprises whose published data changed.
# Receivers rebuild read models in the same transaction, so none shows a rolled-back publication.
disclosures_published = Signal()
