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
