"""Generic rules for the indicators outside the economic core, by unit and data type."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from czesg.engine.catalogue import Indicator
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.synth.draws import normalised_weights
from czesg.engine.synth.parameters import PARAMETERS_NAME, ZERO_DENOMINATOR
from czesg.engine.synth.state import DisclosureState, summed


class GenericIndicators(DisclosureState):
    """The generic rules of the disclosure builder: not-applicable rules and values by data type."""

    # -- generic rules ------------------------------------------------------------------------
    def ensure(self, code: str) -> None:
        """Compute ``code`` (and what it depends on) once, by its data type's rule."""
        if code in self.number or code in self.flag or code in self.pick or code in self.words:
            return
        if code not in self.catalogue:
            return
        if code in self.busy:
            raise DataFileError(
                file=PARAMETERS_NAME, row="generic", field=code,
                reason="the rules for this indicator refer back to it (a cycle)",
            )
        self.busy.add(code)
        try:
            indicator = self.catalogue.get(code)
            self.rule_na(indicator)
            kind = indicator.data_type
            if kind == "number":
                self.generic_number(indicator)
            elif kind == "percentage":
                self.generic_percentage(indicator)
            elif kind == "boolean":
                self.generic_boolean(indicator)
            elif kind == "choice":
                self.generic_choice(indicator)
            else:
                self.generic_text(indicator)
        finally:
            self.busy.discard(code)

    def rule_na(self, indicator: Indicator) -> None:
        """Apply a not-applicable rule (or the where-applicable default) to a generic code."""
        settings = self.sections["not_applicable"]
        match = None
        for prefix in settings["rules"]:
            if indicator.code == prefix or indicator.code.startswith(prefix + "-"):
                if match is None or len(prefix) > len(match):
                    match = prefix
        if match is not None:
            rule = settings["rules"][match]
            share = np.where(self.industrial, rule["industrial"], rule["other"])
            draw = self.rng("not applicable", match).random(self.n)
            self.set_na(indicator.code, draw < share, rule["explanation"])
        elif indicator.disclosure_level == "where_applicable" and not (
            # Ratios and parts follow the values they are built on; only a leaf is drawn.
            indicator.is_intensity or indicator.part_of
            or indicator.code in self.sections["derived_percentage"]
        ):
            draw = self.rng("not applicable", indicator.code).random(self.n)
            self.set_na(
                indicator.code, draw < settings["default_share"], settings["default_explanation"]
            )

    def spec(self, indicator: Indicator) -> dict[str, Any]:
        """The generic rule of an indicator: its own, else its unit's, else the default."""
        generic = self.sections["generic"]
        if indicator.code in generic["code"]:
            return generic["code"][indicator.code]
        return generic["unit"].get(indicator.unit, generic["unit"]["default"])

    def finish_number(self, indicator: Indicator, values: np.ndarray, spec: Mapping[str, Any]):
        """Round, bound and cap generated numbers as the rule and the indicator say."""
        integer = spec.get("integer", indicator.unit in ("count", "person"))
        values = np.floor(values + 0.5) if integer else np.round(values, 2)
        if "min" in spec:
            values = np.maximum(values, spec["min"])
        if "cap" in spec:
            values = np.minimum(values, self.value(spec["cap"]))
            self.inherit_na(indicator.code, [self.codes.get(spec["cap"], spec["cap"])])
        if indicator.min is not None:
            values = np.maximum(values, indicator.min)
        if indicator.max is not None:
            values = np.minimum(values, indicator.max)
        return values

    def store_number(self, code: str, values: np.ndarray) -> None:
        """Keep the values of ``code``, zero where it is not applicable."""
        mark = self.na.get(code)
        if mark is not None:
            values = np.where(mark >= 0, 0.0, values)
        self.number[code] = values

    def generic_number(self, indicator: Indicator) -> None:
        """A number: an intensity, a part of its total, a sum of parts, or drawn."""
        code = indicator.code
        if indicator.is_intensity:
            self.intensity(indicator)
            return
        spec = self.spec(indicator)
        total_spec = None
        if indicator.part_of:
            total = self.catalogue.get(indicator.part_of)
            total_spec = self.spec(total)
        if indicator.part_of and (
            "share" in spec or (total_spec is not None and total_spec["model"] != "sum_of_parts"
                                and code not in self.sections["generic"]["code"])
        ):
            self.part_by_share(indicator, spec)
            return
        if spec["model"] == "sum_of_parts":
            parts = [i.code for i in self.catalogue.indicators if i.part_of == code]
            if not parts:
                raise DataFileError(
                    file=PARAMETERS_NAME, row="generic.code", field=code,
                    reason="sum_of_parts needs indicators that are part_of it",
                )
            for part in parts:
                self.ensure(part)
            self.inherit_na(code, parts, all_of=True)
            self.store_number(code, summed(self.number[part] for part in parts))
            return
        scale_name = spec["scale"]
        scale = self.value(scale_name)
        if scale_name != "one":
            self.inherit_na(code, [self.codes.get(scale_name, scale_name)])
        rng = self.rng("generic", code)
        if spec["model"] == "poisson":
            values = rng.poisson(np.maximum(scale * spec["ratio"], 0.0)).astype(float)
        else:
            persistent = spec["sigma"] * rng.standard_normal(self.n)[:, None]
            yearly = self.sections["generic"]["year_sigma"] * rng.standard_normal((self.n, self.y))
            values = scale * spec["ratio"] * np.exp(persistent + yearly)
        values = self.finish_number(indicator, values, spec)
        if total_spec is not None and total_spec["model"] != "sum_of_parts":
            values = np.minimum(values, self.value(indicator.part_of))
            self.inherit_na(code, [indicator.part_of])
        self.store_number(code, values)

    def part_by_share(self, indicator: Indicator, spec: Mapping[str, Any]) -> None:
        """A part drawn as a share of its total, never above it."""
        total = self.value(indicator.part_of)
        self.inherit_na(indicator.code, [indicator.part_of])
        low, high = spec.get("share", self.sections["generic"]["part_share"])
        share = self.rng("part", indicator.code).uniform(low, high, self.n)[:, None]
        integer = spec.get("integer", indicator.unit in ("count", "person"))
        values = np.floor(total * share) if integer else np.round(total * share, 2)
        self.store_number(indicator.code, np.minimum(values, total))

    def intensity(self, indicator: Indicator) -> None:
        """An intensity: numerator / denominator in the indicator's unit."""
        numerator_code = indicator.intensity_numerator
        denominator_code = indicator.intensity_denominator
        numerator = self.value(numerator_code)
        denominator = self.value(denominator_code)
        self.inherit_na(indicator.code, [numerator_code, denominator_code])
        factor = ratio_factor(
            self.catalogue.get(numerator_code).unit, self.catalogue.get(denominator_code).unit,
            indicator.unit,
        )
        zero = denominator <= 0
        self.set_na(indicator.code, zero, ZERO_DENOMINATOR)
        safe = np.where(zero, 1.0, denominator)
        values = numerator / safe
        if factor != 1.0:
            values = values * factor
        self.store_number(indicator.code, values)

    def generic_percentage(self, indicator: Indicator) -> None:
        """A percentage: the ratio of its counts, else drawn within its range."""
        code = indicator.code
        derived = self.sections["derived_percentage"].get(code)
        low = 0.0 if indicator.min is None else indicator.min
        high = 100.0 if indicator.max is None else indicator.max
        if derived is not None:
            numerator_codes, denominator_codes = derived
            numerator = summed(self.value(c) for c in numerator_codes)
            denominator = summed(self.value(c) for c in denominator_codes)
            self.inherit_na(code, denominator_codes, all_of=True)
            zero = denominator <= 0
            self.set_na(code, zero, ZERO_DENOMINATOR)
            values = 100.0 * numerator / np.where(zero, 1.0, denominator)
            self.store_number(code, np.clip(values, low, high))
            return
        ranges = self.sections["percentage"]
        first, last = ranges.get(code, ranges["default"])
        first, last = max(first, low), min(last, high)
        rng = self.rng("percentage", code)
        level = rng.uniform(first, last, self.n)[:, None]
        noise = np.exp(0.05 * rng.standard_normal((self.n, self.y)))
        self.store_number(code, np.round(np.clip(level * noise, first, last), 2))

    def generic_boolean(self, indicator: Indicator) -> None:
        """A yes/no answer: drawn with its chance, or whether another code applies."""
        settings = self.sections["boolean"]
        rule = settings["code"].get(indicator.code, settings["default"])
        if isinstance(rule, dict):
            other = rule["applicable_of"]
            mark = self.na_of(other)
            if other not in self.catalogue:
                raise DataFileError(file=PARAMETERS_NAME, row="boolean", field=indicator.code,
                                    reason=f"“{other}” is not an indicator of the catalogue")
            applicable = np.ones((self.n, self.y), dtype=bool) if mark is None else mark < 0
            self.flag[indicator.code] = applicable
            return
        rng = self.rng("boolean", indicator.code)
        chance = np.minimum(rule + settings["listed_bonus"] * self.listed, 0.98)
        steps = settings["yearly_adoption"] * np.arange(self.y)
        self.flag[indicator.code] = rng.random(self.n)[:, None] < chance[:, None] + steps

    def generic_choice(self, indicator: Indicator) -> None:
        """A choice drawn with the weights of parameters.toml (uniform by default)."""
        keys = [choice.key for choice in indicator.choices]
        weights = self.sections["choice"].get(indicator.code)
        if weights is None:
            p = np.full(len(keys), 1.0 / len(keys))
        else:
            unknown = sorted(set(weights) - set(keys))
            if unknown:
                raise DataFileError(
                    file=PARAMETERS_NAME, row=f"choice.{indicator.code}", field=unknown[0],
                    reason=f"is not a choice of {indicator.code} ({', '.join(keys)})",
                )
            p = normalised_weights([weights.get(key, 0.0) for key in keys])
        picks = self.rng("choice", indicator.code).choice(len(keys), size=self.n, p=p)
        self.pick[indicator.code] = np.repeat(picks.astype(np.int16)[:, None], self.y, axis=1)

    def generic_text(self, indicator: Indicator) -> None:
        """A synthetic text from the templates, marked 合成数据."""
        templates = self.sections["text"]["templates"]
        pool = np.array(
            [self.pooled(template.format(name=indicator.name_zh)) for template in templates],
            dtype=np.int32,
        )
        picks = self.rng("text", indicator.code).integers(0, len(templates), self.n)
        self.words[indicator.code] = np.repeat(pool[picks][:, None], self.y, axis=1)



@lru_cache(maxsize=256)
def ratio_factor(numerator: str, denominator: str, unit: str) -> float:
    """The multiplier taking numerator / denominator (in their units) into ``unit``."""
    quantity = units.registry().Quantity
    ratio = (quantity(1, "") * units.parse_unit(numerator)) / (
        quantity(1, "") * units.parse_unit(denominator)
    )
    target = quantity(1, "") * units.parse_unit(unit)
    factor = float((ratio / target).to("dimensionless").magnitude)
    return 1.0 if math.isclose(factor, 1.0, rel_tol=1e-12) else factor
