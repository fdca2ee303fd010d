"""GET /api/v1/enterprises/{uscc}/figures: each indicator's known figure with its basis
(disclosed, record of a named source, not reported), the tier's completeness, and restricted
records only for the enterprise's members, government users and grantees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from czesg.disclosures import actions
from czesg.engine.catalogue import load_catalogue
from czesg.records.models import Record, RecordSource, SourceKind, Visibility
from tests.apps.records.test_known import load, register

pytestmark = pytest.mark.django_db
BASIC = [i.code for i in load_catalogue().for_tier("basic")]


@pytest.fixture
def published_a(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    return draft_a


@pytest.fixture
def meter(gov, firm_b):
    """A restricted utility record of firm B's 2024 electricity use (E-ENG-01-ELEC)."""
    source = RecordSource.objects.create(
        code="test_power_utility", kind=SourceKind.UTILITY, name_zh="国网常州供电公司",
        name_en="State Grid Changzhou", visibility=Visibility.RESTRICTED)
    now = timezone.now()
    return Record.objects.create(
        enterprise=firm_b, year=2024, indicator_code="E-ENG-01-ELEC", subject="3204-0001",
        value_number=1200.0, unit="MWh", source=source, retrieved_at=now, method="metered",
        confidence="metered", visibility=Visibility.RESTRICTED, created_by=gov, created_at=now,
        published_on=dt.date(2025, 1, 15))


def figures(client, uscc, year=2024):
    response = client.get(f"/api/v1/enterprises/{uscc}/figures?year={year}")
    assert response.status_code == 200, response.content
    body = response.json()
    return body, {f["indicator"]: f for f in body["figures"]}


def test_records_fill_what_nobody_disclosed_and_say_their_source(gov, published_a, firm_b,
                                                                 meter):
    firm_a = published_a.enterprise
    load(gov, register([("K1", firm_a.uscc, 2024, "999"), ("K3", firm_b.uscc, 2024, "1,500"),
                        ("K4", firm_b.uscc, 2024, "500")]))
    assert "E-GHG-02" in BASIC and "E-ENG-01-ELEC" in BASIC
    body, by_code = figures(Client(), firm_b.uscc)
    assert (body["year"], body["tier"], body["disclosure_version"]) == (2024, "basic", None)
    assert body["completeness"] == {"answered": 1, "disclosed": 0, "recorded": 1,
                                    "total": len(BASIC)}
    assert [f["indicator"] for f in body["figures"]] == BASIC
    scope1 = by_code["E-GHG-02"]
    assert (scope1["basis"], scope1["value"], scope1["unit"], scope1["source"],
            scope1["source_name"]) == ("record", 2000.0, "tCO2e", "installation_register",
                                       "重点排放单位温室气体排放核查结果（设施层面）")
    # The utility's meter data is restricted: anonymous callers see it as not reported.
    assert (by_code["E-ENG-01-ELEC"]["basis"], by_code["E-ENG-01-ELEC"]["value"]) == ("not_reported", None)

    # Disclosed figures win over records.
    body, by_code = figures(Client(), firm_a.uscc)
    assert (by_code["E-GHG-02"]["basis"], by_code["E-GHG-02"]["value"],
            by_code["E-GHG-02"]["source"]) == ("disclosed", 300.0, None)
    disclosed = published_a.datapoints.filter(indicator_code__in=BASIC).count()
    assert body["disclosure_version"] == 1 and body["completeness"] == {
        "answered": disclosed, "disclosed": disclosed, "recorded": 0, "total": len(BASIC)}


def test_restricted_records_only_for_members_and_government(gov, bob, alice, firm_b, meter):
    for user, seen in ((bob, True), (gov, True), (alice, False)):
        client = Client()
        client.force_login(user)
        body, by_code = figures(client, firm_b.uscc)
        power = by_code["E-ENG-01-ELEC"]
        if seen:
            assert (power["basis"], power["value"], power["source"], power["source_name"]) == (
                "record", 1200.0, "test_power_utility", "国网常州供电公司")
            assert body["completeness"]["recorded"] == 1
        else:
            assert power["basis"] == "not_reported"
            assert body["completeness"]["answered"] == 0


def test_unknown_enterprise_is_a_problem_404(client):
    response = client.get("/api/v1/enterprises/91320400XXXXXXXXXX/figures")
    assert response.status_code == 404
