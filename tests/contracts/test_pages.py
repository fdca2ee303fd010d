"""Pages and the API schema as a person or client meets them (server-side, no browser)."""

from __future__ import annotations

import pytest

from czesg.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_admin_is_for_platform_administrators_only(client, system, alice):
    client.force_login(alice)
    assert client.get("/admin/").status_code == 302  # sent to the admin sign-in
    client.force_login(system)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "企业信息库" in page.content.decode()


def test_admin_shows_audit_and_disclosures_read_only(client, system, draft_b):
    client.force_login(system)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get(f"/admin/disclosures/disclosure/{draft_b.pk}/delete/").status_code == 403


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/disclosures/{pk}" in schema["paths"]
    assert "/api/v1/indicators" in schema["paths"]


def test_indicator_api_serves_both_languages(client):
    rows = client.get("/api/v1/indicators?tier=basic").json()
    assert 25 <= len(rows) <= 35
    ghg = next(r for r in rows if r["code"] == "E-GHG-01")
    assert ghg["unit"] == "tCO2e" and ghg["name"] == ghg["name_zh"]
    client.cookies["django_language"] = "en"
    ghg_en = next(r for r in client.get("/api/v1/indicators").json() if r["code"] == "E-GHG-01")
    assert ghg_en["name"] == ghg_en["name_en"]


def test_government_workspace_lists_the_city_and_park_admin_only_the_park(
    client, gov, make_user, make_enterprise
):
    inside = make_enterprise("园区内企业", park_key="wjhnd", division_code="320412")
    outside = make_enterprise("园区外企业")
    client.force_login(gov)
    page = client.get("/me/").content.decode()
    assert inside.name in page and outside.name in page
    park_admin = make_user("wjadmin", Role.PARK_ADMIN, park_key="wjhnd")
    client.force_login(park_admin)
    page = client.get("/me/").content.decode()
    assert inside.name in page and outside.name not in page


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "该页面不存在" in response.content.decode()
