"""Excel and CSV templates: what a person downloads, and every problem found when it comes back."""

import csv
import io
import re
import zipfile

import openpyxl
import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.answers import Answer
from czesg.engine.disclosure.validation import validate
from czesg.engine.disclosure.workbook import (
    BOTH_GIVEN,
    COLUMNS,
    CSV_SHEET,
    DATA_SHEET,
    DUPLICATE,
    FORMULA_WITHOUT_RESULT,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    NO_CODE,
    NO_DATA_SHEET,
    NO_HEADER,
    NO_METADATA,
    NOT_TEXT,
    NOT_XLSX,
    WRONG_ENTERPRISE,
    WRONG_YEAR,
    Entry,
    NotApplicable,
    build_csv_template,
    build_template,
    read_csv,
    read_workbook,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.identifiers import make_uscc

CATALOGUE = load_catalogue()
USCC = make_uscc("9", "1", "320411", "T00000001")
OTHER_USCC = make_uscc("9", "1", "320411", "T00000002")
ENTERPRISE = {"uscc": USCC, "name": "常州示例精密机械有限公司"}
HEADERS = [
    "指标代码 Code", "议题 Topic", "指标 Indicator", "数值 Value", "单位 Unit",
    "不适用说明 N/A explanation", "佐证材料 Evidence", "填报指引 Guidance",
]


def answers() -> dict[str, Answer]:
    """Answers of every data type, a not-applicable mark and evidence references."""
    items = [
        Answer("G-GEN-01", number=12500.5, evidence="2024年审计报告"),
        Answer("G-GEN-04", text="母公司及武进两家工厂"),
        Answer("E-GHG-01", number=300.25),
        Answer("E-GHG-02", number=100.0),
        Answer("E-ENG-01-ELEC", number=250.0, evidence="电费发票 2024-01..12"),
        Answer.not_applicable("E-WST-01", "不产生危险废物"),
        Answer("S-EMP-01", number=120.0),
        Answer("S-EMP-03", number=8.5),
        Answer("G-ABC-04", boolean=True),
        Answer("G-ABC-03", boolean=False),
        Answer("E-GHG-06-CONS", choice="operational_control"),
        Answer("G-FWK-01", text="=GRI index, see page 3"),  # looks like a formula; stays text
    ]
    return {a.code: a for a in items}


def template(tmp_path, tier="standard", language="zh-hans", answers_=None, name="t.xlsx"):
    data = build_template(
        CATALOGUE, tier, enterprise=ENTERPRISE, year=2024, answers=answers_, language=language
    )
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows_by_code(sheet):
    return {
        sheet.cell(row=r, column=1).value: r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(row=r, column=1).value
    }


def validation_at(sheet, coordinate):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) <= 1, coordinate
    return found[0] if found else None


def list_values(book, formula):
    match = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet = book[match.group(1)]
    column = match.group(2)
    return [sheet[f"{column}{r}"].value for r in range(int(match.group(3)),
                                                      int(match.group(5)) + 1)]


def edit(path, change):
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path.read_bytes()


# --- the template ---------------------------------------------------------------------------------
def test_the_template_opens_with_its_sheets(tmp_path):
    book = openpyxl.load_workbook(template(tmp_path))
    assert book.sheetnames == [INSTRUCTIONS_SHEET, DATA_SHEET, LISTS_SHEET, META_SHEET]
    assert [book[name].sheet_state for name in book.sheetnames] == [
        "visible", "visible", "hidden", "hidden"
    ]
    assert book.active.title == INSTRUCTIONS_SHEET


def test_the_instructions_are_in_both_languages(tmp_path):
    sheet = openpyxl.load_workbook(template(tmp_path))[INSTRUCTIONS_SHEET]
    text = "\n".join(str(c.value) for c in sheet["A"] if c.value)
    for phrase in ("填报说明", "Instructions", USCC, "2024", "不适用说明", "N/A explanation",
                   "按原样", "as it is", "千瓦时", "kWh", CATALOGUE.version):
        assert phrase in text, phrase


def test_the_header_is_bilingual_and_frozen(tmp_path):
    sheet = openpyxl.load_workbook(template(tmp_path))[DATA_SHEET]
    assert [c.value for c in sheet[1]] == HEADERS == [c.header for c in COLUMNS]
    assert sheet.freeze_panes == "D2"


@pytest.mark.parametrize("tier", ["basic", "standard"])
def test_one_row_per_indicator_of_the_tier_grouped_by_topic(tmp_path, tier):
    sheet = openpyxl.load_workbook(template(tmp_path, tier))[DATA_SHEET]
    codes = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    expected = [i.code for group in CATALOGUE.by_topic(tier).values() for i in group]
    assert codes == expected
    assert len(codes) == len(CATALOGUE.for_tier(tier))
    row = rows_by_code(sheet)["E-GHG-01"]
    assert sheet.cell(row=row, column=2).value == CATALOGUE.topic("climate").name_zh
    assert sheet.cell(row=row, column=3).value == CATALOGUE.get("E-GHG-01").name_zh
    assert CATALOGUE.get("E-GHG-01").how_zh in sheet.cell(row=row, column=8).value


def test_the_english_template_shows_english_names_and_guidance(tmp_path):
    sheet = openpyxl.load_workbook(template(tmp_path, language="en"))[DATA_SHEET]
    row = rows_by_code(sheet)["E-GHG-01"]
    indicator = CATALOGUE.get("E-GHG-01")
    assert sheet.cell(row=row, column=3).value == indicator.name_en
    assert indicator.mistakes_en in sheet.cell(row=row, column=8).value
    assert [c.value for c in sheet[1]] == HEADERS


def test_the_unit_column_holds_the_canonical_unit(tmp_path):
    sheet = openpyxl.load_workbook(template(tmp_path))[DATA_SHEET]
    rows = rows_by_code(sheet)
    assert sheet[f"E{rows['E-ENG-01-ELEC']}"].value == "MWh"
    assert sheet[f"E{rows['G-GEN-01']}"].value == "万元"
    assert sheet[f"E{rows['S-EMP-03']}"].value == "%"
    assert sheet[f"E{rows['G-ABC-04']}"].value is None


def test_the_code_column_is_locked_and_grey_and_the_inputs_are_open(tmp_path):
    sheet = openpyxl.load_workbook(template(tmp_path))[DATA_SHEET]
    assert sheet.protection.sheet is True
    row = rows_by_code(sheet)["E-GHG-01"]
    code = sheet[f"A{row}"]
    assert code.protection.locked is True
    assert code.fill.fgColor.rgb.endswith("D9D9D9")
    for column in "DEFG":
        assert sheet[f"{column}{row}"].protection.locked is False, column


def test_the_hidden_metadata_name_the_disclosure(tmp_path):
    sheet = openpyxl.load_workbook(template(tmp_path, tier="basic"))[META_SHEET]
    meta = {r[0].value: r[1].value for r in sheet.iter_rows()}
    assert meta["uscc"] == USCC
    assert meta["year"] == 2024
    assert meta["tier"] == "basic"
    assert meta["catalogue_version"] == CATALOGUE.version
    assert meta["name"] == ENTERPRISE["name"]


# --- data validations -----------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_choice_indicator_has_a_drop_down_of_its_choices(tmp_path, language):
    book = openpyxl.load_workbook(template(tmp_path, language=language))
    sheet = book[DATA_SHEET]
    row = rows_by_code(sheet)["E-GHG-06-CONS"]
    rule = validation_at(sheet, f"D{row}")
    assert rule.type == "list"
    assert rule.errorStyle == "stop"
    assert list_values(book, rule.formula1) == [
        c.name(language) for c in CATALOGUE.get("E-GHG-06-CONS").choices
    ]
    assert validation_at(sheet, f"E{row}") is None


@pytest.mark.parametrize(("language", "labels"), [("zh-hans", ["是", "否"]), ("en", ["Yes", "No"])])
def test_a_boolean_indicator_has_a_yes_no_drop_down(tmp_path, language, labels):
    book = openpyxl.load_workbook(template(tmp_path, language=language))
    sheet = book[DATA_SHEET]
    rule = validation_at(sheet, f"D{rows_by_code(sheet)['G-ABC-04']}")
    assert rule.type == "list"
    assert list_values(book, rule.formula1) == labels


def test_a_number_has_a_unit_drop_down_of_convertible_units(tmp_path):
    book = openpyxl.load_workbook(template(tmp_path))
    sheet = book[DATA_SHEET]
    rows = rows_by_code(sheet)
    electricity = list_values(book, validation_at(sheet, f"E{rows['E-ENG-01-ELEC']}").formula1)
    assert electricity[0] == "MWh"
    assert {"kWh", "千瓦时", "万千瓦时", "GWh", "兆瓦时"} <= set(electricity)
    assert "tce" not in electricity  # standard coal needs a named coefficient
    money = list_values(book, validation_at(sheet, f"E{rows['G-GEN-01']}").formula1)
    assert money[0] == "万元" and {"元", "亿元"} <= set(money)
    assert tuple(electricity) == units.alternatives("MWh")


def test_numbers_and_percentages_have_decimal_checks_with_a_message(tmp_path):
    sheet = openpyxl.load_workbook(template(tmp_path))[DATA_SHEET]
    rows = rows_by_code(sheet)
    number = validation_at(sheet, f"D{rows['E-GHG-01']}")
    assert (number.type, number.operator, number.formula1) == ("decimal", "greaterThanOrEqual",
                                                               "0")
    percentage = validation_at(sheet, f"D{rows['S-EMP-03']}")
    assert (percentage.type, percentage.operator, percentage.formula1, percentage.formula2) == (
        "decimal", "between", "0", "100"
    )
    for rule in (number, percentage):
        assert rule.showErrorMessage and rule.error and rule.errorTitle
    assert "0" in percentage.error and "100" in percentage.error
    assert validation_at(sheet, f"D{rows['G-GEN-04']}") is None  # free text


# --- round trip -----------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_prefilled_answers_round_trip(tmp_path, language):
    given = answers()
    path = template(tmp_path, language=language, answers_=given)
    upload = read_workbook(path.read_bytes(), CATALOGUE, expect_uscc=USCC, expect_year=2024)
    assert upload.problems == ()
    assert (upload.uscc, upload.year, upload.tier) == (USCC, 2024, "standard")
    assert upload.catalogue_version == CATALOGUE.version
    yes, no = ("Yes", "No") if language == "en" else ("是", "否")
    choice = CATALOGUE.get("E-GHG-06-CONS").choice("operational_control").name(language)
    assert {(e.code, e.raw, e.unit, e.evidence) for e in upload.entries} == {
        ("G-GEN-01", 12500.5, "万元", "2024年审计报告"),
        ("G-GEN-04", "母公司及武进两家工厂", "", ""),
        ("E-GHG-01", 300.25, "tCO2e", ""),
        ("E-GHG-02", 100, "tCO2e", ""),
        ("E-ENG-01-ELEC", 250, "MWh", "电费发票 2024-01..12"),
        ("S-EMP-01", 120, "person", ""),
        ("S-EMP-03", 8.5, "%", ""),
        ("G-ABC-04", yes, "", ""),
        ("G-ABC-03", no, "", ""),
        ("E-GHG-06-CONS", choice, "", ""),
        ("G-FWK-01", "=GRI index, see page 3", "", ""),
    }
    assert upload.not_applicable == (NotApplicable("E-WST-01", "不产生危险废物"),)
    assert upload.answers() == given


def test_an_unanswered_template_reads_as_empty(tmp_path):
    upload = read_workbook(template(tmp_path).read_bytes(), CATALOGUE)
    assert (upload.entries, upload.not_applicable, upload.problems) == ((), (), ())


def test_values_typed_in_another_unit_are_converted(tmp_path):
    path = template(tmp_path, tier="basic")

    def fill(book):
        sheet = book[DATA_SHEET]
        row = rows_by_code(sheet)["E-ENG-01-ELEC"]
        sheet[f"D{row}"] = 250000
        sheet[f"E{row}"] = "千瓦时"

    upload = read_workbook(edit(path, fill), CATALOGUE)
    assert upload.problems == ()
    (entry,) = upload.entries
    assert (entry.raw, entry.unit, entry.value.number, entry.value.unit) == (
        250000, "千瓦时", pytest.approx(250.0), "MWh"
    )


def test_a_percentage_typed_with_a_percent_sign_is_read_as_a_percentage(tmp_path):
    path = template(tmp_path, tier="basic")

    def fill(book):
        sheet = book[DATA_SHEET]
        cell = sheet[f"D{rows_by_code(sheet)['S-EMP-03']}"]
        cell.value = 0.085  # what Excel stores for "8.5%"
        cell.number_format = "0.0%"

    upload = read_workbook(edit(path, fill), CATALOGUE)
    assert [(e.code, e.raw, e.value.number) for e in upload.entries] == [("S-EMP-03", 8.5, 8.5)]


# --- problems -------------------------------------------------------------------------------------
def test_three_planted_errors_give_exactly_three_problems(tmp_path):
    path = template(tmp_path, tier="basic")
    cells = {}

    def plant(book):
        sheet = book[DATA_SHEET]
        rows = rows_by_code(sheet)
        cells["text"] = f"D{rows['E-GHG-01']}"
        cells["unit"] = f"E{rows['E-ENG-01-ELEC']}"
        cells["pct"] = f"D{rows['S-EMP-03']}"
        sheet[cells["text"]] = "about three hundred"
        sheet[f"D{rows['E-ENG-01-ELEC']}"] = 250
        sheet[cells["unit"]] = "bananas"
        sheet[cells["pct"]] = 150
        sheet[f"D{rows['E-GHG-02']}"] = 100  # a good value beside them

    upload = read_workbook(edit(path, plant), CATALOGUE)
    assert [(p.sheet, p.cell, p.indicator, p.params) for p in upload.problems] == [
        (DATA_SHEET, cells["text"], "E-GHG-01",
         {"code": "E-GHG-01", "value": "about three hundred"}),
        (DATA_SHEET, cells["unit"], "E-ENG-01-ELEC",
         {"code": "E-ENG-01-ELEC", "expected": "MWh", "unit": "bananas"}),
        (DATA_SHEET, cells["pct"], "S-EMP-03",
         {"code": "S-EMP-03", "name": "员工流失率", "max": "100", "unit": "%",
          "value": "150"}),
    ]
    assert upload.problems[0].message == "%(code)s needs a number, not “%(value)s”."
    assert upload.problems[1].render() == (
        f"{cells['unit']}: E-ENG-01-ELEC is measured in MWh; “bananas” does not fit."
    )
    assert [e.code for e in upload.entries] == ["E-GHG-02"]


def test_a_wrong_enterprise_is_refused(tmp_path):
    data = template(tmp_path).read_bytes()
    upload = read_workbook(data, CATALOGUE, expect_uscc=OTHER_USCC, expect_year=2024)
    assert [(p.sheet, p.message, p.params) for p in upload.problems] == [
        (META_SHEET, WRONG_ENTERPRISE, {"found": USCC, "expected": OTHER_USCC}),
    ]
    assert upload.problems[0].cell == "B3"


def test_a_wrong_year_is_refused(tmp_path):
    data = template(tmp_path).read_bytes()
    upload = read_workbook(data, CATALOGUE, expect_uscc=USCC.lower(), expect_year=2025)
    assert [(p.message, p.params) for p in upload.problems] == [
        (WRONG_YEAR, {"found": 2024, "expected": 2025}),
    ]


def test_a_file_without_metadata_is_refused_only_when_a_disclosure_is_expected(tmp_path):
    data = edit(template(tmp_path), lambda book: book.remove(book[META_SHEET]))
    assert read_workbook(data, CATALOGUE).problems == ()
    upload = read_workbook(data, CATALOGUE, expect_uscc=USCC)
    assert [p.message for p in upload.problems] == [NO_METADATA]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a workbook at all",
        b"%PDF-1.7 pretend",
        b"PK\x03\x04 truncated zip",
        "披露数据".encode(),
    ],
)
def test_bytes_that_are_not_an_xlsx_are_refused_cleanly(data):
    upload = read_workbook(data, CATALOGUE, expect_uscc=USCC, expect_year=2024)
    assert [(p.message, p.cell, p.params) for p in upload.problems] == [(NOT_XLSX, "", {})]
    assert upload.entries == () and upload.not_applicable == ()


def test_a_zip_that_is_not_a_workbook_and_a_damaged_workbook_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert [p.message for p in read_workbook(buffer.getvalue(), CATALOGUE).problems] == [NOT_XLSX]
    data = template(tmp_path).read_bytes()
    damaged = data[: len(data) // 2]
    assert [p.message for p in read_workbook(damaged, CATALOGUE).problems] == [NOT_XLSX]


def test_a_workbook_without_the_data_sheet_is_refused(tmp_path):
    data = edit(template(tmp_path), lambda book: book.remove(book[DATA_SHEET]))
    upload = read_workbook(data, CATALOGUE)
    assert [(p.message, p.params) for p in upload.problems] == [
        (NO_DATA_SHEET, {"sheet": DATA_SHEET}),
    ]


def test_a_renamed_data_sheet_is_still_found_by_its_header(tmp_path):
    def rename(book):
        book[DATA_SHEET].title = "Sheet1"
        book["Sheet1"]["D2"] = 12500

    upload = read_workbook(edit(template(tmp_path, tier="basic"), rename), CATALOGUE)
    assert upload.problems == ()
    assert [(e.code, e.raw) for e in upload.entries] == [("G-GEN-01", 12500)]


def test_row_problems_are_all_collected(tmp_path):
    path = template(tmp_path, tier="basic")
    places = {}

    def plant(book):
        sheet = book[DATA_SHEET]
        rows = rows_by_code(sheet)
        last = sheet.max_row
        sheet[f"A{last + 1}"] = "E-XXX-99"  # unknown code
        sheet[f"D{last + 1}"] = 1
        sheet[f"A{last + 2}"] = "E-GHG-02"  # duplicate
        sheet[f"D{last + 2}"] = 5
        sheet[f"D{last + 3}"] = 7  # a value without a code
        r = rows["E-GHG-03"]
        sheet[f"D{r}"] = 200
        sheet[f"F{r}"] = "不适用"  # both value and explanation
        sheet[f"D{rows['G-ABC-04']}"] = "也许"  # not yes or no
        sheet[f"D{rows['G-GEN-04']}"] = 12  # a number in a text field is fine as text
        sheet[f"E{rows['G-ABC-03']}"] = "t"  # a unit on a yes/no answer
        sheet[f"D{rows['G-ABC-03']}"] = "否"
        sheet[f"D{rows['E-WAT-01']}"] = "=1+1"  # a formula without a saved result
        sheet[f"F{rows['E-WST-01']}"] = "无危险废物"  # a proper N/A
        places.update(
            unknown=f"A{last + 1}", duplicate=f"A{last + 2}", first=f"A{rows['E-GHG-02']}",
            no_code=f"A{last + 3}", both=f"F{r}", yes_no=f"D{rows['G-ABC-04']}",
            unit=f"E{rows['G-ABC-03']}", formula=f"D{rows['E-WAT-01']}",
            na=f"F{rows['E-WST-01']}",
        )

    upload = read_workbook(edit(path, plant), CATALOGUE)
    found = sorted((p.cell, p.indicator, p.message, tuple(sorted(p.params.items())))
                   for p in upload.problems)
    assert found == sorted([
        (places["unknown"], "E-XXX-99", "Unknown indicator “%(code)s”.",
         (("code", "E-XXX-99"),)),
        (places["duplicate"], "E-GHG-02", DUPLICATE,
         (("code", "E-GHG-02"), ("first", places["first"]))),
        (places["no_code"], "", NO_CODE, ()),
        (places["both"], "E-GHG-03", BOTH_GIVEN, (("code", "E-GHG-03"), ("value", "200"))),
        (places["yes_no"], "G-ABC-04", "%(code)s needs yes or no, not “%(value)s”.",
         (("code", "G-ABC-04"), ("value", "也许"))),
        (places["unit"], "G-ABC-03", "%(code)s takes no unit; “%(unit)s” was given.",
         (("code", "G-ABC-03"), ("unit", "t"))),
        (places["formula"], "E-WAT-01", FORMULA_WITHOUT_RESULT, (("code", "E-WAT-01"),)),
    ])
    assert {(e.code, e.raw) for e in upload.entries} == {("G-GEN-04", 12)}
    assert upload.entries[0].value.text == "12"
    assert [(m.code, m.explanation, m.cell) for m in upload.not_applicable] == [
        ("E-WST-01", "无危险废物", places["na"]),
    ]


def test_a_formula_is_read_by_the_result_excel_saved_with_it(tmp_path):
    path = template(tmp_path, tier="basic")
    cell = {}

    def fill(book):
        sheet = book[DATA_SHEET]
        cell["at"] = f"D{rows_by_code(sheet)['E-WAT-01']}"
        sheet[cell["at"]] = "=600+400"

    data = edit(path, fill)
    assert [p.message for p in read_workbook(data, CATALOGUE).problems] == [
        FORMULA_WITHOUT_RESULT
    ]
    # Excel saves the result beside the formula; do what Excel does.
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                # an empty cached value is written <v /> or <v></v> (openpyxl with lxml)
                content = re.sub(rb"<f>600\+400</f><v ?/>|<f>600\+400</f><v></v>",
                                 b"<f>600+400</f><v>1000</v>", content)
                assert b"<v>1000</v>" in content
            new.writestr(item, content)
    upload = read_workbook(target.getvalue(), CATALOGUE)
    assert upload.problems == ()
    assert [(e.code, e.raw, e.value.number) for e in upload.entries] == [("E-WAT-01", 1000, 1000)]


def test_an_upload_feeds_validation(tmp_path):
    upload = read_workbook(template(tmp_path, answers_=answers()).read_bytes(), CATALOGUE)
    findings = validate(upload.answers(), CATALOGUE, tier="basic")
    assert "sum_of_parts" not in {f.rule for f in findings}  # E-GHG-03 not given yet
    assert {f.indicator for f in findings if f.rule == "required"} >= {"E-GHG-03", "E-WAT-01"}


# --- CSV ------------------------------------------------------------------------------------------
def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_the_csv_template_has_a_bom_metadata_and_the_same_columns():
    data = build_csv_template(CATALOGUE, "basic", enterprise=ENTERPRISE, year=2024)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data)
    assert rows[0][0] == "#czesg"
    assert f"uscc={USCC}" in rows[0] and "year=2024" in rows[0] and "tier=basic" in rows[0]
    assert rows[1] == HEADERS
    assert [r[0] for r in rows[2:]] == [
        i.code for group in CATALOGUE.by_topic("basic").values() for i in group
    ]


def test_csv_round_trip():
    given = answers()
    data = build_csv_template(CATALOGUE, "standard", enterprise=ENTERPRISE, year=2024,
                              answers=given)
    assert "'=GRI index" in data.decode("utf-8-sig")  # not run as a formula by a spreadsheet
    upload = read_csv(data, CATALOGUE, expect_uscc=USCC, expect_year=2024)
    assert upload.problems == ()
    assert (upload.uscc, upload.year, upload.tier) == (USCC, 2024, "standard")
    assert upload.answers() == given
    by_code = {e.code: e for e in upload.entries}
    assert by_code["G-GEN-01"] == Entry("G-GEN-01", "12500.5", "万元", "2024年审计报告")
    assert by_code["G-FWK-01"].raw == "=GRI index, see page 3"
    assert read_csv(data.decode("utf-8-sig"), CATALOGUE).answers() == given


def test_a_csv_saved_by_excel_in_gb18030_is_read():
    data = build_csv_template(CATALOGUE, "basic", enterprise=ENTERPRISE, year=2024,
                              answers=answers())
    gbk = data.decode("utf-8-sig").encode("gb18030")
    upload = read_csv(gbk, CATALOGUE, expect_uscc=USCC, expect_year=2024)
    assert upload.problems == ()
    assert upload.answers()["G-GEN-01"].evidence == "2024年审计报告"


def test_csv_problems_name_the_cell():
    rows = csv_rows(build_csv_template(CATALOGUE, "basic", enterprise=ENTERPRISE, year=2024))
    line = {r[0]: n for n, r in enumerate(rows, start=1)}
    rows[line["E-GHG-01"] - 1][3] = "abc"
    rows[line["E-ENG-01-ELEC"] - 1][3] = "250"
    rows[line["E-ENG-01-ELEC"] - 1][4] = "furlongs"
    rows[line["S-EMP-03"] - 1][3] = "150"
    rows[line["E-GHG-02"] - 1][3] = "1,200.5"
    upload = read_csv(csv_bytes(rows), CATALOGUE)
    assert [(p.sheet, p.cell, p.indicator, p.params) for p in upload.problems] == [
        (CSV_SHEET, f"D{line['E-GHG-01']}", "E-GHG-01", {"code": "E-GHG-01", "value": "abc"}),
        (CSV_SHEET, f"E{line['E-ENG-01-ELEC']}", "E-ENG-01-ELEC",
         {"code": "E-ENG-01-ELEC", "expected": "MWh", "unit": "furlongs"}),
        (CSV_SHEET, f"D{line['S-EMP-03']}", "S-EMP-03",
         {"code": "S-EMP-03", "name": "员工流失率", "max": "100", "unit": "%",
          "value": "150"}),
    ]
    assert [(e.code, e.value.number) for e in upload.entries] == [("E-GHG-02", 1200.5)]


def test_a_csv_for_another_enterprise_or_year_is_refused():
    data = build_csv_template(CATALOGUE, "basic", enterprise=ENTERPRISE, year=2024)
    upload = read_csv(data, CATALOGUE, expect_uscc=OTHER_USCC, expect_year=2023)
    assert [(p.cell, p.message, p.params) for p in upload.problems] == [
        ("D1", WRONG_ENTERPRISE, {"found": USCC, "expected": OTHER_USCC}),
        ("F1", WRONG_YEAR, {"found": 2024, "expected": 2023}),
    ]
    rows = csv_rows(data)[1:]  # the metadata row deleted
    upload = read_csv(csv_bytes(rows), CATALOGUE, expect_year=2024)
    assert [p.message for p in upload.problems] == [NO_METADATA]


def test_bytes_that_are_not_csv_text_are_refused_cleanly(tmp_path):
    xlsx = template(tmp_path).read_bytes()
    for data in (b"\x00\x01\x02\xff\xfe", xlsx, b"\x00\x00"):
        upload = read_csv(data, CATALOGUE)
        assert [(p.sheet, p.message) for p in upload.problems] == [(CSV_SHEET, NOT_TEXT)]
        assert upload.entries == ()


def test_a_csv_without_the_header_row_is_refused():
    upload = read_csv("just some text\nmore", CATALOGUE)
    assert [(p.cell, p.message, p.params) for p in upload.problems] == [
        ("A1", NO_HEADER, {"column": "指标代码 Code"}),
    ]
