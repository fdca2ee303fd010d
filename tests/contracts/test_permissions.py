"""A user of enterprise A can neither read B's draft nor change anything of B's:
through the actions, the pages and the API alike."""

from __future__ import annotations

import json

import pytest

from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.disclosures import actions
from czesg.disclosures.models import Datapoint, Disclosure
from czesg.engine.kernel.errors import PermissionRefused

pytestmark = pytest.mark.django_db


# --- actions ----------------------------------------------------------------------------------
def test_actions_refuse_another_enterprises_user(alice, draft_b, firm_b):
    before = (Datapoint.objects.count(), AuditEvent.objects.count())
    attempts = [
        lambda: actions.start_disclosure(firm_b, 2023, actor=alice),
        lambda: actions.set_value(draft_b, "S-EMP-01", 1, "person", actor=alice),
        lambda: actions.mark_not_applicable(draft_b, "E-GHG-04", "x", actor=alice),
        lambda: actions.clear_value(draft_b, "S-EMP-01", actor=alice),
        lambda: actions.submit_disclosure(draft_b, actor=alice),
        lambda: actions.publish_disclosure(draft_b, actor=alice),
        lambda: actions.amend_disclosure(draft_b, "reason", actor=alice),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionRefused):
            attempt()
    assert (Datapoint.objects.count(), AuditEvent.objects.count()) == before
    assert draft_b.datapoints.get(indicator_code="S-EMP-01").value_number == 120


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.BANK, Role.PARK_ADMIN, Role.GOVERNMENT])
def test_other_roles_cannot_edit_an_enterprises_draft(role, make_user, draft_b):
    user = make_user(f"user-{role}", role, park_key="wjhnd" if role == Role.PARK_ADMIN else "")
    with pytest.raises(PermissionRefused):
        actions.set_value(draft_b, "S-EMP-01", 1, "person", actor=user)


def test_anonymous_cannot_act(draft_b):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionRefused):
        actions.set_value(draft_b, "S-EMP-01", 1, "person", actor=AnonymousUser())


def test_viewer_member_can_read_but_not_edit(firm_b, draft_b, make_user, gov):
    from czesg.accounts.models import MembershipRole
    from czesg.enterprises.actions import add_member

    viewer = make_user("viewer")
    add_member(firm_b, viewer, role=MembershipRole.VIEWER, actor=gov)
    assert Disclosure.objects.visible_to(viewer).filter(pk=draft_b.pk).exists()
    with pytest.raises(PermissionRefused):
        actions.set_value(draft_b, "S-EMP-01", 1, "person", actor=viewer)


# --- querysets --------------------------------------------------------------------------------
def test_visible_disclosures_are_scoped_to_the_actor(alice, bob, draft_a, draft_b, gov, make_user):
    assert set(Disclosure.objects.visible_to(alice)) == {draft_a}
    assert set(Disclosure.objects.visible_to(bob)) == {draft_b}
    assert set(Disclosure.objects.visible_to(gov)) == {draft_a, draft_b}
    # A park administrator sees the drafts of the park's enterprises only.
    park_admin = make_user("wj", Role.PARK_ADMIN, park_key="wjhnd")
    assert set(Disclosure.objects.visible_to(park_admin)) == set()
    bank = make_user("bank1", Role.BANK)
    assert set(Disclosure.objects.visible_to(bank)) == set()


def test_published_disclosures_are_public(draft_b, bob, client, fill_basic):
    from django.contrib.auth.models import AnonymousUser

    fill_basic(draft_b, bob)
    actions.submit_disclosure(draft_b, actor=bob)
    actions.publish_disclosure(draft_b, actor=bob)
    assert list(Disclosure.objects.visible_to(AnonymousUser())) == [draft_b]
    response = client.get(f"/disclosures/{draft_b.pk}/")
    assert response.status_code == 200
    assert "5,000" in response.content.decode()  # figures carry thousands separators


# --- pages ------------------------------------------------------------------------------------
def test_pages_hide_another_enterprises_draft(client, alice, draft_a, draft_b, firm_b):
    client.force_login(alice)
    assert client.get(f"/disclosures/{draft_a.pk}/").status_code == 200
    response = client.get(f"/disclosures/{draft_b.pk}/")
    assert response.status_code == 404
    # B's registry page is public, but its draft is not listed there.
    page = client.get(f"/enterprises/{firm_b.uscc}/").content.decode()
    assert f"/disclosures/{draft_b.pk}/" not in page
    # The workspace lists only A.
    workspace = client.get("/me/").content.decode()
    assert firm_b.uscc not in workspace and alice.memberships.get().enterprise.uscc in workspace


# --- API --------------------------------------------------------------------------------------
def test_api_hides_and_protects_another_enterprises_draft(client, alice, draft_a, draft_b, firm_b):
    client.force_login(alice)
    assert client.get(f"/api/v1/disclosures/{draft_a.pk}").status_code == 200
    response = client.get(f"/api/v1/disclosures/{draft_b.pk}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/enterprises/{firm_b.uscc}/disclosures").json() == []
    csrf_client = client
    response = csrf_client.put(
        f"/api/v1/disclosures/{draft_b.pk}/datapoints/S-EMP-01",
        data=json.dumps({"value": 1, "unit": "person"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    for verb in ("submit", "publish"):
        assert client.post(f"/api/v1/disclosures/{draft_b.pk}/{verb}").status_code == 404
    assert draft_b.datapoints.get(indicator_code="S-EMP-01").value_number == 120


def test_api_lets_a_manager_set_a_value_with_provenance(client, alice, draft_a):
    client.force_login(alice)
    response = client.put(
        f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
        data=json.dumps({"value": "3200", "unit": "人", "evidence": "payroll"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["value"] == 3200 and body["unit"] == "person" and body["entered_unit"] == "人"
    assert body["entered_by"] == "alice" and body["method"] == "typed"


def test_api_refuses_a_bad_unit_with_a_problem_naming_the_indicator(client, alice, draft_a):
    client.force_login(alice)
    response = client.put(
        f"/api/v1/disclosures/{draft_a.pk}/datapoints/E-GHG-01",
        data=json.dumps({"value": 5, "unit": "MWh"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "unit_invalid" and "E-GHG-01" in problem["detail"]


def test_api_refuses_a_published_change_with_409(client, alice, draft_a, fill_basic):
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    client.force_login(alice)
    response = client.put(
        f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
        data=json.dumps({"value": 6}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "state_conflict"


def test_api_write_needs_sign_in_and_csrf(draft_a, alice):
    from django.test import Client

    anonymous = Client(enforce_csrf_checks=True)
    url = f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01"
    body = json.dumps({"value": 1})
    assert anonymous.put(url, data=body, content_type="application/json").status_code in (401, 403)
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(alice)
    assert signed_in.put(url, data=body, content_type="application/json").status_code == 403
    assert not draft_a.datapoints.exists()
