"""The disclosure template's layout: its sheets and columns, the data read back, the messages, and the
row content shared by the Excel and CSV templates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from czesg.engine.catalogue import Catalogue, Indicator
from czesg.engine.disclosure.answers import Answer
from czesg.engine.disclosure.values import Coerced
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CatalogueError, UnitError, gettext_noop
from czesg.engine.kernel.problems import Problem

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
class Upload:
    """What an uploaded template holds: entries, not-applicable marks, and every problem found."""

    entries: tuple[Entry, ...] = ()
    not_applicable: tuple[NotApplicable, ...] = ()
    problems: tuple[Problem, ...] = ()
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
