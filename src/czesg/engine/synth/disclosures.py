"""Disclosure values of synthetic enterprises: the economic core, then sampling and assembly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.synth.draws import uniform_between
from czesg.engine.synth.emissions import EnergyAndEmissions
from czesg.engine.synth.enterprises import SyntheticEnterprise
from czesg.engine.synth.generic import GenericIndicators
from czesg.engine.synth.parameters import (
    SIZE_CLASSES,
    SynthParameters,
    load_parameters,
)
from czesg.engine.synth.state import summed
from czesg.engine.synth.values import SyntheticValues


def generate_disclosures(
    enterprises: Sequence[SyntheticEnterprise], years: Sequence[int], *, seed: int = 2025,
    catalogue: Catalogue | None = None, parameters: SynthParameters | None = None,
    submittable: bool = False,
) -> SyntheticValues:
    """Generate consistent disclosure values of ``enterprises`` for ``years`` (vectorised).

    With ``submittable`` every mandatory and where-applicable indicator of the tier is answered
    (a value or an explained not-applicable), so that each disclosure passes validation; only
    encouraged indicators are left out. Otherwise completeness follows parameters.toml.
    The values of an enterprise depend on the whole population passed in (draws are vectorised).
    """
    ordered = sorted({int(year) for year in years})
    if not ordered:
        raise ValueError("at least one year is needed")
    if len(ordered) != len(list(years)):
        raise ValueError(f"the years must not repeat: {list(years)}")
    builder = _Disclosures(
        list(enterprises), ordered, seed, catalogue or load_catalogue(),
        parameters or load_parameters(), submittable=submittable,
    )
    return builder.build()


class _Disclosures(EnergyAndEmissions, GenericIndicators):
    """Computes the true value of every indicator for all enterprise-years, then samples them."""

    # -- the economic core --------------------------------------------------------------------
    def core(self) -> None:
        n, y, codes = self.n, self.y, self.codes
        sizes, growth = self.sections["size_class"], self.sections["growth"]
        workforce = self.sections["workforce"]
        rng = self.rng("core", "revenue")
        median = np.array([sizes[s]["revenue_median"] for s in SIZE_CLASSES])[self.size]
        sigma = np.array([sizes[s]["revenue_sigma"] for s in SIZE_CLASSES])[self.size]
        revenue = np.empty((n, y))
        revenue[:, 0] = np.round(np.maximum(
            median * np.exp(sigma * rng.standard_normal(n)), sizes["minimum_revenue"]
        ), 2)
        low, high = growth["revenue_growth"]
        change = rng.uniform(low, high, size=(n, y))
        for t in range(1, y):
            revenue[:, t] = np.round(revenue[:, t - 1] * (1.0 + change[:, t]), 2)
        self.number[codes["revenue"]] = revenue

        rng = self.rng("core", "efficiency")
        gain = uniform_between(rng, growth["efficiency_gain"], (n, y))
        gain[:, 0] = 0.0
        self.efficiency = np.cumprod(1.0 - gain, axis=1)

        # Employees: revenue / productivity, then following revenue growth.
        rng = self.rng("core", "employees")
        productivity = (
            self.by_lead([p["revenue_per_employee"] for p in self.lead_params])
            * np.array([sizes[s]["productivity"] for s in SIZE_CLASSES])[self.size]
            * np.exp(workforce["productivity_sigma"] * rng.standard_normal(n))
        )
        employees = np.empty((n, y))
        employees[:, 0] = np.maximum(1.0, np.round(revenue[:, 0] / productivity))
        noise = rng.standard_normal((n, y)) * growth["employee_noise"]
        for t in range(1, y):
            employees[:, t] = np.maximum(1.0, np.round(
                employees[:, t - 1] * (1.0 + growth["employee_elasticity"] * change[:, t]
                                       + noise[:, t])
            ))
        self.number[codes["employees"]] = employees
        female_share = np.clip(
            self.by_lead([p["female_share"] for p in self.lead_params])
            + workforce["female_share_noise"] * rng.standard_normal(n), 0.02, 0.9,
        )
        female = np.round(employees * female_share[:, None])
        self.number[codes["employees_female"]] = female
        self.number[codes["employees_male"]] = employees - female
        under_30 = np.floor(employees * uniform_between(rng, workforce["under_30_share"], n)[:, None])
        over_50 = np.floor(employees * uniform_between(rng, workforce["over_50_share"], n)[:, None])
        self.number[codes["employees_under_30"]] = under_30
        self.number[codes["employees_over_50"]] = over_50
        self.number[codes["employees_30_to_50"]] = employees - under_30 - over_50
        # Flows that reconcile the headcounts: employees(t) = employees(t-1) + hires - leavers.
        turnover = uniform_between(rng, workforce["turnover_rate"], (n, y))
        leavers = np.empty((n, y))
        hires = np.empty((n, y))
        leavers[:, 0] = np.round(turnover[:, 0] * employees[:, 0])
        hires[:, 0] = np.round(uniform_between(rng, workforce["first_year_hire_rate"], n) * employees[:, 0])
        for t in range(1, y):
            leavers[:, t] = np.round(turnover[:, t] * employees[:, t - 1])
            hires[:, t] = employees[:, t] - employees[:, t - 1] + leavers[:, t]
            short = hires[:, t] < 0
            leavers[short, t] -= hires[short, t]
            hires[short, t] = 0.0
        self.number[codes["leavers"]] = leavers
        self.number[codes["hires"]] = hires

        self.energy_and_emissions(revenue)
        self.water_and_waste(revenue)
        self.core_texts()


    def water_and_waste(self, revenue: np.ndarray) -> None:
        n, codes = self.n, self.codes
        water_mix = self.sections["water"]
        _, water = self.resource("water", revenue)
        water = np.maximum(np.round(water, 1), 0.1)
        rng = self.rng("core", "water sources")
        municipal = uniform_between(rng, water_mix["municipal_share"], n)
        ground = rng.random(n) < water_mix["groundwater_use"]
        surface = rng.random(n) < water_mix["surface_water_use"]
        split = rng.random(n)
        rest = 1.0 - municipal
        ground_share = np.where(ground, np.where(surface, rest * split, rest), 0.0)
        surface_share = np.where(surface, np.where(ground, rest * (1.0 - split), rest), 0.0)
        groundwater = np.round(water * ground_share[:, None], 1)
        surface_water = np.round(water * surface_share[:, None], 1)
        self.number[codes["water_total"]] = water
        self.number[codes["water_ground"]] = groundwater
        self.number[codes["water_surface"]] = surface_water
        self.number[codes["water_municipal"]] = np.clip(
            np.round(water - groundwater - surface_water, 1), 0.0, water
        )
        uses, reuse = self.resource("water_reuse", water, efficiency=False)
        self.number[codes["water_reused"]] = np.round(reuse, 1)

        completeness = self.sections["completeness"]
        parts = []
        for key, explanation in (
            ("hazardous_waste", "no_hazardous_waste_explanation"),
            ("non_hazardous_waste", "no_non_hazardous_waste_explanation"),
        ):
            uses, waste = self.resource(key, revenue)
            waste = np.round(waste, 3)
            self.number[codes[key]] = waste
            self.set_na(codes[key], ~uses, completeness[explanation])
            parts.append(codes[key])
        self.number[codes["waste_total"]] = summed(self.number[code] for code in parts)
        self.inherit_na(codes["waste_total"], parts, all_of=True)


    def core_texts(self) -> None:
        codes = self.codes
        industry = np.array([self.pooled(e.industry_code) for e in self.enterprises],
                            dtype=np.int32)
        self.words[codes["industry_code_text"]] = np.repeat(industry[:, None], self.y, axis=1)
        self.ghg_method_text()

    # -- sampling and assembly ----------------------------------------------------------------
    def answered(self) -> dict[str, np.ndarray]:
        """Which enterprise-years answer each indicator, meeting each one's completeness target.

        Each enterprise draws a target share of its tier and a random priority for every
        indicator that is not always answered; it answers exactly as many of them, highest
        priority first, as the target needs, and a few more each later year.
        """
        n, y = self.n, self.y
        completeness = self.sections["completeness"]
        always = set(completeness["always_answered"])
        if self.submittable:
            always |= {
                i.code for i in self.catalogue.indicators if i.disclosure_level != "encouraged"
            }
        answered = {
            i.code: np.full((n, y), i.code in always, dtype=bool)
            for i in self.catalogue.indicators
        }
        for tier, members in (("basic", ~self.listed), ("standard", self.listed)):
            rows = np.flatnonzero(members)
            chosen = self.catalogue.for_tier(tier)
            free = [i.code for i in chosen if i.code not in always]
            if not rows.size or not free:
                continue
            fixed = len(chosen) - len(free)
            rng = self.rng("completeness", tier)
            target = uniform_between(rng, completeness[tier], rows.size) * len(chosen)
            rank = rng.random((rows.size, len(free))).argsort(axis=1).argsort(axis=1)
            for t in range(y):
                wanted = target + completeness["yearly_improvement"] * t * len(chosen)
                quota = np.clip(np.round(wanted - fixed), 0, len(free))
                chosen_now = rank < quota[:, None]
                for column, code in enumerate(free):
                    answered[code][rows, t] = chosen_now[:, column]
        return answered

    def build(self) -> SyntheticValues:
        catalogue = self.catalogue
        indicators = catalogue.indicators
        if self.n:
            self.core()
            for indicator in indicators:
                self.ensure(indicator.code)
        y, count = self.y, len(indicators)
        answered = self.answered()
        parts: dict[str, list[np.ndarray]] = {
            name: [] for name in (
                "number_key", "number", "flag_key", "flag", "pick_key", "pick", "word_key",
                "word", "na_key", "na",
            )
        }
        for column, indicator in enumerate(indicators):
            code = indicator.code
            present = answered[code] & self.in_tier(code)[:, None]
            mark = self.na.get(code)
            shown = present if mark is None else present & (mark < 0)
            rows, years = np.nonzero(shown)
            keys = (rows.astype(np.int64) * y + years) * count + column
            kind = indicator.data_type
            if not rows.size:
                pass
            elif kind in ("number", "percentage"):
                parts["number_key"].append(keys)
                parts["number"].append(self.number[code][rows, years])
            elif kind == "boolean":
                parts["flag_key"].append(keys)
                parts["flag"].append(self.flag[code][rows, years].astype(np.int8))
            elif kind == "choice":
                parts["pick_key"].append(keys)
                parts["pick"].append(self.pick[code][rows, years])
            else:
                parts["word_key"].append(keys)
                parts["word"].append(self.words[code][rows, years])
            if mark is not None:
                hidden = present & (mark >= 0)
                rows, years = np.nonzero(hidden)
                parts["na_key"].append((rows.astype(np.int64) * y + years) * count + column)
                parts["na"].append(mark[rows, years])

        def joined(name: str, dtype: Any) -> np.ndarray:
            chunks = parts[name]
            return np.concatenate(chunks).astype(dtype) if chunks else np.zeros(0, dtype=dtype)

        blocks = [
            (joined("number_key", np.int64), joined("number", np.float64), "number"),
            (joined("flag_key", np.int64), joined("flag", np.int8), "boolean"),
            (joined("pick_key", np.int64), joined("pick", np.int16), "choice"),
            (joined("word_key", np.int64), joined("word", np.int32), "text"),
        ]
        keys = np.concatenate([block[0] for block in blocks])
        order = np.argsort(keys, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.shape[0])
        total = keys.shape[0]
        columns = {
            "number": np.full(total, np.nan),
            "boolean": np.full(total, -1, dtype=np.int8),
            "choice": np.full(total, -1, dtype=np.int16),
            "text": np.full(total, -1, dtype=np.int32),
        }
        start = 0
        for block_keys, block_values, name in blocks:
            stop = start + block_keys.shape[0]
            columns[name][rank[start:stop]] = block_values
            start = stop
        sorted_keys = keys[order]
        na_keys = joined("na_key", np.int64)
        na_order = np.argsort(na_keys, kind="stable")
        na_sorted = na_keys[na_order]
        year_values = np.asarray(self.years, dtype=np.int16)
        tiers = np.where(self.listed, "standard", "basic").astype("<U8")

        return SyntheticValues(
            enterprises=tuple(self.enterprises),
            years=tuple(self.years),
            codes=tuple(i.code for i in indicators),
            data_types=tuple(i.data_type for i in indicators),
            units=tuple(i.unit if i.is_numeric else "" for i in indicators),
            choice_keys=tuple(tuple(c.key for c in i.choices) for i in indicators),
            tier=np.repeat(tiers[:, None], y, axis=1),
            enterprise_index=(sorted_keys // count // y).astype(np.int32),
            year=year_values[(sorted_keys // count) % y],
            indicator=(sorted_keys % count).astype(np.int16),
            number=columns["number"],
            boolean=columns["boolean"],
            choice=columns["choice"],
            text=columns["text"],
            text_pool=tuple(self.text_pool),
            na_enterprise_index=(na_sorted // count // y).astype(np.int32),
            na_year=year_values[(na_sorted // count) % y],
            na_indicator=(na_sorted % count).astype(np.int16),
            na_explanation=joined("na", np.int16)[na_order],
            explanations=tuple(self.explanations),
            factors=tuple(self.factor_uses),
            catalogue_version=catalogue.version,
            parameters_version=self.params.version,
            seed=self.seed,
        )

