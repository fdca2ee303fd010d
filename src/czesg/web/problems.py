"""The one place where domain refusals and their itemised problems become HTTP statuses, translated
sentences and RFC 7807 problem documents. It imports no app: an app whose refusals carry itemised
problems registers how to list them (:func:`register_problem_items`) when it is loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import JsonResponse
from django.utils.translation import get_language, gettext

from czesg.engine.kernel import errors
from czesg.engine.kernel.bilingual import localized
from czesg.engine.kernel.problems import Problem, fill

# Per refusal code: how to turn a refusal's itemised problems into JSON items (with their text).
ProblemItems = Callable[[errors.CzesgError], list[dict[str, Any]]]
_PROBLEM_ITEMS: dict[str, ProblemItems] = {}


def register_problem_items(code: str, items: ProblemItems) -> None:
    """Let an app list the itemised problems of its refusals with ``code`` in problem documents."""
    _PROBLEM_ITEMS[code] = items


def status_of(exc: errors.CzesgError) -> int:
    """The HTTP status a refusal answers with, as its kind declares (``http_status``)."""
    return exc.http_status


def user_message(exc: errors.CzesgError) -> str:
    """The refusal as a sentence in the active language, its parameters filled in."""
    template = gettext(exc.message)
    try:
        return template % localized(exc.params, get_language() or "zh-hans")
    except (KeyError, TypeError, ValueError):
        return exc.render()


def problem_text(item: Problem) -> str:
    """An itemised problem's sentence in the active language, its parameters filled in."""
    return fill(gettext(item.message), localized(dict(item.params), get_language() or "zh-hans"))


def problem(exc: errors.CzesgError, instance: str = "") -> dict[str, Any]:
    """An RFC 7807 problem document for a refusal."""
    body: dict[str, Any] = {
        "type": f"https://czesg.org/problems/{exc.code}",
        "title": exc.code.replace("_", " "),
        "status": status_of(exc),
        "detail": user_message(exc),
        "code": exc.code,
    }
    if instance:
        body["instance"] = instance
    field = exc.params.get("field")
    if field:
        body["field"] = field
    items = _PROBLEM_ITEMS.get(exc.code)
    if items is not None and getattr(exc, "problems", None):
        body["problems"] = items(exc)
    return body


def problem_response(code: str, status: int, detail: str, instance: str = "",
                     **extra: Any) -> JsonResponse:
    """An RFC 7807 problem document for a refusal that is no domain error (a malformed or
    too large request, a failed CSRF check), as an ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": f"https://czesg.org/problems/{code}", "title": code.replace("_", " "),
        "status": status, "detail": detail, "code": code, **extra,
    }
    if instance:
        body["instance"] = instance
    return JsonResponse(body, status=status, content_type="application/problem+json")
