"""Records meeting disclosures: a new draft is offered the values the enterprise's current records
hold (a utility's annual electricity, gas, water, heat), and a disclosed value far from a record
gets a warning naming the record. Both run through the disclosures app's signals, since records
sits above disclosures."""

from __future__ import annotations

from django.dispatch import receiver

from czesg.disclosures.actions import Prefill, prefill_values
from czesg.disclosures.models import Disclosure, Method
from czesg.disclosures.signals import disclosure_started, extra_findings
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.answers import warning_finding
from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.records.reconcile import difference, tolerance
from czesg.records.known import recorded_values


def _numeric_codes(disclosure: Disclosure) -> list[str]:
    return [i.code for i in load_catalogue().for_tier(disclosure.tier)
            if i.is_numeric and not i.is_derived]


@receiver(disclosure_started, dispatch_uid="records.prefill")
def prefill_from_records(sender, disclosure: Disclosure, actor, **kwargs) -> None:
    """Pre-fill a new draft with the enterprise's own current records of its year."""
    enterprise_id = disclosure.enterprise_id
    found = recorded_values([enterprise_id], years=[disclosure.year],
                            codes=_numeric_codes(disclosure), restricted=[enterprise_id])
    items = [
        Prefill(code, held.number, held.unit, Method.GOVERNMENT, {
            "kind": "record", "source": held.source, "name_zh": held.source_name_zh,
            "name_en": held.source_name_en, "year": disclosure.year,
        })
        for (_, _, code), held in sorted(found.items()) if held.number is not None
    ]
    if items:
        prefill_values(disclosure, items, actor=actor)


@receiver(extra_findings, dispatch_uid="records.reconcile")
def reconcile_with_records(sender, disclosure: Disclosure, numbers, **kwargs) -> list:
    """A warning for each disclosed value further from a record than the tolerance."""
    codes = [c for c in _numeric_codes(disclosure) if c in numbers]
    if not codes:
        return []
    enterprise_id = disclosure.enterprise_id
    found = recorded_values([enterprise_id], years=[disclosure.year], codes=codes,
                            restricted=[enterprise_id])
    limit = tolerance()
    warnings = []
    for (_, _, code), held in sorted(found.items()):
        if held.number is None:
            continue
        share = difference(numbers[code], held.number)
        if share is None or abs(share) <= limit:
            continue
        message = (gettext_noop("%(code)s (%(value)s %(unit)s) is %(percent)s%% below the "
                                "%(year)s record of %(source)s (%(record)s %(unit)s).")
                   if share < 0 else
                   gettext_noop("%(code)s (%(value)s %(unit)s) is %(percent)s%% above the "
                                "%(year)s record of %(source)s (%(record)s %(unit)s)."))
        warnings.append(warning_finding(
            "record_mismatch", code, message, code=code, value=f"{numbers[code]:,.6g}",
            unit=held.unit, percent=f"{abs(share) * 100:.0f}", year=disclosure.year,
            source=held.source_name_zh, record=f"{held.number:,.6g}",
        ))
    return warnings
