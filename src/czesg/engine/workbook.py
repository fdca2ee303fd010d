"""Disclosure templates in Excel and CSV, and reading filled-in templates back.

:func:`build_template` writes an .xlsx for one enterprise, year and tier: an instructions sheet
(Chinese and English), the data sheet (one row per indicator of the tier, grouped by topic, with
drop-down lists, number checks and guidance beside every row), a hidden sheet of list values and a
hidden metadata sheet (USCC, year, tier, catalogue version). :func:`read_workbook` reads such a
file back into plain :class:`Upload` data and collects *every* problem as a :class:`CellProblem`
naming the sheet, cell and indicator; it never raises for bad input. :func:`build_csv_template`
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
* Values are checked and converted with :func:`czesg.engine.values.coerce`; its errors become
  problems with the same message template and parameters, placed on the Unit cell for a unit
  error and on the Value cell otherwise.
* CSV: text a spreadsheet would run as a formula (starting with =, +, -, @) is written with a
  leading apostrophe and read back without it; bytes that are not UTF-8 are read as GB18030.
* The metadata are checked only against what the caller expects; a file without metadata is
  refused only when an enterprise or a year is expected.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from czesg.engine import units
from czesg.engine.catalogue import Catalogue, Indicator
from czesg.engine.errors import CatalogueError, UnitError, gettext_noop
from czesg.engine.validation import Answer
from czesg.engine.values import Coerced, coerce

DATA_SHEET = "披露数据 Data"
INSTRUCTIONS_SHEET = "说明 Instructions"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
CSV_SHEET = "CSV"
FORMAT = "czesg-disclosure"
FORMAT_VERSION = 1

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    """A column of the data sheet, with its Chinese and English header."""

    key: str
    zh: str
    en: str
    width: float

    @property
    def header(self) -> str:
        """The header as written in the template: Chinese, then English."""
        return f"{self.zh} {self.en}"


COLUMNS: tuple[Column, ...] = (
    Column("code", "指标代码", "Code", 17),
    Column("topic", "议题", "Topic", 18),
    Column("indicator", "指标", "Indicator", 38),
    Column("value", "数值", "Value", 20),
    Column("unit", "单位", "Unit", 16),
    Column("na", "不适用说明", "N/A explanation", 30),
    Column("evidence", "佐证材料", "Evidence", 26),
    Column("guidance", "填报指引", "Guidance", 80),
)
REQUIRED_COLUMNS = ("code", "value")
_INDEX = {column.key: index for index, column in enumerate(COLUMNS)}


@dataclass(frozen=True)
class Entry:
    """A value read from a template row: what was typed, and the checked, converted value.

    Entries compare by what was typed (code, raw value, unit, evidence), not by cell or value.
    """

    code: str
    raw: Any
    unit: str
    evidence: str
    cell: str = field(default="", compare=False)
    value: Coerced | None = field(default=None, compare=False)


@dataclass(frozen=True)
class NotApplicable:
    """An indicator marked not applicable in a template row, with the explanation given."""

    code: str
    explanation: str
    evidence: str = ""
    cell: str = field(default="", compare=False)


@dataclass(frozen=True)
class CellProblem:
    """One problem of an uploaded file, naming the sheet, the cell and the indicator."""

    sheet: str
    cell: str
    indicator: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def render(self) -> str:
        """The English sentence with its parameters filled in, prefixed by the cell."""
        try:
            text = self.message % self.params
        except (KeyError, TypeError, ValueError):
            text = self.message
        return f"{self.cell}: {text}" if self.cell else text


@dataclass(frozen=True)
class Upload:
    """What an uploaded template holds: entries, not-applicable marks, and every problem found."""

    entries: tuple[Entry, ...] = ()
    not_applicable: tuple[NotApplicable, ...] = ()
    problems: tuple[CellProblem, ...] = ()
    uscc: str | None = None
    year: int | None = None
    tier: str | None = None
    catalogue_version: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file was read without any problem."""
        return not self.problems

    def answers(self) -> dict[str, Answer]:
        """The entries and not-applicable marks as validation answers, keyed by code."""
        result: dict[str, Answer] = {}
        for entry in self.entries:
            if entry.value is not None:
                result[entry.code] = Answer.from_coerced(entry.code, entry.value, entry.evidence)
        for mark in self.not_applicable:
            result[mark.code] = Answer(
                code=mark.code, status="not_applicable", na_explanation=mark.explanation,
                evidence=mark.evidence,
            )
        return result


# --- messages -------------------------------------------------------------------------------------
NOT_XLSX = gettext_noop(
    "The file is not an Excel workbook (.xlsx); download the template again and save it as .xlsx."
)
TOO_LARGE = gettext_noop("The file is too large to read (over %(limit)s MB uncompressed).")
NOT_TEXT = gettext_noop("The file is not a CSV text file in UTF-8 or GB18030.")
NO_DATA_SHEET = gettext_noop(
    "The workbook has no sheet “%(sheet)s”; upload the template as it was downloaded."
)
NO_HEADER = gettext_noop("The sheet has no header row with the column “%(column)s”.")
NO_METADATA = gettext_noop(
    "The file carries no template metadata, so it cannot be matched to this disclosure; "
    "download the template from the platform again."
)
BAD_METADATA = gettext_noop("The template metadata “%(field)s” is malformed: “%(value)s”.")
WRONG_ENTERPRISE = gettext_noop(
    "The file was made for the enterprise %(found)s, not %(expected)s."
)
WRONG_YEAR = gettext_noop("The file was made for the year %(found)s, not %(expected)s.")
TOO_MANY_ROWS = gettext_noop(
    "The sheet has more than %(limit)s rows; only the first %(limit)s were read."
)
NO_CODE = gettext_noop("The row has a value but no indicator code.")
DUPLICATE = gettext_noop("%(code)s appears twice (first in %(first)s); keep one row.")
BOTH_GIVEN = gettext_noop(
    "%(code)s has both a value (“%(value)s”) and a not-applicable explanation; keep one."
)
FORMULA_WITHOUT_RESULT = gettext_noop(
    "%(code)s: the cell holds a formula without a saved result; type the value instead."
)


# --- shared row content ---------------------------------------------------------------------------
_LEVELS = {
    "mandatory": ("必填", "mandatory"),
    "where_applicable": ("如适用则必填", "required where applicable"),
    "encouraged": ("鼓励披露", "encouraged"),
}
_TIERS = {"basic": ("简化版（中小企业）", "basic (SMEs)"), "standard": ("完整版", "standard")}


def _english(language: str) -> bool:
    return language.startswith("en")


def _yes_no(language: str) -> tuple[str, str]:
    return ("Yes", "No") if _english(language) else ("是", "否")


def _guidance(indicator: Indicator, language: str) -> str:
    level = _LEVELS.get(indicator.disclosure_level, (indicator.disclosure_level,) * 2)
    if _english(language):
        return (
            f"Requirement: {level[1]}\nWhat: {indicator.what(language)}\n"
            f"How: {indicator.how(language)}\nAvoid: {indicator.mistakes(language)}"
        )
    return (
        f"披露要求：{level[0]}\n填报内容：{indicator.what(language)}\n"
        f"计算方法：{indicator.how(language)}\n常见错误：{indicator.mistakes(language)}"
    )


def _prefill(indicator: Indicator, answer: Answer | None, language: str) -> tuple[Any, str, str]:
    """The Value cell, N/A explanation and evidence prefilled from an answer."""
    if answer is None:
        return None, "", ""
    if answer.status == "not_applicable":
        return None, answer.na_explanation, answer.evidence
    kind = indicator.data_type
    value: Any = None
    if kind in ("number", "percentage") and answer.number is not None:
        value = float(answer.number)
    elif kind == "boolean" and answer.boolean is not None:
        value = _yes_no(language)[0 if answer.boolean else 1]
    elif kind == "choice" and answer.choice:
        try:
            value = indicator.choice(answer.choice).name(language)
        except CatalogueError:
            value = answer.choice
    elif kind == "text" and answer.text:
        value = answer.text
    return value, "", answer.evidence


def _rows(
    catalogue: Catalogue, tier: str, answers: Mapping[str, Answer] | None, language: str
) -> Iterator[tuple[Indicator, dict[str, Any]]]:
    """One row per indicator of the tier, grouped by topic, as column key → cell content."""
    answers = answers or {}
    for topic, indicators in catalogue.by_topic(tier).items():
        for indicator in indicators:
            value, explanation, evidence = _prefill(
                indicator, answers.get(indicator.code), language
            )
            yield indicator, {
                "code": indicator.code,
                "topic": topic.name(language),
                "indicator": indicator.name(language),
                "value": value,
                "unit": (indicator.unit or "%") if indicator.is_numeric else "",
                "na": explanation,
                "evidence": evidence,
                "guidance": _guidance(indicator, language),
            }


@lru_cache(maxsize=512)
def _dimensionality(spelling: str) -> str | None:
    try:
        quantity = units.registry().Quantity(1, "") * units.parse_unit(spelling)
    except UnitError:
        return None
    return str(quantity.dimensionality)


def _metadata(
    catalogue: Catalogue, tier: str, enterprise: Mapping[str, Any], year: int, language: str
) -> list[tuple[str, Any]]:
    return [
        ("format", FORMAT),
        ("format_version", FORMAT_VERSION),
        ("uscc", str(enterprise.get("uscc", "") or "")),
        ("name", str(enterprise.get("name", "") or "")),
        ("year", int(year)),
        ("tier", tier),
        ("catalogue_version", catalogue.version),
        ("language", language),
    ]


def _instructions(
    catalogue: Catalogue, tier: str, enterprise: Mapping[str, Any], year: int
) -> list[str]:
    name = enterprise.get("name", "") or ""
    uscc = enterprise.get("uscc", "") or ""
    tier_zh, tier_en = _TIERS.get(tier, (tier, tier))
    return [
        "填报说明",
        f"本文件是 {name}（统一社会信用代码 {uscc}）{year} 年度 ESG 信息披露的填报模板，"
        f"适用{tier_zh}指标，指标目录版本 {catalogue.version}。",
        "1. 在“披露数据 Data”工作表中逐行填写：每行一个指标，在“数值”列填写数值或答案。",
        "2. 单位：“单位”列已预填标准单位；如按其他单位填写（如千瓦时、元），请从下拉列表选择对应单位，"
        "平台会自动换算为标准单位。",
        "3. 百分比填写 0 到 100 之间的数字，例如 35 表示 35%。是/否题和选择题请从下拉列表中选择。",
        "4. 不适用：如指标不适用于本企业，请将“数值”留空，在“不适用说明”列写明原因。"
        "不能同时填写数值和不适用说明；必填指标也可以不适用，但必须说明原因。",
        "5. 既无数值也无不适用说明的行视为未填报。",
        "6. “佐证材料”列填写支撑数据的文件名或编号（如电费发票、台账、监测报告），文件在平台上另行上传。",
        "7. 请直接填写数值，不要使用公式；请勿修改指标代码、表头和隐藏工作表，不要增删列。",
        "8. 填好后按原样（.xlsx 格式）上传。平台会核对企业和年度，逐格检查并列出所有问题及其单元格位置。",
        "",
        "Instructions",
        f"This file is the ESG disclosure template of {name} (unified social credit code {uscc}) "
        f"for {year}, {tier_en} tier, indicator catalogue version {catalogue.version}.",
        "1. Fill in the sheet “披露数据 Data”: one indicator per row, its value or answer in the "
        "Value column.",
        "2. Units: the Unit column holds the canonical unit; if you enter the value in another unit "
        "(such as kWh or 元), pick that unit from the drop-down list and the platform converts it.",
        "3. Enter percentages as numbers from 0 to 100 (35 means 35%). Pick yes/no and choice "
        "answers from the drop-down lists.",
        "4. Not applicable: if an indicator does not apply to the enterprise, leave Value empty and "
        "explain why in the N/A explanation column. Never give both a value and an explanation; a "
        "mandatory indicator may be not applicable, but only with an explanation.",
        "5. A row with neither a value nor an explanation counts as not answered.",
        "6. Evidence: name the document behind the value (invoice, register, monitoring report); "
        "upload the files on the platform.",
        "7. Type values rather than formulas; do not change the codes, the header or the hidden "
        "sheets, and do not add or remove columns.",
        "8. Upload the file as it is (.xlsx). The platform checks the enterprise and year, then "
        "every cell, and lists every problem with its cell.",
    ]


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
        cell.value = _clean(value)
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
) -> tuple[list[Entry], list[NotApplicable], list[CellProblem]]:
    """Entries, not-applicable marks and problems of the data rows under the header row."""
    problems: list[CellProblem] = []
    header = _find_header(rows)
    if header is None:
        problems.append(CellProblem(sheet, "A1", "", NO_HEADER, {"column": COLUMNS[0].header}))
        return [], [], problems
    position, columns = header
    header_row = rows[position][0]
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        column = COLUMNS[_INDEX[missing[0]]]
        problems.append(
            CellProblem(sheet, f"A{header_row}", "", NO_HEADER, {"column": column.header})
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
                problems.append(CellProblem(sheet, where("code"), "", NO_CODE, {}))
            continue
        try:
            indicator = catalogue.get(code)
        except CatalogueError as exc:
            problems.append(CellProblem(sheet, where("code"), code, exc.message, dict(exc.params)))
            continue
        if code in seen:
            problems.append(CellProblem(
                sheet, where("code"), code, DUPLICATE, {"code": code, "first": seen[code]}
            ))
            continue
        seen[code] = where("code")
        formula_at = [
            key for key, item in (("value", value_cell), ("unit", unit_cell))
            if item.formula and item.value is None
        ]
        if formula_at:
            problems.append(CellProblem(
                sheet, where(formula_at[0]), code, FORMULA_WITHOUT_RESULT, {"code": code}
            ))
            continue
        if not has_value and not explanation:
            continue  # not answered
        if has_value and explanation:
            problems.append(CellProblem(
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
            problems.append(CellProblem(sheet, where(at), code, exc.message, dict(exc.params)))
            continue
        except CatalogueError as exc:
            problems.append(CellProblem(sheet, where("value"), code, exc.message, dict(exc.params)))
            continue
        entries.append(Entry(code, raw, unit, evidence, cell=where("value"), value=coerced))
    return entries, marks, problems


def _check_metadata(
    meta: Mapping[str, tuple[Any, str]] | None,
    sheet: str,
    expect_uscc: str | None,
    expect_year: int | None,
) -> tuple[dict[str, Any], list[CellProblem]]:
    """The metadata found (uscc, year, tier, catalogue version) and the problems with them."""
    found: dict[str, Any] = {"uscc": None, "year": None, "tier": None, "catalogue_version": None}
    problems: list[CellProblem] = []
    if not meta or _text(meta.get("format", (None, ""))[0]) != FORMAT:
        if expect_uscc is not None or expect_year is not None:
            problems.append(CellProblem(sheet, "", "", NO_METADATA, {}))
        return found, problems
    uscc, uscc_cell = meta.get("uscc", (None, ""))
    found["uscc"] = _text(uscc).upper() or None
    year, year_cell = meta.get("year", (None, ""))
    try:
        found["year"] = int(_text(year))
    except ValueError:
        problems.append(CellProblem(
            sheet, year_cell, "", BAD_METADATA, {"field": "year", "value": _text(year)}
        ))
    found["tier"] = _text(meta.get("tier", (None, ""))[0]) or None
    found["catalogue_version"] = _text(meta.get("catalogue_version", (None, ""))[0]) or None
    if expect_uscc is not None and found["uscc"] != expect_uscc.strip().upper():
        problems.append(CellProblem(
            sheet, uscc_cell, "", WRONG_ENTERPRISE,
            {"found": found["uscc"] or "—", "expected": expect_uscc.strip().upper()},
        ))
    if (
        expect_year is not None
        and found["year"] is not None
        and found["year"] != int(expect_year)
    ):
        problems.append(CellProblem(
            sheet, year_cell, "", WRONG_YEAR,
            {"found": found["year"], "expected": int(expect_year)},
        ))
    return found, problems


def _upload(
    entries: Iterable[Entry],
    marks: Iterable[NotApplicable],
    problems: Iterable[CellProblem],
    found: Mapping[str, Any],
) -> Upload:
    return Upload(
        entries=tuple(entries), not_applicable=tuple(marks), problems=tuple(problems),
        uscc=found.get("uscc"), year=found.get("year"), tier=found.get("tier"),
        catalogue_version=found.get("catalogue_version"),
    )


# --- reading Excel --------------------------------------------------------------------------------
def _archive_problem(data: bytes) -> CellProblem | None:
    if not isinstance(data, (bytes, bytearray)) or not data.startswith(b"PK"):
        return CellProblem("", "", "", NOT_XLSX, {})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return CellProblem("", "", "", NOT_XLSX, {})
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        return CellProblem("", "", "", NOT_XLSX, {})
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        return CellProblem(
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
            cells.append(_Cell(
                value=value_cell.value,
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
        return Upload(problems=(CellProblem("", "", "", NOT_XLSX, {}),))
    try:
        return _read_books(formulas, values, catalogue, expect_uscc, expect_year)
    except Exception:  # a damaged part found while streaming the sheets
        return Upload(problems=(CellProblem("", "", "", NOT_XLSX, {}),))
    finally:
        formulas.close()
        values.close()


def _read_books(
    formulas: Any, values: Any, catalogue: Catalogue,
    expect_uscc: str | None, expect_year: int | None,
) -> Upload:
    problems: list[CellProblem] = []
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
        problems.append(CellProblem(DATA_SHEET, "", "", NO_DATA_SHEET, {"sheet": DATA_SHEET}))
        return _upload((), (), problems, found)
    rows, truncated = _sheet_rows(formulas[name], values[name], MAX_ROWS)
    entries, marks, table_problems = _read_table(rows, name, catalogue)
    problems.extend(table_problems)
    if truncated:
        problems.append(CellProblem(name, f"A{MAX_ROWS + 1}", "", TOO_MANY_ROWS,
                                    {"limit": MAX_ROWS}))
    return _upload(entries, marks, problems, found)


# --- CSV ------------------------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text_cell(value: Any) -> str:
    """A text cell, quoted with ' when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


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


def _decode(data: str | bytes) -> str | None:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return bytes(data).decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_value(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


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
        return Upload(problems=(CellProblem(CSV_SHEET, "", "", NOT_TEXT, {}),))
    try:
        records = list(csv.reader(io.StringIO(decoded, newline="")))
    except csv.Error:
        return Upload(problems=(CellProblem(CSV_SHEET, "", "", NOT_TEXT, {}),))

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
        cells = [_Cell(value=_csv_value(item.strip()) or None) for item in record]
        if any(c.value is not None for c in cells):
            rows.append((number, cells))

    found, problems = _check_metadata(meta, CSV_SHEET, expect_uscc, expect_year)
    entries, marks, table_problems = _read_table(rows, CSV_SHEET, catalogue)
    problems.extend(table_problems)
    if truncated:
        problems.append(CellProblem(CSV_SHEET, f"A{MAX_ROWS + 1}", "", TOO_MANY_ROWS,
                                    {"limit": MAX_ROWS}))
    return _upload(entries, marks, problems, found)

