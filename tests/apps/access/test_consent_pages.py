"""A bank's consented enterprises in pages: `/applicants/` (50 a page, a translated page control,
only the shown grants logged as read) and `GET /api/v1/consents` (page numbers with a count)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from czesg.access import actions
from czesg.access.models import AccessLog
from czesg.accounts.models import Role

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)
GRANTS = 53


@pytest.fixture
def bank(make_user):
    return make_user("bank1", Role.BANK, organisation="合成样例银行")


@pytest.fixture
def granted(bank, make_user, make_enterprise, system):
    """53 enterprises that granted the bank access (registered in reverse name order), one whose
    grant was revoked and one that granted another bank only."""
    firms = [make_enterprise(f"申请企业{i:02d}有限公司") for i in reversed(range(GRANTS))]
    for firm in firms:
        actions.grant_access(firm, bank, scopes=["scores"], valid_until=NEXT_YEAR,
                             purpose="授信审查", actor=system)
    revoked = make_enterprise("已撤回企业有限公司")
    actions.revoke_grant(actions.grant_access(revoked, bank, scopes=["scores"],
                                              valid_until=NEXT_YEAR, purpose="x", actor=system),
                         actor=system)
    other = make_enterprise("他行客户有限公司")
    actions.grant_access(other, make_user("bank2", Role.BANK), scopes=["scores"],
                         valid_until=NEXT_YEAR, purpose="x", actor=system)
    return sorted(firms, key=lambda f: f.name)


def _listed(html: str) -> list[str]:
    return re.findall(r'<tr data-uscc="([^"]+)"', html)


def test_applicants_come_in_pages_of_fifty_with_a_translated_page_control(client, bank, granted):
    client.force_login(bank)
    first = client.get("/applicants/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert _listed(first) == [f.uscc for f in granted[:50]]
    assert "第 1 页，共 2 页" in first and 'href="?page=2"' in first and "下一页" in first
    assert "上一页" not in first
    assert AccessLog.objects.filter(user=bank).count() == 50  # only what was shown was read
    second = client.get("/applicants/?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _listed(second) == [f.uscc for f in granted[50:]]
    assert "Page 2 of 2" in second and 'href="?page=1"' in second and "Previous" in second
    assert "已撤回企业有限公司" not in first + second and "他行客户有限公司" not in first + second
    assert AccessLog.objects.filter(user=bank).count() == 53
    # A page past the last shows the last; anything that is no number shows the first.
    assert _listed(client.get("/applicants/?page=9").content.decode()) == _listed(second)
    assert _listed(client.get("/applicants/?page=x").content.decode()) == _listed(first)


def test_the_consents_endpoint_pages_in_credit_code_order(client, bank, granted):
    client.force_login(bank)
    by_code = sorted(f.uscc for f in granted)
    body = client.get("/api/v1/consents").json()
    assert body["count"] == GRANTS and [c["enterprise"] for c in body["items"]] == by_code
    third = client.get("/api/v1/consents?page=3&page_size=20").json()
    assert third["count"] == GRANTS
    assert [c["enterprise"] for c in third["items"]] == by_code[40:]
    item = third["items"][0]
    firm = next(f for f in granted if f.uscc == item["enterprise"])
    assert item == {"enterprise": firm.uscc, "enterprise_name": firm.name, "scopes": ["scores"],
                    "valid_until": NEXT_YEAR.isoformat(), "purpose": "授信审查"}
    assert client.get("/api/v1/consents?page=4&page_size=20").json()["items"] == []
    response = client.get("/api/v1/consents?page_size=1001")
    assert response.status_code == 422 and response.json()["field"] == "page_size"
