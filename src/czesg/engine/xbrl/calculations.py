"""The czesg taxonomy's calculation relations (XBRL Calculations 1.1): a total that the
catalogue defines as the sum of other indicators (its ``formula`` column, e.g. ``E-GHG-01 =
E-GHG-02 + E-GHG-03``), where the total and every part are numeric concepts of the same unit
and period type."""

from __future__ import annotations

from czesg.engine.catalogue.formulas import FormulaError, Node, parse
from czesg.engine.xbrl.concepts import Taxonomy

SUMMATION_ITEM = "https://xbrl.org/2023/arcrole/summation-item"
"""The Calculations 1.1 arcrole (a total and the items it sums, each with weight 1)."""
CALCULATION_SCHEMA = "https://www.xbrl.org/2023/calculation-1.1.xsd"
"""Where the arcrole is declared (in Arelle's cache of standard schemas)."""


def _addends(node: Node) -> list[str] | None:
    """The codes a formula adds up, or None when it does anything but add indicators."""
    if node.kind == "code":
        return [node.code]
    if node.kind != "+" or node.left is None or node.right is None:
        return None
    left, right = _addends(node.left), _addends(node.right)
    return None if left is None or right is None else left + right


def summations(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """Each total's parts, for the catalogue formulas that are plain sums of indicators in the
    total's unit and period type (ratios and other formulas are no calculation relation)."""
    out: dict[str, tuple[str, ...]] = {}
    for code, concept in taxonomy.concepts.items():
        formula = concept.indicator.formula
        if not formula or concept.unit is None:
            continue
        try:
            parts = _addends(parse(formula))
        except FormulaError:
            continue
        if not parts or len(set(parts)) != len(parts):
            continue
        members = [taxonomy.concepts.get(part) for part in parts]
        if all(m is not None and m.unit == concept.unit
               and m.period_type == concept.period_type for m in members):
            out[code] = tuple(parts)
    return out
