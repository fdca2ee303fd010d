"""Reminders to banks of financing requests they have not answered: an action the platform's own
account runs daily (`czesg finance remind`), by the rule of ``data/finance/reminders.toml``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from czesg.accounts.models import Role
from czesg.accounts.permissions import require_role
from czesg.audit.recording import record
from czesg.engine.finance.reminders import load_reminder_rule, reminder_due
from czesg.finance.models import Recipient, RecipientState, RequestState


def _mail(recipient: Recipient) -> tuple[str, str]:
    """The reminder's subject and body, in the platform's language (Chinese first)."""
    request = recipient.request
    with translation.override(settings.LANGUAGE_CODE):
        params = {"number": request.pk, "enterprise": request.enterprise.name,
                  "amount": request.amount, "days": recipient.reminders,
                  "until": request.valid_until.isoformat()}
        subject = gettext("Reminder: financing request #%(number)s awaits your answer") % params
        body = gettext(
            "%(enterprise)s asked for a green loan of %(amount)s (10k CNY) in request "
            "#%(number)s, which your bank has not answered yet (reminder %(days)s). The "
            "enterprise's consent to read its figures runs until %(until)s: offer or decline "
            "on the platform before then.") % params
    return subject, body


def send_request_reminders(today: dt.date | None = None, *, actor) -> list[Recipient]:
    """Remind every bank of each open request it has not answered and that is due a reminder
    today: count it on the bank's row, audit it and e-mail the bank; returns those reminded."""
    require_role(actor, Role.PLATFORM_ADMIN)
    day = today or timezone.localdate()
    rule = load_reminder_rule()
    reminded: list[Recipient] = []
    with transaction.atomic():
        waiting = (Recipient.objects.select_for_update(of=("self",))
                   .filter(state=RecipientState.PENDING, request__state=RequestState.OPEN,
                           request__valid_until__gte=day, grant__revoked_at__isnull=True)
                   .select_related("request__enterprise", "bank").order_by("id"))
        for recipient in waiting:
            sent_on = timezone.localdate(recipient.request.created_at)
            if not reminder_due(day, sent_on, recipient.request.valid_until,
                                recipient.last_reminded_on, rule):
                continue
            recipient.reminders += 1
            recipient.last_reminded_on = day
            recipient.save(update_fields=["reminders", "last_reminded_on"])
            record(actor, "finance.request.remind", recipient, request=recipient.request_id,
                   bank=recipient.bank.username, reminder=recipient.reminders)
            reminded.append(recipient)
        mails = [(*_mail(r), r.bank.email) for r in reminded if r.bank.email]
        if mails:
            transaction.on_commit(lambda: [send_mail(s, b, None, [to], fail_silently=True)
                                           for s, b, to in mails])
    return reminded
