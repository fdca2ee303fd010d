"""The one place where domain refusals become HTTP statuses and translated sentences."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from czesg.engine.kernel import errors

STATUS: dict[type[errors.CzesgError], int] = {
    errors.PermissionRefused: 403,
    errors.NotFound: 404,
    errors.StateConflict: 409,
    errors.ValidationFailed: 422,
    errors.UnitError: 422,
    errors.IdentifierError: 422,
    errors.CatalogueError: 422,
    errors.DataFileError: 422,
}


# Kinds defined outside the engine's hierarchy module, by their stable code.
STATUS_BY_CODE = {"carbon_input_invalid": 422, "upload_invalid": 422, "registry_invalid": 422}


def status_of(exc: errors.CzesgError) -> int:
    """The HTTP status for a refusal (400 for any kind not listed)."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return STATUS_BY_CODE.get(exc.code, 400)


def user_message(exc: errors.CzesgError) -> str:
    """The refusal as a sentence in the active language, its parameters filled in."""
    template = gettext(exc.message)
    try:
        return template % exc.params
    except (KeyError, TypeError, ValueError):
        return exc.render()


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
    problems = getattr(exc, "problems", None)
    if problems and exc.code == "carbon_input_invalid":
        from czesg.carbon.display import problem_text

        body["problems"] = [{**p.as_dict(), "text": problem_text(p, gettext)} for p in problems]
    return body
