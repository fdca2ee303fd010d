"""Disclosure templates in Excel and CSV, and reading filled-in templates back.

:func:`build_template` writes an .xlsx for one enterprise, year and tier: an instructions sheet
(Chinese and English), the data sheet (one row per indicator of the tier, grouped by topic, with
drop-down lists, number checks and guidance beside every row), a hidden sheet of list values and a
hidden metadata sheet (USCC, year, tier, catalogue version). :func:`read_workbook` reads such a
file back into plain :class:`Upload` data and collects *every* problem as a
:class:`~czesg.engine.kernel.problems.Problem` naming the sheet, cell and indicator; it never raises for bad input. :func:`build_csv_template`
and :func:`read_csv` do the same in CSV (UTF-8 with BOM; the metadata travel in the first row).

Decisions:

* Formulas: a Value or Unit cell holding a formula is read by the result Excel saved with it (what
  the person saw on screen). A formula without a saved result (files written by scripts or tools
  that do not calculate) is refused, because the platform does not evaluate formulas.
* Percentages: a percentage typed as ``35%`` is stored by Excel as 0.35 with a percent number
  format; the reader sees the format and reads 35. A plain 0.35 is read as 0.35%.
* An empty Value with no not-applicable explanation means "not answered" and is skipped silently.
* The Excel number check on a Value cell enforces the catalogue minimum (and 0–100 for a
  percentage) but not a maximum of a quantity, since the bounds are in the canonical unit and the
  person may pick another unit; the reader checks every bound after conversion.
* Values are checked and converted with :func:`czesg.engine.disclosure.values.coerce`; its errors become
  problems with the same message template and parameters, placed on the Unit cell for a unit
  error and on the Value cell otherwise.
* Formula-like text: in CSV and Excel alike, text a spreadsheet would run as a formula (see
  :func:`czesg.engine.kernel.spreadsheet.formula_safe`) is written with a leading apostrophe and
  read back without it; CSV bytes that are not UTF-8 are read as GB18030.
* The metadata are checked only against what the caller expects; a file without metadata is
  refused only when an enterprise or a year is expected.

The package holds three modules: :mod:`.layout` (sheets, columns, data read back, messages),
:mod:`.template` (writing) and :mod:`.reading` (reading back).
"""

from __future__ import annotations

from czesg.engine.disclosure.workbook.layout import (
    BAD_METADATA,
    BOTH_GIVEN,
    COLUMNS,
    CSV_SHEET,
    DATA_SHEET,
    DUPLICATE,
    FORMAT,
    FORMAT_VERSION,
    FORMULA_WITHOUT_RESULT,
    HEADER_SEARCH_ROWS,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    META_SHEET,
    NO_CODE,
    NO_DATA_SHEET,
    NO_HEADER,
    NO_METADATA,
    NOT_TEXT,
    NOT_XLSX,
    REQUIRED_COLUMNS,
    TOO_LARGE,
    TOO_MANY_ROWS,
    WRONG_ENTERPRISE,
    WRONG_YEAR,
    Column,
    Entry,
    NotApplicable,
    Upload,
)
from czesg.engine.disclosure.workbook.reading import (
    read_csv,
    read_workbook,
)
from czesg.engine.disclosure.workbook.template import (
    build_csv_template,
    build_template,
)

__all__ = [
    "BAD_METADATA",
    "BOTH_GIVEN",
    "COLUMNS",
    "CSV_SHEET",
    "Column",
    "DATA_SHEET",
    "DUPLICATE",
    "Entry",
    "FORMAT",
    "FORMAT_VERSION",
    "FORMULA_WITHOUT_RESULT",
    "HEADER_SEARCH_ROWS",
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "META_SHEET",
    "NOT_TEXT",
    "NOT_XLSX",
    "NO_CODE",
    "NO_DATA_SHEET",
    "NO_HEADER",
    "NO_METADATA",
    "NotApplicable",
    "REQUIRED_COLUMNS",
    "TOO_LARGE",
    "TOO_MANY_ROWS",
    "Upload",
    "WRONG_ENTERPRISE",
    "WRONG_YEAR",
    "build_csv_template",
    "build_template",
    "read_csv",
    "read_workbook",
]
