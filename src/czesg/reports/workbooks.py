"""Excel workbooks (openpyxl) of the pages' figures, written the same way for every page.

A workbook holds one sheet per table. Every sheet starts with two header rows, Chinese above
English, frozen above the data; numbers are stored as numbers (never as formatted text, rounded to
4 significant digits and at least 2 decimals) so that a reader can compute with them, text that a spreadsheet would run as a formula is quoted
(:func:`~czesg.engine.kernel.spreadsheet.formula_safe`), and an "About" sheet says what the
figures are and when they were made. What goes into the sheets is decided by the page that owns
them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from czesg.engine.kernel.numbers import export_number
from czesg.engine.kernel.spreadsheet import formula_safe

HEADER_FILL = PatternFill("solid", fgColor="E3EFEA")


@dataclass
class Sheet:
    """One table of a workbook: its name, bilingual column headers and rows."""

    title: str
    columns: Sequence[tuple[str, str]]
    rows: Iterable[Sequence[Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, tuple | list):
        return formula_safe("; ".join(str(v) for v in value))
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return formula_safe(export_number(value))


def workbook(sheets: Sequence[Sheet], about: Sequence[tuple[str, str, Any]] = ()) -> bytes:
    """Write sheets (and an About sheet of ``(zh, en, value)`` rows) to an .xlsx file."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append([formula_safe(zh) for zh, _ in sheet.columns])
        ws.append([formula_safe(en) for _, en in sheet.columns])
        for row_number in (1, 2):
            for cell in ws[row_number]:
                cell.font = bold
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            ws.append([_cell(v) for v in row])
        ws.freeze_panes = "A3"
        for number, (zh, en) in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(number)].width = max(10, min(
                40, max(len(zh) * 2, len(en)) + 2))
    if about:
        ws = book.create_sheet("说明 About")
        ws.append(["项目", "Item", "值 Value"])
        for cell in ws[1]:
            cell.font = bold
            cell.fill = HEADER_FILL
        for zh, en, value in about:
            ws.append([formula_safe(zh), formula_safe(en), _cell(value)])
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 28
        ws.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def about_rows(page_zh: str, page_en: str, *extra: tuple[str, str, Any]
               ) -> list[tuple[str, str, Any]]:
    """The About sheet's rows: the page, when it was generated, ``extra`` rows and the source."""
    return [
        ("页面", "Page", f"{page_zh} {page_en}"),
        ("生成时间", "Generated at", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
        *extra,
        ("数据来源", "Data", "czesg 常州ESG数据服务平台 Changzhou ESG data service platform"),
    ]
