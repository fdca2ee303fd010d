"""Derived indicators kept up to date: after every change of a draft's values, the actions call
:func:`recompute` inside their transaction, so that each indicator with a formula in the
catalogue holds the value computed from its inputs (method ``calculated``, with the formula and
the inputs in ``derivation``), or nothing when an input is missing. A value the enterprise
reported itself for such an indicator is kept; validation compares it with the formula. A value reported per unit of physical output
(per MW, per t of product, per m²) is kept too, and no per-revenue value is computed beside it."""

from __future__ import annotations

import math

from django.utils import timezone

from czesg.audit.recording import record
from czesg.disclosures.models import Assurance, Datapoint, DatapointStatus, Disclosure, Method
from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.catalogue.formulas import derive_all


def _is_derived(point: Datapoint) -> bool:
    """Whether the value is a formula's result written by :func:`recompute`."""
    return point.method == Method.CALCULATED and "formula" in (point.derivation or {})


def _same(point: Datapoint, value: float, inputs: dict[str, float]) -> bool:
    return (
        point.method == Method.CALCULATED and point.value_number is not None
        and math.isclose(point.value_number, value, rel_tol=1e-12, abs_tol=0.0)
        and (point.derivation or {}).get("inputs") == inputs
    )


def recompute(disclosure: Disclosure, *, actor) -> dict[str, float | None]:
    """Recompute the derived values of a draft (call inside the action's transaction, on the
    locked disclosure); only the indicators of the disclosure's tier are derived. Returns what changed (code → new value, ``None`` when removed)."""
    catalogue = load_catalogue()
    derived = {i.code: i for i in catalogue.for_tier(disclosure.tier) if i.is_derived}
    if not derived:
        return {}
    unit_of = {i.code: i.unit or "%" for i in catalogue.indicators if i.is_numeric}
    points = {p.indicator_code: p for p in disclosure.datapoints.all()}
    # Inputs are every reported number except the formulas' own results (a value calculated by
    # the carbon calculator is an input like a typed one, and is kept as the enterprise's own).
    values = {
        code: p.value_number for code, p in points.items()
        if p.status == DatapointStatus.REPORTED and p.value_number is not None
        and not _is_derived(p) and p.unit not in all_output_units()
    }
    reported = frozenset(code for code in derived if code in values)
    results = derive_all({c: i.formula for c, i in derived.items()}, values, unit_of,
                         reported=reported)
    changed: dict[str, float | None] = {}
    now = timezone.now()
    for code in derived:
        point = points.get(code)
        if code in reported or (point is not None
                                and point.status == DatapointStatus.NOT_APPLICABLE):
            continue
        if point is not None and point.unit in all_output_units():
            continue  # reported per unit of output (per MW…): no per-revenue figure beside it
        result = results.get(code)
        if result is None:
            if point is not None and _is_derived(point):
                point.delete()
                changed[code] = None
            continue
        if point is not None and _same(point, result.value, result.inputs):
            continue
        Datapoint.objects.update_or_create(
            disclosure=disclosure, indicator_code=code,
            defaults=dict(
                status=DatapointStatus.REPORTED, value_number=result.value, value_text="",
                value_bool=None, value_choice="", unit=unit_of[code],
                entered_value=f"{result.value:.12g}", entered_unit=unit_of[code],
                derivation={"formula": result.formula, "inputs": result.inputs},
                na_explanation="", method=Method.CALCULATED, evidence_ref="",
                entered_by=actor, entered_at=now, assurance=Assurance.NONE, assured_by=None,
                assured_at=None,
            ),
        )
        changed[code] = result.value
    if changed:
        record(actor, "disclosure.derive", disclosure, values=changed)
    return changed
