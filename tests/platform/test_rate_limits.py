"""Cost-based rate limits: a client spends its budget per window by what its requests cost, so a
cheap endpoint is allowed more calls than an expensive one, and an overspending request is
refused with 429, Retry-After and a problem document (a translated page outside the API)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

# A window of eleven days, so that no test run crosses into a fresh one.
WINDOW = 1_000_000


@pytest.fixture
def budget(settings):
    """Anonymous clients get 22 units per window, signed-in users 40."""
    settings.CZESG_RATE_WINDOW_S = WINDOW
    settings.CZESG_RATE_BUDGET_ANON = 22
    settings.CZESG_RATE_BUDGET_USER = 40
    cache.clear()
    yield
    cache.clear()


def _allowed(client, path: str, tries: int = 100, **headers) -> int:
    """How many calls in a row are answered before the first 429."""
    for n in range(tries):
        response = client.get(path, **headers)
        if response.status_code == 429:
            return n
        assert response.status_code == 200, (path, response.status_code)
    return tries


def test_a_cheap_endpoint_is_allowed_more_calls_than_an_expensive_one(client, budget):
    assert _allowed(client, "/api/v1/indicators") == 22  # 1 unit each
    cache.clear()
    assert _allowed(client, "/api/v1/datapoints?page_size=100") == 4  # 5 units each
    cache.clear()
    assert _allowed(client, "/api/v1/datapoints?page_size=1000") == 0  # 50 units: never
    cache.clear()
    assert _allowed(client, "/api/v1/datapoints") == 2  # the default page of 200: 10 units


def test_a_refused_request_spends_nothing(client, budget):
    assert _allowed(client, "/api/v1/datapoints?page_size=100") == 4  # 20 of 22 spent
    assert _allowed(client, "/api/v1/indicators") == 2  # the refused page left 2 units


def test_the_refusal_is_a_problem_document_with_retry_after(client, budget):
    _allowed(client, "/api/v1/indicators")
    response = client.get("/api/v1/datapoints?page=2")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    retry = int(response["Retry-After"])
    assert 0 < retry <= WINDOW
    body = response.json()
    assert body["type"] == "https://czesg.org/problems/rate_limited"
    assert (body["status"], body["code"], body["instance"]) == (429, "rate_limited",
                                                               "/api/v1/datapoints")
    assert body["retry_after"] == retry
    assert str(retry) in body["detail"]


def test_pages_declare_costs_and_refuse_with_a_translated_page(client, budget, system, firm_a,
                                                                draft_a, fill_basic):
    from czesg.disclosures import actions

    fill_basic(draft_a, system)
    actions.submit_disclosure(draft_a, actor=system)
    actions.publish_disclosure(draft_a, actor=system)
    year = draft_a.year
    assert _allowed(client, "/compare/") == 4  # 5 units each
    cache.clear()
    assert _allowed(client, f"/open-data/{year}.csv", HTTP_ACCEPT_LANGUAGE="en") == 1  # 20 units
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200  # 1 unit: 1 left
    response = client.get("/search/", HTTP_ACCEPT_LANGUAGE="zh-hans")  # 2 units
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= WINDOW
    page = response.content.decode()
    assert "请求过于频繁" in page and "秒后重试" in page
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200  # 1 unit: the last


def test_signed_in_users_spend_their_own_budget(client, budget, alice):
    assert _allowed(client, "/api/v1/indicators") == 22
    client.force_login(alice)
    assert _allowed(client, "/api/v1/datapoints?page_size=100") == 8  # 40 units, 5 each


def test_off_means_unlimited(client, budget, settings):
    settings.CZESG_RATE_BUDGET_ANON = None
    assert _allowed(client, "/api/v1/datapoints?page_size=1000", tries=5) == 5


def test_an_open_data_download_costs_by_the_size_of_its_file(client, budget, system, draft_a,
                                                              fill_basic):
    import os

    from czesg.disclosures import actions
    from czesg.portal.opendata import download_cost, files_folder

    fill_basic(draft_a, system)
    actions.submit_disclosure(draft_a, actor=system)
    actions.publish_disclosure(draft_a, actor=system)
    year = draft_a.year
    assert _allowed(client, f"/open-data/{year}.csv") == 1  # a small file: the minimum, 20 units
    assert download_cost(year, "csv") == 20
    # A city's file of 250 MiB (the built file, grown as a city's would be) costs 25 units,
    # more than this test's whole budget: the next window refuses it at once, spending nothing.
    (built,) = files_folder().glob(f"{year}-*.csv")
    os.truncate(built, 250 * 1024 * 1024)
    assert download_cost(year, "csv") == 25
    cache.clear()
    assert _allowed(client, f"/open-data/{year}.csv") == 0
    assert _allowed(client, "/api/v1/indicators") == 22  # the refusal cost nothing
