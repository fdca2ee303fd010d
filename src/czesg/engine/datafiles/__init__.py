"""ONE checked reader for the project's declarative data files (TOML and CSV under ``czesg/data``).

Every loader of the engine reads its files through this package, so that every refusal is a
:class:`~czesg.engine.kernel.errors.DataFileError` naming the file, the row (a TOML key path such
as ``park[3]`` or a line; a CSV row as a spreadsheet shows it, header = row 1) and the field:

* :mod:`.files`: :func:`read_data_file` (the text, or a refusal when missing or not UTF-8) and
  :func:`parse_toml` (the top-level :class:`TomlTable`, or a refusal naming the line);
* :mod:`.table`: :class:`TomlTable`, typed and checked access to a table and the tables below it,
  and :class:`FirstSeen` for values that must be unique;
* :mod:`.rows`: :func:`read_csv_rows`, a checked header and one :class:`CsvRow` (a
  :class:`TomlTable` over the row's cells) per row.
"""

from __future__ import annotations

from czesg.engine.datafiles.files import DATA_DIR, TomlLines, parse_toml, read_data_file
from czesg.engine.datafiles.rows import CsvRow, read_csv_rows
from czesg.engine.datafiles.table import KEY_RE, WEIGHT_TOLERANCE, FirstSeen, TomlTable
from czesg.engine.kernel.errors import DataFileError

__all__ = [
    "DATA_DIR",
    "KEY_RE",
    "WEIGHT_TOLERANCE",
    "CsvRow",
    "DataFileError",
    "FirstSeen",
    "TomlLines",
    "TomlTable",
    "parse_toml",
    "read_csv_rows",
    "read_data_file",
]
