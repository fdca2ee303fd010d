"""Reading filled-in disclosure templates back (Excel and CSV), collecting every problem.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from czesg.engine.catalogue import Catalogue
from czesg.engine.disclosure.values import coerce
from czesg.engine.disclosure.workbook.layout import (
    _INDEX,
    BAD_METADATA,
    BOTH_GIVEN,
    COLUMNS,
    CSV_SHEET,
    DATA_SHEET,
    DUPLICATE,
    FORMAT,
    FORMULA_WITHOUT_RESULT,
    HEADER_SEARCH_ROWS,
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
    Entry,
    NotApplicable,
    Upload,
)
from czesg.engine.kernel.errors import CatalogueError, UnitError
from czesg.engine.kernel.problems import Problem, cell_problem
from czesg.engine.kernel.spreadsheet import formula_unquoted
from czesg.engine.kernel.text import TextEncodingError, decode_text


# --- reading, shared by Excel and CSV -------------------------------------------------------------
@dataclass(frozen=True)
class _Cell:
    value: Any = None
    formula: bool = False
    percent_format: bool = False


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _is_percent_format(number_format: str | None) -> bool:
    if not number_format or "%" not in number_format:
        return False
    return "%" in _QUOTED.sub("", number_format)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _coordinate(row: int, column_index: int) -> str:
    return f"{get_column_letter(column_index + 1)}{row}"


def _normalise_header(value: Any) -> str:
    return " ".join(_text(value).split()).casefold()


_HEADER_NAMES: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.zh, _column.en):
        _HEADER_NAMES[" ".join(_name.split()).casefold()] = _column.key


def _header_map(cells: Sequence[_Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _HEADER_NAMES.get(_normalise_header(cell.value))
        if key and key not in found:
            found[key] = index
    return found


def _find_header(rows: Sequence[tuple[int, Sequence[_Cell]]]) -> tuple[int, dict[str, int]] | None:
    for position, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _header_map(cells)
        if "code" in found:
            return position, found
    return None


def _read_table(
    rows: Sequence[tuple[int, Sequence[_Cell]]], sheet: str, catalogue: Catalogue
) -> tuple[list[Entry], list[NotApplicable], list[Problem]]:
    """Entries, not-applicable marks and problems of the data rows under the header row."""
    problems: list[Problem] = []
    header = _find_header(rows)
    if header is None:
        problems.append(cell_problem(sheet, "A1", "", NO_HEADER, {"column": COLUMNS[0].header}))
        return [], [], problems
    position, columns = header
    header_row = rows[position][0]
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        column = COLUMNS[_INDEX[missing[0]]]
        problems.append(
            cell_problem(sheet, f"A{header_row}", "", NO_HEADER, {"column": column.header})
        )
        return [], [], problems

    entries: list[Entry] = []
    marks: list[NotApplicable] = []
    seen: dict[str, str] = {}
    for row, cells in rows[position + 1:]:
        def cell(key: str, cells: Sequence[_Cell] = cells) -> _Cell:
            index = columns.get(key)
            if index is None or index >= len(cells):
                return _Cell()
            return cells[index]

        def where(key: str, row: int = row) -> str:
            return _coordinate(row, columns[key]) if key in columns else ""

        code = _text(cell("code").value).upper()
        value_cell, unit_cell = cell("value"), cell("unit")
        explanation = _text(cell("na").value)
        evidence = _text(cell("evidence").value)
        raw = value_cell.value
        if isinstance(raw, str):
            raw = raw.strip()
        has_value = raw not in (None, "")
        if not code:
            if has_value or explanation:
                problems.append(cell_problem(sheet, where("code"), "", NO_CODE, {}))
            continue
        try:
            indicator = catalogue.get(code)
        except CatalogueError as exc:
            problems.append(cell_problem(sheet, where("code"), code, exc.message, dict(exc.params)))
            continue
        if code in seen:
            problems.append(cell_problem(
                sheet, where("code"), code, DUPLICATE, {"code": code, "first": seen[code]}
            ))
            continue
        seen[code] = where("code")
        formula_at = [
            key for key, item in (("value", value_cell), ("unit", unit_cell))
            if item.formula and item.value is None
        ]
        if formula_at:
            problems.append(cell_problem(
                sheet, where(formula_at[0]), code, FORMULA_WITHOUT_RESULT, {"code": code}
            ))
            continue
        if not has_value and not explanation:
            continue  # not answered
        if has_value and explanation:
            problems.append(cell_problem(
                sheet, where("na"), code, BOTH_GIVEN, {"code": code, "value": _text(raw)}
            ))
            continue
        if not has_value:
            marks.append(NotApplicable(code, explanation, evidence, cell=where("na")))
            continue
        unit = _text(unit_cell.value)
        if (
            indicator.data_type == "percentage"
            and value_cell.percent_format
            and isinstance(raw, (int, float))
            and not isinstance(raw, bool)
        ):
            raw = float(f"{raw * 100:.12g}")
        try:
            coerced = coerce(indicator, raw, unit or None)
        except UnitError as exc:
            at = "unit" if unit else "value"
            problems.append(cell_problem(sheet, where(at), code, exc.message, dict(exc.params)))
            continue
        except CatalogueError as exc:
            problems.append(cell_problem(sheet, where("value"), code, exc.message, dict(exc.params)))
            continue
        entries.append(Entry(code, raw, unit, evidence, cell=where("value"), value=coerced))
    return entries, marks, problems


def _check_metadata(
    meta: Mapping[str, tuple[Any, str]] | None,
    sheet: str,
    expect_uscc: str | None,
    expect_year: int | None,
) -> tuple[dict[str, Any], list[Problem]]:
    """The metadata found (uscc, year, tier, catalogue version) and the problems with them."""
    found: dict[str, Any] = {"uscc": None, "year": None, "tier": None, "catalogue_version": None}
    problems: list[Problem] = []
    if not meta or _text(meta.get("format", (None, ""))[0]) != FORMAT:
        if expect_uscc is not None or expect_year is not None:
            problems.append(cell_problem(sheet, "", "", NO_METADATA, {}))
        return found, problems
    uscc, uscc_cell = meta.get("uscc", (None, ""))
    found["uscc"] = _text(uscc).upper() or None
    year, year_cell = meta.get("year", (None, ""))
    try:
        found["year"] = int(_text(year))
    except ValueError:
        problems.append(cell_problem(
            sheet, year_cell, "", BAD_METADATA, {"field": "year", "value": _text(year)}
        ))
    found["tier"] = _text(meta.get("tier", (None, ""))[0]) or None
    found["catalogue_version"] = _text(meta.get("catalogue_version", (None, ""))[0]) or None
    if expect_uscc is not None and found["uscc"] != expect_uscc.strip().upper():
        problems.append(cell_problem(
            sheet, uscc_cell, "", WRONG_ENTERPRISE,
            {"found": found["uscc"] or "—", "expected": expect_uscc.strip().upper()},
        ))
    if (
        expect_year is not None
        and found["year"] is not None
        and found["year"] != int(expect_year)
    ):
        problems.append(cell_problem(
            sheet, year_cell, "", WRONG_YEAR,
            {"found": found["year"], "expected": int(expect_year)},
        ))
    return found, problems


def _upload(
    entries: Iterable[Entry],
    marks: Iterable[NotApplicable],
    problems: Iterable[Problem],
    found: Mapping[str, Any],
) -> Upload:
    return Upload(
        entries=tuple(entries), not_applicable=tuple(marks), problems=tuple(problems),
        uscc=found.get("uscc"), year=found.get("year"), tier=found.get("tier"),
        catalogue_version=found.get("catalogue_version"),
    )


def _read_rows(
    rows: Sequence[tuple[int, Sequence[_Cell]]], sheet: str, catalogue: Catalogue,
    truncated: bool, problems: list[Problem], found: Mapping[str, Any],
) -> Upload:
    """The upload of the data ``rows`` of ``sheet``, after the metadata's ``problems``."""
    entries, marks, table_problems = _read_table(rows, sheet, catalogue)
    problems.extend(table_problems)
    if truncated:
        problems.append(cell_problem(sheet, f"A{MAX_ROWS + 1}", "", TOO_MANY_ROWS,
                                     {"limit": MAX_ROWS}))
    return _upload(entries, marks, problems, found)


# --- reading Excel --------------------------------------------------------------------------------
def _archive_problem(data: bytes) -> Problem | None:
    if not isinstance(data, (bytes, bytearray)) or not data.startswith(b"PK"):
        return cell_problem("", "", "", NOT_XLSX, {})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return cell_problem("", "", "", NOT_XLSX, {})
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        return cell_problem("", "", "", NOT_XLSX, {})
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        return cell_problem(
            "", "", "", TOO_LARGE, {"limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    return None


def _sheet_rows(
    formulas: Any, values: Any, limit: int
) -> tuple[list[tuple[int, list[_Cell]]], bool]:
    """The non-empty rows of a sheet as cells (formula flag, saved result, percent format)."""
    rows: list[tuple[int, list[_Cell]]] = []
    truncated = False
    width = len(COLUMNS) + 8
    pairs = zip(
        formulas.iter_rows(min_row=1, max_row=limit + 1, max_col=width),
        values.iter_rows(min_row=1, max_row=limit + 1, max_col=width),
        strict=False,
    )
    for number, (formula_row, value_row) in enumerate(pairs, start=1):
        if number > limit:
            truncated = any(c.value not in (None, "") for c in value_row)
            break
        cells = []
        for formula_cell, value_cell in zip(formula_row, value_row, strict=False):
            is_formula = getattr(formula_cell, "data_type", None) == "f" or (
                isinstance(formula_cell.value, str) and formula_cell.value.startswith("=")
                and getattr(formula_cell, "data_type", None) != "s"
            )
            value = value_cell.value
            cells.append(_Cell(
                value=formula_unquoted(value) if isinstance(value, str) else value,
                formula=is_formula,
                percent_format=_is_percent_format(getattr(value_cell, "number_format", None)),
            ))
        if any(c.value not in (None, "") or c.formula for c in cells):
            rows.append((number, cells))
    return rows, truncated


def _find_data_sheet(formulas: Any) -> str | None:
    if DATA_SHEET in formulas.sheetnames:
        return DATA_SHEET
    for name in formulas.sheetnames:
        if name in (META_SHEET, LISTS_SHEET):
            continue
        sheet = formulas[name]
        for row in sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=len(COLUMNS)):
            if "code" in _header_map([_Cell(value=c.value) for c in row]):
                return name
    return None


def read_workbook(
    data: bytes,
    catalogue: Catalogue,
    *,
    expect_uscc: str | None = None,
    expect_year: int | None = None,
) -> Upload:
    """Read a filled-in .xlsx template into entries, N/A marks and every problem found.

    Bad input never raises: a file that is not a workbook gives an :class:`Upload` whose only
    problem says so.
    """
    problem = _archive_problem(data)
    if problem is not None:
        return Upload(problems=(problem,))
    try:
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many unrelated types for a damaged file
        return Upload(problems=(cell_problem("", "", "", NOT_XLSX, {}),))
    try:
        return _read_books(formulas, values, catalogue, expect_uscc, expect_year)
    except Exception:  # a damaged part found while streaming the sheets
        return Upload(problems=(cell_problem("", "", "", NOT_XLSX, {}),))
    finally:
        formulas.close()
        values.close()


def _read_books(
    formulas: Any, values: Any, catalogue: Catalogue,
    expect_uscc: str | None, expect_year: int | None,
) -> Upload:
    problems: list[Problem] = []
    meta: dict[str, tuple[Any, str]] | None = None
    if META_SHEET in values.sheetnames:
        meta = {}
        for row in values[META_SHEET].iter_rows(min_row=1, max_row=50, max_col=2):
            key, value = (row + (None, None))[:2]
            if key is not None and _text(key.value):
                coordinate = f"B{key.row}" if getattr(key, "row", None) else ""
                meta[_text(key.value)] = (value.value if value is not None else None, coordinate)
    found, meta_problems = _check_metadata(meta, META_SHEET, expect_uscc, expect_year)
    problems.extend(meta_problems)

    name = _find_data_sheet(formulas)
    if name is None:
        problems.append(cell_problem(DATA_SHEET, "", "", NO_DATA_SHEET, {"sheet": DATA_SHEET}))
        return _upload((), (), problems, found)
    rows, truncated = _sheet_rows(formulas[name], values[name], MAX_ROWS)
    return _read_rows(rows, name, catalogue, truncated, problems, found)


def _decode(data: str | bytes) -> str | None:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return decode_text(data)
    except TextEncodingError:
        return None


def read_csv(
    text: str | bytes,
    catalogue: Catalogue,
    *,
    expect_uscc: str | None = None,
    expect_year: int | None = None,
) -> Upload:
    """Read a filled-in CSV template; problems name cells as a spreadsheet shows them (D17).

    Bytes are decoded as UTF-8 (with or without BOM), else as GB18030, which Excel uses when it
    saves a CSV on a Chinese system. Bad input never raises.
    """
    decoded = _decode(text)
    if decoded is None or "\x00" in decoded:
        return Upload(problems=(cell_problem(CSV_SHEET, "", "", NOT_TEXT, {}),))
    try:
        records = list(csv.reader(io.StringIO(decoded, newline="")))
    except csv.Error:
        return Upload(problems=(cell_problem(CSV_SHEET, "", "", NOT_TEXT, {}),))

    meta: dict[str, tuple[Any, str]] | None = None
    rows: list[tuple[int, list[_Cell]]] = []
    truncated = False
    for number, record in enumerate(records, start=1):
        if number > MAX_ROWS:
            truncated = any(item.strip() for item in record)
            break
        if meta is None and record and record[0].strip() == "#czesg":
            meta = {}
            for index, item in enumerate(record[1:], start=1):
                key, _, value = item.partition("=")
                meta[key.strip()] = (value.strip(), _coordinate(number, index))
            continue
        cells = [_Cell(value=formula_unquoted(item.strip()) or None) for item in record]
        if any(c.value is not None for c in cells):
            rows.append((number, cells))

    found, problems = _check_metadata(meta, CSV_SHEET, expect_uscc, expect_year)
    return _read_rows(rows, CSV_SHEET, catalogue, truncated, problems, found)
