"""Authenticates API requests that carry a bearer token, as the token's owner."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext

from czesg.access.models import ApiToken


class ApiTokenMiddleware:
    """For /api/ requests with ``Authorization: Bearer <token>``, act as the token's owner.

    A request with a token that is unknown, revoked or expired is refused with a 401 problem,
    rather than served as anonymous, so that a client learns its token no longer works.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.startswith("Bearer "):
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=ApiToken.digest(header[7:].strip()))
                .first()
            )
            if token is None or not token.is_usable or not token.user.is_active:
                return JsonResponse(
                    {"type": "https://czesg.org/problems/token_invalid", "title": "token invalid",
                     "status": 401, "code": "token_invalid",
                     "detail": gettext("The API token is unknown, revoked or expired.")},
                    status=401, content_type="application/problem+json",
                )
            request.user = token.user
            request.api_token = token
            request._dont_enforce_csrf_checks = True  # a bearer token is not a browser cookie
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return self.get_response(request)
