"""The state that the disclosure builder's parts share: the population, the truths, the draws."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from czesg.engine.catalogue import Catalogue
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.synth.draws import DISCLOSURE_STREAM, random_stream
from czesg.engine.synth.enterprises import SyntheticEnterprise
from czesg.engine.synth.parameters import (
    PARAMETERS_NAME,
    SIZE_CLASSES,
    FactorUse,
    SynthParameters,
)


def summed(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """The element-wise sum of ``arrays`` (``sum`` of them, as an array)."""
    return np.asarray(sum(arrays))


class DisclosureState:
    """The population and the truths drawn so far, with the primitives every rule draws with."""

    def __init__(
        self, enterprises: list[SyntheticEnterprise], years: list[int], seed: int,
        catalogue: Catalogue, params: SynthParameters, *, submittable: bool = False,
    ) -> None:
        self.submittable = submittable
        self.enterprises = enterprises
        self.years = years
        self.seed = seed
        self.catalogue = catalogue
        self.params = params
        self.sections = params.sections
        self.n = len(enterprises)
        self.y = len(years)
        self.listed = np.array([e.listed for e in enterprises], dtype=bool)
        size_of = {size: index for index, size in enumerate(SIZE_CLASSES)}
        self.size = np.array([size_of[e.size_class] for e in enterprises], dtype=np.int64)
        self.lead_keys = sorted({e.lead_industry for e in enterprises})
        lead_of = {key: index for index, key in enumerate(self.lead_keys)}
        self.lead = np.array([lead_of[e.lead_industry] for e in enterprises], dtype=np.int64)
        leads = self.sections["lead_industry"]
        self.lead_params = [leads.get(key, leads["default"]) for key in self.lead_keys]
        self.industrial = np.array(
            [p["industrial"] for p in self.lead_params], dtype=bool
        )[self.lead] if self.n else np.zeros(0, dtype=bool)
        self.codes = params.codes
        self.number: dict[str, np.ndarray] = {}
        self.flag: dict[str, np.ndarray] = {}
        self.pick: dict[str, np.ndarray] = {}
        self.words: dict[str, np.ndarray] = {}
        self.na: dict[str, np.ndarray] = {}
        self.explanations: list[str] = []
        self.explanation_index: dict[str, int] = {}
        self.text_pool: list[str] = []
        self.text_index: dict[str, int] = {}
        self.busy: set[str] = set()
        self.factor_uses: list[FactorUse] = []
        self.location_uses: list[FactorUse] = []
        self.efficiency: np.ndarray = np.ones((self.n, self.y))

    # -- helpers ------------------------------------------------------------------------------
    def rng(self, *labels: str) -> np.random.Generator:
        return random_stream(self.seed, DISCLOSURE_STREAM, *labels)

    def explanation(self, text: str) -> int:
        if text not in self.explanation_index:
            self.explanation_index[text] = len(self.explanations)
            self.explanations.append(text)
        return self.explanation_index[text]

    def pooled(self, text: str) -> int:
        if text not in self.text_index:
            self.text_index[text] = len(self.text_pool)
            self.text_pool.append(text)
        return self.text_index[text]

    def by_lead(self, values: Sequence[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)[self.lead] if self.n else np.zeros(0)

    def in_tier(self, code: str) -> np.ndarray:
        """Which enterprises disclose ``code`` in their tier (none when it is not catalogued)."""
        if code not in self.catalogue:
            return np.zeros(self.n, dtype=bool)
        if self.catalogue.get(code).tier == "basic":
            return np.ones(self.n, dtype=bool)
        return self.listed.copy()

    def set_na(self, code: str, mask: np.ndarray, explanation: str | np.ndarray) -> None:
        """Mark enterprise-years (mask (n, years) or (n,)) of ``code`` as not applicable."""
        mask = np.broadcast_to(mask.reshape(self.n, -1), (self.n, self.y))
        if not mask.any():
            return
        current = self.na.get(code)
        if current is None:
            current = np.full((self.n, self.y), -1, dtype=np.int16)
            self.na[code] = current
        index = self.explanation(explanation) if isinstance(explanation, str) else explanation
        current[mask & (current < 0)] = np.broadcast_to(index, (self.n, self.y))[
            mask & (current < 0)
        ]

    def na_of(self, code: str) -> np.ndarray | None:
        self.ensure(code)
        return self.na.get(code)

    def inherit_na(self, code: str, sources: Sequence[str], *, all_of: bool = False) -> None:
        """Make ``code`` not applicable where a source is (or where all sources are)."""
        marks = [self.na_of(source) for source in sources]
        if all_of:
            present = [mark for mark in marks if mark is not None]
            if len(present) != len(marks) or not marks:
                return
            mask = np.logical_and.reduce([mark >= 0 for mark in present])
            self.set_na(code, mask, present[0])
            return
        for mark in marks:
            if mark is not None:
                self.set_na(code, mark >= 0, mark)

    def value(self, name: str) -> np.ndarray:
        """The truth of a core key, an indicator code, or "one", as an (n, years) array."""
        if name == "one":
            return np.ones((self.n, self.y))
        code = self.codes.get(name, name)
        self.ensure(code)
        if code not in self.number:
            raise DataFileError(
                file=PARAMETERS_NAME, row="generic", field=name,
                reason=f"“{name}” is neither a key of [indicator_codes] nor a numeric indicator",
            )
        return self.number[code]

    def resource(
        self, key: str, base: np.ndarray, *, efficiency: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whether each enterprise uses a resource, and its quantity = base x own intensity."""
        table = self.sections["intensity"][key]
        pairs = [table.get(lead, table["default"]) for lead in self.lead_keys]
        share = self.by_lead([pair[0] for pair in pairs])
        median = self.by_lead([pair[1] for pair in pairs])
        rng = self.rng("core", "intensity", key)
        uses = rng.random(self.n) < share
        level = median * np.exp(self.sections["intensity"]["sigma"] * rng.standard_normal(self.n))
        noise = np.exp(
            self.sections["intensity"]["year_sigma"] * rng.standard_normal((self.n, self.y))
        )
        quantity = base * level[:, None] * noise
        if efficiency:
            quantity = quantity * self.efficiency
        quantity[~uses] = 0.0
        return uses, quantity

    def ensure(self, code: str) -> None:
        """Compute ``code`` (and what it depends on) once; the generic rules define it."""
        raise NotImplementedError
