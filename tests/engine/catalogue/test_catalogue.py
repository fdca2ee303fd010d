"""The indicator catalogue: the shipped data loads and is sound, and malformed files are refused
with an error naming the file, the spreadsheet row and the column."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from czesg.engine.catalogue import (
    COLUMNS,
    DEFAULT_DIRECTORY,
    GUIDANCE,
    Catalogue,
    export_csv_text,
    export_rows,
    load_catalogue,
    parse_catalogue,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CatalogueError, DataFileError

# The topics (议题) of the 2024 SSE/SZSE/BSE guideline, plus governance and basic information.
GUIDELINE_TOPICS = (
    "应对气候变化", "污染物排放", "废弃物处理", "生态系统和生物多样性保护", "环境合规管理",
    "能源利用", "水资源利用", "循环经济", "乡村振兴", "社会贡献", "创新驱动", "科技伦理",
    "供应链安全", "平等对待中小企业", "产品和服务安全与质量", "数据安全与客户隐私保护", "员工",
    "尽职调查", "利益相关方沟通", "反商业贿赂及反贪污", "反不正当竞争", "可持续发展相关治理",
    "基本信息",
)


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


# --- the shipped catalogue --------------------------------------------------------------------
def test_shipped_catalogue_loads_with_its_metadata(shipped):
    assert shipped.version == "2025.1"
    assert shipped.title_zh and shipped.title_en
    assert shipped.published is not None and shipped.published.year == 2025
    assert shipped.description_zh and shipped.description_en


def test_default_catalogue_is_cached(shipped):
    assert load_catalogue() is shipped


def test_shipped_catalogue_has_enough_atomic_indicators(shipped):
    assert len(shipped) >= 80
    assert len(shipped.codes) == len(set(shipped.codes))


def test_shipped_files_are_plain_utf8_with_the_expected_header():
    raw = (DEFAULT_DIRECTORY / "indicators.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert tuple(header) == COLUMNS


@pytest.mark.parametrize("name_zh", GUIDELINE_TOPICS)
def test_every_guideline_topic_has_indicators(shipped, name_zh):
    grouped = shipped.by_topic()
    matches = [t for t in grouped if t.name_zh == name_zh or t.name_zh.startswith(name_zh)]
    assert matches, f"no topic named {name_zh}"
    assert any(grouped[t] for t in matches), f"topic {name_zh} has no indicator"


def test_every_indicator_topic_pillar_and_names_are_consistent(shipped):
    topics = {t.key: t for t in shipped.topics}
    for ind in shipped:
        assert topics[ind.topic].pillar == ind.pillar == ind.code[0]
        assert ind.name_zh.strip() and ind.name_en.strip(), ind.code
        assert ind.name("en") == ind.name_en and ind.name("zh-hans") == ind.name_zh


def test_every_indicator_has_all_six_guidance_texts(shipped):
    for ind in shipped:
        for column in GUIDANCE:
            assert getattr(ind, column).strip(), f"{ind.code} has no {column}"
        assert ind.source.strip() and ind.confidence.strip(), ind.code


def test_number_units_are_canonical_registry_tokens(shipped):
    for ind in shipped:
        if ind.data_type == "number":
            assert ind.unit in units.LABELS and units.is_known(ind.unit), ind.code
        elif ind.data_type == "percentage":
            assert ind.unit == "%"
        else:
            assert ind.unit == ""


def test_basic_tier_is_a_strict_subset_of_25_to_35(shipped):
    basic = shipped.for_tier("basic")
    standard = shipped.for_tier("standard")
    assert 25 <= len(basic) <= 35
    assert set(basic) < set(standard)
    assert standard == shipped.indicators
    for ind in basic:
        assert ind.in_tier("basic") and ind.in_tier("standard")
    for ind in set(standard) - set(basic):
        assert not ind.in_tier("basic") and ind.in_tier("standard")


def test_basic_intensities_can_be_computed_within_the_basic_tier(shipped):
    for ind in shipped.for_tier("basic"):
        if ind.is_intensity:
            assert shipped.get(ind.intensity_numerator).tier == "basic", ind.code
            assert shipped.get(ind.intensity_denominator).tier == "basic", ind.code


def test_parts_share_their_totals_unit(shipped):
    parts = [i for i in shipped if i.part_of]
    assert parts
    for ind in parts:
        total = shipped.get(ind.part_of)
        assert total.unit == ind.unit and total.data_type == ind.data_type, ind.code


@pytest.mark.parametrize(
    ("code", "unit", "part_of"),
    [
        ("E-GHG-01", "tCO2e", ""),
        ("E-GHG-02", "tCO2e", "E-GHG-01"),
        ("E-GHG-03", "tCO2e", "E-GHG-01"),
        ("E-GHG-03-MKT", "tCO2e", ""),
        ("S-EMP-01", "person", ""),
        ("S-EMP-02-F", "person", "S-EMP-01"),
        ("G-GEN-01", "万元", ""),
        ("E-ENG-01", "tce", ""),
        ("E-ENG-01-ELEC", "MWh", ""),
        ("E-WST-01", "t", "E-WST-04"),
    ],
)
def test_known_codes_have_the_expected_units(shipped, code, unit, part_of):
    ind = shipped.get(code)
    assert ind.unit == unit
    assert ind.part_of == part_of


def test_total_emissions_are_scope_1_plus_location_based_scope_2(shipped):
    parts = sorted(i.code for i in shipped if i.part_of == "E-GHG-01")
    assert parts == ["E-GHG-02", "E-GHG-03"]


def test_intensity_of_emissions_is_total_over_revenue(shipped):
    ind = shipped.get("E-GHG-05")
    assert (ind.intensity_numerator, ind.intensity_denominator) == ("E-GHG-01", "G-GEN-01")
    assert ind.unit == "tCO2e/10k_CNY"


def test_crosswalk_rows_carry_exchange_articles_and_levels(shipped):
    ghg = shipped.get("E-GHG-01")
    assert ghg.exchange_article == "第二十四条"
    assert ghg.disclosure_level == "mandatory"
    assert ghg.confidence == "confirmed-secondary"
    assert shipped.get("E-GHG-04").disclosure_level == "encouraged"
    assert shipped.get("E-GHG-09").disclosure_level == "where_applicable"


def test_unknown_code_is_refused_with_its_code(shipped):
    with pytest.raises(CatalogueError) as refused:
        shipped.get("E-XXX-99")
    assert refused.value.params == {"code": "E-XXX-99"}
    assert "E-XXX-99" in str(refused.value)


def test_unknown_tier_is_refused(shipped):
    with pytest.raises(CatalogueError):
        shipped.for_tier("premium")
    with pytest.raises(CatalogueError):
        shipped.get("E-GHG-01").in_tier("premium")


def test_by_topic_keeps_topic_order_and_every_indicator(shipped):
    grouped = shipped.by_topic()
    orders = [t.order for t in grouped]
    assert orders == sorted(orders)
    assert sum(len(v) for v in grouped.values()) == len(shipped)
    assert sum(len(v) for v in shipped.by_topic("basic").values()) == len(
        shipped.for_tier("basic")
    )


def test_export_rows_are_flat_and_json_serialisable(shipped):
    rows = export_rows(shipped)
    assert len(rows) == len(shipped)
    assert list(rows[0]) == list(COLUMNS)
    json.dumps(rows, ensure_ascii=False)
    choice = next(r for r in rows if r["code"] == "E-GHG-06-CONS")
    assert {c["key"] for c in choice["choices"]} == {
        "operational_control", "financial_control", "equity_share",
    }
    for row in rows:
        for value in row.values():
            assert value is None or isinstance(value, (str, float, list))


def test_csv_export_reads_back_to_the_same_catalogue(shipped):
    toml_text = (DEFAULT_DIRECTORY / "catalogue.toml").read_text(encoding="utf-8")
    again = parse_catalogue(toml_text, export_csv_text(shipped))
    assert again == shipped


def test_loading_from_a_directory(tmp_path: Path, shipped):
    for name in ("catalogue.toml", "indicators.csv"):
        (tmp_path / name).write_bytes((DEFAULT_DIRECTORY / name).read_bytes())
    assert load_catalogue(tmp_path) == shipped


def test_a_missing_file_is_named(tmp_path: Path):
    (tmp_path / "catalogue.toml").write_bytes((DEFAULT_DIRECTORY / "catalogue.toml").read_bytes())
    with pytest.raises(DataFileError) as refused:
        load_catalogue(tmp_path)
    assert refused.value.params["file"] == "indicators.csv"


# --- a small catalogue to break ---------------------------------------------------------------
TOML_NAME = "test-catalogue.toml"
CSV_NAME = "test-indicators.csv"

GOOD_TOML = """\
version = "test.1"
title_zh = "测试目录"
title_en = "Test catalogue"
published = 2025-01-01
description_zh = "测试"
description_en = "Test"

[[topic]]
key = "general"
pillar = "G"
name_zh = "基本信息"
name_en = "General"
exchange_article = ""
order = 1

[[topic]]
key = "climate"
pillar = "E"
name_zh = "应对气候变化"
name_en = "Climate change"
exchange_article = "第二十一条至第二十八条"
order = 2

[[topic]]
key = "employees"
pillar = "S"
name_zh = "员工"
name_en = "Employees"
exchange_article = "第五十条"
order = 3
"""


def _row(code: str, pillar: str, topic: str, data_type: str, unit: str = "", **cells: str) -> dict:
    row = {column: "" for column in COLUMNS}
    row.update(
        code=code, pillar=pillar, topic=topic, name_zh=f"{code} 名称", name_en=f"{code} name",
        data_type=data_type, unit=unit, disclosure_level="mandatory", tier="standard",
        what_zh="报告什么。", what_en="What to report.", how_zh="如何计算。",
        how_en="How to compute.", mistakes_zh="常见错误。", mistakes_en="Common mistakes.",
        source="测试来源", confidence="analyst-mapping",
    )
    row.update(cells)
    return row


def good_rows() -> list[dict]:
    return [
        _row("G-GEN-01", "G", "general", "number", "万元", min="0", tier="basic"),
        _row("E-GHG-01", "E", "climate", "number", "tCO2e", min="0", tier="basic"),
        _row("E-GHG-02", "E", "climate", "number", "tCO2e", min="0", part_of="E-GHG-01"),
        _row("E-GHG-05", "E", "climate", "number", "tCO2e/10k_CNY",
             intensity_numerator="E-GHG-01", intensity_denominator="G-GEN-01"),
        _row("E-GHG-06-CONS", "E", "climate", "choice",
             choices="operational_control:运营控制法:Operational control|equity_share:股权比例法:Equity share"),
        _row("S-EMP-01", "S", "employees", "number", "person", min="0", tier="basic"),
        _row("S-EMP-02-F", "S", "employees", "number", "person", part_of="S-EMP-01"),
        _row("S-EMP-02-FPCT", "S", "employees", "percentage", "%"),
        _row("G-ABC-03", "G", "general", "boolean"),
        _row("G-GOV-01", "G", "general", "text"),
    ]


def to_csv(rows: list[dict], columns: tuple[str, ...] | list[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def parse(toml_text: str = GOOD_TOML, csv_text: str | None = None) -> Catalogue:
    return parse_catalogue(
        toml_text, to_csv(good_rows()) if csv_text is None else csv_text,
        toml_name=TOML_NAME, csv_name=CSV_NAME,
    )


def row_of(code: str) -> int:
    """The spreadsheet row of ``code`` in the good CSV (header = row 1)."""
    return [r["code"] for r in good_rows()].index(code) + 2


def test_the_small_catalogue_is_valid():
    catalogue = parse()
    assert len(catalogue) == 10
    assert [t.key for t in catalogue.topics] == ["general", "climate", "employees"]
    assert catalogue.get("E-GHG-06-CONS").choices[1].name_en == "Equity share"
    assert catalogue.get("G-GEN-01").min == 0.0 and catalogue.get("G-GEN-01").max is None
    assert catalogue.get("S-EMP-02-FPCT").is_numeric
    assert not catalogue.get("G-ABC-03").is_numeric
    assert [i.code for i in catalogue.for_tier("basic")] == ["G-GEN-01", "E-GHG-01", "S-EMP-01"]


def test_a_bom_and_trailing_blank_lines_are_tolerated():
    catalogue = parse(csv_text="\ufeff" + to_csv(good_rows()) + "\n,,,\n")
    assert len(catalogue) == 10


def changed(target: str, /, **cells: str) -> str:
    """The good CSV with some cells of the row of ``target`` replaced."""
    rows = good_rows()
    for row in rows:
        if row["code"] == target:
            row.update(cells)
    return to_csv(rows)


# Each case: (id, a function making the broken CSV text, the row, the field).
CSV_CASES: list[tuple[str, Callable[[], str], int, str]] = [
    ("missing column", lambda: to_csv(good_rows(), [c for c in COLUMNS if c != "gri"]), 1, "gri"),
    ("extra column", lambda: to_csv(
        [dict(r, notes="x") for r in good_rows()], (*COLUMNS, "notes")), 1, "notes"),
    ("columns out of order", lambda: to_csv(
        good_rows(), ("pillar", "code", *COLUMNS[2:])), 1, "pillar"),
    ("empty file", lambda: "", 1, "-"),
    ("no indicators", lambda: to_csv([]), 2, "code"),
    ("short row", lambda: to_csv(good_rows()) + "X-Y,E\n", 12, "topic"),
    ("bad code", lambda: changed("E-GHG-02", code="E-GHG-2"), row_of("E-GHG-02"), "code"),
    ("lower-case code", lambda: changed("E-GHG-02", code="e-ghg-02"), row_of("E-GHG-02"), "code"),
    ("duplicate code", lambda: changed("G-GOV-01", code="G-GEN-01"), row_of("G-GOV-01"), "code"),
    ("pillar not E/S/G", lambda: changed("G-ABC-03", pillar="X"), row_of("G-ABC-03"), "pillar"),
    ("code prefix not pillar", lambda: changed("G-ABC-03", code="S-ABC-03"),
     row_of("G-ABC-03"), "code"),
    ("pillar not topic's", lambda: changed("E-GHG-02", pillar="E", topic="employees"),
     row_of("E-GHG-02"), "pillar"),
    ("unknown topic", lambda: changed("E-GHG-02", topic="weather"), row_of("E-GHG-02"), "topic"),
    ("bad data type", lambda: changed("S-EMP-01", data_type="integer"), row_of("S-EMP-01"),
     "data_type"),
    ("number without unit", lambda: changed("S-EMP-01", unit=""), row_of("S-EMP-01"), "unit"),
    ("unknown unit", lambda: changed("S-EMP-01", unit="furlong"), row_of("S-EMP-01"), "unit"),
    ("alias, not canonical", lambda: changed("E-GHG-01", unit="吨二氧化碳当量"),
     row_of("E-GHG-01"), "unit"),
    ("unit for boolean", lambda: changed("G-ABC-03", unit="count"), row_of("G-ABC-03"), "unit"),
    ("unit for text", lambda: changed("G-GOV-01", unit="t"), row_of("G-GOV-01"), "unit"),
    ("unit for choice", lambda: changed("E-GHG-06-CONS", unit="count"),
     row_of("E-GHG-06-CONS"), "unit"),
    ("percentage not %", lambda: changed("S-EMP-02-FPCT", unit="percent"),
     row_of("S-EMP-02-FPCT"), "unit"),
    ("percentage without unit", lambda: changed("S-EMP-02-FPCT", unit=""),
     row_of("S-EMP-02-FPCT"), "unit"),
    ("min not a number", lambda: changed("S-EMP-01", min="zero"), row_of("S-EMP-01"), "min"),
    ("max not a number", lambda: changed("S-EMP-01", max="many"), row_of("S-EMP-01"), "max"),
    ("max not finite", lambda: changed("S-EMP-01", max="inf"), row_of("S-EMP-01"), "max"),
    ("min above max", lambda: changed("S-EMP-01", min="10", max="5"), row_of("S-EMP-01"), "min"),
    ("bounds on boolean", lambda: changed("G-ABC-03", min="0"), row_of("G-ABC-03"), "min"),
    ("percentage above 100", lambda: changed("S-EMP-02-FPCT", max="150"),
     row_of("S-EMP-02-FPCT"), "max"),
    ("choice without choices", lambda: changed("E-GHG-06-CONS", choices=""),
     row_of("E-GHG-06-CONS"), "choices"),
    ("choice not key:zh:en", lambda: changed("E-GHG-06-CONS", choices="a:甲|b:乙:B"),
     row_of("E-GHG-06-CONS"), "choices"),
    ("choice key not a slug", lambda: changed("E-GHG-06-CONS", choices="A B:甲:A|b:乙:B"),
     row_of("E-GHG-06-CONS"), "choices"),
    ("choice key twice", lambda: changed("E-GHG-06-CONS", choices="a:甲:A|a:乙:B"),
     row_of("E-GHG-06-CONS"), "choices"),
    ("a single choice", lambda: changed("E-GHG-06-CONS", choices="a:甲:A"),
     row_of("E-GHG-06-CONS"), "choices"),
    ("choices for non-choice", lambda: changed("G-ABC-03", choices="a:甲:A|b:乙:B"),
     row_of("G-ABC-03"), "choices"),
    ("bad disclosure level", lambda: changed("S-EMP-01", disclosure_level="required"),
     row_of("S-EMP-01"), "disclosure_level"),
    ("bad tier", lambda: changed("S-EMP-01", tier="premium"), row_of("S-EMP-01"), "tier"),
    ("part_of unknown", lambda: changed("E-GHG-02", part_of="E-GHG-99"), row_of("E-GHG-02"),
     "part_of"),
    ("part_of other unit", lambda: changed("S-EMP-02-F", part_of="E-GHG-01"),
     row_of("S-EMP-02-F"), "part_of"),
    ("part_of itself", lambda: changed("E-GHG-02", part_of="E-GHG-02"), row_of("E-GHG-02"),
     "part_of"),
    ("part_of on text", lambda: changed("G-GOV-01", part_of="G-GEN-01"), row_of("G-GOV-01"),
     "part_of"),
    ("part_of not a code", lambda: changed("E-GHG-02", part_of="total"), row_of("E-GHG-02"),
     "part_of"),
    ("part_of loop", lambda: changed("E-GHG-01", part_of="E-GHG-02"), row_of("E-GHG-01"),
     "part_of"),
    ("intensity numerator unknown", lambda: changed("E-GHG-05", intensity_numerator="E-GHG-98"),
     row_of("E-GHG-05"), "intensity_numerator"),
    ("intensity denominator unknown",
     lambda: changed("E-GHG-05", intensity_denominator="G-GEN-98"),
     row_of("E-GHG-05"), "intensity_denominator"),
    ("intensity without denominator", lambda: changed("E-GHG-05", intensity_denominator=""),
     row_of("E-GHG-05"), "intensity_denominator"),
    ("intensity without numerator", lambda: changed("E-GHG-05", intensity_numerator=""),
     row_of("E-GHG-05"), "intensity_numerator"),
    ("intensity over a text", lambda: changed("E-GHG-05", intensity_denominator="G-GOV-01"),
     row_of("E-GHG-05"), "intensity_denominator"),
    ("intensity in the wrong unit", lambda: changed("E-GHG-05", unit="t/10k_CNY"),
     row_of("E-GHG-05"), "unit"),
    ("intensity on a percentage", lambda: changed(
        "S-EMP-02-FPCT", intensity_numerator="S-EMP-02-F", intensity_denominator="S-EMP-01"),
     row_of("S-EMP-02-FPCT"), "intensity_numerator"),
    ("empty name_zh", lambda: changed("S-EMP-01", name_zh=""), row_of("S-EMP-01"), "name_zh"),
    ("empty name_en", lambda: changed("S-EMP-01", name_en=" "), row_of("S-EMP-01"), "name_en"),
    *[
        (f"empty {column}", (lambda column=column: changed("E-GHG-02", **{column: ""})),
         row_of("E-GHG-02"), column)
        for column in GUIDANCE
    ],
    ("empty source", lambda: changed("G-ABC-03", source=""), row_of("G-ABC-03"), "source"),
    ("empty confidence", lambda: changed("G-ABC-03", confidence=""), row_of("G-ABC-03"),
     "confidence"),
    ("unknown confidence", lambda: changed("G-ABC-03", confidence="guess"), row_of("G-ABC-03"),
     "confidence"),
]


@pytest.mark.parametrize(
    ("make", "row", "field"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES]
)
def test_a_malformed_indicator_file_is_refused_naming_row_and_field(make, row, field):
    with pytest.raises(DataFileError) as refused:
        parse(csv_text=make())
    params = refused.value.params
    assert (params["file"], params["row"], params["field"]) == (CSV_NAME, row, field), params
    assert params["reason"]
    assert CSV_NAME in str(refused.value)


def test_rows_are_counted_as_a_spreadsheet_shows_them_with_multiline_cells():
    rows = good_rows()
    rows[0]["what_zh"] = "第一行\n第二行"  # a quoted cell spanning two lines is still one row
    rows[2]["part_of"] = "E-GHG-99"
    with pytest.raises(DataFileError) as refused:
        parse(csv_text=to_csv(rows))
    assert refused.value.params["row"] == 4


def test_an_unconfirmed_confidence_flag_is_accepted():
    catalogue = parse(csv_text=changed("G-ABC-03", confidence="unconfirmed-single-source"))
    assert catalogue.get("G-ABC-03").confidence == "unconfirmed-single-source"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    found = [n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(needle)]
    return found[occurrence - 1]


TOML_CASES: list[tuple[str, str, Callable[[str], int], str]] = [
    ("not TOML", GOOD_TOML.replace('order = 2', 'order = = 2'),
     lambda t: line_of(t, "order = = 2"), "-"),
    ("missing version", GOOD_TOML.replace('version = "test.1"\n', ""), lambda t: 1, "version"),
    ("empty version", GOOD_TOML.replace('"test.1"', '""'), lambda t: 1, "version"),
    ("version not text", GOOD_TOML.replace('"test.1"', "1"), lambda t: 1, "version"),
    ("missing title_en", GOOD_TOML.replace('title_en = "Test catalogue"\n', ""),
     lambda t: 1, "title_en"),
    ("published not a date", GOOD_TOML.replace("2025-01-01", '"soon"'),
     lambda t: line_of(t, "published"), "published"),
    ("unknown top-level key", GOOD_TOML.replace('description_en = "Test"', 'colour = "red"'),
     lambda t: line_of(t, "colour"), "colour"),
    ("no topics", GOOD_TOML.split("[[topic]]")[0], lambda t: 1, "topic"),
    ("topic without key", GOOD_TOML.replace('key = "climate"\n', ""),
     lambda t: line_of(t, "[[topic]]", 2), "topic.key"),
    ("topic key not a slug", GOOD_TOML.replace('key = "climate"', 'key = "Climate Change"'),
     lambda t: line_of(t, 'key = "Climate'), "topic.key"),
    ("topic key twice", GOOD_TOML.replace('key = "employees"', 'key = "climate"'),
     lambda t: line_of(t, 'key = "climate"', 2), "topic.key"),
    ("topic bad pillar", GOOD_TOML.replace('pillar = "S"', 'pillar = "X"'),
     lambda t: line_of(t, 'pillar = "X"'), "topic.pillar"),
    ("topic without name_en", GOOD_TOML.replace('name_en = "Employees"\n', ""),
     lambda t: line_of(t, "[[topic]]", 3), "topic.name_en"),
    ("topic order not integer", GOOD_TOML.replace("order = 3", 'order = "third"'),
     lambda t: line_of(t, 'order = "third"'), "topic.order"),
    ("topic unknown key", GOOD_TOML.replace("order = 1", "order = 1\ncolour = 2"),
     lambda t: line_of(t, "colour"), "topic.colour"),
]


@pytest.mark.parametrize(
    ("toml_text", "line", "field"), [c[1:] for c in TOML_CASES], ids=[c[0] for c in TOML_CASES]
)
def test_a_malformed_catalogue_toml_is_refused_naming_line_and_field(toml_text, line, field):
    with pytest.raises(DataFileError) as refused:
        parse(toml_text=toml_text)
    params = refused.value.params
    assert (params["file"], params["row"], params["field"]) == (
        TOML_NAME, line(toml_text), field
    ), params
    assert params["reason"]


def test_an_indicator_of_an_unknown_topic_is_refused_when_the_topic_is_dropped():
    toml_text = GOOD_TOML.split("[[topic]]\nkey = \"employees\"")[0]
    with pytest.raises(DataFileError) as refused:
        parse(toml_text=toml_text)
    assert refused.value.params["field"] == "topic"
    assert refused.value.params["row"] == row_of("S-EMP-01")
