"""A checked reader of TOML tables, shared by every loader of the engine's data files.

The data files (``czesg/data/**/*.toml``) are read through :class:`TomlTable`:
a parsed TOML table together with its file name and key path. Every accessor checks the value it
returns and refuses a malformed one with a :class:`~czesg.engine.kernel.errors.DataFileError` that
names the file, the key path (``row``) and the field, so that an analyst can find the fault.

Key paths are written the way a person reads the file: tables are joined with dots
(``pillar.E.topic.climate``) and entries of an array of tables are counted from 1
(``dimension[1].indicator[2]``). A parser may replace a node's ``path`` with a more telling one
once it knows the entry's key (``dimension.governance``). An empty field is reported as ``-``.
A table built with a :class:`~czesg.engine.datafiles.files.TomlLines` names the line instead of the
key path, and the field by its dotted key path (``topic.key``).

Pure Python; no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

from czesg.engine.kernel.errors import DataFileError
from czesg.engine.kernel.provenance import UNCONFIRMED_RE, Provenance, confidence_problem

if TYPE_CHECKING:
    from czesg.engine.datafiles.files import TomlLines

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
"""The form of an entry's ``key``: lower-case ASCII letters, digits and ``_``."""

__all__ = ["KEY_RE", "UNCONFIRMED_RE", "WEIGHT_TOLERANCE", "FirstSeen", "TomlTable"]

WEIGHT_TOLERANCE = 1e-9
"""How far a set of weights may sum from 1 (rounding of decimal fractions only)."""


class TomlTable:
    """A TOML table with its file and key path, failing with a DataFileError that names both.

    ``confidences`` are the confidence values that :meth:`provenance` accepts besides
    ``unconfirmed-…``; the tables reached from this one inherit them.
    """

    def __init__(self, data: Any, file: str, path: str | int = "", *,
                 confidences: Sequence[str] = (), lines: TomlLines | None = None) -> None:
        self.file = file
        self.path = path
        self.confidences = tuple(confidences)
        self.lines = lines
        if not isinstance(data, dict):
            self.fail("", "expected a table")
        self.data: dict[str, Any] = data

    def _table(self, data: Any, path: str) -> TomlTable:
        return TomlTable(data, self.file, path, confidences=self.confidences, lines=self.lines)

    @property
    def where(self) -> str:
        """Where this table stands, as a refusal names it (``park[2]``, ``line 14``, ``row 7``)."""
        if self.lines is not None:
            return f"line {self.lines.line(str(self.path), '')}"
        return str(self.path) or "(top level)"

    def _path_to(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    # ----------------------------------------------------------------------------------------
    # Failing and structure

    def fail(self, field_name: str, reason: str) -> NoReturn:
        """Refuse the file at this table's path; an empty ``field_name`` is reported as ``-``."""
        if self.lines is not None:
            path = str(self.path)
            dotted = ".".join(part for part in (re.sub(r"\[\d+\]", "", path), field_name) if part)
            raise DataFileError(file=self.file, row=self.lines.line(path, field_name),
                                field=dotted or "-", reason=reason)
        raise DataFileError(
            file=self.file, row=self.path or "(top level)", field=field_name or "-",
            reason=reason,
        )

    def has(self, key: str) -> bool:
        """Whether the table holds ``key``."""
        return key in self.data

    def allow(self, *keys: str) -> None:
        """Refuse any key of the table other than ``keys`` (the first unknown one, sorted)."""
        unknown = sorted(set(self.data) - set(keys))
        if unknown:
            self.fail(unknown[0], "unknown key; expected one of " + ", ".join(keys))

    def raw(self, key: str) -> Any:
        """The unchecked value of ``key``; refuse the file when it is missing."""
        if key not in self.data:
            self.fail(key, "missing")
        return self.data[key]

    def child(self, key: str) -> TomlTable:
        """The sub-table ``key``."""
        return self._table(self.raw(key), self._path_to(key))

    def children(self, key: str) -> list[tuple[str, TomlTable]]:
        """The sub-tables of the table ``key`` with their names, in file order."""
        table = self.child(key)
        return [(name, table.child(name)) for name in table.data]

    def array(self, key: str, *, required: bool = True) -> list[TomlTable]:
        """The non-empty array of tables ``key`` (paths ``key[1]``, ``key[2]``, …).

        When ``required`` is false a missing array reads as an empty list.
        """
        if not required and key not in self.data:
            return []
        items = self.raw(key)
        if not isinstance(items, list) or not items:
            self.fail(key, "expected a non-empty array of tables")
        prefix = self._path_to(key)
        return [self._table(item, f"{prefix}[{n}]") for n, item in enumerate(items, 1)]

    # ----------------------------------------------------------------------------------------
    # Values

    def text(self, key: str, *, empty: bool = False, default: str | None = None) -> str:
        """The stripped text ``key``; non-empty unless ``empty``; ``default`` when missing."""
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(key, "expected a non-empty text" if not empty else "expected a text")
        return value.strip()

    def key(self) -> str:
        """The entry's ``key``: lower-case ASCII letters, digits and ``_``."""
        value = self.text("key")
        if not KEY_RE.match(value):
            self.fail("key", f"{value!r} must be lower-case ASCII letters, digits and _")
        return value

    def check_number(self, field_name: str, value: Any, *, low: float | None = None,
                     high: float | None = None, positive: bool = False) -> float:
        """``value`` as a finite float within ``[low, high]`` (above 0 when ``positive``)."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value
        ):
            self.fail(field_name, f"expected a number, not {value!r}")
        if low is not None and value < low:
            self.fail(field_name, f"{value} is below {low:g}")
        if high is not None and value > high:
            self.fail(field_name, f"{value} is above {high:g}")
        if positive and value <= 0:
            self.fail(field_name, f"{value} must be above 0")
        return float(value)

    def number(self, key: str, *, low: float | None = None, high: float | None = None,
               positive: bool = False, default: float | None = None) -> float:
        """The number ``key`` (see :meth:`check_number`); ``default`` when missing."""
        if default is not None and key not in self.data:
            return default
        return self.check_number(key, self.raw(key), low=low, high=high, positive=positive)

    def optional_number(self, key: str, *, low: float | None = None, high: float | None = None,
                        positive: bool = False) -> float | None:
        """The number ``key``, or None when it is missing."""
        if key not in self.data:
            return None
        return self.number(key, low=low, high=high, positive=positive)

    def integer(self, key: str, *, low: int | None = None) -> int:
        """The whole number ``key``, at least ``low`` when given."""
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, "expected a whole number")
        if low is not None and value < low:
            self.fail(key, f"expected a whole number of at least {low}")
        return value

    def day(self, key: str) -> date:
        """The date ``key`` (a TOML local date such as ``2025-01-31``, not a date-time)."""
        value = self.raw(key)
        if not isinstance(value, date) or hasattr(value, "hour"):
            self.fail(key, "expected a date such as 2025-01-31")
        return value

    def texts(self, key: str, *, required: bool = True, unique: bool = True,
              empty: bool = True) -> tuple[str, ...]:
        """The array of texts ``key``; an empty tuple when missing and not required.

        No item may appear twice when ``unique``; none may be empty unless ``empty``.
        """
        if not required and key not in self.data:
            return ()
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(key, "expected an array of texts")
        if not empty and not all(value):
            self.fail(key, "expected an array of non-empty texts")
        if unique and len(set(value)) != len(value):
            self.fail(key, "lists an item twice")
        return tuple(value)

    def boolean(self, key: str) -> bool:
        """The boolean ``key``."""
        value = self.raw(key)
        if not isinstance(value, bool):
            self.fail(key, "expected true or false")
        return value

    def choice(self, key: str, options: Sequence[str]) -> str:
        """The value of ``key``, which must be one of ``options``."""
        value = self.raw(key)
        if value not in options:
            self.fail(key, f"{value!r} is not one of " + ", ".join(options))
        return value

    def pair(self, key: str, *, low: float | None = None, high: float | None = None,
             ordered: bool = True) -> tuple[float, float]:
        """Two numbers ``[first, second]`` in ``[low, high]``; the first not above the second when
        ``ordered`` (a range such as ``[0.02, 0.08]``)."""
        value = self.raw(key)
        if not isinstance(value, list) or len(value) != 2:
            self.fail(key, f"expected a list of two numbers, not {value!r}")
        first = self.check_number(key, value[0], low=low, high=high)
        second = self.check_number(key, value[1], low=low, high=high)
        if ordered and first > second:
            self.fail(key, f"the first number {first:g} is greater than the second {second:g}")
        return first, second

    def pairs(self, key: str, *, low: float | None = None, high: float | None = None
              ) -> tuple[tuple[float, float], ...]:
        """``[value, points]`` pairs with strictly ascending values and points in range."""
        items = self.raw(key)
        if not isinstance(items, list) or not items:
            self.fail(key, "expected a non-empty array of [value, points] pairs")
        out = []
        for item in items:
            if not isinstance(item, list) or len(item) != 2:
                self.fail(key, "expected [value, points] pairs")
            out.append((self.check_number(key, item[0]),
                         self.check_number(key, item[1], low=low, high=high)))
        values = [value for value, _ in out]
        if any(b <= a for a, b in zip(values, values[1:], strict=False)):
            self.fail(key, "the values must be strictly ascending")
        return tuple(out)

    def mapping(self, key: str, expected: Sequence[str], *, low: float = 0.0,
                high: float | None = None) -> tuple[tuple[str, float], ...]:
        """An inline table with exactly the keys ``expected``, as numbers in that order."""
        table = self.raw(key)
        if not isinstance(table, dict):
            self.fail(key, "expected an inline table")
        missing = [name for name in expected if name not in table]
        unknown = [name for name in table if name not in expected]
        if missing or unknown:
            self.fail(key, f"expected exactly the keys {', '.join(expected)}"
                      + (f"; missing {', '.join(missing)}" if missing else "")
                      + (f"; unknown {', '.join(unknown)}" if unknown else ""))
        return tuple((name, self.check_number(key, table[name], low=low, high=high))
                     for name in expected)

    # ----------------------------------------------------------------------------------------
    # Provenance and weights

    def provenance(self, prefix: str = "") -> Provenance:
        """The :class:`Provenance` from ``<prefix>source`` and ``<prefix>confidence``.

        The confidence is one of the table's ``confidences`` or ``unconfirmed-`` followed by
        lower-case words joined with ``-``.
        """
        source = self.text(prefix + "source")
        confidence = self.text(prefix + "confidence")
        problem = confidence_problem(confidence, self.confidences)
        if problem is not None:
            self.fail(prefix + "confidence", problem)
        return Provenance(source, confidence)

    def check_sum(self, field_name: str, weights: Sequence[float], what: str) -> None:
        """Refuse ``weights`` (of ``what``, for the message) unless they sum to 1."""
        total = math.fsum(weights)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            self.fail(field_name, f"the weights of {what} sum to {total:.12g}, not 1")


class FirstSeen:
    """Remembers where each value of a unique field was first used, refusing a second use."""

    def __init__(self) -> None:
        self.where: dict[Any, str] = {}

    def claim(self, table: TomlTable, field_name: str, value: Any) -> None:
        """Record ``value`` for ``table``; refuse it naming the first user when already taken."""
        if value in self.where:
            table.fail(field_name, f"“{value}” is already used in {self.where[value]}")
        self.where[value] = table.where

    def __contains__(self, value: object) -> bool:
        return value in self.where
