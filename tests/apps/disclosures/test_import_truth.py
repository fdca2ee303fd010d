"""Issue 13 item 9: a bulk import's summary tells the whole truth, a refused template import
leaves nothing behind, and every value and N/A mark keeps its true provenance."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from czesg.access import actions as access_actions
from czesg.audit.models import AuditEvent
from czesg.cli import main
from czesg.disclosures.models import Datapoint, Disclosure, Method
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure import workbook
from czesg.engine.disclosure.bulk import long_frame
from tests.conftest import uscc_for

pytestmark = pytest.mark.django_db

UNREGISTERED = uscc_for(99)


def _bulk_file(tmp_path, firm_a, firm_b):
    path = tmp_path / "values.csv"
    long_frame([
        (firm_a.uscc, 2024, "S-EMP-01", "42", "人"),             # row 2: imported
        (firm_b.uscc, 2024, "S-EMP-01", "80", "person"),         # row 3: valid, refused with B
        (firm_b.uscc, 2024, "E-GHG-01", "abc", "tCO2e"),         # row 4: the bad cell
        (firm_b.uscc, 2023, "E-ENG-01-ELEC", "1500", "kWh"),     # row 5: valid, other year
        (firm_b.uscc, 2024, "E-XXX-01", "1", ""),                # row 6: unknown indicator
        (UNREGISTERED, 2024, "S-EMP-01", "5", "person"),         # row 7: not registered
        (UNREGISTERED, 2024, "E-GHG-04", None, "", "无范围三"),   # row 8: not registered
    ]).write_csv(path)
    return path


def test_bulk_summary_json_lists_refused_enterprises_and_valid_rows_lost(
    firm_a, firm_b, system, tmp_path, capsys
):
    path = _bulk_file(tmp_path, firm_a, firm_b)
    assert main(["import", str(path), "--bulk", "--format", "json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    not_registered = f"No enterprise with credit code {UNREGISTERED} is registered."
    assert summary == {
        "rows": 7, "imported_values": 1, "enterprises": 1, "disclosures_created": 1,
        "disclosures_updated": 0, "refused_rows": 4, "valid_rows_refused": 2,
        "refused_enterprises": sorted([
            {"uscc": firm_b.uscc,
             "reasons": ["E-GHG-01 needs a number, not “abc”.", "Unknown indicator “E-XXX-01”."],
             "rows_with_problems": 2, "valid_rows_refused": 2},
            {"uscc": UNREGISTERED, "reasons": [not_registered],
             "rows_with_problems": 2, "valid_rows_refused": 0},
        ], key=lambda e: e["uscc"]),
        "problems": [
            {"row": 4, "column": "value", "uscc": firm_b.uscc,
             "message": "E-GHG-01 needs a number, not “abc”."},
            {"row": 6, "column": "indicator", "uscc": firm_b.uscc,
             "message": "Unknown indicator “E-XXX-01”."},
            {"row": 7, "column": "uscc", "uscc": UNREGISTERED, "message": not_registered},
            {"row": 8, "column": "uscc", "uscc": UNREGISTERED, "message": not_registered},
        ],
    }
    # Nothing of B was written, in either year; A's value was.
    assert not Disclosure.objects.filter(enterprise=firm_b).exists()
    assert Datapoint.objects.get().disclosure.enterprise == firm_a


def test_bulk_summary_text_says_the_same(firm_a, firm_b, system, tmp_path, capsys):
    path = _bulk_file(tmp_path, firm_a, firm_b)
    assert main(["import", str(path), "--bulk", "--quiet"]) == 1
    b, u = firm_b.uscc, UNREGISTERED
    lines = [
        "rows read: 7",
        "values imported: 1 for 1 enterprises (1 disclosures created, 0 updated)",
        "rows refused: 6 (4 with a problem, 2 valid rows refused with their enterprise)",
        "enterprises refused: 2",
    ]
    per_enterprise = {
        b: [f"  {b}: 2 rows with a problem, 2 valid rows refused with them",
            "    - E-GHG-01 needs a number, not “abc”.",
            "    - Unknown indicator “E-XXX-01”."],
        u: [f"  {u}: 2 rows with a problem, 0 valid rows refused with them",
            f"    - No enterprise with credit code {u} is registered."],
    }
    for uscc in sorted(per_enterprise):
        lines += per_enterprise[uscc]
    lines += [
        "problems:",
        "  row 4 (value): E-GHG-01 needs a number, not “abc”.",
        "  row 6 (indicator): Unknown indicator “E-XXX-01”.",
        f"  row 7 (uscc): No enterprise with credit code {u} is registered.",
        f"  row 8 (uscc): No enterprise with credit code {u} is registered.",
    ]
    assert capsys.readouterr().out.strip() == "\n".join(lines)


def test_a_clean_bulk_summary_refuses_nothing(firm_a, system, tmp_path, capsys):
    path = tmp_path / "ok.csv"
    long_frame([(firm_a.uscc, 2024, "S-EMP-01", "42", "人")]).write_csv(path)
    assert main(["import", str(path), "--bulk", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["refused_rows"] == 0 and summary["valid_rows_refused"] == 0
    assert summary["refused_enterprises"] == [] and summary["problems"] == []


# --- template import: a refusal leaves nothing ---------------------------------------------------
def _template(enterprise, *, value=None, na=None) -> bytes:
    data = workbook.build_template(
        load_catalogue(), "basic", enterprise={"uscc": enterprise.uscc, "name": enterprise.name},
        year=2024,
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book[workbook.DATA_SHEET]
    for row in range(1, sheet.max_row + 1):
        if value and sheet.cell(row, 1).value == value[0]:
            sheet.cell(row, 4).value = value[1]
        if na and sheet.cell(row, 1).value == na[0]:
            sheet.cell(row, 6).value = na[1]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("case", ["wrong enterprise", "bad cell"])
def test_a_refused_template_import_leaves_no_draft(case, firm_a, firm_b, system, tmp_path, capsys):
    data = (_template(firm_b, value=("S-EMP-01", 5)) if case == "wrong enterprise"
            else _template(firm_a, value=("S-EMP-01", "many")))
    path = tmp_path / "filled.xlsx"
    path.write_bytes(data)
    before = AuditEvent.objects.count()
    assert main(["import", str(path), "--enterprise", firm_a.uscc, "--year", "2024",
                 "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["imported"] == 0 and result["disclosure"] is None and result["problems"]
    assert not Disclosure.objects.exists()
    assert not Datapoint.objects.exists()
    assert AuditEvent.objects.count() == before


# --- provenance of values and N/A marks on every path ------------------------------------------
def test_template_import_from_the_command_line_stores_na_as_imported(firm_a, system, tmp_path,
                                                                     capsys):
    path = tmp_path / "filled.xlsx"
    path.write_bytes(_template(firm_a, value=("S-EMP-01", 77),
                               na=("E-WST-01", "生产过程不产生危险废物")))
    assert main(["import", str(path), "--enterprise", firm_a.uscc, "--year", "2024",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 2
    points = {p.indicator_code: p for p in Datapoint.objects.all()}
    assert points["S-EMP-01"].method == Method.IMPORTED
    assert points["E-WST-01"].status == "not_applicable"
    assert points["E-WST-01"].method == Method.IMPORTED
    event = AuditEvent.objects.get(action="disclosure.not_applicable")
    assert event.payload["method"] == Method.IMPORTED


def test_template_upload_page_stores_values_and_na_as_imported(client, alice, draft_a):
    client.force_login(alice)
    response = client.post(f"/disclosures/{draft_a.pk}/upload/", {"file": SimpleUploadedFile(
        "f.xlsx", _template(draft_a.enterprise, value=("S-EMP-01", 12),
                            na=("E-WST-01", "生产过程不产生危险废物")))})
    assert response.status_code == 302
    points = {p.indicator_code: p for p in draft_a.datapoints.all()}
    assert {code: (p.status, p.method) for code, p in points.items()} == {
        "S-EMP-01": ("reported", Method.IMPORTED),
        "E-WST-01": ("not_applicable", Method.IMPORTED),
    }


def test_answers_typed_on_the_page_are_typed(client, alice, draft_a):
    client.force_login(alice)
    client.post(f"/disclosures/{draft_a.pk}/answer/E-GHG-04/",
                {"na": "1", "na_explanation": "无范围三排放源"})
    client.post(f"/disclosures/{draft_a.pk}/answer/S-EMP-01/", {"value": "12", "unit": "person"})
    points = {p.indicator_code: p for p in draft_a.datapoints.all()}
    assert {code: (p.status, p.method) for code, p in points.items()} == {
        "S-EMP-01": ("reported", Method.TYPED),
        "E-GHG-04": ("not_applicable", Method.TYPED),
    }


def test_bulk_import_stores_values_and_na_as_imported(firm_a, system, tmp_path, capsys):
    path = tmp_path / "values.csv"
    long_frame([
        (firm_a.uscc, 2024, "S-EMP-01", "42", "人"),
        (firm_a.uscc, 2024, "E-GHG-04", None, "", "无范围三排放源"),
    ]).write_csv(path)
    assert main(["import", str(path), "--bulk", "--quiet"]) == 0
    capsys.readouterr()
    points = {p.indicator_code: p for p in Datapoint.objects.all()}
    assert {code: (p.status, p.method) for code, p in points.items()} == {
        "S-EMP-01": ("reported", Method.IMPORTED),
        "E-GHG-04": ("not_applicable", Method.IMPORTED),
    }


def test_values_set_through_the_api_are_typed(alice, draft_a):
    _, secret = access_actions.issue_token(alice, name="erp", scopes=["read", "write"],
                                           actor=alice)
    response = Client(enforce_csrf_checks=True).put(
        f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01", data=json.dumps({"value": 5}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response.json()["method"] == Method.TYPED
    assert draft_a.datapoints.get().method == Method.TYPED
