"""Eligibility of an enterprise for a green loan product: rules as data over platform figures.

A product's rules are a list of mappings ``{"figure": name, "min": …}``, ``{"figure": name,
"max": …}`` or ``{"figure": name, "any_of": [...]}``, over the figures of :data:`FIGURES`. An
ordered figure (a grade or a label) compares by its rank: ``min = "A"`` admits A, AA and AAA.
:func:`check_rules` refuses a rule over a figure that does not exist or with a value the figure
cannot take, naming the rule; :func:`evaluate` lists every rule the enterprise fails and why
(a figure the platform does not hold fails its rule as *unknown*). The rate-discount table maps
green-score bands to a discount in basis points (:func:`discount_for`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.errors import CatalogueError, gettext_noop
from czesg.engine.kernel.provenance import Confidence, Provenance

GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")
GREEN_LABELS = ("dark_green", "mid_green", "light_green", "not_green")
CARBON_LABELS = ("dark_green", "light_green", "yellow", "red")
SIZE_CLASSES = ("large", "medium", "small", "micro")
KINDS = ("changlv", "environmental", "water_saving", "water_rights", "sutanrong", "other")

# figure → (kind, ordered values best first, or None); kinds: number, ordered, choice, prefix.
FIGURES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "green_score": ("number", None),
    "green_label": ("ordered", GREEN_LABELS),
    "rating_grade": ("ordered", GRADES),
    "carbon_label": ("ordered", CARBON_LABELS),
    "industry": ("prefix", None),
    "size_class": ("choice", SIZE_CLASSES),
    "purpose": ("choice", None),  # the purposes of data/finance/purposes.toml
}
_PURPOSES_FILE = "finance/purposes.toml"


@dataclass(frozen=True)
class Purpose:
    """A purpose category of financing (a first-level category of the green catalogue)."""

    key: str
    name_zh: str
    name_en: str
    green: bool
    provenance: Provenance

    def name(self, language: str) -> str:
        """The name in the language (Chinese unless English is asked for)."""
        return self.name_en if language.startswith("en") else self.name_zh


@lru_cache(maxsize=1)
def load_purposes() -> dict[str, Purpose]:
    """The purpose categories of ``data/finance/purposes.toml`` (cached)."""
    table = parse_toml(read_data_file(Path(DATA_DIR) / _PURPOSES_FILE, _PURPOSES_FILE),
                       _PURPOSES_FILE, confidences=[c.value for c in Confidence])
    seen = FirstSeen()
    purposes: dict[str, Purpose] = {}
    for row in table.array("purpose"):
        key = row.key()
        seen.claim(row, "key", key)
        purposes[key] = Purpose(key, row.text("name_zh"), row.text("name_en"),
                                row.boolean("green"), row.provenance())
    return purposes


@dataclass(frozen=True)
class Rule:
    """One checked eligibility rule: a figure and a minimum, a maximum or a set of values."""

    figure: str
    op: str  # "min", "max" or "any_of"
    value: Any

    def as_dict(self) -> dict[str, Any]:
        """The rule as stored (``{"figure": …, op: value}``)."""
        return {"figure": self.figure, self.op: list(self.value) if self.op == "any_of" else self.value}


@dataclass(frozen=True)
class Failure:
    """A rule the enterprise fails: the rule and the figure it has (None when unknown)."""

    rule: Rule
    actual: Any


def _refuse(index: int, message: str, **params: Any) -> CatalogueError:
    return CatalogueError(message, rule=index, field=f"rules[{index}]", **params)


def _options(figure: str) -> tuple[str, ...] | None:
    if figure == "purpose":
        return tuple(load_purposes())
    return FIGURES[figure][1]


def check_rules(raw: Sequence[Mapping[str, Any]]) -> list[Rule]:
    """Check a product's rules (1 = the first rule in refusals); return them as :class:`Rule`."""
    rules: list[Rule] = []
    for index, item in enumerate(raw, 1):
        if not isinstance(item, Mapping):
            raise _refuse(index, gettext_noop("Rule %(rule)s is not a rule."))
        figure = str(item.get("figure", "")).strip()
        if figure not in FIGURES:
            raise _refuse(index, gettext_noop(
                "Rule %(rule)s names “%(figure)s”, which is not a figure of the platform; use "
                "one of %(known)s."), figure=figure[:60], known=", ".join(FIGURES))
        ops = [op for op in ("min", "max", "any_of") if op in item]
        if len(ops) != 1:
            raise _refuse(index, gettext_noop(
                "Rule %(rule)s must give exactly one of min, max or any_of."))
        op, value = ops[0], item[ops[0]]
        kind, _ = FIGURES[figure]
        options = _options(figure)
        if op == "any_of":
            values = value if isinstance(value, list | tuple) else [value]
            values = [str(v).strip() for v in values if str(v).strip()]
            if not values:
                raise _refuse(index, gettext_noop("Rule %(rule)s lists no value."))
            if options is not None:
                bad = [v for v in values if v not in options]
                if bad:
                    raise _refuse(index, gettext_noop(
                        "Rule %(rule)s: “%(value)s” is not a value of %(figure)s; use one of "
                        "%(known)s."), value=bad[0][:60], figure=figure, known=", ".join(options))
            rules.append(Rule(figure, op, tuple(values)))
            continue
        if kind in ("choice", "prefix"):
            raise _refuse(index, gettext_noop(
                "Rule %(rule)s: %(figure)s takes any_of, not a minimum or maximum."), figure=figure)
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                try:
                    value = float(str(value))
                except ValueError:
                    raise _refuse(index, gettext_noop("Rule %(rule)s: %(op)s must be a number."),
                                  op=op) from None
            rules.append(Rule(figure, op, float(value)))
            continue
        text = str(value).strip()
        if options is None or text not in options:
            raise _refuse(index, gettext_noop(
                "Rule %(rule)s: “%(value)s” is not a value of %(figure)s; use one of %(known)s."),
                value=text[:60], figure=figure, known=", ".join(options or ()))
        rules.append(Rule(figure, op, text))
    return rules


def _passes(rule: Rule, actual: Any) -> bool:
    if actual is None or actual == "":
        return False
    kind, order = FIGURES[rule.figure]
    if rule.op == "any_of":
        if kind == "prefix":
            return any(str(actual).startswith(p) for p in rule.value)
        return str(actual) in rule.value
    if kind == "number":
        number = float(actual)
        return number >= rule.value if rule.op == "min" else number <= rule.value
    assert order is not None
    if actual not in order:
        return False
    # best first: "min" = at least as good as (index not greater)
    if rule.op == "min":
        return order.index(actual) <= order.index(rule.value)
    return order.index(actual) >= order.index(rule.value)


def evaluate(rules: Sequence[Rule], figures: Mapping[str, Any]) -> list[Failure]:
    """Every rule the enterprise with these figures fails (empty: it qualifies)."""
    return [Failure(rule, figures.get(rule.figure)) for rule in rules
            if not _passes(rule, figures.get(rule.figure))]


def check_discounts(raw: Sequence[Mapping[str, Any]]) -> list[tuple[float, int]]:
    """Check a rate-discount table (``[{"min_score": 80, "bps": 30}, …]``); sorted best first."""
    table: list[tuple[float, int]] = []
    for index, item in enumerate(raw, 1):
        try:
            low = float(item["min_score"])
            bps = int(item["bps"])
        except (KeyError, TypeError, ValueError):
            raise CatalogueError(gettext_noop(
                "Discount row %(row)s needs a minimum green score and a discount in basis "
                "points."), row=index, field=f"discounts[{index}]") from None
        if not 0 <= low <= 100 or not 0 <= bps <= 500:
            raise CatalogueError(gettext_noop(
                "Discount row %(row)s: the score lies between 0 and 100 and the discount "
                "between 0 and 500 basis points."), row=index, field=f"discounts[{index}]")
        table.append((low, bps))
    if len({low for low, _ in table}) != len(table):
        raise CatalogueError(gettext_noop("The discount table names a score band twice."),
                             field="discounts")
    return sorted(table, reverse=True)


def discount_for(table: Sequence[tuple[float, int]], green_score: float | None) -> int:
    """The discount in basis points for a green score (0 below every band or without score)."""
    if green_score is None:
        return 0
    for low, bps in sorted(table, reverse=True):
        if green_score >= low:
            return bps
    return 0
