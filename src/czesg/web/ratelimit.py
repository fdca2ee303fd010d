"""Cost-based rate limits: every request spends from its client's budget per time window.

A client is the signed-in user (a session or a bearer token), or the address of an anonymous
caller. Each request costs 1; a view or API operation that does more work declares its cost
next to its route with :func:`costs` (a number, or a function of the request such as the page
size asked for), and the extra is charged when it runs. When a request would overspend, it is
refused with 429 and ``Retry-After`` (the seconds to the next window): an RFC 7807 problem
document under ``/api/``, a translated page elsewhere. A refused request spends nothing.

The budgets and the window are settings (``CZESG_RATE_BUDGET_ANON``, ``CZESG_RATE_BUDGET_USER``,
``CZESG_RATE_WINDOW_S``; see settings.py for the reasoning); they are counted in Django's
cache, that is per server process with the default local-memory cache.
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from czesg.web.problems import problem_title

Cost = int | Callable[[HttpRequest], int]


class RateLimited(Exception):
    """The client's budget for this window cannot pay for the request."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"rate limited for {wait} s")
        self.wait = wait


def _client(request: HttpRequest) -> tuple[str, int | None]:
    """The client's key and its budget per window (None: unlimited)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", settings.CZESG_RATE_BUDGET_USER
    return f"addr:{request.META.get('REMOTE_ADDR', '')}", settings.CZESG_RATE_BUDGET_ANON


def charge(request: HttpRequest, cost: int) -> None:
    """Spend ``cost`` from the client's budget, or raise :class:`RateLimited` spending nothing."""
    key, budget = _client(request)
    if budget is None or cost <= 0:
        return
    window = settings.CZESG_RATE_WINDOW_S
    now = time.time()
    index = int(now // window)
    slot = f"czesg-rate:{key}:{index}"
    cache.add(slot, 0, timeout=window + 1)
    try:
        spent = cache.incr(slot, cost)
    except ValueError:  # expired between add and incr
        cache.set(slot, cost, timeout=window + 1)
        spent = cost
    if spent > budget:
        cache.decr(slot, cost)
        raise RateLimited(wait=max(1, math.ceil((index + 1) * window - now)))


def refund(request: HttpRequest, cost: int) -> None:
    """Give ``cost`` back to the client's budget for this window."""
    key, budget = _client(request)
    if budget is None or cost <= 0:
        return
    slot = f"czesg-rate:{key}:{int(time.time() // settings.CZESG_RATE_WINDOW_S)}"
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(slot, cost)


def costs(cost: Cost) -> Callable:
    """Declare what a view or API operation costs (the request's base cost of 1 included)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def charged(request: HttpRequest, *args, **kwargs):
            amount = cost(request) if callable(cost) else cost
            try:
                charge(request, amount - 1)
            except RateLimited:
                refund(request, 1)  # the base unit the middleware charged: a refusal is free
                raise
            return view(request, *args, **kwargs)

        charged.czesg_cost = cost  # type: ignore[attr-defined]
        return charged

    return decorate


def per_rows(rows_per_unit: int, default: int, parameter: str = "page_size") -> Callable:
    """A cost of one unit per ``rows_per_unit`` rows asked for (``default`` when not asked)."""

    def cost(request: HttpRequest) -> int:
        asked = request.GET.get(parameter, "")
        rows = int(asked) if asked.isdigit() else default
        return max(1, math.ceil(min(rows, 1_000_000) / rows_per_unit))

    return cost


def refusal(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The 429 answer: a problem document for the API, a translated page elsewhere."""
    detail = gettext("Too many requests; try again in %(seconds)s seconds.") % {"seconds": exc.wait}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({
            "type": "https://czesg.org/problems/rate_limited", "title": problem_title(429),
            "status": 429, "code": "rate_limited", "instance": request.path, "detail": detail,
            "retry_after": exc.wait,
        }, status=429, content_type="application/problem+json")
    else:
        response = render(request, "errors/rate_limited.html", {"message": detail}, status=429)
    response["Retry-After"] = str(exc.wait)
    return response


class CostLimitMiddleware:
    """Charge every request its base cost of 1 and answer refusals (from here or from a view's
    declared cost) with 429."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            charge(request, 1)
        except RateLimited as exc:
            return refusal(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer a refusal raised by a view's declared cost."""
        return refusal(request, exception) if isinstance(exception, RateLimited) else None
