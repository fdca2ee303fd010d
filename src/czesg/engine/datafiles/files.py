"""Reading the data files' text and parsing TOML, refusing what cannot be read.

Every refusal is a :class:`~czesg.engine.kernel.errors.DataFileError` naming the file (as the
loader names it, relative to its data directory), the row (the line for a TOML syntax error,
``-`` where the whole file is at fault) and the field (``-``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

from czesg.engine.datafiles.table import TomlTable
from czesg.engine.kernel.errors import DataFileError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
"""The shipped data files: ``czesg/data`` (catalogue, city, industries, methodology, …)."""


def read_data_file(path: Path, name: str) -> str:
    """The UTF-8 text of the file at ``path``, refused under ``name`` when missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(file=name, row="-", field="-", reason="the file is missing") from None
    except OSError as exc:
        raise DataFileError(
            file=name, row="-", field="-", reason=f"the file cannot be read ({exc})"
        ) from exc
    except UnicodeDecodeError:
        raise DataFileError(
            file=name, row="-", field="-", reason="the file is not valid UTF-8"
        ) from None


def parse_toml(text: str, name: str, *, confidences: Sequence[str] = (),
               by_line: bool = False) -> TomlTable:
    """The top-level table of the TOML ``text`` of the file ``name``.

    With ``by_line`` the refusals name the line of the key at fault (and the field by its dotted
    key path) instead of the key path, for files that people edit by line.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise DataFileError(
            file=name, row=int(found.group(1)) if found else "-", field="-",
            reason=f"not valid TOML: {exc}",
        ) from None
    return TomlTable(data, name, confidences=confidences,
                     lines=TomlLines(text) if by_line else None)


class TomlLines:
    """Finds the line of a key in TOML text, so that refusals name a line a person can find.

    Sections are found by their headers (``[a.b]``, ``[[a]]``), named by key path the way
    :class:`~czesg.engine.datafiles.table.TomlTable` names them (``a.b``, ``a[2]``).
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.sections: list[tuple[str, int]] = [("", 1)]
        counts: dict[str, int] = {}
        for number, line in enumerate(self.lines, start=1):
            header = self._HEADER.match(line)
            if header is None:
                continue
            parts = [part.strip() for part in header.group(2).split(".")]
            path = ""
            for depth, part in enumerate(parts, start=1):
                path = f"{path}.{part}" if path else part
                if depth == len(parts) and header.group(1) == "[[":
                    counts[path] = counts.get(path, 0) + 1
                if path in counts:
                    path = f"{path}[{counts[path]}]"
            self.sections.append((path, number))

    def line(self, path: str, key: str) -> int:
        """The line of ``key`` in the section ``path``; else the section's header; else line 1."""
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=") if key else None
        for index, (name, start) in enumerate(self.sections):
            if name != path:
                continue
            stop = (self.sections[index + 1][1] - 1 if index + 1 < len(self.sections)
                    else len(self.lines))
            for number in range(start, stop + 1):
                if pattern is not None and pattern.match(self.lines[number - 1]):
                    return number
            return start
        return 1
