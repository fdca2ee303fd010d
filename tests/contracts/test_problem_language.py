"""API problem documents in the caller's language: ``title`` and ``detail`` read in Chinese with
Accept-Language zh, fields named by their names and units by their labels, no raw code words
(the same list as the page walk in test_no_raw_codes)."""

from __future__ import annotations

import re

import pytest

from tests.contracts.test_no_raw_codes import _PATTERN, _in_prose

pytestmark = pytest.mark.django_db


def _raw_codes(text: str) -> list[str]:
    return [m.group(1) for m in _PATTERN.finditer(text) if not _in_prose(text, m)]


def test_the_apis_problem_documents_read_in_chinese_without_raw_codes(client, draft_a, alice):
    """Decision: a problem document's ``title`` and ``detail`` are in the language the caller
    asks for (Accept-Language), fields named by their names and units by their labels; the
    stable ``code`` and ``type`` beside them are for programs and stay as they are."""
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    client.force_login(alice)
    refused = [
        client.put(f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
                   {"value": 12.5, "unit": "person"}, content_type="application/json", **zh),
        client.put(f"/api/v1/disclosures/{draft_a.pk}/datapoints/E-ENG-02",
                   {"value": 1, "unit": "tce/kWh"}, content_type="application/json", **zh),
        client.post(f"/api/v1/disclosures/{draft_a.pk}/publish", **zh),
        client.get("/api/v1/disclosures/999999", **zh),
    ]
    client.logout()
    refused.append(client.get("/api/v1/consents", **zh))
    assert [r.status_code for r in refused] == [422, 422, 409, 404, 401]
    for response in refused:
        body = response.json()
        for key in ("title", "detail"):
            assert re.search(r"[\u4e00-\u9fff]", body[key]), body
            assert not _raw_codes(body[key]), body
    assert refused[0].json()["title"] == "输入未被接受"
    assert "员工总数" in refused[0].json()["detail"] and "S-EMP-01" not in refused[0].json()["detail"]
    assert "吨标准煤/兆瓦" in refused[1].json()["detail"]  # the denominators it admits, by label

