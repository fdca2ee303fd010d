"""Derived indicators: values the platform computes from others by a formula in the catalogue.

A formula is a tiny arithmetic language, parsed here and never evaluated by Python: indicator
codes, decimal numbers, ``+ - * /`` and parentheses (``E-GHG-02 + E-GHG-03``,
``E-GHG-01 / G-GEN-01``). Each code stands for the input's value in its canonical unit; the
result is converted with the unit registry into the derived indicator's canonical unit, so a
ratio of two tce values becomes a percentage and tCO2e ÷ 万元 becomes tCO2e/10k_CNY.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CatalogueError, UnitError, gettext_noop

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<code>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)"
                    r"|(?P<op>[-+*/()]))")


@dataclass(frozen=True)
class Node:
    """One node of a parsed formula: a number, an indicator code, or an operation on two nodes."""

    kind: str  # "number", "code" or one of + - * /
    value: float = 0.0
    code: str = ""
    left: Node | None = None
    right: Node | None = None

    def codes(self) -> tuple[str, ...]:
        """The indicator codes the formula reads, in order of first appearance."""
        if self.kind == "code":
            return (self.code,)
        found: list[str] = []
        for child in (self.left, self.right):
            if child is not None:
                found.extend(c for c in child.codes() if c not in found)
        return tuple(found)


class FormulaError(CatalogueError):
    """A formula cannot be parsed or does not fit the units of its inputs and result."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FormulaError(gettext_noop("The formula “%(formula)s” cannot be read at "
                                            "“%(rest)s”."), formula=text, rest=text[position:])
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def parse(text: str) -> Node:
    """The parsed formula ``text``; raises :class:`FormulaError` when it is not well formed."""
    tokens = _tokens(text)
    position = 0

    def fail() -> FormulaError:
        return FormulaError(gettext_noop("The formula “%(formula)s” is not well formed."),
                            formula=text)

    def peek() -> str:
        return tokens[position][1] if position < len(tokens) else ""

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise fail()
        position += 1
        return tokens[position - 1]

    def atom() -> Node:
        kind, value = take()
        if kind == "number":
            return Node("number", value=float(value))
        if kind == "code":
            return Node("code", code=value)
        if value == "(":
            node = expression()
            if take()[1] != ")":
                raise fail()
            return node
        raise fail()

    def term() -> Node:
        node = atom()
        while peek() in ("*", "/"):
            node = Node(take()[1], left=node, right=atom())
        return node

    def expression() -> Node:
        node = term()
        while peek() in ("+", "-"):
            node = Node(take()[1], left=node, right=term())
        return node

    node = expression()
    if position != len(tokens):
        raise fail()
    return node


def _quantity(node: Node, values: Mapping[str, float], unit_of: Mapping[str, str]) -> Any:
    registry = units.registry()
    if node.kind == "number":
        return registry.Quantity(node.value, "")
    if node.kind == "code":
        return registry.Quantity(float(values[node.code]), "") * units.parse_unit(unit_of[node.code])
    assert node.left is not None and node.right is not None
    left = _quantity(node.left, values, unit_of)
    right = _quantity(node.right, values, unit_of)
    if node.kind == "+":
        return left + right
    if node.kind == "-":
        return left - right
    if node.kind == "*":
        return left * right
    return left / right


def evaluate(node: Node, values: Mapping[str, float], unit_of: Mapping[str, str], unit: str
             ) -> float | None:
    """The formula's value in ``unit`` from ``values`` (canonical units ``unit_of``).

    ``None`` when a divisor is zero or the result is not finite (nothing is stored then).
    Raises :class:`FormulaError` when the units of the inputs do not give ``unit``.
    """
    try:
        quantity = _quantity(node, values, unit_of)
        result = float((quantity / units.parse_unit(unit)).to("dimensionless").magnitude)
    except ZeroDivisionError:
        return None
    except (UnitError, ValueError, ArithmeticError, TypeError) as exc:
        raise FormulaError(gettext_noop("The formula does not give a value in %(unit)s."),
                           unit=unit) from exc
    except Exception as exc:  # pint's DimensionalityError and relatives
        raise FormulaError(gettext_noop("The formula does not give a value in %(unit)s."),
                           unit=unit) from exc
    return result if math.isfinite(result) else None


@dataclass(frozen=True)
class Derived:
    """A value computed by a formula, with the inputs it was computed from."""

    code: str
    value: float
    formula: str
    inputs: dict[str, float]


def derive_all(formulas: Mapping[str, str], values: Mapping[str, float],
               unit_of: Mapping[str, str], *, reported: frozenset[str] = frozenset()
               ) -> dict[str, Derived]:
    """Every derived value computable from ``values`` (canonical), derived ones feeding others.

    ``formulas`` maps a derived indicator's code to its formula, ``unit_of`` every code to its
    canonical unit. Codes in ``reported`` keep the value the enterprise reported (it is used as
    input, and checked against the formula by validation) and are not computed.
    """
    known = dict(values)
    derived: dict[str, Derived] = {}
    pending = {code: parse(text) for code, text in formulas.items() if code not in reported}
    progress = True
    while pending and progress:
        progress = False
        for code, node in list(pending.items()):
            needed = node.codes()
            if any(c in pending for c in needed):
                continue  # an input is itself still to be derived
            del pending[code]
            progress = True
            if not all(c in known for c in needed):
                continue
            result = evaluate(node, known, unit_of, unit_of[code])
            if result is None:
                continue
            known[code] = result
            derived[code] = Derived(code, result, formulas[code], {c: known[c] for c in needed})
    return derived


def _unit_of_quantity(quantity: Any) -> tuple[float, Any]:
    """The magnitude and units of ``quantity`` (a parsed unit may carry a scale)."""
    return float(quantity.magnitude), quantity.units


def _expression(node: Node, unit_of: Mapping[str, str]) -> tuple[Any, Any]:
    """A Polars expression of ``node`` over columns named by code, and the pint units it is in;
    each step is the arithmetic :func:`evaluate` does on one value, applied to whole columns."""
    import polars as pl

    registry = units.registry()
    if node.kind == "number":
        return pl.lit(node.value, dtype=pl.Float64), registry.Quantity(1.0, "").units
    if node.kind == "code":
        scale, unit = _unit_of_quantity(registry.Quantity(1.0, "")
                                        * units.parse_unit(unit_of[node.code]))
        column = pl.col(node.code).cast(pl.Float64)
        return (column if scale == 1.0 else column * scale), unit
    assert node.left is not None and node.right is not None
    left, left_unit = _expression(node.left, unit_of)
    right, right_unit = _expression(node.right, unit_of)
    if node.kind in ("+", "-"):
        if right_unit != left_unit:
            right = right * float(registry.Quantity(1.0, right_unit).to(left_unit).magnitude)
        return (left + right if node.kind == "+" else left - right), left_unit
    if node.kind == "*":
        return left * right, left_unit * right_unit
    return left / right, left_unit / right_unit


def formula_expression(node: Node, unit_of: Mapping[str, str], unit: str) -> Any:
    """A Polars expression computing ``node`` in ``unit`` from columns named by code, null where
    an input is null, a divisor is zero or the result is not finite (as :func:`evaluate`).

    Raises :class:`FormulaError` when the units of the inputs do not give ``unit``.
    """
    import polars as pl

    expression, unit_of_result = _expression(node, unit_of)
    try:
        scale = float((units.registry().Quantity(1.0, unit_of_result) / units.parse_unit(unit))
                      .to("dimensionless").magnitude)
    except Exception as exc:  # pint's DimensionalityError and relatives
        raise FormulaError(gettext_noop("The formula does not give a value in %(unit)s."),
                           unit=unit) from exc
    if scale != 1.0:
        expression = expression * scale
    return pl.when(expression.is_finite()).then(expression).otherwise(None)


def derive_frame(frame: Any, formulas: Mapping[str, str], unit_of: Mapping[str, str]) -> Any:
    """:func:`derive_all` for many disclosures at once, one per row of the Polars ``frame``.

    ``frame`` has one Float64 column per input code (null where not reported); a derived code's
    column, where present and not null, is its reported value, kept and used as input. Returns
    the frame with, for each formula, a column ``<code>`` (reported or computed, feeding the
    formulas that read it) and a column ``<code>#derived`` (the computed value, null where the
    value is reported or cannot be computed), in the order :func:`derive_all` computes them.
    """
    import polars as pl

    parsed = {code: parse(text) for code, text in formulas.items()}
    needed = {c for node in parsed.values() for c in node.codes()} | set(parsed)
    frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c)
                               for c in sorted(needed) if c not in frame.columns)
    pending = dict(parsed)
    while pending:
        ready = [c for c, node in pending.items() if not any(i in pending for i in node.codes())]
        if not ready:
            break  # a cycle: derive_all leaves these codes uncomputed too
        for code in ready:
            node = pending.pop(code)
            computed = formula_expression(node, unit_of, unit_of[code])
            reported = pl.col(code).is_not_null()
            frame = frame.with_columns(
                pl.when(reported).then(None).otherwise(computed).alias(f"{code}#derived")
            ).with_columns(pl.coalesce(code, f"{code}#derived").alias(code))
    return frame
