"""Assured values shown wherever values are read: the API's ``assurance`` object, the open data
columns, the public disclosure page, the enterprise profile (with the statement PDFs) and
compare's ✔."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from tests.apps.assurance.conftest import SCOPE

pytestmark = pytest.mark.django_db


def _detail(signed) -> dict:
    return {"level": "limited", "engagement": signed.reference, "firm": "常州鉴信认证有限公司",
            "date": timezone.localtime(signed.signed_at).date().isoformat()}


def test_the_api_gives_each_datapoint_its_assurance_object(client, signed, firm_a):
    rows = client.get(f"/api/v1/datapoints?uscc={firm_a.uscc}").json()["items"]
    by_code = {r["indicator"]: r["assurance"] for r in rows}
    assert by_code["E-GHG-01"] == _detail(signed)
    assert by_code["E-WAT-01"] == {"level": "none", "engagement": None, "firm": None,
                                   "date": None}
    detail = client.get(f"/api/v1/disclosures/{signed.disclosure_id}").json()
    points = {p["indicator"]: p["assurance"] for p in detail["datapoints"]}
    assert {c for c, a in points.items() if a["level"] != "none"} == set(SCOPE)


def test_open_data_names_the_engagement_and_date(client, signed):
    body = b"".join(client.get("/open-data/2024.csv").streaming_content).decode("utf-8-sig")
    rows = {r["indicator"]: r for r in csv.DictReader(io.StringIO(body))}
    assert rows["S-EMP-01"]["assurance"] == "limited"
    assert rows["S-EMP-01"]["assurance_engagement"] == signed.reference
    assert rows["S-EMP-01"]["assured_on"] == _detail(signed)["date"]
    assert rows["E-WAT-01"]["assurance"] == "none" and rows["E-WAT-01"]["assurance_engagement"] == ""


def test_the_disclosure_page_profile_and_compare_show_the_mark(client, signed, firm_a):
    page = client.get(f"/disclosures/{signed.disclosure_id}/").content.decode()
    assert page.count('data-assurance="limited"') == len(SCOPE)
    assert f'/assurance/{signed.pk}/statement-zh.pdf">{signed.reference}</a>' in page
    profile = client.get(f"/enterprises/{firm_a.uscc}/").content.decode()
    assert f'data-engagement="{signed.pk}"' in profile
    assert f"/assurance/{signed.pk}/statement-zh.pdf" in profile
    assert profile.count('class="tag assured"') == len(SCOPE)
    compare = client.get(f"/compare/?e={firm_a.uscc}").content.decode()
    assert 'class="tag assured"' in compare
    # The statement is public once signed.
    pdf = client.get(f"/assurance/{signed.pk}/statement-en.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_city_dashboard_counts_assured_enterprises_and_values(client, signed, gov):
    client.force_login(gov)
    page = client.get("/dashboards/city/?year=2024").content.decode()
    assert 'id="assurance-counts" data-enterprises="1" data-values="5"' in page
    register = client.get("/assurance/firms/").content.decode()
    assert "常州鉴信认证有限公司" in register


def test_the_city_dashboards_assured_counts_follow_a_signed_statement(client, fieldwork, vera, rex,
                                                                      gov, settings):
    from czesg.assurance import actions

    settings.CZESG_DASHBOARD_CACHE_SECONDS = 300  # kept under the data version, as in production
    client.force_login(gov)
    before = client.get("/dashboards/city/?year=2024").content.decode()
    assert 'id="assurance-counts" data-enterprises="0" data-values="0"' in before
    for code in fieldwork.sample:
        actions.record_procedure(fieldwork, code, "recalculated", actor=vera)
    actions.conclude_engagement(fieldwork, "unmodified", actor=vera)
    actions.sign_statement(fieldwork, actor=rex)  # audited changes: a new data version
    after = client.get("/dashboards/city/?year=2024").content.decode()
    assert 'id="assurance-counts" data-enterprises="1" data-values="5"' in after
