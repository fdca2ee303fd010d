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
from czesg.web.display import localise_params

# A problem document's ``title`` (RFC 7807: a short summary of the problem type, localised) by
# HTTP status, in the reader's language; the stable ``code`` beside it is for programs.
_TITLES: dict[int, str] = {
    400: errors.gettext_noop("Bad request"),
    401: errors.gettext_noop("Sign-in required"),
    403: errors.gettext_noop("Not permitted"),
    404: errors.gettext_noop("Not found"),
    405: errors.gettext_noop("Method not allowed"),
    409: errors.gettext_noop("Not possible in the current state"),
    413: errors.gettext_noop("Request too large"),
    415: errors.gettext_noop("Unsupported file type"),
    422: errors.gettext_noop("Input not accepted"),
    429: errors.gettext_noop("Too many requests"),
    500: errors.gettext_noop("Server error"),
}


def problem_title(status: int) -> str:
    """The title of a problem document with HTTP ``status``, in the active language."""
    return gettext(_TITLES.get(status, _TITLES[500 if status >= 500 else 400]))


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
        return template % localise_params(localized(exc.params, get_language() or "zh-hans"))
    except (KeyError, TypeError, ValueError):
        return exc.render()


def problem_text(item: Problem) -> str:
    """An itemised problem's sentence in the active language, its parameters filled in."""
    return fill(gettext(item.message),
                localise_params(localized(dict(item.params), get_language() or "zh-hans")))


def problem(exc: errors.CzesgError, instance: str = "") -> dict[str, Any]:
    """An RFC 7807 problem document for a refusal."""
    body: dict[str, Any] = {
        "type": f"https://czesg.org/problems/{exc.code}",
        "title": problem_title(status_of(exc)),
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
        "type": f"https://czesg.org/problems/{code}", "title": problem_title(status),
        "status": status, "detail": detail, "code": code, **extra,
    }
    if instance:
        body["instance"] = instance
    return JsonResponse(body, status=status, content_type="application/problem+json")
