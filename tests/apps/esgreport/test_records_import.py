"""Importing an XBRL report into the records of the enterprise database (government users),
each record keeping the file, its hash, the producer and the fact id."""

from __future__ import annotations

import hashlib

import pytest

from tests.apps.esgreport.test_import import _document

pytestmark = pytest.mark.django_db


def test_a_reports_figures_become_records_with_their_provenance(gov, firm_a):
    from czesg.audit.models import AuditEvent
    from czesg.esgreport.records_import import import_xbrl_records
    from czesg.records.models import Record, RecordImport

    data = _document(firm_a.uscc, 2024).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    summary = import_xbrl_records(data, "alpha-2024.json", actor=gov)
    assert (summary.rows, summary.added, summary.changed) == (6, 4, 0)
    # The boolean and the text answer are no figures: each is named and left out.
    assert sorted((p.row, p.params["fact"]) for p in summary.problems) == [
        (6, "f-G-ABC-04"), (7, "f-G-GEN-04")]
    rows = sorted(Record.objects.values_list(
        "enterprise__uscc", "year", "indicator_code", "value_number", "unit", "source__code",
        "method", "visibility", "current"))
    assert rows == [
        (firm_a.uscc, 2024, "E-GHG-02", 320.0, "tCO2e", "xbrl_reports", "imported", "public",
         True),
        (firm_a.uscc, 2024, "G-GEN-01", 6200.0, "万元", "xbrl_reports", "imported", "public",
         True),
        (firm_a.uscc, 2024, "S-EMP-01", 131.0, "person", "xbrl_reports", "imported", "public",
         True),
        (firm_a.uscc, 2024, "S-EMP-03", 7.5, "%", "xbrl_reports", "imported", "public", True),
    ]
    assert Record.objects.get(indicator_code="E-GHG-02").document == (
        f"alpha-2024.json sha256:{digest} f-E-GHG-02")
    log = RecordImport.objects.get()
    assert (log.adapter, log.sha256, log.added) == ("xbrl-report", digest, 4)
    event = AuditEvent.objects.get(action="records.import")
    assert event.payload["sha256"] == digest and event.payload["adapter"] == "xbrl-report"
    # The same file again changes nothing.
    again = import_xbrl_records(data, "alpha-2024.json", actor=gov)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 4)


def test_an_enterprise_user_cannot_write_records(alice, firm_a):
    from czesg.engine.kernel.errors import PermissionRefused
    from czesg.esgreport.records_import import import_xbrl_records
    from czesg.records.models import Record

    with pytest.raises(PermissionRefused):
        import_xbrl_records(_document(firm_a.uscc, 2024).encode(), "x.json", actor=alice)
    assert not Record.objects.exists()


def test_an_unregistered_enterprises_figures_are_refused_by_row(gov):
    from czesg.engine.kernel.identifiers import synthetic_uscc
    from czesg.esgreport.records_import import import_xbrl_records
    from czesg.records.models import Record

    stranger = synthetic_uscc("320402", 99)
    summary = import_xbrl_records(_document(stranger, 2024).encode(), "x.json", actor=gov)
    assert summary.added == 0 and stranger in summary.refused_enterprises
    assert {p.column for p in summary.problems if p.uscc == stranger} == {"uscc"}
    assert not Record.objects.exists()


def test_the_records_import_page_previews_then_imports(gov, alice, firm_a, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from czesg.records.models import Record, RecordImport

    url = "/records/import/xbrl/"
    client.force_login(alice)
    assert client.get(url).status_code == 404  # enterprise users do not write records
    client.force_login(gov)
    assert f'href="{url}"' in client.get("/records/sources/").content.decode()
    data = _document(firm_a.uscc, 2024).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    page = client.post(url, {"file": SimpleUploadedFile("alpha.json", data)})
    text = page.content.decode()
    assert page.status_code == 200 and firm_a.uscc in text and digest in text
    assert '<span class="mono">E-GHG-02</span>' in text
    assert not Record.objects.exists()
    done = client.post(url, {"confirm": digest, "name": "alpha.json"})
    log = RecordImport.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/records/imports/{log.pk}/"
    assert Record.objects.count() == 4 and log.file_name == "alpha.json"
