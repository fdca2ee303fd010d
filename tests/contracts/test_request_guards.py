"""Refusals in front of every endpoint and page, as documents a client can rely on: a NUL
character anywhere (a 500 on PostgreSQL before), too large bodies, CSRF failures, unparsable
JSON and unknown objects all answer with a problem document (API) or a translated page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from czesg.access import actions as access_actions

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"https://czesg.org/problems/{code}" and body["detail"]
    return body


@pytest.mark.parametrize("url", [
    "/api/v1/enterprises?q=%00",
    "/api/v1/datapoints?indicator=E-GHG-01%00",
    "/api/v1/indicators?tier=ba%00sic",
    "/api/v1/enterprises/913204%00/profile",
    "/api/v1/ratings/enterprises?unknown=%00",
])
def test_a_nul_in_any_api_query_or_path_is_a_422_problem(client, firm_a, url):
    body = _problem(client.get(url, HTTP_ACCEPT_LANGUAGE="en"), 422, "request_invalid")
    assert body["detail"] == "The request contains a NUL character, which no field may hold."


def test_a_nul_in_a_json_body_is_refused_before_anything_is_written(draft_a, alice):
    _, secret = access_actions.issue_token(alice, name="erp", scopes=["read", "write"],
                                           actor=alice)
    response = Client().put(
        f"/api/v1/disclosures/{draft_a.pk}/datapoints/G-GEN-01",
        data=json.dumps({"value": "a\x00b"}), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}")
    _problem(response, 422, "request_invalid")
    assert not draft_a.datapoints.exists()


def test_a_nul_in_a_page_form_gets_a_translated_400_page(client, draft_a, alice):
    client.force_login(alice)
    response = client.post(f"/disclosures/{draft_a.pk}/answer/G-GEN-01/",
                           {"value": "甲\x00乙"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "请求中含有 NUL 字符" in response.content.decode()
    assert not draft_a.datapoints.exists()
    # The same in a multipart form and in a page's query string.
    response = client.post(f"/disclosures/{draft_a.pk}/answer/G-GEN-01/",
                           {"value": "a\x00", "evidence_ref": "x"}, format="multipart")
    assert response.status_code == 400
    assert client.get("/enterprises/?q=%00").status_code == 400


def test_a_body_over_the_limit_is_a_413_problem_before_it_is_read(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.put("/api/v1/disclosures/1/datapoints/G-GEN-01",
                          data=json.dumps({"value": "x" * 2000}), content_type="application/json")
    body = _problem(response, 413, "request_too_large")
    assert body["instance"] == "/api/v1/disclosures/1/datapoints/G-GEN-01"


def test_a_multipart_upload_over_the_request_limit_is_a_413_page(client, draft_a, alice,
                                                                settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CZESG_MAX_REQUEST_BYTES = 10_000
    client.force_login(alice)
    response = client.post(f"/disclosures/{draft_a.pk}/upload/",
                           {"file": SimpleUploadedFile("t.csv", b"a" * 20_000)},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 413
    assert "请求超过" in response.content.decode()


def test_unparsable_json_is_a_400_problem(draft_a, alice):
    _, secret = access_actions.issue_token(alice, name="erp", scopes=["read", "write"],
                                           actor=alice)
    response = Client().put(f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
                            data="{not json", content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    assert _problem(response, 400, "request_unparsable")["detail"] == (
        "The request body could not be read as JSON.")


def test_an_unknown_object_is_a_404_problem(client):
    _problem(client.get("/api/v1/disclosures/999999"), 404, "not_found")


def test_a_session_write_without_csrf_is_a_403_problem(draft_a, alice):
    api = Client(enforce_csrf_checks=True)
    api.force_login(alice)
    response = api.put(f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
                       data=json.dumps({"value": 5}), content_type="application/json")
    _problem(response, 403, "csrf_failed")
    assert not draft_a.datapoints.exists()


def test_a_page_form_without_csrf_gets_a_translated_403_page(draft_a, alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post(f"/disclosures/{draft_a.pk}/answer/S-EMP-01/", {"value": "5"},
                            HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "表单已过期或并非来自本站" in response.content.decode()
    assert not draft_a.datapoints.exists()


def test_a_malformed_multipart_body_is_a_400_not_a_server_error(client, draft_a, alice):
    client.force_login(alice)
    response = client.generic(
        "POST", f"/disclosures/{draft_a.pk}/upload/", b"--xyz\r\nContent-Disposition: form-data",
        content_type="multipart/form-data; boundary=", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "无法读取表单" in response.content.decode()
