"""The request → offer → accept → outcome lifecycle and every refusal, with database state and
audit entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from czesg.access.models import Grant
from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import CatalogueError, NotFound, PermissionRefused, StateConflict
from czesg.finance import actions, queries
from czesg.finance.models import FinancingRequest, Product, Recipient

pytestmark = pytest.mark.django_db


def audit(action: str) -> list[dict]:
    return [e.payload for e in AuditEvent.objects.filter(action=action).order_by("seq")]


def test_publish_product_stores_checked_rules_and_audits(product, bank_a):
    made = product()
    assert made.bank == bank_a and made.bank_name == "甲银行常州分行"
    assert made.rules == [{"figure": "green_score", "min": 10.0},
                          {"figure": "industry", "any_of": ["C"]}]
    assert made.discounts == [{"min_score": 80.0, "bps": 30}, {"min_score": 10.0, "bps": 10}]
    assert (made.min_amount, made.max_amount) == (Decimal("50.00"), Decimal("1000.00"))
    assert audit("finance.publish_product") == [{
        "name": "常绿贷", "kind": "changlv", "amount": ["50.00", "1000.00"], "term": [6, 36],
        "rules": made.rules, "discounts": made.discounts}]


@pytest.mark.parametrize("rules, field, words", [
    ([{"figure": "carbon_credit", "min": 1}], "rules[1]", "carbon_credit"),
    ([{"figure": "rating_grade", "min": "A+"}], "rules[1]", "A+"),
    ([{"figure": "industry", "min": "C"}], "rules[1]", "any_of"),
    ([{"figure": "green_score", "min": 1}, {"figure": "purpose", "any_of": ["casino"]}],
     "rules[2]", "casino"),
])
def test_a_rule_over_a_figure_that_does_not_exist_is_refused(product, rules, field, words):
    with pytest.raises(CatalogueError) as refused:
        product(rules=rules)
    assert refused.value.params["field"] == field and words in refused.value.render()
    assert Product.objects.count() == 0 and audit("finance.publish_product") == []


def test_only_banks_publish(product, alice):
    with pytest.raises(PermissionRefused):
        product(bank=alice)
    assert Product.objects.count() == 0


def test_verdicts_say_why_not(rated_a, product, bank_b):
    product()
    product(bank=bank_b, name="节水贷", kind="water_saving",
            rules=[{"figure": "rating_grade", "min": "AAA"},
                   {"figure": "size_class", "any_of": ["large", "medium"]},
                   {"figure": "carbon_label", "min": "light_green"}])
    figures = queries.figures_of(rated_a)
    assert figures["industry"] == "C3841" and figures["size_class"] == "small"
    with translation.override("en"):
        verdicts = {v.product.name: v for v in queries.verdicts(rated_a)}
    assert verdicts["常绿贷"].eligible and verdicts["常绿贷"].discount_bps == 10
    grade = figures["rating_grade"]
    assert verdicts["节水贷"].reasons == [
        f"ESG rating grade must be at least AAA; yours is {grade}.",
        "Size class must be one of Large, Medium; yours is Small.",
        "Carbon-efficiency label is not known for your enterprise yet.",
    ]
    zh = {v.product.name: v for v in queries.verdicts(rated_a)}  # Chinese first
    assert zh["节水贷"].reasons[1] == "企业规模须为大型, 中型之一；贵企业为小型。"
    # The amount and term are checked once named.
    with translation.override("en"):
        [changlv] = [v for v in queries.verdicts(rated_a, amount=Decimal("2000"),
                                                 term_months=48) if v.product.name == "常绿贷"]
    assert changlv.reasons == ["The amount must lie between 50.00 and 1000.00 (10k CNY).",
                               "The term must lie between 6 and 36 months."]


def test_request_sends_scoped_expiring_consent_to_each_chosen_bank(sent, rated_a, bank_a,
                                                                  bank_b, alice):
    assert sent.state == "open" and sent.amount == Decimal("200.00")
    assert sent.valid_until == timezone.localdate() + dt.timedelta(days=30)
    grants = Grant.objects.filter(enterprise=rated_a).order_by("grantee__username")
    assert [(g.grantee.username, g.scopes, g.valid_until) for g in grants] == [
        ("bank_a", ["disclosures", "scores"], sent.valid_until),
        ("bank_b", ["disclosures", "scores"], sent.valid_until)]
    assert [(r.bank.username, r.state) for r in sent.recipients.order_by("bank__username")] == [
        ("bank_a", "pending"), ("bank_b", "pending")]
    [entry] = audit("finance.submit_request")
    assert entry == {"enterprise": rated_a.uscc, "amount": "200.00", "term_months": 24,
                     "purpose": "energy_saving", "banks": ["bank_a", "bank_b"],
                     "valid_until": sent.valid_until.isoformat()}
    assert len(audit("access.grant")) == 2
    assert list(FinancingRequest.objects.visible_to(bank_a)) == [sent]


def test_request_to_a_bank_without_a_qualifying_product_is_refused(rated_a, alice, bank_a,
                                                                   bank_b, product):
    product(rules=[{"figure": "purpose", "any_of": ["clean_energy"]}])
    with pytest.raises(CatalogueError) as refused:
        actions.submit_request(rated_a, amount="200", term_months="24", purpose="energy_saving",
                               project="x", banks=[bank_a], actor=alice)
    assert refused.value.params["field"] == "banks"
    with pytest.raises(CatalogueError):
        actions.submit_request(rated_a, amount="200", term_months="24", purpose="clean_energy",
                               project="x", banks=[bank_b], actor=alice)
    assert FinancingRequest.objects.count() == 0 and Grant.objects.count() == 0


@pytest.mark.parametrize("field, value", [("amount", "-5"), ("amount", "abc"),
                                          ("term_months", "0"), ("purpose", "casino"),
                                          ("project", " ")])
def test_bad_request_input_is_named(rated_a, alice, bank_a, product, field, value):
    product()
    kwargs = dict(amount="200", term_months="24", purpose="energy_saving", project="PV",
                  banks=[bank_a], actor=alice)
    kwargs[field] = value
    with pytest.raises(CatalogueError) as refused:
        actions.submit_request(rated_a, **kwargs)
    assert refused.value.params["field"] == field
    assert FinancingRequest.objects.count() == 0 and Grant.objects.count() == 0


def test_only_a_manager_posts_a_request(rated_a, bob, bank_a, product):
    product()
    with pytest.raises(PermissionRefused):
        actions.submit_request(rated_a, amount="200", term_months="24", purpose="energy_saving",
                               project="PV", banks=[bank_a], actor=bob)


def test_lifecycle_offer_decline_accept_outcome(sent, alice, bank_a, bank_b):
    offer = actions.make_offer(sent, amount="180", rate="3.15", conditions="光伏电站收益权质押",
                               actor=bank_a)
    assert (offer.state, offer.amount, offer.rate) == ("offered", Decimal("180.00"),
                                                        Decimal("3.150"))
    actions.decline_request(sent, reason="超出授信额度", actor=bank_b)
    request = actions.accept_offer(offer, actor=alice)
    assert request.state == "accepted"
    assert dict(sent.recipients.values_list("bank__username", "state")) == {
        "bank_a": "accepted", "bank_b": "declined"}
    today = timezone.localdate()
    request = actions.record_outcome(sent, granted_amount="180", granted_rate="3.15",
                                     granted_on=today, actor=bank_a)
    request.refresh_from_db()
    assert (request.state, request.granted_amount, request.granted_rate, request.granted_on) == (
        "granted", Decimal("180.00"), Decimal("3.150"), today)
    assert audit("finance.offer") == [{"amount": "180.00", "rate": "3.150",
                                       "conditions": "光伏电站收益权质押", "product": None}]
    assert audit("finance.decline") == [{"reason": "超出授信额度"}]
    assert audit("finance.accept") == [{"bank": "bank_a", "amount": "180.00", "rate": "3.150"}]
    assert audit("finance.outcome") == [{"amount": "180.00", "rate": "3.150",
                                         "granted_on": today.isoformat()}]


def test_accepting_one_offer_leaves_the_others_not_chosen(sent, alice, bank_a, bank_b):
    first = actions.make_offer(sent, amount="200", rate="3.4", actor=bank_a)
    second = actions.make_offer(sent, amount="150", rate="3.1", actor=bank_b)
    actions.accept_offer(second, actor=alice)
    first.refresh_from_db()
    assert first.state == "not_chosen"
    with pytest.raises(StateConflict):
        actions.accept_offer(first, actor=alice)
    with pytest.raises(StateConflict):  # the request takes no more answers
        actions.decline_request(sent, reason="late", actor=bank_a)


def test_offer_on_a_request_that_did_not_reach_the_bank_is_refused(sent, make_user):
    from czesg.accounts.models import Role

    outsider = make_user("bank_c", Role.BANK, organisation="丙银行")
    before = AuditEvent.objects.count()
    with pytest.raises(NotFound) as refused:
        actions.make_offer(sent, amount="100", rate="3", actor=outsider)
    assert f"#{sent.pk} did not reach your bank" in refused.value.render()
    assert AuditEvent.objects.count() == before
    assert set(Recipient.objects.values_list("state", flat=True)) == {"pending"}
    assert list(FinancingRequest.objects.visible_to(outsider)) == []


def test_offer_after_the_consent_was_revoked_is_refused(sent, alice, bank_a):
    from czesg.access.actions import revoke_grant

    revoke_grant(sent.recipients.get(bank=bank_a).grant, actor=alice)
    with pytest.raises(NotFound):
        actions.make_offer(sent, amount="100", rate="3", actor=bank_a)
    assert list(FinancingRequest.objects.visible_to(bank_a)) == []


@pytest.mark.parametrize("amount, rate, field", [("250", "3", "amount"), ("-1", "3", "amount"),
                                                 ("100", "40", "rate"), ("100", "x", "rate")])
def test_bad_offer_is_named(sent, bank_a, amount, rate, field):
    with pytest.raises(CatalogueError) as refused:
        actions.make_offer(sent, amount=amount, rate=rate, actor=bank_a)
    assert refused.value.params["field"] == field
    assert sent.recipients.get(bank=bank_a).state == "pending"


def test_answering_twice_and_non_banks_are_refused(sent, alice, bank_a):
    actions.make_offer(sent, amount="100", rate="3", actor=bank_a)
    with pytest.raises(StateConflict):
        actions.make_offer(sent, amount="100", rate="3", actor=bank_a)
    with pytest.raises(PermissionRefused):
        actions.make_offer(sent, amount="100", rate="3", actor=alice)


def test_outcome_only_by_the_accepted_bank_once(sent, alice, bank_a, bank_b):
    offer = actions.make_offer(sent, amount="100", rate="3", actor=bank_a)
    actions.make_offer(sent, amount="90", rate="2.9", actor=bank_b)
    today = timezone.localdate()
    with pytest.raises(StateConflict):  # nothing accepted yet
        actions.record_outcome(sent, granted_amount="100", granted_rate="3", granted_on=today,
                               actor=bank_a)
    actions.accept_offer(offer, actor=alice)
    with pytest.raises(StateConflict):
        actions.record_outcome(sent, granted_amount="90", granted_rate="2.9", granted_on=today,
                               actor=bank_b)
    with pytest.raises(CatalogueError) as refused:
        actions.record_outcome(sent, granted_amount="100", granted_rate="3",
                               granted_on=today + dt.timedelta(days=1), actor=bank_a)
    assert refused.value.params["field"] == "granted_on"
    actions.record_outcome(sent, granted_amount="100", granted_rate="3", granted_on=today,
                           actor=bank_a)
    with pytest.raises(StateConflict):
        actions.record_outcome(sent, granted_amount="100", granted_rate="3", granted_on=today,
                               actor=bank_a)
    assert len(audit("finance.outcome")) == 1


def test_withdrawing_ends_the_consents(sent, alice, bank_a):
    actions.withdraw_request(sent, actor=alice)
    sent.refresh_from_db()
    assert sent.state == "withdrawn"
    assert all(g.revoked_at is not None for g in Grant.objects.filter(enterprise=sent.enterprise))
    assert list(FinancingRequest.objects.visible_to(bank_a)) == []
    assert len(audit("finance.withdraw_request")) == 1
