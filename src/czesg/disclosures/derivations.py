"""Derived indicators kept up to date: after every change of a draft's values, the actions call
:func:`recompute` inside their transaction, so that each indicator with a formula in the
catalogue holds the value computed from its inputs (method ``calculated``, with the formula and
the inputs in ``derivation``), or nothing when an input is missing. A value the enterprise
reported itself for such an indicator is kept; validation compares it with the formula. A value
reported per unit of physical output (per MW, per t of product, per m²) is kept too, and no
per-revenue value is computed beside it. A bulk import computes the same values for all its
disclosures at once (:func:`derive_for_import`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import polars as pl
from django.utils import timezone

from czesg.audit.recording import record
from czesg.disclosures.models import Assurance, Datapoint, DatapointStatus, Disclosure, Method
from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.catalogue.formulas import derive_all, derive_frame, parse


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


@dataclass
class ImportDerivation:
    """What a bulk import's batch must write so that its disclosures' derived values are
    current: new values (as :func:`recompute` writes them), stale ones to delete, and per
    disclosure what changed (code → new value, ``None`` when removed) for the audit entry."""

    values: list[tuple[int, str, float, str]] = field(default_factory=list)
    """``(disclosure_id, code, value, derivation as JSON text)`` to insert."""
    stale: list[tuple[int, str]] = field(default_factory=list)
    changed: dict[int, dict[str, float | None]] = field(default_factory=dict)


def formula_codes() -> frozenset[str]:
    """Every code a formula of the catalogue reads or computes: the stored values of a
    re-imported draft that :func:`derive_for_import` needs."""
    derived = [i for i in load_catalogue().indicators if i.is_derived]
    return frozenset(c for i in derived for c in (i.code, *parse(i.formula).codes()))


_STORED = {"disclosure_id": pl.Int64, "indicator": pl.Utf8, "status": pl.Utf8,
           "number": pl.Float64, "derived": pl.Boolean}


def derive_for_import(values: pl.DataFrame, tiers: dict[int, str], stored: list[tuple]
                      ) -> ImportDerivation:
    """The derived values of many disclosures at once, with the same results and provenance
    as :func:`recompute`, computed column-wise from the imported values (no query, no loop per
    value): ``values`` has the file's rows (disclosure_id, indicator, number, na_explanation),
    ``tiers`` each disclosure's tier, and ``stored`` the rows of existing drafts that the file
    does not replace, as ``(disclosure_id, code, status, value_number, method, derivation)``."""
    catalogue = load_catalogue()
    unit_of = {i.code: i.unit or "%" for i in catalogue.indicators if i.is_numeric}
    formulas_of = {tier: {i.code: i.formula for i in catalogue.for_tier(tier) if i.is_derived}
                   for tier in set(tiers.values())}
    result = ImportDerivation()
    old: dict[tuple[int, str], tuple[float, dict]] = {}
    kept = []
    for disclosure_id, code, status, number, method, derivation in stored:
        point = Datapoint(method=method, derivation=derivation)
        if _is_derived(point):
            if code in formulas_of.get(tiers[disclosure_id], {}):
                old[(disclosure_id, code)] = (number, derivation.get("inputs"))
            continue
        kept.append((disclosure_id, code, status, number, False))
    known = pl.concat([
        values.select("disclosure_id", "indicator", pl.when(pl.col("na_explanation") == "")
                      .then(pl.lit(DatapointStatus.REPORTED))
                      .otherwise(pl.lit(DatapointStatus.NOT_APPLICABLE)).alias("status"),
                      "number", pl.lit(False).alias("derived")).cast(_STORED),
        pl.DataFrame(kept, schema=_STORED, orient="row"),
    ])
    not_applicable = set(known.filter(pl.col("status") == DatapointStatus.NOT_APPLICABLE)
                         .select("disclosure_id", "indicator").iter_rows())
    inputs = known.filter((pl.col("status") == DatapointStatus.REPORTED)
                          & pl.col("number").is_not_null())
    for tier, formulas in formulas_of.items():
        ids = [d for d, t in tiers.items() if t == tier]
        part = inputs.filter(pl.col("disclosure_id").is_in(ids))
        if not formulas or part.height == 0:
            continue
        wide = part.pivot(on="indicator", index="disclosure_id", values="number")
        wide = derive_frame(wide, formulas, unit_of)
        for code, formula in formulas.items():
            needed = parse(formula).codes()
            computed = wide.filter(pl.col(f"{code}#derived").is_not_null()).select(
                "disclosure_id", f"{code}#derived", *needed)
            for disclosure_id, value, *given in computed.iter_rows():
                key = (disclosure_id, code)
                if key in not_applicable:
                    continue
                used = dict(zip(needed, given, strict=True))
                before = old.pop(key, None)
                if before is not None:
                    if (before[0] is not None and before[1] == used
                            and math.isclose(before[0], value, rel_tol=1e-12, abs_tol=0.0)):
                        continue
                    result.stale.append(key)
                result.values.append((disclosure_id, code, value, json.dumps(
                    {"formula": formula, "inputs": used}, ensure_ascii=False)))
                result.changed.setdefault(disclosure_id, {})[code] = value
    for key in old:  # derived before, no longer computable
        result.stale.append(key)
        result.changed.setdefault(key[0], {})[key[1]] = None
    return result
