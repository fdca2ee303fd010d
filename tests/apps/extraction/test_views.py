"""The extraction pages: upload, the review queue with page crops, decisions, scoping."""

import io

import pytest
from PIL import Image

from czesg.extraction.models import CandidateState, ExtractionRun
from czesg.records.models import Record

pytestmark = pytest.mark.django_db


def upload(client, uscc, report, name="report.pdf", year=2024):
    return client.post("/extraction/", {"uscc": uscc, "year": year,
                                        "file": _file(report, name)})


def _file(report, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = report.pdf if hasattr(report, "pdf") else report
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_upload_review_and_decide(client, gov, listed, reports):
    client.force_login(gov)
    response = upload(client, listed.uscc, reports["inconsistent"])
    run = ExtractionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/extraction/runs/{run.pk}/"
    page = client.get(f"/extraction/runs/{run.pk}/").content.decode()
    assert page.count('data-state="pending"') == 4
    assert f'/extraction/candidates/{run.candidates.first().pk}/crop.png' in page
    assert 'data-rule="conflict"' in page and 'data-rule="sum_of_parts"' in page
    scope1 = run.candidates.get(indicator_code="E-GHG-02", page=2)
    crop = client.get(f"/extraction/candidates/{scope1.pk}/crop.png")
    assert crop["Content-Type"] == "image/png"
    width, height = Image.open(io.BytesIO(crop.content)).size
    x0, top, x1, bottom = scope1.bbox
    assert width == pytest.approx((x1 - x0 + 28) * 2, abs=3)      # the box, 14 pt around, ×2
    assert height == pytest.approx((bottom - top + 28) * 2, abs=3)
    response = client.post(f"/extraction/candidates/{scope1.pk}/accept/")
    assert response["Location"].endswith(f"#candidate-{scope1.pk}")
    total = run.candidates.get(indicator_code="E-GHG-01")
    client.post(f"/extraction/candidates/{total.pk}/correct/",
                {"value": "2.915", "unit": "万吨二氧化碳当量", "note": ""})
    assert dict(Record.objects.values_list("indicator_code", "value_number")) == {
        "E-GHG-02": 9150.0, "E-GHG-01": 29150.0}
    page = client.get(f"/extraction/runs/{run.pk}/").content.decode()
    assert page.count('data-state="accepted"') == 1 and page.count('data-state="corrected"') == 1


def test_a_bad_correction_is_said_and_nothing_changes(client, gov, listed, reports):
    client.force_login(gov)
    upload(client, listed.uscc, reports["en_table"])
    candidate = ExtractionRun.objects.get().candidates.get(indicator_code="E-GHG-02")
    response = client.post(f"/extraction/candidates/{candidate.pk}/correct/",
                           {"value": "10", "unit": "GJ"}, follow=True)
    assert '<ul class="messages"><li class="error">' in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.PENDING


def test_an_unreadable_report_is_said_so(client, gov, listed):
    from czesg.bench.extraction_corpus import scanned

    client.force_login(gov)
    upload(client, listed.uscc, scanned())
    run = ExtractionRun.objects.get()
    page = client.get(f"/extraction/runs/{run.pk}/").content.decode()
    assert 'id="extraction-problem"' in page and "OCR" in page


def test_the_pages_speak_chinese(client, gov, listed, reports):
    client.force_login(gov)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/extraction/").content.decode()
    assert "读取报告中的数据" in page
    upload(client, listed.uscc, reports["en_table"])
    run = ExtractionRun.objects.get()
    page = client.get(f"/extraction/runs/{run.pk}/").content.decode()
    assert "范围1温室气体排放量" in page or "范围一温室气体排放量" in page
    assert "接受" in page and "更正" in page and "驳回" in page


def test_others_cannot_see_or_decide(client, gov, listed, reports, make_enterprise, member_of):
    client.force_login(gov)
    upload(client, listed.uscc, reports["en_table"])
    run = ExtractionRun.objects.get()
    candidate = run.candidates.first()
    client.force_login(member_of(make_enterprise("别家公司"), "stranger"))
    assert client.get(f"/extraction/runs/{run.pk}/").status_code == 404
    assert client.get(f"/extraction/candidates/{candidate.pk}/crop.png").status_code == 404
    assert client.post(f"/extraction/candidates/{candidate.pk}/accept/").status_code == 404
    assert "report.pdf" not in client.get("/extraction/").content.decode()
    client.logout()
    assert client.get("/extraction/").status_code == 302


def test_a_report_without_recognisable_figures_is_said_so(client, gov, listed):
    from weasyprint import HTML

    client.force_login(gov)
    upload(client, listed.uscc, HTML(string="<p>本报告介绍公司的治理结构与发展战略。</p>").write_pdf())
    run = ExtractionRun.objects.get()
    assert (run.state, run.candidates.count()) == ("read", 0)
    page = client.get(f"/extraction/runs/{run.pk}/").content.decode()
    assert 'id="extraction-none"' in page and "未在该报告中识别出主要指标数据" in page


def test_crops_rendered_in_parallel_threads_are_all_whole(gov, listed, reports):
    """A browser asks for every crop of the review page at once and a threaded server renders
    them side by side; PDFium is not thread-safe, so the renders take turns (a crash in PDFium
    took the whole process down before)."""
    from concurrent.futures import ThreadPoolExecutor

    from czesg.extraction import actions
    from czesg.extraction.queries import crop_png, render_crop

    pdf = reports["inconsistent"].pdf
    run = actions.read_report(listed, 2024, pdf, "report.pdf", actor=gov)
    candidates = list(run.candidates.order_by("id")) * 6
    alone = {c.pk: crop_png(c) for c in candidates}
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda c: render_crop(pdf, c.page, c.bbox), candidates))
    assert together == [alone[c.pk] for c in candidates]
    assert all(Image.open(io.BytesIO(png)).format == "PNG" for png in together)
