"""Uploads through the pages and actions: unsafe files are refused with a translated message and
leave nothing behind; a too large template is answered with 413."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from czesg.audit.models import AuditEvent
from czesg.disclosures import actions
from czesg.disclosures.models import Evidence
from czesg.disclosures.views import UPLOAD_MAX_BYTES
from czesg.engine.disclosure.inspection import FileRefused

pytestmark = pytest.mark.django_db

JS_PDF = (b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R"
          b"/OpenAction<</S/JavaScript/JS(app.launchURL\\('http://x'\\))>>>>endobj\n"
          b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
HTML_PDF = b"%PDF-1.4\n<!DOCTYPE html><html><script>alert(document.cookie)</script></html>\n%%EOF"


def _zip_bomb() -> bytes:
    """A real xlsx-shaped zip bomb: 40 MB of zeros in about 40 kB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(40):
                part.write(b"\x00" * 2**20)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("bomb.xlsx", _zip_bomb(), "it is compressed like a zip bomb"),
    ("report.pdf", JS_PDF, "the PDF contains active content (JS, JavaScript, OpenAction)"),
    ("report.pdf", HTML_PDF, "it contains a web page or script"),
])
def test_unsafe_evidence_is_refused_and_nothing_is_kept(draft_a, alice, settings, tmp_path,
                                                        name, data, message):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(FileRefused) as refused:
        actions.attach_evidence(draft_a, "S-EMP-01", SimpleUploadedFile(name, data), actor=alice)
    assert refused.value.render() == f"The file was refused: {message}."
    assert not Evidence.objects.exists() and not list(tmp_path.rglob("*.*"))
    assert not AuditEvent.objects.filter(action="disclosure.attach_evidence").exists()


def test_the_form_names_a_refused_evidence_file_in_chinese(client, draft_a, alice, settings,
                                                         tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    response = client.post(f"/disclosures/{draft_a.pk}/answer/S-EMP-01/", {
        "value": "12", "unit": "人", "evidence_file": SimpleUploadedFile("a.pdf", JS_PDF),
    }, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "文件被拒绝" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_zip_bomb_template_is_refused_on_the_upload_page(client, draft_a, alice):
    client.force_login(alice)
    response = client.post(f"/disclosures/{draft_a.pk}/upload/",
                           {"file": SimpleUploadedFile("t.xlsx", _zip_bomb())},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "The file was refused: it is compressed like a zip bomb." in response.content.decode()
    assert not draft_a.datapoints.exists()


def test_a_too_large_template_is_answered_with_413_and_a_message(client, draft_a, alice):
    client.force_login(alice)
    big = SimpleUploadedFile("t.csv", b"a" * (UPLOAD_MAX_BYTES + 1))
    response = client.post(f"/disclosures/{draft_a.pk}/upload/", {"file": big},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 413
    assert "文件超过 20 MB" in response.content.decode()
    assert not draft_a.datapoints.exists()
