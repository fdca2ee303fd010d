"""The invitation and reminder e-mails of buyers' requests: rendered from gettext templates,
in Chinese by default, sent one per invited supplier (Django's locmem outbox)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from czesg.supplychain import actions
from czesg.supplychain.mails import request_mail

from .test_requests import INVITED, send

pytestmark = pytest.mark.django_db


def test_the_invitation_is_in_chinese(buyer, buyer_manager, supplier,
                                      django_capture_on_commit_callbacks):
    due = timezone.localdate() + dt.timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        send(buyer, buyer_manager, supplier, due_date=due)
    [message] = mail.outbox
    assert message.to == ["esg@cells.example"]
    assert message.subject == f"[常州ESG平台] {buyer.name}：2024 电芯供应商ESG数据"
    assert message.body.splitlines() == [
        f"{buyer.name} 请贵司于 {due.isoformat()} 前提供 2024 年度 ESG 数据。",
        "请求：2024 电芯供应商ESG数据",
        "请登录常州ESG平台，打开“客户数据请求”；尚未注册的供应商请以请求所列的统一社会信用代码注册企业。",
    ]


def test_the_reminder_is_in_chinese(buyer, buyer_manager, supplier, system,
                                    django_capture_on_commit_callbacks):
    due = timezone.localdate() + dt.timedelta(days=5)
    send(buyer, buyer_manager, supplier, due_date=due)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_due_reminders(timezone.localdate(), actor=system)
    [message] = mail.outbox
    assert message.to == ["esg@cells.example"]
    assert message.body.splitlines()[0] == \
        f"提醒：{buyer.name} 等待贵司于 {due.isoformat()} 前答复。"
    assert message.body.splitlines()[2] == "请登录常州ESG平台，打开“客户数据请求”进行答复或婉拒。"


def test_the_mails_render_in_english_for_an_english_reader(buyer, buyer_manager, supplier):
    request = send(buyer, buyer_manager, supplier)
    due = request.due_date.isoformat()
    subject, body = request_mail("invitation", request, "en")
    assert subject == f"[czesg] {buyer.name}: 2024 电芯供应商ESG数据"
    assert body.splitlines()[0] == f"{buyer.name} asks for your ESG data of 2024 by {due}."
    _, reminder = request_mail("reminder", request, "en")
    assert reminder.splitlines()[0] == f"Reminder: {buyer.name} awaits your answer by {due}."
    assert request.recipients.get(uscc=INVITED).email == "esg@cells.example"
