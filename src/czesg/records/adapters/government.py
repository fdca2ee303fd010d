"""What an adapter of a government register declares whose rows become government records (the
facts the ratings read: environmental credit colours, penalty decisions, tax credit grades),
and the readers of dates and words that these registers share."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from czesg.engine.kernel.problems import Problem
from czesg.engine.records.tables import pick_columns, read_table


@dataclass
class Candidate:
    """One row read from a register: its line, the credit code as printed, and the record's
    fields (year, kind, key, amount, document, decided_on, source, legal_basis)."""

    row: int
    uscc: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class GovernmentAdapter:
    """A documented file format of a government register whose rows are government records.

    ``read`` turns the picked columns (plus ``row``) into candidates and the problems of their
    own fields; :mod:`czesg.records.government_importing` checks the credit codes, duplicates
    and what is held, and writes them."""

    name: str
    kind: str
    title: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    read: Callable[[pl.DataFrame], tuple[list[Candidate], list[Problem]]]
    sample: str
    source_kind: str = "government_register"
    keyed_by_account: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def candidates(self, data: bytes, file_name: str) -> tuple[list[Candidate], list[Problem]]:
        """The file's rows as candidates and the problems of their fields."""
        return self.read(pick_columns(read_table(data, file_name), self.columns, self.required))


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})\s*日?\s*$")


def read_date(text: str) -> date | None:
    """A date as registers print it ("2024-03-15", "2024/3/15", "2024年3月15日", "20240315")."""
    found = _DATE.match(text or "")
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def read_year(text: str) -> int | None:
    """A year as printed ("2024", "2024年", "2024年度")."""
    found = re.fullmatch(r"\s*(\d{4})\s*年?度?\s*", text or "")
    return int(found.group(1)) if found else None
