"""Writing disclosure templates: the Excel workbook and its CSV twin.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from czesg.engine.catalogue import Catalogue
from czesg.engine.disclosure.answers import Answer
from czesg.engine.disclosure.workbook.layout import (
    _INDEX,
    COLUMNS,
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    _instructions,
    _metadata,
    _rows,
    _yes_no,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.spreadsheet import formula_safe

# --- Excel template -------------------------------------------------------------------------------
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LOCKED_FILL = PatternFill("solid", fgColor="D9D9D9")
_READ_ONLY_FILL = PatternFill("solid", fgColor="F2F2F2")
_EDITABLE = ("value", "unit", "na", "evidence")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _put(cell: Any, value: Any) -> None:
    """Write ``value``; text is always text, never taken for a formula."""
    if isinstance(value, str):
        cell.value = formula_safe(_clean(value))
        cell.data_type = "s"
    else:
        cell.value = value


class _Lists:
    """Values of the drop-down lists, one column each on the hidden lists sheet."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.columns: dict[tuple[str, ...], str] = {}

    def reference(self, values: Sequence[str]) -> str:
        key = tuple(values)
        if key not in self.columns:
            letter = get_column_letter(len(self.columns) + 1)
            for row, value in enumerate(key, start=1):
                _put(self.sheet[f"{letter}{row}"], value)
            self.columns[key] = letter
        letter = self.columns[key]
        return f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(key)}"


class _Validations:
    """Data validations shared by every cell with the same rule."""

    def __init__(self) -> None:
        self.rules: dict[tuple[Any, ...], DataValidation] = {}

    def add(self, key: tuple[Any, ...], cell: str, make: Any) -> None:
        if key not in self.rules:
            self.rules[key] = make()
        self.rules[key].add(cell)


def _list_rule(formula: str, strict: bool) -> DataValidation:
    return DataValidation(
        type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle="无效选项 Invalid choice",
        error="请从下拉列表中选择。Please pick a value from the drop-down list.",
    )


def _decimal_rule(low: float | None, high: float | None, percentage: bool) -> DataValidation:
    def number(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else repr(float(value))

    if low is not None and high is not None:
        operator, first, second = "between", number(low), number(high)
        zh, en = f"{first} 到 {second} 之间的数字", f"a number from {first} to {second}"
    elif low is not None:
        operator, first, second = "greaterThanOrEqual", number(low), None
        zh, en = f"不小于 {first} 的数字", f"a number of at least {first}"
    elif high is not None:
        operator, first, second = "lessThanOrEqual", number(high), None
        zh, en = f"不大于 {first} 的数字", f"a number of at most {first}"
    else:
        operator, first, second = "between", "-1E+300", "1E+300"
        zh, en = "数字", "a number"
    note = "（35 表示 35%）" if percentage else ""
    note_en = " (35 means 35%)" if percentage else ""
    return DataValidation(
        type="decimal", operator=operator, formula1=first, formula2=second, allow_blank=True,
        showErrorMessage=True, errorStyle="stop", errorTitle="数值无效 Invalid number",
        error=f"请输入{zh}{note}。Enter {en}{note_en}.",
    )


def build_template(
    catalogue: Catalogue,
    tier: str,
    *,
    enterprise: Mapping[str, Any],
    year: int,
    answers: Mapping[str, Answer] | None = None,
    language: str = "zh-hans",
) -> bytes:
    """An .xlsx disclosure template for an enterprise, year and tier, prefilled from answers."""
    rows = list(_rows(catalogue, tier, answers, language))
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_SHEET
    data = book.create_sheet(DATA_SHEET)
    lists = book.create_sheet(LISTS_SHEET)
    meta = book.create_sheet(META_SHEET)

    guide.column_dimensions["A"].width = 120
    for number, line in enumerate(_instructions(catalogue, tier, enterprise, year), start=1):
        cell = guide.cell(row=number, column=1)
        _put(cell, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line in ("填报说明", "Instructions"):
            cell.font = Font(bold=True, size=14)

    for index, column in enumerate(COLUMNS, start=1):
        cell = data.cell(row=1, column=index)
        _put(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        data.column_dimensions[get_column_letter(index)].width = column.width
    data.freeze_panes = "D2"

    choice_lists = _Lists(lists)
    validations = _Validations()
    yes_no = list(_yes_no(language))
    for number, (indicator, content) in enumerate(rows, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            cell = data.cell(row=number, column=index)
            if content[column.key] not in (None, ""):
                _put(cell, content[column.key])
            cell.alignment = _WRAP
            if column.key in _EDITABLE:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = _LOCKED_FILL if column.key == "code" else _READ_ONLY_FILL
        if content["code"]:
            data.cell(row=number, column=1).font = Font(bold=True)
        value_cell = f"{get_column_letter(_INDEX['value'] + 1)}{number}"
        unit_cell = f"{get_column_letter(_INDEX['unit'] + 1)}{number}"
        kind = indicator.data_type
        if kind == "choice":
            names = [c.name(language) for c in indicator.choices]
            formula = choice_lists.reference(names)
            validations.add(("list", formula), value_cell, lambda f=formula: _list_rule(f, True))
        elif kind == "boolean":
            formula = choice_lists.reference(yes_no)
            validations.add(("list", formula), value_cell, lambda f=formula: _list_rule(f, True))
        elif indicator.is_numeric:
            percentage = kind == "percentage"
            low = indicator.min if indicator.min is not None else (0.0 if percentage else None)
            high = indicator.max if indicator.max is not None else (100.0 if percentage else None)
            if not percentage:
                high = None  # bounds are in the canonical unit; another unit may be chosen
            validations.add(
                ("decimal", low, high, percentage), value_cell,
                lambda lo=low, hi=high, p=percentage: _decimal_rule(lo, hi, p),
            )
            formula = choice_lists.reference(units.alternatives(indicator.unit or "%"))
            validations.add(("unit", formula), unit_cell, lambda f=formula: _list_rule(f, False))
    for rule in validations.rules.values():
        data.add_data_validation(rule)

    data.protection.sheet = True
    data.protection.formatColumns = False
    data.protection.formatRows = False
    data.protection.formatCells = False

    for number, (key, value) in enumerate(
        _metadata(catalogue, tier, enterprise, year, language), start=1
    ):
        _put(meta.cell(row=number, column=1), key)
        _put(meta.cell(row=number, column=2), value)
    lists.sheet_state = "hidden"
    meta.sheet_state = "hidden"
    book.active = 0

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- CSV ------------------------------------------------------------------------------------------
def _csv_text_cell(value: Any) -> str:
    """A text cell, quoted with ' when a spreadsheet would take it for a formula."""
    return formula_safe("" if value is None else str(value))


def _csv_number(value: float) -> str:
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def build_csv_template(
    catalogue: Catalogue,
    tier: str,
    *,
    enterprise: Mapping[str, Any],
    year: int,
    answers: Mapping[str, Answer] | None = None,
    language: str = "zh-hans",
) -> bytes:
    """The disclosure template as CSV (UTF-8 with BOM): a metadata row, the header, the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        ["#czesg"] + [
            f"{key}={value}" for key, value in _metadata(catalogue, tier, enterprise, year, language)
        ]
    )
    writer.writerow([column.header for column in COLUMNS])
    for _, content in _rows(catalogue, tier, answers, language):
        cells = []
        for column in COLUMNS:
            value = content[column.key]
            if isinstance(value, float) and column.key == "value":
                cells.append(_csv_number(value))
            else:
                cells.append(_csv_text_cell(value))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")
