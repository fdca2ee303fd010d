"""Token scopes follow the role: enterprise and government users get write tokens (they have
something to write); banks, verifiers, park administrators and platform administrators read."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from czesg.access import actions
from czesg.access.models import ApiToken
from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import PermissionRefused

pytestmark = pytest.mark.django_db

READERS = [Role.BANK, Role.PARK_ADMIN, Role.VERIFIER, Role.PLATFORM_ADMIN]


@pytest.mark.parametrize("role", READERS)
def test_only_read_tokens_for_roles_that_do_not_write(make_user, role):
    user = make_user(f"u-{role}", role)
    with pytest.raises(PermissionRefused) as refused:
        actions.issue_token(user, name="erp", scopes=["read", "write"], actor=user)
    assert refused.value.params == {"field": "scopes"}
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="access.issue_token").exists()
    token, _ = actions.issue_token(user, name="erp", scopes=["read"], actor=user)
    assert token.scopes == ["read"]


def test_an_enterprise_user_gets_a_write_token(alice):
    token, _ = actions.issue_token(alice, name="erp", scopes=["read", "write"], actor=alice)
    assert token.scopes == ["read", "write"] and token.effective_scopes == ["read", "write"]


def test_the_tokens_page_refuses_write_for_a_bank_in_chinese(client, make_user):
    bank = make_user("bank1", Role.BANK)
    client.force_login(bank)
    page = client.post("/account/tokens/", {"name": "x", "scopes": ["read", "write"]},
                       HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "只有企业用户和政府用户可以拥有写入权限的令牌" in page
    assert 'value="write"' not in page and not ApiToken.objects.exists()


def test_a_write_token_stops_writing_when_its_owner_is_no_enterprise_user(alice, draft_a):
    _, secret = actions.issue_token(alice, name="erp", scopes=["read", "write"], actor=alice)
    alice.role = Role.BANK  # e.g. the account moved to a bank; its old token must not write
    alice.save(update_fields=["role"])
    response = Client().put(f"/api/v1/disclosures/{draft_a.pk}/datapoints/S-EMP-01",
                            data=json.dumps({"value": 5}), content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert not draft_a.datapoints.exists()
