"""Columnar rating inputs: one year's values matrix, statuses and government records.

:class:`RatingInput` holds one year's values as an enterprises × indicators matrix (NaN =
missing) with a status matrix and the government-record columns that drive the deductions; it
is built from long rows, from synthetic values, or directly from arrays, and hashed in a
canonical order so that equal inputs in any row or column order hash alike.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from czesg.engine.plan import CityProfile, load_city_profile
from czesg.engine.rating.methodology import Methodology, load_methodology, materiality_group
from czesg.engine.rating.vocabulary import (
    ARRAY_RECORDS,
    CERTIFICATION_RECORDS,
    DEFAULT_TIER,
    ENV_CREDIT_COLOURS,
    MISSING,
    NOT_APPLICABLE,
    NUMERIC_RECORDS,
    RECORD_FIELDS,
    REPORTED,
    STATUS_NAMES,
    TAX_CREDIT_GRADES,
    TIERS,
)


class EnterpriseRows:
    """Finds an enterprise's row in inputs and results that hold one row per enterprise."""

    enterprises: tuple[str, ...]
    _rows: dict[str, int]

    def __len__(self) -> int:
        return len(self.enterprises)

    def index(self, enterprise: str) -> int:
        """The row of an enterprise (KeyError when it is not there)."""
        if not self._rows:
            self._rows.update({e: n for n, e in enumerate(self.enterprises)})
        return self._rows[enterprise]


def _status_code(status: Any) -> int:
    """The status code of a status given by name or code."""
    if isinstance(status, int | np.integer) and int(status) in (MISSING, REPORTED, NOT_APPLICABLE):
        return int(status)
    if isinstance(status, str) and status in STATUS_NAMES[:NOT_APPLICABLE + 1]:
        return STATUS_NAMES.index(status)
    raise ValueError(f"unknown status {status!r}; expected one of "
                     f"{', '.join(STATUS_NAMES[:NOT_APPLICABLE + 1])}")


def encode_value(value: Any, data_type: str, choices: Sequence[str], code: str) -> float:
    """A value as the float the values matrix holds: booleans 1/0, choices by position."""
    if value is None:
        return math.nan
    if data_type == "choice":
        if isinstance(value, str):
            if value not in choices:
                raise ValueError(f"{code} has no choice {value!r}")
            return float(choices.index(value))
        return float(value)
    if data_type == "boolean":
        if isinstance(value, str):
            raise ValueError(f"{code} expects a yes/no value, not {value!r}")
        return 1.0 if bool(value) else 0.0
    if isinstance(value, str):
        raise ValueError(f"{code} expects a number, not {value!r}")
    return float(value)


@dataclass(frozen=True, eq=False)
class RatingInput(EnterpriseRows):
    """One year's rating inputs: enterprises × indicators values, statuses and government records.

    ``values[e, j]`` is enterprise ``enterprises[e]``'s value of indicator ``codes[j]`` in the
    catalogue's canonical unit (booleans 1/0, a choice by its position in the catalogue's
    choices), NaN when there is none; ``status[e, j]`` is :data:`MISSING`, :data:`REPORTED` or
    :data:`NOT_APPLICABLE`. The materiality group of enterprise ``e`` is
    ``group_keys[group_index[e]]``. The record columns hold environmental penalties (count and
    amount in 万元), work-safety accidents (fatal, serious), the tax credit grade and the
    environmental credit colour (positions in :data:`TAX_CREDIT_GRADES` and
    :data:`ENV_CREDIT_COLOURS`, -1 when there is none), certifications (one boolean column per
    :data:`CERTIFICATION_RECORDS`), a confirmed green catalogue category and the GB/T 4754 code.
    ``tiers`` holds each enterprise's disclosure tier (:data:`TIERS`; standard when not given),
    which only a tier-aware methodology reads.
    """

    enterprises: tuple[str, ...]
    year: int
    group_keys: tuple[str, ...]
    group_index: np.ndarray
    codes: tuple[str, ...]
    values: np.ndarray
    status: np.ndarray
    env_penalty_count: np.ndarray | None = None
    env_penalty_amount: np.ndarray | None = None
    fatal_accidents: np.ndarray | None = None
    serious_accidents: np.ndarray | None = None
    tax_credit: np.ndarray | None = None
    env_credit: np.ndarray | None = None
    certifications: np.ndarray | None = None
    industry_codes: tuple[str, ...] = ()
    green_category: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    _rows: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        n, k = len(self.enterprises), len(self.codes)
        if len(set(self.enterprises)) != n:
            raise ValueError("the enterprise ids must be unique")
        if len(set(self.codes)) != k:
            raise ValueError("the indicator codes must be unique")
        values = np.asarray(self.values, dtype=np.float64).reshape(n, k)
        status = np.asarray(self.status, dtype=np.int8).reshape(n, k)
        if status.size and (status.min() < MISSING or status.max() > NOT_APPLICABLE):
            raise ValueError("a status must be 0 (missing), 1 (reported) or 2 (not applicable)")
        index = np.asarray(self.group_index, dtype=np.int64).reshape(n)
        if n and (index.min() < 0 or index.max() >= len(self.group_keys)):
            raise ValueError("a group index is outside group_keys")
        sets = dict(values=values, status=status, group_index=index)
        for name in NUMERIC_RECORDS:
            column = getattr(self, name)
            column = np.zeros(n) if column is None else np.asarray(column, dtype=np.float64)
            if column.shape != (n,) or np.any(~np.isfinite(column)) or np.any(column < 0):
                raise ValueError(f"{name} must hold one non-negative number per enterprise")
            sets[name] = column
        for name, scale in (("tax_credit", TAX_CREDIT_GRADES), ("env_credit", ENV_CREDIT_COLOURS)):
            column = getattr(self, name)
            column = np.full(n, -1, np.int8) if column is None else np.asarray(column, np.int8)
            if column.shape != (n,) or np.any(column < -1) or np.any(column >= len(scale)):
                raise ValueError(f"{name} must hold one position in {scale} (or -1) each")
            sets[name] = column
        certs = self.certifications
        certs = (np.zeros((n, len(CERTIFICATION_RECORDS)), bool) if certs is None
                 else np.asarray(certs, dtype=bool).reshape(n, len(CERTIFICATION_RECORDS)))
        sets["certifications"] = certs
        for name in ("industry_codes", "green_category"):
            column = tuple(getattr(self, name)) or ("",) * n
            if len(column) != n:
                raise ValueError(f"{name} must have one entry per enterprise")
            sets[name] = column
        tiers = tuple(self.tiers) or (DEFAULT_TIER,) * n
        if len(tiers) != n or any(t not in TIERS for t in tiers):
            raise ValueError(f"tiers must hold one of {', '.join(TIERS)} per enterprise")
        sets["tiers"] = tiers
        for name, value in sets.items():
            object.__setattr__(self, name, value)

    @property
    def groups(self) -> tuple[str, ...]:
        """The materiality group key of every enterprise."""
        return tuple(np.asarray(self.group_keys, dtype=object)[self.group_index])

    def hash(self) -> str:
        """The sha256 of the canonical inputs (enterprises and indicators sorted, values only
        where reported), so that equal inputs in any row or column order hash alike."""
        cached = self._cache.get("hash")
        if cached is None:
            cached = _inputs_hash(self)
            self._cache["hash"] = cached
        return cached

    def take(self, rows: Sequence[int] | np.ndarray) -> RatingInput:
        """A new input with the given rows (a subset or a reordering)."""
        rows = np.asarray(rows, dtype=np.int64)
        pick = rows.tolist()
        return RatingInput(
            enterprises=tuple(self.enterprises[r] for r in pick), year=self.year,
            group_keys=self.group_keys, group_index=self.group_index[rows], codes=self.codes,
            values=self.values[rows], status=self.status[rows],
            **{name: getattr(self, name)[rows] for name in ARRAY_RECORDS},
            industry_codes=tuple(self.industry_codes[r] for r in pick),
            green_category=tuple(self.green_category[r] for r in pick),
            tiers=tuple(self.tiers[r] for r in pick),
        )

    def with_value(self, enterprise: str, code: str, value: float,
                   status: int = REPORTED) -> RatingInput:
        """A copy in which one enterprise's value of ``code`` is replaced."""
        row, column = self.index(enterprise), self.codes.index(code)
        values, statuses = self.values.copy(), self.status.copy()
        values[row, column] = value
        statuses[row, column] = status
        return self.replace(values=values, status=statuses)

    def replace(self, **changes: Any) -> RatingInput:
        """A copy with the given fields changed (and nothing cached, such as the hash)."""
        fields = dict(
            enterprises=self.enterprises, year=self.year, group_keys=self.group_keys,
            group_index=self.group_index, codes=self.codes, values=self.values,
            status=self.status, industry_codes=self.industry_codes,
            green_category=self.green_category, tiers=self.tiers,
            **{name: getattr(self, name) for name in ARRAY_RECORDS},
        )
        fields.update(changes)
        return RatingInput(**fields)

    @classmethod
    def from_long(
        cls, rows: Iterable[tuple[str, str, Any, Any]], groups: Mapping[str, str],
        records: Mapping[str, Mapping[str, Any]] | None = None, *, year: int = 0,
        methodology: Methodology | None = None, industries: Mapping[str, str] | None = None,
        tiers: Mapping[str, str] | None = None,
    ) -> RatingInput:
        """Build the input from long rows ``(enterprise, indicator, value, status)``.

        ``groups`` maps every enterprise to its materiality group; ``records`` maps an
        enterprise to its government records (keys of :data:`RECORD_FIELDS`: counts, amounts,
        ``tax_credit`` "A"–"D", ``env_credit`` "green"–"black", ``cert_*`` booleans,
        ``green_catalogue_category``); ``industries`` maps an enterprise to its GB/T 4754 code
        and ``tiers`` to its disclosure tier (standard when absent).
        Rows of indicators that the methodology does not rate are ignored; a choice value is
        its key; a status is "reported", "not_applicable", "missing" or its code.
        """
        methodology = methodology or load_methodology()
        records = records or {}
        industries = industries or {}
        rows = list(rows)
        names = set(groups) | {row[0] for row in rows}
        unknown = sorted(names - set(groups))
        if unknown:
            raise ValueError(f"no materiality group for {unknown[0]!r}")
        enterprises = tuple(sorted(names))
        position = {e: n for n, e in enumerate(enterprises)}
        codes = methodology.codes
        n, k = len(enterprises), len(codes)
        values = np.full((n, k), np.nan)
        status = np.zeros((n, k), np.int8)
        seen: set[tuple[str, str]] = set()
        for enterprise, code, value, state in rows:
            if not methodology.rates(code):
                continue
            if (enterprise, code) in seen:
                raise ValueError(f"{enterprise} has two rows for {code}")
            seen.add((enterprise, code))
            indicator = methodology.indicator(code)
            column = methodology.column(code)
            row = position[enterprise]
            state = _status_code(state)
            status[row, column] = state
            if state == REPORTED:
                values[row, column] = encode_value(
                    value, indicator.data_type, indicator.choices, code
                )
        group_keys = tuple(sorted(set(groups.values())))
        for key in group_keys:
            methodology.group(key)  # KeyError for an unknown group
        group_position = {key: n for n, key in enumerate(group_keys)}
        arrays = records_arrays(enterprises, records)
        return cls(
            enterprises=enterprises, year=int(year), group_keys=group_keys,
            group_index=np.array([group_position[groups[e]] for e in enterprises], np.int64),
            codes=codes, values=values, status=status,
            industry_codes=tuple(industries.get(e, "") for e in enterprises),
            tiers=tuple((tiers or {}).get(e, DEFAULT_TIER) for e in enterprises), **arrays,
        )

    @classmethod
    def from_synthetic(
        cls, values: Any, year: int, *, methodology: Methodology | None = None,
        records: Mapping[str, np.ndarray] | None = None, profile: CityProfile | None = None,
    ) -> RatingInput:
        """Build the input for one year from :class:`czesg.engine.synth.SyntheticValues`.

        ``records`` optionally gives whole record columns (``env_penalty_count`` etc., as
        arrays in enterprise order); without them every enterprise has a clean record.
        """
        methodology = methodology or load_methodology()
        profile = profile or load_city_profile()
        enterprises = values.enterprises
        n, codes = len(enterprises), methodology.codes
        column_of = np.full(len(values.codes), -1, np.int64)
        for column, code in enumerate(codes):
            if code in values.codes:
                column_of[values.codes.index(code)] = column
        matrix = np.full((n, len(codes)), np.nan)
        status = np.zeros((n, len(codes)), np.int8)
        kinds = np.array([{"boolean": 1, "choice": 2}.get(t, 0) for t in values.data_types])
        rows = (values.year == year) & (column_of[values.indicator] >= 0)
        indicator = values.indicator[rows]
        kind = kinds[indicator]
        cell = np.where(kind == 1, values.boolean[rows].astype(float),
                        np.where(kind == 2, values.choice[rows].astype(float), values.number[rows]))
        matrix[values.enterprise_index[rows], column_of[indicator]] = cell
        status[values.enterprise_index[rows], column_of[indicator]] = REPORTED
        na = (values.na_year == year) & (column_of[values.na_indicator] >= 0)
        status[values.na_enterprise_index[na], column_of[values.na_indicator[na]]] = NOT_APPLICABLE
        industry_codes = tuple(e.industry_code for e in enterprises)
        unique = sorted(set(industry_codes))
        group_of_code = {code: materiality_group(code, methodology, profile) for code in unique}
        group_keys = tuple(sorted(set(group_of_code.values())))
        lookup = np.array([group_keys.index(group_of_code[c]) for c in unique], np.int64)
        _, inverse = np.unique(np.asarray(industry_codes), return_inverse=True)
        arrays: dict[str, Any] = {name: (records or {}).get(name) for name in ARRAY_RECORDS}
        tiers = tuple(e.tier for e in enterprises) if methodology.tier_aware else ()
        return cls(
            enterprises=tuple(e.uscc for e in enterprises), year=int(year),
            group_keys=group_keys, group_index=lookup[inverse], codes=codes, values=matrix,
            status=status, industry_codes=industry_codes, tiers=tiers, **arrays,
        )


def records_arrays(enterprises: Sequence[str], records: Mapping[str, Mapping[str, Any]]
                   ) -> dict[str, Any]:
    """Record columns from per-enterprise mappings (absent = a clean record)."""
    n = len(enterprises)
    out: dict[str, Any] = {name: np.zeros(n) for name in NUMERIC_RECORDS}
    out["tax_credit"] = np.full(n, -1, np.int8)
    out["env_credit"] = np.full(n, -1, np.int8)
    out["certifications"] = np.zeros((n, len(CERTIFICATION_RECORDS)), bool)
    category = [""] * n
    for row, enterprise in enumerate(enterprises):
        record = records.get(enterprise)
        if not record:
            continue
        unknown = sorted(set(record) - set(RECORD_FIELDS))
        if unknown:
            raise ValueError(f"unknown record field {unknown[0]!r} for {enterprise}")
        for name in NUMERIC_RECORDS:
            if record.get(name) is not None:
                out[name][row] = float(record[name])
        for name, scale in (("tax_credit", TAX_CREDIT_GRADES), ("env_credit", ENV_CREDIT_COLOURS)):
            value = record.get(name) or ""
            if value:
                if value not in scale:
                    raise ValueError(f"{enterprise}: {name} {value!r} is not one of {scale}")
                out[name][row] = scale.index(value)
        for column, name in enumerate(CERTIFICATION_RECORDS):
            out["certifications"][row, column] = bool(record.get(name, False))
        category[row] = str(record.get("green_catalogue_category") or "")
    out["green_category"] = tuple(category)
    return out


def _inputs_hash(inputs: RatingInput) -> str:
    """sha256 over the canonical, enterprise-sorted and code-sorted inputs."""
    rows = np.argsort(np.asarray(inputs.enterprises, dtype=str), kind="stable")
    columns = np.argsort(np.asarray(inputs.codes, dtype=str), kind="stable")
    digest = hashlib.sha256()
    header = {
        "format": "czesg-rating-input/1", "year": inputs.year,
        "codes": [inputs.codes[c] for c in columns.tolist()],
        "certifications": list(CERTIFICATION_RECORDS),
    }
    digest.update(json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    groups = np.asarray(inputs.group_keys, dtype=object)[inputs.group_index]
    for column in (inputs.enterprises, groups, inputs.industry_codes, inputs.green_category):
        texts = np.asarray(column, dtype=object)[rows].tolist()
        digest.update(b"\x1e" + "\x1f".join(texts).encode("utf-8"))
    cells = np.ix_(rows, columns)
    status = inputs.status[cells]
    values = inputs.values[cells]
    values = np.where((status == REPORTED) & np.isfinite(values), values + 0.0, np.nan)
    digest.update(np.ascontiguousarray(status, dtype="<i1").tobytes())
    digest.update(np.ascontiguousarray(values, dtype="<f8").tobytes())
    for name in ARRAY_RECORDS:
        column = getattr(inputs, name)[rows]
        digest.update(np.ascontiguousarray(column, dtype="<f8").tobytes())
    if any(tier != DEFAULT_TIER for tier in inputs.tiers):
        # Only inputs with a non-standard tier hash their tiers, so that inputs from before
        # tiers were recorded (every one standard) keep their hash.
        texts = np.asarray(inputs.tiers, dtype=object)[rows].tolist()
        digest.update(b"\x1dtiers\x1e" + "\x1f".join(texts).encode("utf-8"))
    return digest.hexdigest()
