"""Consent-based sharing, the access log the enterprise sees, and API tokens with scopes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from czesg.access import actions
from czesg.access.models import AccessLog, ApiToken, Grant
from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.disclosures import actions as disclosure_actions
from czesg.disclosures.models import Disclosure
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, StateConflict

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


@pytest.fixture
def bank(make_user):
    return make_user("bank1", Role.BANK, organisation="合成样例银行")


def test_grant_lets_the_bank_read_the_draft_and_every_read_is_logged(client, alice, draft_a, bank):
    disclosure_actions.set_value(draft_a, "S-EMP-01", 55, "person", actor=alice)
    client.force_login(bank)
    assert client.get(f"/disclosures/{draft_a.pk}/").status_code == 404
    grant = actions.grant_access(draft_a.enterprise, bank, scopes=["disclosures"],
                                 valid_until=NEXT_YEAR, purpose="绿色贷款申请", actor=alice)
    assert AuditEvent.objects.filter(action="access.grant", target_id=str(grant.pk)).exists()
    assert set(Disclosure.objects.visible_to(bank)) == {draft_a}
    page = client.get(f"/disclosures/{draft_a.pk}/")
    assert page.status_code == 200 and "55" in page.content.decode()
    api = client.get(f"/api/v1/disclosures/{draft_a.pk}")
    assert api.status_code == 200
    reads = list(AccessLog.objects.filter(grant=grant).values_list("channel", "resource"))
    assert reads == [("api", "disclosure 2024 v1"), ("page", "disclosure 2024 v1")]
    # The enterprise sees the reads on its consent page.
    client.force_login(alice)
    consent_page = client.get(f"/enterprises/{draft_a.enterprise.uscc}/consents/").content.decode()
    assert "bank1" in consent_page and "绿色贷款申请" in consent_page


def test_revoked_or_expired_grants_end_access_at_once(client, alice, draft_a, bank):
    grant = actions.grant_access(draft_a.enterprise, bank, scopes=["disclosures"],
                                 valid_until=NEXT_YEAR, purpose="loan", actor=alice)
    actions.revoke_grant(grant, actor=alice)
    assert not Disclosure.objects.visible_to(bank).exists()
    with pytest.raises(StateConflict):
        actions.revoke_grant(grant, actor=alice)
    Grant.objects.create(enterprise=draft_a.enterprise, grantee=bank, purpose="old",
                         valid_until=timezone.localdate() - dt.timedelta(days=1), created_by=alice)
    assert not Disclosure.objects.visible_to(bank).exists()


def test_only_the_enterprises_manager_grants_and_revokes(alice, bob, draft_a, bank, gov):
    with pytest.raises(PermissionRefused):
        actions.grant_access(draft_a.enterprise, bank, scopes=["disclosures"],
                             valid_until=NEXT_YEAR, purpose="x", actor=bob)
    grant = actions.grant_access(draft_a.enterprise, bank, scopes=["disclosures"],
                                 valid_until=NEXT_YEAR, purpose="x", actor=alice)
    for actor in (bob, gov, bank):
        with pytest.raises(PermissionRefused):
            actions.revoke_grant(grant, actor=actor)


@pytest.mark.parametrize(
    ("scopes", "until", "purpose"),
    [([], NEXT_YEAR, "x"), (["everything"], NEXT_YEAR, "x"),
     (["disclosures"], timezone.localdate() - dt.timedelta(days=1), "x"),
     (["disclosures"], NEXT_YEAR, "  ")],
)
def test_bad_grants_are_refused(alice, draft_a, bank, scopes, until, purpose):
    with pytest.raises(CatalogueError):
        actions.grant_access(draft_a.enterprise, bank, scopes=scopes, valid_until=until,
                             purpose=purpose, actor=alice)
    assert not Grant.objects.exists()


def test_evidence_follows_its_own_scope(client, alice, draft_a, bank, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    evidence = disclosure_actions.attach_evidence(
        draft_a, "S-EMP-01", SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF"), actor=alice)
    actions.grant_access(draft_a.enterprise, bank, scopes=["disclosures"], valid_until=NEXT_YEAR,
                         purpose="x", actor=alice)
    client.force_login(bank)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404
    actions.grant_access(draft_a.enterprise, bank, scopes=["evidence"], valid_until=NEXT_YEAR,
                         purpose="x", actor=alice)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 200
    assert AccessLog.objects.filter(resource__startswith="evidence S-EMP-01").count() == 1


def test_bank_sees_its_consented_applicants_on_one_page(client, alice, bob, draft_a, draft_b, bank, fill_basic):
    fill_basic(draft_a, alice)
    actions.grant_access(draft_a.enterprise, bank, scopes=["disclosures", "scores"],
                         valid_until=NEXT_YEAR, purpose="loan", actor=alice)
    client.force_login(bank)
    page = client.get("/applicants/").content.decode()
    assert draft_a.enterprise.uscc in page and draft_b.enterprise.uscc not in page
    assert "5000" in page  # revenue from the draft, shared under the consent
    consents = client.get("/api/v1/consents").json()["items"]
    assert [c["enterprise"] for c in consents] == [draft_a.enterprise.uscc]


# --- API tokens -------------------------------------------------------------------------------
def test_a_read_token_reads_as_its_owner_but_cannot_write(alice, draft_a):
    token, secret = actions.issue_token(alice, name="erp", scopes=["read"], actor=alice)
    assert ApiToken.objects.get().key_hash == ApiToken.digest(secret) and secret not in token.key_hash
    api = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert api.get(f"/api/v1/disclosures/{draft_a.pk}", **auth).status_code == 200
    assert api.get(f"/api/v1/disclosures/{draft_a.pk}").status_code == 404  # anonymous
    response = api.put(f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
                       data=json.dumps({"value": 5}), content_type="application/json", **auth)
    assert response.status_code == 401
    assert not draft_a.datapoints.exists()


def test_a_write_token_sets_values_without_csrf(alice, draft_a):
    _, secret = actions.issue_token(alice, name="erp", scopes=["read", "write"], actor=alice)
    response = Client(enforce_csrf_checks=True).put(
        f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
        data=json.dumps({"value": 5, "unit": "person"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response.json()["entered_by"] == "alice"
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_or_unknown_tokens_get_401(alice):
    token, secret = actions.issue_token(alice, name="erp", scopes=["read"], actor=alice)
    actions.revoke_token(token, actor=alice)
    for bearer in (secret, "czesg_nope"):
        response = Client().get("/api/v1/indicators", HTTP_AUTHORIZATION=f"Bearer {bearer}")
        assert response.status_code == 401
        assert response.json()["code"] == "token_invalid"


def test_tokens_page_shows_the_secret_once(client, alice):
    client.force_login(alice)
    page = client.post("/account/tokens/", {"name": "ERP", "scopes": ["read"]}).content.decode()
    token = ApiToken.objects.get()
    assert f"czesg_{token.prefix}" in page
    assert f"czesg_{token.prefix}" not in client.get("/account/tokens/").content.decode()
