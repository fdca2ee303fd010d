"""Energy and emissions of synthetic enterprises, computed by the carbon engine.

The builder draws each carrier's quantity; the carbon engine turns them into Scope 1, Scope 2
(location- and market-based) and energy in tce, in one vectorised call over all enterprise-years
(:func:`carbon_totals`), with the factor set that the parameters name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon import calculate
from czesg.engine.synth.parameters import Carrier, FactorUse, SynthParameters
from czesg.engine.synth.state import DisclosureState

# The carbon engine's totals that the economic core discloses, by its indicator key.
CARBON_TOTALS: Mapping[str, str] = {
    "scope1": "scope1_tco2e", "scope2_location": "scope2_location_tco2e",
    "scope2_market": "scope2_market_tco2e", "ghg_total": "total_tco2e",
    "energy_total": "energy_tce",
}


def carbon_totals(
    params: SynthParameters, years: Sequence[int], quantities: Mapping[str, np.ndarray],
    green: np.ndarray,
) -> dict[str, np.ndarray]:
    """The carbon engine's totals (:data:`CARBON_TOTALS`) as (enterprises x years) arrays.

    ``quantities`` holds each carrier's (enterprises x years) quantity in its activity's unit and
    ``green`` the green electricity bought; every non-zero one becomes an activity row, and the
    engine computes all of them at once. Enterprise-years without rows get zero.
    """
    n, y = green.shape
    flat: list[np.ndarray] = []
    activity: list[np.ndarray] = []
    quantity: list[np.ndarray] = []
    entries = [(c.activity.code, c.activity.unit, quantities[c.key]) for c in params.carriers]
    entries.append((params.green_activity.code, params.green_activity.unit, green))
    codes = [code for code, _, _ in entries]
    units = [u for _, u, _ in entries]
    for index, (_, _, values) in enumerate(entries):
        ravelled = values.ravel()
        rows = np.flatnonzero(ravelled > 0)
        flat.append(rows)
        activity.append(np.full(rows.shape[0], index, dtype=np.int64))
        quantity.append(ravelled[rows])
    out = {key: np.zeros((n, y)) for key in CARBON_TOTALS}
    position = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64)
    if not position.shape[0]:
        return out
    enterprise = position // y
    width = len(str(max(n - 1, 0)))
    keys = pl.Series(np.arange(n), dtype=pl.Int64).cast(pl.String).str.zfill(width)
    which = np.concatenate(activity)
    frame = pl.DataFrame({
        "uscc": keys.gather(enterprise),
        "year": pl.Series(np.asarray(years, dtype=np.int64)[position % y], dtype=pl.Int64),
        "activity": pl.Series(codes, dtype=pl.String).gather(which),
        "quantity": pl.Series(np.concatenate(quantity), dtype=pl.Float64),
        "unit": pl.Series(units, dtype=pl.String).gather(which),
    })
    province = params.province
    result = calculate(
        frame, factor_set=params.factor_set, province=province,
        grid_region=params.grid_regions.get(province), grid_regions=params.grid_regions,
    )
    totals = result.totals
    at = (totals.get_column("uscc").cast(pl.Int64).to_numpy() * y
          + np.searchsorted(np.asarray(years), totals.get_column("year").to_numpy()))
    for key, column in CARBON_TOTALS.items():
        out[key].ravel()[at] = totals.get_column(column).to_numpy()
    return out


class EnergyAndEmissions(DisclosureState):
    """The energy carriers of the disclosure builder and their emissions, from the carbon engine."""

    def energy_and_emissions(self, revenue: np.ndarray) -> None:
        """Draw every carrier's quantity and disclose the carbon engine's totals for them."""
        n, y, codes = self.n, self.y, self.codes
        completeness = self.sections["completeness"]
        quantities: dict[str, np.ndarray] = {}
        electricity_carrier = self.params.carrier("electricity")
        for carrier in self.params.carriers:
            if carrier.role == "own_renewable":
                continue
            uses, quantity = self.resource(carrier.key, revenue)
            uses &= self.in_tier(carrier.indicator)
            quantity[~uses] = 0.0
            quantity = np.round(quantity, carrier.decimals)
            if carrier.key == "electricity":
                quantity = np.maximum(quantity, 10.0 ** -carrier.decimals)
            quantities[carrier.key] = quantity
            self.number[carrier.indicator] = quantity
            self.unused_carrier(carrier, uses, completeness)
        electricity = quantities["electricity"]
        for carrier in self.params.carriers:
            if carrier.role != "own_renewable":
                continue
            uses, share = self.resource(carrier.key, np.ones((n, y)), efficiency=False)
            uses &= self.in_tier(carrier.indicator)
            quantity = np.round(electricity * np.minimum(share, 1.0), carrier.decimals)
            quantity[~uses] = 0.0
            quantities[carrier.key] = quantity
            self.number[carrier.indicator] = quantity
            self.unused_carrier(carrier, uses, completeness)
        uses, share = self.resource("green_electricity", np.ones((n, y)), efficiency=False)
        uses &= self.in_tier(codes["green_electricity"])
        green = np.round(electricity * np.minimum(share, 0.95), electricity_carrier.decimals)
        green[~uses] = 0.0
        self.number[codes["green_electricity"]] = green

        location = [self.params.grid_factor(year, "location") for year in self.years]
        residual = [self.params.grid_factor(year, "residual") for year in self.years]
        self.location_uses = location
        self.factor_uses += location + residual
        # Clean energy in tce: the clean carriers and the green electricity bought, each at the
        # carbon engine's coefficient of its activity (electricity at the calorific equivalent).
        clean = np.zeros((n, y))
        for carrier in self.params.carriers:
            quantity = quantities[carrier.key]
            if carrier.clean:
                clean += quantity * carrier.tce_per_unit
            if carrier.key == "electricity":
                clean += green * carrier.tce_per_unit
            for purpose, factor in (
                ("standard_coal", carrier.standard_coal), ("emission", carrier.emission_factor),
            ):
                if factor is not None:
                    self.factor_uses += [
                        FactorUse(year=year, purpose=f"{carrier.key}_{purpose}", factor=factor,
                                  fallback=False) for year in self.years
                    ]
        for key, values in carbon_totals(self.params, self.years, quantities, green).items():
            self.number[codes[key]] = values
        self.number[codes["clean_energy"]] = clean

    def unused_carrier(
        self, carrier: Carrier, uses: np.ndarray, completeness: Mapping[str, Any]
    ) -> None:
        """Mark some carriers that an enterprise does not use as not applicable."""
        coin = self.rng("core", "unused", carrier.key).random(self.n)
        self.set_na(
            carrier.indicator, ~uses & (coin < completeness["unused_carrier_not_applicable"]),
            completeness["unused_carrier_explanation"],
        )

    def ghg_method_text(self) -> None:
        """The synthetic E-GHG-06 text of each year: the factors applied, fallbacks stated."""
        heat = self.params.heat_factor
        electricity = self.params.electricity_standard_coal
        heat_text = (f"，外购热力采用{heat.value:g} {heat.unit}（{heat.factor_id}）"
                     if heat is not None else "")
        per_year = []
        for use in self.location_uses:
            factor = use.factor
            late = (f"，{use.year}年因子尚未发布，沿用最近发布的{factor.data_year}年因子"
                    if factor.data_year != use.year else "")
            per_year.append(self.pooled(
                f"范围1按GB/T 32151系列缺省参数核算化石燃料燃烧排放；范围2（基于位置）采用"
                f"{factor.data_year}年{factor.name_zh}{factor.value:g} {factor.unit}"
                f"（{factor.factor_id}）{late}{heat_text}；综合能耗中电力按"
                f"{self.params.electricity_basis_zh}"
                f"{electricity.value:g} {electricity.unit}折算标准煤（合成数据）"
            ))
        self.words[self.codes["ghg_method_text"]] = np.broadcast_to(
            np.array(per_year, dtype=np.int32), (self.n, self.y)
        ).copy()
