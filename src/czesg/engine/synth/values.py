"""Columnar disclosure values of synthetic enterprises, with row and array views."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.synth.enterprises import SyntheticEnterprise
from czesg.engine.synth.parameters import TIERS, FactorUse


@dataclass(frozen=True, eq=False)
class SyntheticValues:
    """Columnar disclosure values of synthetic enterprises, sorted by enterprise, year, indicator.

    Row ``i`` is one disclosed value: enterprise ``enterprises[enterprise_index[i]]``, year
    ``year[i]``, indicator ``codes[indicator[i]]``. Exactly one value column is set per row, as
    the indicator's data type says: ``number`` (float, NaN otherwise), ``boolean`` (1/0, -1
    otherwise), ``choice`` (index into the indicator's choices, -1 otherwise) or ``text`` (index
    into ``text_pool``, -1 otherwise). Numbers are in the indicator's canonical unit
    (``units``). Not-applicable answers are in the ``na_*`` columns with an index into
    ``explanations``. ``tier`` holds the tier of every enterprise-year.
    """

    enterprises: tuple[SyntheticEnterprise, ...]
    years: tuple[int, ...]
    codes: tuple[str, ...]
    data_types: tuple[str, ...]
    units: tuple[str, ...]
    choice_keys: tuple[tuple[str, ...], ...]
    tier: np.ndarray
    enterprise_index: np.ndarray
    year: np.ndarray
    indicator: np.ndarray
    number: np.ndarray
    boolean: np.ndarray
    choice: np.ndarray
    text: np.ndarray
    text_pool: tuple[str, ...]
    na_enterprise_index: np.ndarray
    na_year: np.ndarray
    na_indicator: np.ndarray
    na_explanation: np.ndarray
    explanations: tuple[str, ...]
    factors: tuple[FactorUse, ...]
    catalogue_version: str
    parameters_version: str
    seed: int

    def __len__(self) -> int:
        return int(self.indicator.shape[0])

    @property
    def indicator_code(self) -> np.ndarray:
        """The indicator code of every row (an object array, built on demand)."""
        return np.asarray(self.codes, dtype=object)[self.indicator]

    def value(self, row: int) -> float | bool | str:
        """The value of one row as a Python float, bool or str (a choice gives its key)."""
        kind = self.data_types[self.indicator[row]]
        if kind in ("number", "percentage"):
            return float(self.number[row])
        if kind == "boolean":
            return bool(self.boolean[row])
        if kind == "choice":
            return self.choice_keys[self.indicator[row]][self.choice[row]]
        return self.text_pool[self.text[row]]

    def rows(self) -> Iterator[tuple[str, int, str, str, float | bool | str, str]]:
        """Yield ``(uscc, year, tier, code, value, unit)`` for every value (for small sizes)."""
        year_position = {year: index for index, year in enumerate(self.years)}
        columns = zip(
            self.enterprise_index.tolist(), self.year.tolist(), self.indicator.tolist(),
            self.number.tolist(), self.boolean.tolist(), self.choice.tolist(),
            self.text.tolist(), strict=True,
        )
        for enterprise, year, indicator, number, flag, choice, text in columns:
            kind = self.data_types[indicator]
            value: float | bool | str
            if kind in ("number", "percentage"):
                value = number
            elif kind == "boolean":
                value = bool(flag)
            elif kind == "choice":
                value = self.choice_keys[indicator][choice]
            else:
                value = self.text_pool[text]
            yield (
                self.enterprises[enterprise].uscc, year,
                str(self.tier[enterprise, year_position[year]]), self.codes[indicator], value,
                self.units[indicator],
            )

    def not_applicable_rows(self) -> Iterator[tuple[str, int, str, str, str]]:
        """Yield ``(uscc, year, tier, code, explanation)`` for every not-applicable answer."""
        year_position = {year: index for index, year in enumerate(self.years)}
        columns = zip(
            self.na_enterprise_index.tolist(), self.na_year.tolist(), self.na_indicator.tolist(),
            self.na_explanation.tolist(), strict=True,
        )
        for enterprise, year, indicator, explanation in columns:
            yield (
                self.enterprises[enterprise].uscc, year,
                str(self.tier[enterprise, year_position[year]]), self.codes[indicator],
                self.explanations[explanation],
            )

    def numbers(self, code: str) -> np.ndarray:
        """An (enterprises x years) array of a numeric indicator, NaN where not disclosed."""
        column = self.codes.index(code)
        out = np.full((len(self.enterprises), len(self.years)), np.nan)
        rows = self.indicator == column
        positions = np.searchsorted(np.asarray(self.years), self.year[rows])
        out[self.enterprise_index[rows], positions] = self.number[rows]
        return out

    def completeness(self, catalogue: Catalogue | None = None) -> np.ndarray:
        """The share of its tier that each enterprise-year answered (not applicable counts)."""
        catalogue = catalogue or load_catalogue()
        n, years = len(self.enterprises), len(self.years)
        counts = np.zeros(n * years)
        for enterprise, year in (
            (self.enterprise_index, self.year), (self.na_enterprise_index, self.na_year),
        ):
            positions = np.searchsorted(np.asarray(self.years), year)
            counts += np.bincount(
                enterprise.astype(np.int64) * years + positions, minlength=n * years
            )
        sizes = {tier: len(catalogue.for_tier(tier)) for tier in TIERS}
        denominator = np.vectorize(sizes.__getitem__, otypes=[float])(self.tier).ravel()
        return (counts / denominator).reshape(n, years)


