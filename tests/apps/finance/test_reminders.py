"""Issue 22 item 1: reminders to banks of requests they have not answered, by the rule of
data/finance/reminders.toml (first after 3 days, then every 3, while the consent is in force)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from czesg.audit.models import AuditEvent
from czesg.engine.finance.reminders import load_reminder_rule, reminder_due
from czesg.engine.kernel.errors import PermissionRefused
from czesg.finance import actions
from czesg.finance.models import Recipient
from czesg.finance.reminders import send_request_reminders

pytestmark = pytest.mark.django_db


def test_the_rule_is_data_with_its_source():
    rule = load_reminder_rule()
    assert (rule.first_after_days, rule.repeat_days) == (3, 3)
    assert rule.provenance.confidence == "methodology-choice"
    assert "绿贷通" in rule.provenance.source


@pytest.mark.parametrize("today, last, due", [
    (dt.date(2025, 3, 3), None, False),          # two days after sending: not yet
    (dt.date(2025, 3, 4), None, True),           # three days: the first reminder
    (dt.date(2025, 3, 6), dt.date(2025, 3, 4), False),  # two days after the last one
    (dt.date(2025, 3, 7), dt.date(2025, 3, 4), True),   # three days after it
    (dt.date(2025, 3, 31), dt.date(2025, 3, 25), False),  # the consent has expired
])
def test_when_a_reminder_is_due(today, last, due):
    assert reminder_due(today, dt.date(2025, 3, 1), dt.date(2025, 3, 30), last) is due


def test_unanswered_banks_are_reminded_counted_audited_and_mailed(
        sent, bank_a, bank_b, system, client, alice, django_capture_on_commit_callbacks):
    bank_a.email, bank_b.email = "a@bank.example", "b@bank.example"
    bank_a.save(update_fields=["email"])
    bank_b.save(update_fields=["email"])
    actions.make_offer(sent, amount="200", rate="3.45", actor=bank_b)  # bank B has answered
    sent_on = timezone.localdate(sent.created_at)

    assert send_request_reminders(sent_on + dt.timedelta(days=2), actor=system) == []
    day = sent_on + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves on commit
        reminded = send_request_reminders(day, actor=system)
    assert [(r.bank, r.reminders, r.last_reminded_on) for r in reminded] == [(bank_a, 1, day)]
    row = Recipient.objects.get(request=sent, bank=bank_a)
    assert (row.reminders, row.last_reminded_on) == (1, day)
    assert Recipient.objects.get(request=sent, bank=bank_b).reminders == 0
    event = AuditEvent.objects.get(action="finance.request.remind")
    assert event.payload == {"request": sent.pk, "bank": "bank_a", "reminder": 1}
    assert [m.to for m in mail.outbox] == [["a@bank.example"]]
    assert mail.outbox[0].subject == f"提醒：融资需求 #{sent.pk} 等待贵行答复"
    assert "贵行尚未答复（第 1 次提醒）" in mail.outbox[0].body

    # The same day again, and the next day: nothing more; three days later, the second one.
    assert send_request_reminders(day, actor=system) == []
    assert send_request_reminders(day + dt.timedelta(days=1), actor=system) == []
    again = send_request_reminders(day + dt.timedelta(days=3), actor=system)
    assert [r.reminders for r in again] == [2]
    assert AuditEvent.objects.filter(action="finance.request.remind").count() == 2

    # The enterprise sees it beside the bank's answer.
    client.force_login(alice)
    page = client.get(reverse("finance:request", args=[sent.pk])).content.decode()
    assert 'data-reminders="2"' in page
    assert f"已提醒 2 次，最近一次 {(day + dt.timedelta(days=3)).isoformat()}" in page


def test_no_reminder_after_an_answer_a_withdrawal_or_the_consent(sent, bank_a, bank_b, system,
                                                                  alice):
    sent_on = timezone.localdate(sent.created_at)
    actions.decline_request(sent, reason="额度已满", actor=bank_a)
    reminded = send_request_reminders(sent_on + dt.timedelta(days=3), actor=system)
    assert [r.bank for r in reminded] == [bank_b]
    after = sent.valid_until + dt.timedelta(days=1)
    assert send_request_reminders(after, actor=system) == []
    actions.withdraw_request(sent, actor=alice)
    assert send_request_reminders(sent_on + dt.timedelta(days=6), actor=system) == []


def test_only_the_platform_account_sends_reminders(sent, bank_a, alice, gov):
    for actor in (bank_a, alice, gov):
        with pytest.raises(PermissionRefused):
            send_request_reminders(actor=actor)
    assert not AuditEvent.objects.filter(action="finance.request.remind").exists()


def test_the_command_reminds_and_reports(sent, bank_a, bank_b, capsys):
    from czesg.cli import main

    day = timezone.localdate(sent.created_at) + dt.timedelta(days=3)
    assert main(["finance", "remind", "--date", day.isoformat(), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted((r["bank"], r["reminder"]) for r in out["reminded"]) == [
        ("bank_a", 1), ("bank_b", 1)]
