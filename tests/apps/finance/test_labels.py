"""Carbon-efficiency labels computed from published disclosures: stored, audited, shown on the
profile, in the bank's view of a request and in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import PermissionRefused
from czesg.finance import actions
from czesg.finance.models import CarbonLabel

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_two(draft_a, draft_b, alice, bob, fill_basic):
    """Alpha (C3841, 320411) and Beta (C3825, 320412), each 1,000 t on 5,000 万元 in 2024."""
    from czesg.disclosures import actions as disclosures

    for draft, who in ((draft_a, alice), (draft_b, bob)):
        fill_basic(draft, who)
        disclosures.submit_disclosure(draft, actor=who)
        disclosures.publish_disclosure(draft, actor=who)
    return draft_a.enterprise, draft_b.enterprise


def test_labels_are_computed_stored_and_audited(published_two, gov):
    alpha, beta = published_two
    counts = actions.compute_carbon_labels(2024, actor=gov)
    # Two enterprises, too few peers at every level: ranked among all (tied → 50); each is
    # alone in its district (share 1 → 0); no 2023 → trend 50. 0.5·50 + 0.2·0 + 0.3·50 = 40.
    assert counts == {"dark_green": 0, "light_green": 0, "yellow": 2, "red": 0}
    rows = list(CarbonLabel.objects.order_by("enterprise_id").values_list(
        "enterprise_id", "label", "score", "intensity", "peer_level", "peer_count", "share",
        "trend", "methodology_version"))
    assert rows == [(alpha.pk, "yellow", 40.0, 0.2, "all", 2, 1.0, None, "2026.1"),
                    (beta.pk, "yellow", 40.0, 0.2, "all", 2, 1.0, None, "2026.1")]
    [event] = AuditEvent.objects.filter(action="finance.compute_labels")
    assert event.payload == {"year": 2024, "version": "2026.1", "counts": counts}
    # Computing again replaces the year's labels.
    actions.compute_carbon_labels(2024, actor=gov)
    assert CarbonLabel.objects.count() == 2


def test_only_government_computes_labels(published_two, alice):
    with pytest.raises(PermissionRefused):
        actions.compute_carbon_labels(2024, actor=alice)
    assert CarbonLabel.objects.count() == 0


def test_label_on_profile_api_and_bank_view(published_two, gov, alice, make_user):
    from czesg.accounts.models import Role

    alpha, _ = published_two
    actions.compute_carbon_labels(2024, actor=gov)
    page = Client().get(f"/enterprises/{alpha.uscc}/").content.decode()
    assert 'id="profile-carbon-label" data-label="yellow"' in page and ">黄<" in page
    body = Client().get(f"/api/v1/finance/labels/{alpha.uscc}").json()
    assert (body["label"], body["label_name"], body["score"], body["share"]) == (
        "yellow", "黄", 40.0, 1.0)
    assert Client().get("/api/v1/finance/labels/91320000000000000X").status_code == 404
    # The bank sees the label beside the green score on a request sent to it.
    bank = make_user("bank_a", Role.BANK, organisation="甲银行")
    actions.publish_product(name="常绿贷", kind="changlv", min_amount="1", max_amount="500",
                            min_term_months="1", max_term_months="60",
                            rules=[{"figure": "carbon_label", "min": "yellow"}], discounts=[],
                            actor=bank)
    request = actions.submit_request(alpha, amount="100", term_months="12",
                                     purpose="energy_saving", project="改造", banks=[bank],
                                     actor=alice)
    client = Client()
    client.force_login(bank)
    page = client.get(f"/finance/requests/{request.pk}/").content.decode()
    assert 'id="figure-carbon_label"' in page and "黄" in page
