"""What a product footprint is computed from: declared unit, output, fuels, materials, problems."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from czesg.engine.kernel.errors import CzesgError, gettext_noop
from czesg.engine.kernel.problems import Problem

# PACT v3 declared units (declaredUnitOfMeasurement) and the unit registry's spelling of each;
# "megabit second" has no use in the products of this city and is left out.
DECLARED_UNITS: Mapping[str, str] = MappingProxyType({
    "kilogram": "kg", "liter": "L", "cubic meter": "m3", "kilowatt hour": "kWh",
    "megajoule": "MJ", "ton kilometer": "t*km", "square meter": "m**2", "piece": "pcs",
    "hour": "h",
})
MAX_EXEMPTED_PERCENT = 5.0
"""The most a footprint may leave out under PACT's exemption rule (per cent of the total)."""

MSG_NO_DATA = gettext_noop(
    "The product has no activity data: enter its energy, materials or transport first."
)
MSG_OUTPUT = gettext_noop("The output of the reference period must be a number above zero.")
MSG_DECLARED_UNIT = gettext_noop("“%(unit)s” is not a declared unit; choose one of %(choices)s.")
MSG_SHARE = gettext_noop("The allocated share must be between 0 and 1, not %(value)s.")
MSG_QUANTITY = gettext_noop("The quantity must be a number of zero or more, not %(value)s.")
MSG_KIND = gettext_noop(
    "Activity “%(activity)s” cannot be counted in a product footprint; use a fuel, purchased "
    "heat or purchased electricity."
)
MSG_SOURCE = gettext_noop(
    "Material “%(name)s” needs either its supplier's footprint or a secondary factor (one of them)."
)
MSG_SECONDARY = gettext_noop("Secondary factor “%(factor)s” is not in the factor file.")
MSG_SECONDARY_KIND = gettext_noop("Secondary factor “%(factor)s” is not a %(kind)s factor.")
MSG_UNIT = gettext_noop(
    "The quantity of “%(name)s” is in %(unit)s but its footprint is per %(declared)s; these "
    "units cannot be converted."
)
MSG_SUPPLIER = gettext_noop(
    "The supplier footprint of “%(name)s” is inconsistent: %(reason)s."
)
MSG_EXEMPTED = gettext_noop("The exempted share must be between 0 and %(limit)s per cent.")
MSG_NO_CFP = gettext_noop(
    "No electricity carbon-footprint factor is published for %(year)s or an earlier year."
)


@dataclass(frozen=True)
class FuelUse:
    """Energy used for the product over the period (a carbon activity code) and its share."""

    activity: str
    quantity: float
    unit: str
    share: float = 1.0
    stage: str = "energy"
    """``energy`` (production) or ``transport`` (inbound transport, counted from its fuel)."""
    row: int = 0


@dataclass(frozen=True)
class SupplierFootprint:
    """A supplier's footprint of a material, in kgCO2e per its declared unit and amount."""

    declared_unit: str
    declared_amount: float
    pcf_excluding_biogenic: float
    pcf_including_biogenic: float
    fossil: float
    primary_data_share: float
    reference: str = ""
    """Where it came from: a PACT footprint id or ``urn:…`` of the supplier's product."""


@dataclass(frozen=True)
class MaterialUse:
    """A purchased material of the period: its quantity, and its supplier's or a secondary factor."""

    name: str
    quantity: float
    unit: str
    supplier: SupplierFootprint | None = None
    secondary_factor_id: str = ""
    share: float = 1.0
    row: int = 0


@dataclass(frozen=True)
class FootprintInputs:
    """Everything a cradle-to-gate footprint of one product and reference year is computed from."""

    uscc: str
    year: int
    declared_unit: str
    output: float
    """Declared units made in the reference period (the amount the totals are divided by)."""
    fuels: tuple[FuelUse, ...] = ()
    materials: tuple[MaterialUse, ...] = ()
    exempted_percent: float = 0.0
    options: Mapping[str, Any] = field(default_factory=dict)


def footprint_problem(*, table: str, row: int | None, column: str, message: str,
                      params: Mapping[str, Any] | None = None) -> Problem:
    """A problem of a footprint input: the table (fuels, materials, product), row and column."""
    return Problem(message, dict(params or {}), code=FootprintInputError.code, row=row,
                   column=column, table=table)


class FootprintInputError(CzesgError):
    """The footprint input holds problems; ``problems`` lists every one with its table and row."""

    code = "footprint_input_invalid"
    http_status = 422
    message = gettext_noop("The footprint input has %(count)s problem(s).")

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(
            problems, key=lambda p: (p.table, p.row if p.row is not None else 0, p.column)
        ))
        super().__init__(count=len(self.problems))
