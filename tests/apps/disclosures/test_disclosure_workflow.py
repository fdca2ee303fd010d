"""Issue 3 on the server: bulk import, template import, evidence, copy-forward, warnings, diff."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from czesg.audit.models import AuditEvent
from czesg.cli import main
from czesg.disclosures import actions
from czesg.disclosures.bulk import import_checked
from czesg.disclosures.models import Datapoint, Disclosure, Evidence, Method
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.bulk import check_long, long_frame
from czesg.engine.disclosure.inspection import FileTooLarge
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, StateConflict

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    """A real PNG (evidence images are opened with Pillow before they are kept)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


# --- bulk import ------------------------------------------------------------------------------
def test_bulk_import_is_atomic_per_enterprise_and_names_every_refused_row(firm_a, firm_b, system):
    frame = long_frame([
        (firm_a.uscc, 2024, "S-EMP-01", "1,200", "人"),
        (firm_a.uscc, 2024, "E-ENG-01-ELEC", "1500", "kWh"),
        (firm_a.uscc, 2024, "E-GHG-04", None, "", "无重大范围三排放源"),
        (firm_b.uscc, 2024, "S-EMP-01", "80", "person"),
        (firm_b.uscc, 2024, "E-GHG-01", "abc", "tCO2e"),  # row 6: refused
        (firm_b.uscc, 2024, "E-XXX-01", "1", ""),  # row 7: refused
    ])
    summary = import_checked(check_long(frame, load_catalogue()), actor=system, evidence="file.csv")
    assert summary.imported_values == 3 and summary.enterprises == 1
    assert [(p.row, p.column) for p in summary.problems] == [(6, "value"), (7, "indicator")]
    a = Disclosure.objects.get(enterprise=firm_a, year=2024)
    assert a.state == "draft" and a.version == 1
    values = {p.indicator_code: p for p in a.datapoints.all()}
    assert values["S-EMP-01"].value_number == 1200 and values["S-EMP-01"].method == Method.IMPORTED
    assert values["E-ENG-01-ELEC"].value_number == pytest.approx(1.5)
    assert values["E-ENG-01-ELEC"].entered_unit == "kWh"
    assert values["E-GHG-04"].status == "not_applicable"
    # Nothing of B was written: its good row went down with its bad ones.
    assert not Disclosure.objects.filter(enterprise=firm_b).exists()
    event = AuditEvent.objects.get(action="disclosure.import")
    assert event.payload["enterprise"] == firm_a.uscc and event.payload["values"] == 3


def test_bulk_import_updates_an_open_draft_and_refuses_a_published_one(
    firm_a, firm_b, alice, bob, draft_a, draft_b, fill_basic, system
):
    actions.set_value(draft_a, "S-EMP-01", 10, "person", actor=alice)
    fill_basic(draft_b, bob)
    actions.submit_disclosure(draft_b, actor=bob)
    actions.publish_disclosure(draft_b, actor=bob)
    frame = long_frame([
        (firm_a.uscc, 2024, "S-EMP-01", "11", "person"),
        (firm_b.uscc, 2024, "S-EMP-01", "99", "person"),
    ])
    summary = import_checked(check_long(frame, load_catalogue()), actor=system)
    assert summary.disclosures_updated == 1 and summary.imported_values == 1
    assert draft_a.datapoints.get(indicator_code="S-EMP-01").value_number == 11
    (problem,) = summary.problems
    assert problem.row == 3 and "amend it first" in problem.render()
    assert draft_b.datapoints.get(indicator_code="S-EMP-01").value_number == 120


def test_bulk_import_needs_a_platform_administrator(firm_a, alice, gov):
    check = check_long(long_frame([(firm_a.uscc, 2024, "S-EMP-01", "1", "")]), load_catalogue())
    for actor in (alice, gov):
        with pytest.raises(PermissionRefused):
            import_checked(check, actor=actor)
    assert not Datapoint.objects.exists()


def test_cli_bulk_import_from_parquet_prints_a_summary(firm_a, system, tmp_path, capsys):
    path = tmp_path / "values.parquet"
    long_frame([
        (firm_a.uscc, 2024, "S-EMP-01", "42", "人"),
        ("91320411000000000X", 2024, "S-EMP-01", "1", "人"),
    ]).write_parquet(path)
    code = main(["import", str(path), "--bulk", "--format", "json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1  # a refused row makes the command fail, after importing the rest
    assert summary["imported_values"] == 1 and summary["refused_rows"] == 1
    assert summary["problems"][0]["row"] == 3 and summary["problems"][0]["column"] == "uscc"
    assert Datapoint.objects.get(indicator_code="S-EMP-01").value_number == 42


def test_cli_bulk_import_refuses_a_file_without_the_columns(tmp_path, capsys, system):
    path = tmp_path / "bad.csv"
    path.write_text("code,amount\nE-GHG-01,5\n", encoding="utf-8")
    assert main(["import", str(path), "--bulk"]) == 1
    assert "lacks the column(s) uscc, year, indicator, value, unit" in capsys.readouterr().err


# --- template import --------------------------------------------------------------------------
def test_cli_imports_a_filled_template(firm_a, system, tmp_path, capsys):
    from openpyxl import load_workbook

    from czesg.engine.disclosure import workbook

    data = workbook.build_template(
        load_catalogue(), "basic", enterprise={"uscc": firm_a.uscc, "name": firm_a.name}, year=2024
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book[workbook.DATA_SHEET]
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == "S-EMP-01":
            sheet.cell(row, 4).value = 77
    path = tmp_path / "filled.xlsx"
    book.save(path)
    assert main(["import", str(path), "--enterprise", firm_a.uscc, "--year", "2024",
                 "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["imported"] == 1 and result["problems"] == []
    point = Datapoint.objects.get(disclosure__enterprise=firm_a, indicator_code="S-EMP-01")
    assert point.value_number == 77 and point.method == Method.IMPORTED


def test_upload_page_saves_nothing_when_a_file_has_problems(client, alice, draft_a):
    from czesg.engine.disclosure import workbook

    data = workbook.build_csv_template(
        load_catalogue(), "basic", enterprise={"uscc": draft_a.enterprise.uscc, "name": "x"},
        year=2024,
    ).decode("utf-8-sig")
    # Columns: code, topic, indicator, value, ...; put a word where a number belongs.
    filled = "\n".join(
        ",".join(["S-EMP-01", "x", "x", "abc"]) if line.startswith("S-EMP-01,") else line
        for line in data.splitlines()
    )
    client.force_login(alice)
    response = client.post(
        f"/disclosures/{draft_a.pk}/upload/",
        {"file": SimpleUploadedFile("f.csv", filled.encode("utf-8-sig"), "text/csv")},
    )
    assert response.status_code == 422
    assert "S-EMP-01" in response.content.decode()
    assert not draft_a.datapoints.exists()


def test_template_download_is_prefilled(client, alice, draft_a):
    from openpyxl import load_workbook

    from czesg.engine.disclosure import workbook

    actions.set_value(draft_a, "S-EMP-01", 33, "person", actor=alice)
    client.force_login(alice)
    response = client.get(f"/disclosures/{draft_a.pk}/template/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content))[workbook.DATA_SHEET]
    values = {sheet.cell(r, 1).value: sheet.cell(r, 4).value for r in range(1, sheet.max_row + 1)}
    assert values["S-EMP-01"] == 33


# --- evidence ---------------------------------------------------------------------------------
def test_evidence_type_comes_from_the_content_not_the_name(draft_a, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = actions.attach_evidence(
        draft_a, "E-ENG-01-ELEC", SimpleUploadedFile("../../电费发票 2024.png", PDF), actor=alice
    )
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "电费发票 2024.pdf"
    assert ".." not in evidence.file.name and evidence.file.name.endswith(".pdf")
    assert evidence.size == len(PDF)
    with pytest.raises(CatalogueError):
        actions.attach_evidence(
            draft_a, "E-ENG-01-ELEC", SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf"),
            actor=alice,
        )
    with pytest.raises(CatalogueError):
        actions.attach_evidence(draft_a, "E-ENG-01-ELEC", SimpleUploadedFile("e.pdf", b""), actor=alice)
    assert Evidence.objects.count() == 1
    assert AuditEvent.objects.filter(action="disclosure.attach_evidence").count() == 1


def test_evidence_size_limit(draft_a, alice, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(actions, "EVIDENCE_MAX_BYTES", 100)
    with pytest.raises(FileTooLarge) as caught:
        actions.attach_evidence(draft_a, "S-EMP-01", SimpleUploadedFile("a.png", PNG * 5), actor=alice)
    assert caught.value.params == {"limit": 0} and caught.value.http_status == 413
    assert not list(tmp_path.rglob("*.png"))


def test_evidence_is_private_to_the_enterprise(client, draft_a, alice, bob, gov, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = actions.attach_evidence(draft_a, "S-EMP-01", SimpleUploadedFile("r.png", PNG), actor=alice)
    url = f"/evidence/{evidence.pk}/"
    assert client.get(url).status_code == 404  # anonymous
    for other in (bob, gov):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"


# --- copy forward, warnings, diff -------------------------------------------------------------
@pytest.fixture
def published_2023(firm_a, alice, fill_basic):
    draft = actions.start_disclosure(firm_a, 2023, actor=alice)
    fill_basic(draft, alice)
    actions.set_value(draft, "E-ENG-01-ELEC", 1.2, "MWh", actor=alice)  # a slip: kWh typed as MWh?
    actions.submit_disclosure(draft, actor=alice)
    return actions.publish_disclosure(draft, actor=alice)


def test_copy_forward_fills_unanswered_indicators_from_last_year(published_2023, draft_a, alice):
    actions.set_value(draft_a, "S-EMP-01", 130, "person", actor=alice)
    copied = actions.copy_forward(draft_a, actor=alice)
    points = {p.indicator_code: p for p in draft_a.datapoints.all()}
    calculated = {c for c, p in points.items() if p.method == Method.CALCULATED}
    assert copied == len(points) - len(calculated) - 1
    # Last year's derived values were reported by hand, so they are copied, not calculated.
    assert calculated == set()
    assert points["S-EMP-01"].value_number == 130 and points["S-EMP-01"].method == "typed"
    assert points["G-GEN-01"].method == Method.COPIED
    assert points["G-GEN-01"].evidence_ref == "2023 v1" and points["G-GEN-01"].entered_by == alice
    assert points["E-WST-01"].status == "not_applicable"


def test_copy_forward_without_last_year_is_refused(draft_a, alice):
    with pytest.raises(StateConflict):
        actions.copy_forward(draft_a, actor=alice)


def test_a_unit_slip_warning_must_be_acknowledged_before_submission(
    published_2023, draft_a, alice, fill_basic, client
):
    fill_basic(draft_a, alice)  # electricity 1200 MWh against 1.2 MWh last year: ×1000
    with pytest.raises(StateConflict) as caught:
        actions.submit_disclosure(draft_a, actor=alice)
    assert caught.value.params == {"count": 1}
    client.force_login(alice)
    page = client.get(f"/disclosures/{draft_a.pk}/review/").content.decode()
    assert "yoy_scale" in page and "E-ENG-01-ELEC" in page
    response = client.post(
        f"/disclosures/{draft_a.pk}/review/",
        {"acknowledge": ["yoy_scale:E-ENG-01-ELEC"], "submit": "1", "note": "new plant"},
    )
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.state == "submitted"
    ack = draft_a.acknowledgements.get()
    assert (ack.key, ack.note, ack.acknowledged_by) == ("yoy_scale:E-ENG-01-ELEC", "new plant", alice)
    assert AuditEvent.objects.filter(action="disclosure.acknowledge_warnings").exists()


def test_validation_errors_block_submission_and_are_listed(draft_a, alice, client):
    actions.set_value(draft_a, "S-EMP-01", 10, "person", actor=alice)
    actions.set_value(draft_a, "S-EMP-02-F", 11, "person", actor=alice)
    with pytest.raises(Exception) as caught:
        actions.submit_disclosure(draft_a, actor=alice)
    assert caught.value.code == "validation_failed"
    rules = {f.rule for f in caught.value.findings}
    assert "part_exceeds_total" in rules
    assert "required" not in rules  # an empty required indicator is a warning to confirm
    client.force_login(alice)
    page = client.get(f"/disclosures/{draft_a.pk}/review/").content.decode()
    assert 'data-rule="part_exceeds_total"' in page and "S-EMP-02-F" in page
    draft_a.refresh_from_db()
    assert draft_a.state == "draft"


def test_the_review_page_names_each_field_in_the_current_language_with_the_code_secondary(
    draft_a, alice, client
):
    actions.set_value(draft_a, "S-EMP-01", 10, "person", actor=alice)
    actions.set_value(draft_a, "S-EMP-02-F", 11, "person", actor=alice)
    client.force_login(alice)
    name_zh = load_catalogue().get("S-EMP-02-F").name_zh
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/disclosures/{draft_a.pk}/review/").content.decode()
    item = page.split('data-rule="part_exceeds_total"', 1)[1].split("</li>", 1)[0]
    # The link reads the field's Chinese name; the code follows it, marked as a code.
    assert f"#row-S-EMP-02-F\">{name_zh}</a>" in item
    assert '<span class="code muted">S-EMP-02-F</span>' in item
    client.cookies["django_language"] = "en"
    page = client.get(f"/disclosures/{draft_a.pk}/review/").content.decode()
    item = page.split('data-rule="part_exceeds_total"', 1)[1].split("</li>", 1)[0]
    assert f"#row-S-EMP-02-F\">{load_catalogue().get('S-EMP-02-F').name_en}</a>" in item


def test_diff_between_versions_shows_value_and_provenance_changes(published_2023, alice, client):
    amendment = actions.amend_disclosure(published_2023, "电量单位录入错误", actor=alice)
    actions.set_value(amendment, "E-ENG-01-ELEC", 1200, "MWh", evidence="电费单", actor=alice)
    client.force_login(alice)
    page = client.get(f"/disclosures/{published_2023.pk}/diff/{amendment.pk}/").content.decode()
    assert 'data-indicator="E-ENG-01-ELEC"' in page
    assert "电量单位录入错误" in page
    assert 'data-indicator="S-EMP-01"' not in page  # unchanged values are not listed


def test_bench_command_reports_named_figures(capsys):
    assert main(["bench", "--only", "import", "--scale", "0.001", "--format", "json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert figures["import_values"] == 10 * 100
    assert set(figures) >= {"import_1m_values_s", "import_check_s", "import_write_s"}
