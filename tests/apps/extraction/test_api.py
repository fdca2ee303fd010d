"""The extraction API (/api/v1/extraction/...): upload, candidates with citations, decisions
through the same actions, scoped to the caller as the pages are."""

import hashlib
import json

import pytest
from django.test import Client

from czesg.audit.models import AuditEvent
from czesg.extraction.models import Candidate, ExtractionRun
from czesg.records.models import Record
from tests.engine.extraction.pdfs import minimal_pdf

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(client, uscc, pdf, name="示例科技2024年ESG报告.pdf", year="2024"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/extraction/reports", data={
        "uscc": uscc, "year": year,
        "file": SimpleUploadedFile(name, pdf, content_type="application/pdf")})


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_an_analyst_uploads_reviews_and_the_records_cite_the_pages(gov, listed, reports):
    client = client_for(gov)
    pdf = reports["inconsistent"].pdf
    response = upload(client, listed.uscc, pdf, name="esg.pdf")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["enterprise"], body["year"], body["destination"], body["state"], body["pages"],
            body["sha256"], body["candidates"]) == (
        listed.uscc, 2024, "records", "read", 3, hashlib.sha256(pdf).hexdigest(), 4)
    items = {(c["indicator"], c["page"]): c for c in body["items"]}
    summary, table = items[("E-GHG-02", 1)], items[("E-GHG-02", 2)]
    assert (table["value"], table["unit"], table["printed"], table["state"], table["conflicts"]) \
        == (9150.0, "tCO2e", "9,150", "pending", [1])
    assert table["text"] == "范围一温室气体排放量 | 吨二氧化碳当量 | 9,150 | 8,900"
    assert len(table["bbox"]) == 4
    assert {f["rule"] for f in summary["findings"]} >= {"conflict", "index_elsewhere"}
    conflict = next(f for f in table["findings"] if f["rule"] == "conflict")
    assert conflict["message"] == "报告第 1 页对同一指标和年份印有另一个数值；请接受正确的那个。"

    accepted = post(client, f"/api/v1/extraction/candidates/{table['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    total = items[("E-GHG-01", 2)]
    corrected = post(client, f"/api/v1/extraction/candidates/{total['id']}/correct",
                     {"value": "29150", "unit": "tCO2e", "note": "not Scope 1 + Scope 2"})
    assert corrected.status_code == 200
    assert (corrected.json()["state"], corrected.json()["final_value"]) == ("corrected", 29150.0)
    rejected = post(client, f"/api/v1/extraction/candidates/{summary['id']}/reject",
                    {"note": "summary rounding"})
    assert rejected.json()["state"] == "rejected"
    # Decided once: a second decision is a conflict, and nothing changes.
    again = post(client, f"/api/v1/extraction/candidates/{table['id']}/reject")
    assert again.status_code == 409

    records = {r.indicator_code: (r.value_number, r.page, r.document)
               for r in Record.objects.filter(current=True)}
    assert records == {"E-GHG-02": (9150.0, 2, f"esg.pdf sha256:{body['sha256']}"),
                       "E-GHG-01": (29150.0, 2, f"esg.pdf sha256:{body['sha256']}")}
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="extraction.")
            .order_by("seq")] == ["extraction.read", "extraction.accepted",
                                  "extraction.corrected", "extraction.rejected"]

    listing = client.get("/api/v1/extraction/reports").json()
    assert [(r["id"], r["candidates"]) for r in listing] == [(body["id"], 4)]
    detail = client.get(f"/api/v1/extraction/reports/{body['id']}").json()
    assert {c["state"] for c in detail["items"]} == {"accepted", "corrected", "rejected",
                                                     "pending"}


def test_refusals_answer_with_problems_and_store_nothing(gov, manager, listed, make_enterprise,
                                                         reports):
    unlisted = make_enterprise("常州未上市有限公司")
    refused = upload(client_for(gov), unlisted.uscc, reports["zh_table"].pdf)
    assert refused.status_code == 403
    assert unlisted.name in refused.json()["detail"]
    assert upload(client_for(gov), "91320400XXXXXXXXXX", reports["zh_table"].pdf).status_code \
        == 404
    bad_year = upload(client_for(manager), listed.uscc, reports["zh_table"].pdf, year="1999")
    assert bad_year.status_code == 422
    not_pdf = upload(client_for(manager), listed.uscc, b"hello", name="x.pdf")
    assert not_pdf.status_code == 422
    assert upload(Client(), listed.uscc, reports["zh_table"].pdf).status_code == 401
    assert not ExtractionRun.objects.exists()
    # An encrypted report is kept as evidence, without candidates, with the reason.
    kept = upload(client_for(manager), listed.uscc, minimal_pdf(encrypted=True))
    assert kept.status_code == 201
    assert (kept.json()["state"], kept.json()["items"]) == ("unreadable", [])
    assert kept.json()["problem"] == "该 PDF 已加密（设有密码）；请上传未加密的报告。"


def test_another_enterprise_sees_nothing_and_cannot_decide(gov, listed, reports, alice):
    client = client_for(gov)
    run = upload(client, listed.uscc, reports["zh_table"].pdf).json()
    first = run["items"][0]["id"]
    other = client_for(alice)
    assert other.get("/api/v1/extraction/reports").json() == []
    assert other.get(f"/api/v1/extraction/reports/{run['id']}").status_code == 404
    assert post(other, f"/api/v1/extraction/candidates/{first}/accept").status_code == 404
    assert Client().get("/api/v1/extraction/reports").status_code == 401
    assert Candidate.objects.get(pk=first).state == "pending"
    assert not Record.objects.exists()
