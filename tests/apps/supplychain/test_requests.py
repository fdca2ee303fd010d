"""Buyers' requests: sending (registered and invited suppliers), the supplier's pre-filled
answer under consent, declining, withdrawing, reminders, reads logged, and the scorecards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, StateConflict
from czesg.supplychain import actions
from czesg.supplychain.models import (
    Footprint,
    FootprintConsent,
    RequestAnswer,
    RequestRead,
    RequestRecipient,
    RequestState,
    SupplierRequest,
)
from czesg.supplychain.scorecards import portfolio, scorecards
from tests.conftest import uscc_for

pytestmark = pytest.mark.django_db

ASKED = ["E-GHG-02", "E-GHG-03", "E-WAT-01", "G-GOV-06"]
INVITED = uscc_for(77)


@pytest.fixture
def disclosed(supplier, supplier_manager, fill_basic, system):
    """The supplier's published 2024 basic disclosure; its Scope 1 value is assured."""
    from czesg.disclosures import actions as disclosures

    draft = disclosures.start_disclosure(supplier, 2024, actor=supplier_manager)
    fill_basic(draft, supplier_manager)
    disclosures.submit_disclosure(draft, actor=supplier_manager)
    published = disclosures.publish_disclosure(draft, actor=supplier_manager)
    with transaction.atomic():
        disclosures.mark_assured(published, ["E-GHG-02"], level="limited", detail={},
                                 reviewer=system, actor=system)
    return published


def send(buyer, buyer_manager, supplier, **extra):
    options = dict(template="battery", title="2024 电芯供应商ESG数据", year=2024,
                   indicators=ASKED, products=["LFP cell"],
                   suppliers=[{"uscc": supplier.uscc, "tier": 1},
                              {"uscc": INVITED, "email": "esg@cells.example", "tier": 2}],
                   due_date=timezone.localdate() + dt.timedelta(days=20), actor=buyer_manager)
    options.update(extra)
    return actions.send_request(buyer, **options)


def recipient_of(request, supplier):
    return RequestRecipient.objects.get(request=request, uscc=supplier.uscc)


def test_send_asks_registered_and_invited_suppliers(buyer, buyer_manager, supplier,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = send(buyer, buyer_manager, supplier)
    rows = {r.uscc: r for r in request.recipients.all()}
    assert rows[supplier.uscc].supplier == supplier and rows[supplier.uscc].tier == 1
    assert rows[INVITED].supplier is None and rows[INVITED].email == "esg@cells.example"
    assert {r.state for r in rows.values()} == {RequestState.OPEN}
    entry = AuditEvent.objects.get(action="supplychain.request.send")
    assert entry.payload["indicators"] == ASKED
    assert entry.payload["suppliers"] == [{"uscc": supplier.uscc, "tier": 1, "invited": False},
                                          {"uscc": INVITED, "tier": 2, "invited": True}]
    assert [m.to for m in mail.outbox] == [["esg@cells.example"]]


def test_each_invited_supplier_gets_its_own_message(buyer, buyer_manager, supplier,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(buyer, buyer_manager, supplier, suppliers=[
            {"uscc": INVITED, "email": "a@cells.example"},
            {"uscc": uscc_for(78), "email": "b@cells.example", "tier": "2"}])
    assert [m.to for m in mail.outbox] == [["a@cells.example"], ["b@cells.example"]]
    assert set(RequestRecipient.objects.values_list("uscc", "tier")) == {
        (INVITED, 1), (uscc_for(78), 2)}


@pytest.mark.parametrize(("change", "field"), [
    ({"suppliers": [{"uscc": "91320400ABCDEFGHIJ"}]}, "suppliers"),
    ({"suppliers": [{"uscc": uscc_for(78)}]}, "suppliers"),  # unknown and no e-mail
    ({"indicators": ["G-GOV-01"]}, "indicators"),  # a text indicator
    ({"indicators": []}, "indicators"),
    ({"due_date": dt.date(2020, 1, 1)}, "due_date"),
    ({"template": "nope"}, "template"),
])
def test_bad_requests_are_refused_naming_the_field(buyer, buyer_manager, supplier, change, field):
    with pytest.raises(actions.RequestInvalid) as refused:
        send(buyer, buyer_manager, supplier, **change)
    assert refused.value.params["field"] == field
    assert not SupplierRequest.objects.exists() and not RequestRecipient.objects.exists()


def test_only_the_buyers_manager_sends(buyer, supplier, supplier_manager):
    with pytest.raises(PermissionRefused):
        send(buyer, supplier_manager, supplier)


def test_answer_is_prefilled_from_the_disclosure_and_shares_what_was_asked(
        buyer, buyer_manager, supplier, supplier_manager, disclosed, published):
    from czesg.supplychain.queries import prefill

    request = send(buyer, buyer_manager, supplier)
    known = prefill(supplier, 2024, ASKED)
    assert known["E-GHG-02"] == {"value": 300.0, "unit": "tCO2e", "basis": "disclosed",
                                 "source": "", "assurance": "limited"}
    assert known["E-WAT-01"]["value"] == 15000.0 and "G-GOV-06" not in known
    recipient = recipient_of(request, supplier)
    actions.answer_request(
        recipient.pk, supplier, answers={"E-GHG-02": "300.0", "E-GHG-03": "650", "G-GOV-06": "是"},
        products={"LFP cell": str(published.product.uuid)}, consent=True,
        actor=supplier_manager)
    recipient.refresh_from_db()
    assert recipient.state == RequestState.SHARED and recipient.answered_by == supplier_manager
    answers = {a.indicator_code: a for a in recipient.answers.all()}
    assert set(answers) == {"E-GHG-02", "E-GHG-03", "G-GOV-06"}
    assert (answers["E-GHG-02"].basis, answers["E-GHG-02"].assurance) == ("disclosed", "limited")
    assert (answers["E-GHG-03"].basis, answers["E-GHG-03"].value_number) == ("entered", 650.0)
    assert answers["E-GHG-03"].assurance == "none" and answers["G-GOV-06"].value_bool is True
    consent = FootprintConsent.objects.get(request_recipient=recipient)
    assert consent.product == published.product and consent.recipient == buyer
    assert Footprint.objects.entitled_to(buyer.pk).filter(pk=published.pk).exists()
    entry = AuditEvent.objects.get(action="supplychain.request.answer")
    assert entry.payload["shared"] == ["E-GHG-02", "E-GHG-03", "G-GOV-06"]


def test_a_refused_answer_writes_nothing(buyer, buyer_manager, supplier, supplier_manager):
    request = send(buyer, buyer_manager, supplier)
    recipient = recipient_of(request, supplier)
    with pytest.raises(CatalogueError) as refused:
        actions.answer_request(recipient.pk, supplier,
                               answers={"E-GHG-02": "12", "E-WAT-01": "-5"}, consent=True,
                               actor=supplier_manager)
    assert refused.value.params["code"] == "E-WAT-01"
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.answer_request(recipient.pk, supplier, answers={"S-EMP-03": "8"}, consent=True,
                               actor=supplier_manager)
    assert refused.value.params["field"] == "S-EMP-03"  # not asked
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.answer_request(recipient.pk, supplier, answers={"E-GHG-02": "12"},
                               consent=False, actor=supplier_manager)
    assert refused.value.params["field"] == "consent"
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.answer_request(recipient.pk, supplier, answers={},
                               products={"LFP cell": "00000000-0000-4000-8000-000000000000"},
                               consent=True, actor=supplier_manager)
    assert refused.value.params["field"] == "products"
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.answer_request(recipient.pk, supplier, answers={},
                               products={"LFP cell": "not-a-uuid"}, consent=True,
                               actor=supplier_manager)
    assert refused.value.params == {"field": "products", "name": "LFP cell"}
    assert not RequestAnswer.objects.exists() and not FootprintConsent.objects.exists()
    recipient.refresh_from_db()
    assert recipient.state == RequestState.OPEN


def test_another_enterprise_cannot_answer(buyer, buyer_manager, supplier, make_enterprise,
                                          member_of):
    request = send(buyer, buyer_manager, supplier)
    other = make_enterprise("他人有限公司")
    stranger = member_of(other, "stranger")
    with pytest.raises(Exception) as refused:
        actions.answer_request(recipient_of(request, supplier).pk, other, answers={},
                               consent=True, actor=stranger)
    assert refused.value.code == "not_found"
    with pytest.raises(PermissionRefused):
        actions.answer_request(recipient_of(request, supplier).pk, supplier, answers={},
                               consent=True, actor=stranger)


def test_an_invited_supplier_answers_once_registered(buyer, buyer_manager, supplier,
                                                     make_enterprise, member_of):
    request = send(buyer, buyer_manager, supplier)
    newcomer = make_enterprise("新注册电芯有限公司", uscc=INVITED)
    manager = member_of(newcomer, "newcomer")
    invited = RequestRecipient.objects.addressed_to(newcomer).get()
    assert invited.request == request
    actions.answer_request(invited.pk, newcomer, answers={"E-WAT-01": "100"}, consent=True,
                           actor=manager)
    invited.refresh_from_db()
    assert invited.supplier == newcomer and invited.state == RequestState.SHARED


def test_decline_with_a_reason(buyer, buyer_manager, supplier, supplier_manager):
    request = send(buyer, buyer_manager, supplier)
    recipient = recipient_of(request, supplier)
    with pytest.raises(actions.RequestInvalid):
        actions.decline_request(recipient.pk, supplier, reason="  ", actor=supplier_manager)
    actions.decline_request(recipient.pk, supplier, reason="商业秘密", actor=supplier_manager)
    recipient.refresh_from_db()
    assert (recipient.state, recipient.decline_reason) == (RequestState.DECLINED, "商业秘密")
    assert AuditEvent.objects.filter(action="supplychain.request.decline").count() == 1
    with pytest.raises(StateConflict):
        actions.answer_request(recipient.pk, supplier, answers={}, consent=True,
                               actor=supplier_manager)


def test_withdrawn_consent_hides_answers_and_footprints(buyer, buyer_manager, supplier,
                                                       supplier_manager, published):
    request = send(buyer, buyer_manager, supplier)
    recipient = recipient_of(request, supplier)
    actions.answer_request(recipient.pk, supplier, answers={"E-WAT-01": "100"},
                           products={"LFP cell": str(published.product.uuid)}, consent=True,
                           actor=supplier_manager)
    assert len(scorecards(buyer)[0]) == 1
    actions.withdraw_request_consent(recipient.pk, supplier, actor=supplier_manager)
    assert scorecards(buyer)[0] == []
    assert not Footprint.objects.entitled_to(buyer.pk).filter(pk=published.pk).exists()
    assert AuditEvent.objects.get(action="supplychain.request.withdraw").payload[
        "footprint_consents_revoked"] == 1


def test_reminders_are_due_once_per_period(buyer, buyer_manager, supplier, supplier_manager,
                                           system, django_capture_on_commit_callbacks):
    request = send(buyer, buyer_manager, supplier, due_date=timezone.localdate()
                   + dt.timedelta(days=5))
    actions.decline_request(recipient_of(request, supplier).pk, supplier, reason="不提供",
                            actor=supplier_manager)
    mail.outbox.clear()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        reminded = actions.send_due_reminders(today, actor=system)
    assert [r.uscc for r in reminded] == [INVITED]  # the declined one is not reminded
    assert [m.to for m in mail.outbox] == [["esg@cells.example"]]
    assert actions.send_due_reminders(today + dt.timedelta(days=3), actor=system) == []
    assert len(actions.send_due_reminders(today + dt.timedelta(days=7), actor=system)) == 1
    invited = RequestRecipient.objects.get(uscc=INVITED)
    assert (invited.reminders, invited.last_reminded_on) == (2, today + dt.timedelta(days=7))
    assert AuditEvent.objects.filter(action="supplychain.request.remind").count() == 2
    with pytest.raises(PermissionRefused):
        actions.send_due_reminders(today, actor=buyer_manager)


def test_scorecard_scores_by_the_buyers_weighting(buyer, buyer_manager, supplier,
                                                  supplier_manager, disclosed, published):
    request = send(buyer, buyer_manager, supplier)
    recipient = recipient_of(request, supplier)
    actions.answer_request(recipient.pk, supplier,
                           answers={"E-GHG-02": "300", "E-GHG-03": "700"},
                           products={"LFP cell": str(published.product.uuid)}, consent=True,
                           actor=supplier_manager)
    cards, weighting = scorecards(buyer)
    [card] = cards
    assert weighting.version == "2026.1"
    # not rated: rating and green score missing; 2 of 4 answered; 1 of 2 assured; 1 of 1 product
    assert card.components() == {"rating": None, "green": None, "data": 50.0, "assured": 50.0,
                                 "footprint": 100.0}
    assert card.result.score == 0.2 * 50 + 0.15 * 50 + 0.15 * 100  # 32.5
    assert [fp.pk for fp in card.footprints] == [published.pk]

    stored = actions.save_weighting(buyer, {"data": 0.5, "footprint": 0.5}, note="采购部 2026",
                                    actor=buyer_manager)
    again = actions.save_weighting(buyer, {"rating": 1}, actor=buyer_manager)
    assert (stored.version, again.version) == (1, 2)
    actions.save_weighting(buyer, {"data": 0.5, "footprint": 0.5}, actor=buyer_manager)
    cards, weighting = scorecards(buyer)
    assert weighting.version == f"{buyer.uscc}/v3"
    assert cards[0].result.score == 75.0
    with pytest.raises(PermissionRefused):
        actions.save_weighting(buyer, {"rating": 1}, actor=supplier_manager)

    view = portfolio(buyer, cards)
    assert view.rows == (("1", 1, 1, 1), ("2", 1, 0, 0), ("all", 2, 1, 1))


def test_reads_are_logged(buyer, buyer_manager, supplier, supplier_manager):
    request = send(buyer, buyer_manager, supplier)
    recipient = recipient_of(request, supplier)
    actions.answer_request(recipient.pk, supplier, answers={"E-WAT-01": "1"}, consent=True,
                           actor=supplier_manager)
    actions.note_reads([recipient], buyer_manager, "scorecard")
    assert list(RequestRead.objects.values_list("recipient", "user", "what")) == [
        (recipient.pk, buyer_manager.pk, "scorecard")]


def test_remind_command(buyer, buyer_manager, supplier, capsys):
    import json

    from czesg.cli import main

    send(buyer, buyer_manager, supplier, due_date=timezone.localdate() + dt.timedelta(days=2))
    assert main(["supplychain", "remind", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(r["uscc"] for r in out["reminded"]) == sorted([supplier.uscc, INVITED])
    assert main(["supplychain", "remind", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"reminded": []}
    assert main(["supplychain", "remind", "--date", "tomorrow"]) == 1
