"""`GET /api/v1/datapoints` in cursor pages: walking the `next` URLs yields every published row
exactly once and in order, with and without filters; bad cursors and page numbers are refused
with a problem naming the parameter."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import signing

from czesg.disclosures import actions
from czesg.disclosures.models import Datapoint, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(firm_a, firm_b, alice, bob, fill_basic):
    """Three published versions (firm A 2023 and 2024, firm B 2024) and a draft (firm B 2025)."""
    published = []
    for firm, year, actor in ((firm_a, 2024, alice), (firm_b, 2024, bob), (firm_a, 2023, alice)):
        draft = fill_basic(actions.start_disclosure(firm, year, actor=actor), actor)
        actions.submit_disclosure(draft, actor=actor)
        published.append(actions.publish_disclosure(draft, actor=actor))
    draft = actions.start_disclosure(firm_b, 2025, actor=bob)
    actions.set_value(draft, "S-EMP-01", 77, "person", actor=bob)
    return published, draft


def _walk(client, url: str) -> tuple[list[tuple[str, int, str]], int]:
    """Every row reached by following ``next`` from ``url``, and the number of pages."""
    rows, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next"}
        rows += [(r["uscc"], r["year"], r["indicator"]) for r in body["items"]]
        pages += 1
        url = body["next"]
        if url:
            parts = urlsplit(url)
            assert parts.path == "/api/v1/datapoints"
            url = f"{parts.path}?{parts.query}"
        assert pages < 200
    return rows, pages


def _published(**filters) -> list[tuple[str, int, str]]:
    rows = Datapoint.objects.filter(disclosure__state=State.PUBLISHED, **filters).order_by(
        "disclosure_id", "indicator_code")
    return [(p.disclosure.enterprise.uscc, p.disclosure.year, p.indicator_code)
            for p in rows.select_related("disclosure__enterprise")]


def test_walking_the_pages_yields_every_published_row_once_in_order(client, city):
    published, draft = city
    expected = _published()
    assert len(expected) == sum(d.datapoints.count() for d in published) > 50
    rows, pages = _walk(client, "/api/v1/datapoints?page_size=7")
    assert rows == expected
    assert pages == -(-len(expected) // 7)
    # A page size that holds the rest exactly ends with a null next, not with an empty page.
    assert _walk(client, f"/api/v1/datapoints?page_size={len(expected)}") == (expected, 1)
    assert _walk(client, f"/api/v1/datapoints?page_size={len(expected) - 1}") == (expected, 2)
    assert 2025 not in {year for _, year, _ in rows}
    # The default page holds them all here; the draft's value is never listed.
    body = client.get("/api/v1/datapoints").json()
    assert body["next"] is None and len(body["items"]) == len(expected)
    assert 77 not in [r["value"] for r in body["items"] if r["indicator"] == "S-EMP-01"]


def uscc_b(city) -> str:
    return city[0][1].enterprise.uscc


def test_filters_hold_across_pages(client, city, firm_a):
    rows, pages = _walk(client, "/api/v1/datapoints?indicator=S-EMP-01&page_size=1")
    assert rows == [(firm_a.uscc, 2024, "S-EMP-01"), (uscc_b(city), 2024, "S-EMP-01"),
                    (firm_a.uscc, 2023, "S-EMP-01")]
    assert pages == 3
    rows, _ = _walk(client, "/api/v1/datapoints?year=2024&page_size=5")
    assert rows == _published(disclosure__year=2024) and {y for _, y, _ in rows} == {2024}
    rows, _ = _walk(client, f"/api/v1/datapoints?uscc={firm_a.uscc.lower()}&page_size=4")
    assert rows == _published(disclosure__enterprise=firm_a)
    assert {u for u, _, _ in rows} == {firm_a.uscc} and {y for _, y, _ in rows} == {2023, 2024}
    rows, _ = _walk(client, f"/api/v1/datapoints?uscc={firm_a.uscc}&year=2023&indicator=E-GHG-01"
                            "&page_size=1")
    assert rows == [(firm_a.uscc, 2023, "E-GHG-01")]


def _refused(client, url: str, field: str) -> dict:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["field"], body["status"]) == ("request_invalid", field, 422)
    return body


def test_bad_cursors_are_refused_naming_the_cursor(client, city):
    first = client.get("/api/v1/datapoints?page_size=3").json()["next"]
    cursor = first.split("cursor=")[1]
    for bad in ("not-a-cursor", cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
                signing.dumps([1, "S-EMP-01"], salt="czesg.keyset.enterprises"),  # another list's
                signing.dumps([1], salt="czesg.keyset.datapoints"),  # wrong shape
                signing.dumps([[1], {"a": 1}], salt="czesg.keyset.datapoints"),
                signing.dumps([True, "x"], salt="czesg.keyset.datapoints")):
        body = _refused(client, f"/api/v1/datapoints?cursor={bad}", "cursor")
        assert "cursor is not valid" in body["detail"]
    _refused(client, "/api/v1/datapoints?cursor=" + "A" * 201, "cursor")


def test_page_numbers_are_refused_but_page_one_is_the_first_page(client, city):
    body = _refused(client, "/api/v1/datapoints?page=2", "page")
    assert "next URL" in body["detail"]
    zh = client.get("/api/v1/datapoints?page=3", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert "next" in zh["detail"] and "页码" in zh["detail"]
    assert client.get("/api/v1/datapoints?page=1&page_size=2").json()["items"] == \
        client.get("/api/v1/datapoints?page_size=2").json()["items"]


def test_a_page_after_a_cursor_is_one_key_range_the_planner_can_estimate(client, city):
    """On PostgreSQL the page after a cursor is a row comparison on the datapoints' key and a
    one-row subquery as the start of the disclosures: the planner estimates each once, so a
    cursor near the end of the list does not make it join and sort every row after it (the
    datapoints page's p99 stall at 10,000 enterprises; docs in czesg.web.pagination). SQLite
    keeps the expanded form, which bounds its index range."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get("/api/v1/datapoints?page_size=5").json()
    nxt = urlsplit(first["next"])
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{nxt.path}?{nxt.query}").json()
    assert len(body["items"]) == 5
    assert [r["indicator"] for r in body["items"]] == [r[2] for r in _published()[5:10]]
    sql = next(q["sql"] for q in queries.captured_queries if "disclosures_datapoint" in q["sql"])
    last = first["items"][-1]
    key = Datapoint.objects.get(disclosure__enterprise__uscc=last["uscc"],
                                disclosure__year=last["year"], disclosure__state=State.PUBLISHED,
                                indicator_code=last["indicator"]).disclosure_id
    if connection.vendor == "postgresql":
        assert ('("disclosures_datapoint"."disclosure_id", "disclosures_datapoint"."indicator_code")'
                f" > ({key}, '{last['indicator']}')") in sql
        assert f'"disclosures_disclosure"."id" >= (SELECT {key}::bigint)' in sql
    else:
        assert f'"disclosures_datapoint"."disclosure_id" >= {key}' in sql
        assert f'"disclosures_disclosure"."id" >= {key}' in sql
