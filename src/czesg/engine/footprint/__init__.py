"""Product carbon footprints (GB/T 24067-2024 / ISO 14067, cradle-to-gate) and their PACT v3 form.

:func:`compute_footprint` takes a :class:`FootprintInputs` (declared unit, output of the
reference period, fuels with their allocated share, purchased materials with their supplier's
footprint or a secondary factor) and returns a :class:`FootprintResult` with the totals per
declared unit, the fossil and biogenic parts, the primary-data share and a trace of every
figure. Fuels and purchased heat reuse the carbon engine's factors; purchased electricity uses the
electricity carbon-footprint factor (``grid_carbon_footprint``), never a Scope 2 factor;
transport is counted from the fuel it burned; secondary factors come from
``czesg/data/footprint/secondary_factors.csv`` (:mod:`.secondary`). :mod:`.pact` writes the
PACT v3 ProductFootprint of a stored footprint. Pure Python; no Django.
"""

from __future__ import annotations

from czesg.engine.footprint.calculation import METHOD, STAGES, FootprintResult, compute_footprint
from czesg.engine.footprint.inputs import (
    DECLARED_UNITS,
    MAX_EXEMPTED_PERCENT,
    FootprintInputError,
    FootprintInputs,
    FuelUse,
    MaterialUse,
    SupplierFootprint,
)
from czesg.engine.footprint.pact import (
    SPEC_VERSION,
    classification_urns,
    company_urn,
    decimal_text,
    product_footprint,
    product_urn,
)
from czesg.engine.footprint.secondary import (
    SecondaryFactor,
    load_secondary_factors,
    parse_secondary_factors,
)

__all__ = [
    "DECLARED_UNITS",
    "MAX_EXEMPTED_PERCENT",
    "METHOD",
    "SPEC_VERSION",
    "STAGES",
    "FootprintInputError",
    "FootprintInputs",
    "FootprintResult",
    "FuelUse",
    "MaterialUse",
    "SecondaryFactor",
    "SupplierFootprint",
    "classification_urns",
    "company_urn",
    "compute_footprint",
    "decimal_text",
    "load_secondary_factors",
    "parse_secondary_factors",
    "product_footprint",
    "product_urn",
]
