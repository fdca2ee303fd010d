"""The fixtures the dashboard pages' tests share (the city, the zone evaluation, the task
tracker, the registries and the exports): users, enterprises and publications made through
the actions, rating runs stored as the ratings app would, and a reader of the target cards.

Each app's ``conftest.py`` under ``tests/apps/`` takes the fixtures it needs from here.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.disclosures import actions as disclosure_actions
from czesg.enterprises.actions import EnterpriseFacts, register_enterprise
from tests.conftest import uscc_for

YEAR = 2025


@pytest.fixture
def park_admin(make_user):
    return make_user("czhnd-admin", Role.PARK_ADMIN, park_key="czhnd")


@pytest.fixture
def client_as(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def register(gov):
    counter = {"n": 500}

    def make(*, listed: bool = False, park_key: str = "", division: str = "320411",
             industry: str = "C3841"):
        counter["n"] += 1
        n = counter["n"]
        return register_enterprise(EnterpriseFacts(
            uscc=uscc_for(n, division), name=f"看板测试企业{n}有限公司", industry_code=industry,
            division_code=division, size_class="small", park_key=park_key, listed=listed,
            exchange="SSE" if listed else "", stock_code=f"60{n:04d}" if listed else "",
        ), actor=gov)

    return make


@pytest.fixture
def publish(system, fill_basic):
    """Publish a complete basic disclosure of an enterprise for a year (E-GHG-01 = 1000 tCO2e,
    G-GEN-01 = 5000 万元, E-ENG-01 = 280 tce)."""

    def run(enterprise, year: int = YEAR):
        draft = disclosure_actions.start_disclosure(enterprise, year, actor=system)
        fill_basic(draft, system)
        disclosure_actions.submit_disclosure(draft, actor=system)
        return disclosure_actions.publish_disclosure(draft, actor=system)

    return run


@pytest.fixture
def city(register, publish):
    """5 listed companies (3 published for 2025) and 2 unlisted ones (both published)."""
    listed = [register(listed=True, division="320412" if i < 2 else "320411") for i in range(5)]
    unlisted = [register(division="320413", industry="C3825"), register(division="320413")]
    for enterprise in listed[:3] + unlisted:
        publish(enterprise)
    return {"listed": listed, "unlisted": unlisted}


def rate(gov, grades_by_year: dict[int, dict], runs_per_year: int = 1):
    """Store completed rating runs (as the ratings app would) with the given grades."""
    from czesg.ratings.models import Rating, RatingRun, RunStatus

    made = []
    for year, grades in grades_by_year.items():
        run = RatingRun.objects.create(
            year=year, methodology_version="test", green_methodology_version="test",
            started_by=gov, status=RunStatus.DONE, finished_at=timezone.now(), rated=len(grades),
        )
        for enterprise, grade in grades.items():
            Rating.objects.create(
                run=run, enterprise=enterprise, year=year, score=50.0, grade=grade, total=50.0,
                deductions=0.0, peer_group="g", peer_rank=1, peer_size=1, inputs_hash="x",
                methodology_version="test", input_row="{}",
            )
        made.append(run)
    return made


def card(html: str, key: str) -> dict[str, str]:
    match = re.search(rf'<article class="target[^"]*" data-target="{key}" data-status="([a-z_]+)" '
                      rf'data-value="([^"]*)" data-year="([^"]*)"', html)
    assert match, f"no card for {key}"
    return {"status": match.group(1), "value": match.group(2), "year": match.group(3)}
