"""What every record adapter declares, and the shared step from its file to the standard frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from czesg.engine.kernel.problems import Problem
from czesg.engine.records.checking import STANDARD
from czesg.engine.records.tables import pick_columns, read_table


@dataclass(frozen=True)
class Adapter:
    """A documented file format of one kind of source.

    ``columns`` maps the adapter's column names to their accepted spellings; ``shape`` turns the
    picked columns (plus ``row``, the line number a person sees) into the standard columns and
    any problems of its own (an unknown account, a date outside the year); ``keyed_by_account``
    says that rows name a source account that :class:`~czesg.records.models.AccountLink` maps to
    an enterprise."""

    name: str
    source_kind: str
    title: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    shape: Callable[[pl.DataFrame, dict[str, str]], tuple[pl.DataFrame, list[Problem]]]
    sample: str
    keyed_by_account: bool = False
    method: str = "reported"
    confidence: str = "confirmed-secondary"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def standard(self, data: bytes, file_name: str, accounts: dict[str, str]
                 ) -> tuple[pl.DataFrame, list[Problem], int]:
        """The file as the standard frame (text columns of ``STANDARD`` plus ``row``), the
        adapter's own problems and the number of rows the file holds (more than the frame's
        when the adapter sums rows, as a utility's months); ``accounts`` maps this source's
        accounts to credit codes."""
        picked = pick_columns(read_table(data, file_name), self.columns, self.required)
        picked = picked.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
        frame, problems = self.shape(picked, accounts)
        missing = [c for c in STANDARD if c not in frame.columns]
        frame = frame.with_columns(pl.lit("").alias(c) for c in missing)
        return frame.select("row", *STANDARD), problems, picked.height
