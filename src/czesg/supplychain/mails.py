"""The e-mails of buyers' requests (invitation, reminder): subject and body rendered from
gettext templates in the recipient's language (Chinese unless another is known)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

KINDS = ("invitation", "reminder")


def request_mail(kind: str, request, language: str | None = None) -> tuple[str, str]:
    """The subject and body of a request's invitation or reminder e-mail."""
    if kind not in KINDS:
        raise ValueError(kind)
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"buyer": request.buyer.name, "title": request.title, "year": request.year,
                   "due": request.due_date.isoformat()}
        subject = gettext("[czesg] %(buyer)s: %(title)s") % context
        body = render_to_string(f"supplychain/email/{kind}.txt", context)
    return subject, body
