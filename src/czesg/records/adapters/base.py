"""What every record adapter declares, and the shared step from its file to the standard frame."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import polars as pl

from czesg.engine.kernel.problems import Problem
from czesg.engine.records.checking import STANDARD
from czesg.engine.records.tables import pick_columns, read_chunks, read_table


@dataclass(frozen=True)
class Adapter:
    """A documented file format of one kind of source.

    ``columns`` maps the adapter's column names to their accepted spellings; ``shape`` turns the
    picked columns (plus ``row``, the line number a person sees) into the standard columns and
    any problems of its own (an unknown account, a date outside the year); ``keyed_by_account``
    says that rows name a source account that :class:`~czesg.records.models.AccountLink` maps to
    an enterprise; ``row_by_row`` says that ``shape`` reads each row alone (no sums or
    majorities over the file), so that the file can be read in chunks."""

    name: str
    source_kind: str
    title: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    shape: Callable[[pl.DataFrame, dict[str, str]], tuple[pl.DataFrame, list[Problem]]]
    sample: str
    keyed_by_account: bool = False
    row_by_row: bool = False
    method: str = "reported"
    confidence: str = "confirmed-secondary"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def chunks(self, data: bytes, file_name: str, accounts: dict[str, str]
               ) -> Iterator[tuple[pl.DataFrame, list[Problem], int]]:
        """The file as standard frames (text columns of ``STANDARD`` plus ``row``), each with
        the adapter's own problems and the number of file rows it came from (more than the
        frame's when the adapter sums rows, as a utility's months); ``accounts`` maps this
        source's accounts to credit codes. A file is read a chunk of rows at a time when the
        adapter's rows stand alone (``row_by_row``), else whole, as one chunk."""
        tables = (read_chunks(data, file_name) if self.row_by_row
                  else iter([read_table(data, file_name)]))
        for table in tables:
            picked = pick_columns(table, self.columns, self.required)
            frame, problems = self.shape(picked, accounts)
            missing = [c for c in STANDARD if c not in frame.columns]
            frame = frame.with_columns(pl.lit("").alias(c) for c in missing)
            yield frame.select("row", *STANDARD), problems, picked.height
