"""What the disclosure actions announce to the read models that depend on published data."""

from django.dispatch import Signal

# Sent inside the publishing transaction, after disclosures became published (one publication or
# a bulk import), with ``enterprise_ids``: the set of enterprises whose published data changed.
# Receivers rebuild read models in the same transaction, so none shows a rolled-back publication.
# A bulk import sends it once per batch, adding ``import_size`` (how many enterprises the whole
# import publishes): a receiver may then rebuild costly read models in the worker after commit.
disclosures_published = Signal()

# Sent inside the transaction that opens a draft, with ``disclosure`` and ``actor``: apps above
# disclosures (records) offer the values they already hold, pre-filled, through
# :func:`czesg.disclosures.actions.prefill_values`.
disclosure_started = Signal()

# Sent by :func:`czesg.disclosures.checks.findings_for` with ``disclosure`` and ``numbers`` (the
# canonical numbers reported): each receiver returns a list of findings of its own (records:
# a disclosed value far from a record of a named source).
extra_findings = Signal()
