"""The API's exception handlers: every refusal, invalid request and missing authentication is
answered with an RFC 7807 problem document (a request over its rate budget is refused by
:mod:`czesg.web.ratelimit`, which answers alike)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_noop
from ninja import NinjaAPI
from ninja import errors as ninja_errors

from czesg.engine.kernel.errors import CzesgError
from czesg.web.problems import problem, problem_title, status_of

_CSRF_DETAIL = gettext_noop("The CSRF check failed: send the csrftoken cookie's value in the "
                            "X-CSRFToken header, or use an API token.")
_HTTP_ERRORS = {
    400: ("request_unparsable", gettext_noop("The request body could not be read as JSON.")),
    403: ("permission_denied", gettext_noop("You do not have permission to do this.")),
    405: ("method_not_allowed", gettext_noop("This method is not allowed here.")),
}


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make ``api`` answer its errors with problem documents (``application/problem+json``)."""

    def respond(request: HttpRequest, body: dict, status: int):
        response = api.create_response(request, body, status=status)
        response["Content-Type"] = "application/problem+json"
        return response

    @api.exception_handler(ninja_errors.ValidationError)
    def _invalid_request(request: HttpRequest, exc: ninja_errors.ValidationError):
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body",
             "location": str(e.get("loc", ("",))[0]), "message": e.get("msg", "")}
            for e in exc.errors
        ]
        first = errors[0] if errors else {"field": "", "message": ""}
        return respond(request, {
            "type": "https://czesg.org/problems/request_invalid", "title": problem_title(422),
            "status": 422, "code": "request_invalid", "instance": request.path,
            "detail": gettext("The request is invalid: %(field)s: %(message)s")
            % {"field": first["field"], "message": first["message"]},
            "field": first["field"], "errors": errors,
        }, 422)

    @api.exception_handler(ninja_errors.AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc):
        return respond(request, {
            "type": "https://czesg.org/problems/not_authenticated", "title": problem_title(401),
            "status": 401, "code": "not_authenticated", "instance": request.path,
            "detail": gettext("Sign in, or send an API token with the needed scope."),
        }, 401)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc):
        return respond(request, {
            "type": "https://czesg.org/problems/not_found", "title": problem_title(404),
            "status": 404, "code": "not_found", "instance": request.path,
            "detail": gettext("Nothing was found at this address."),
        }, 404)

    @api.exception_handler(ninja_errors.HttpError)
    def _http_error(request: HttpRequest, exc: ninja_errors.HttpError):
        # What django-ninja itself refuses: a body that is no JSON (400), a session write
        # without its CSRF token (403).
        code, detail = _HTTP_ERRORS.get(exc.status_code, ("request_refused", ""))
        if exc.status_code == 403 and "csrf" in str(exc).lower():
            code, detail = "csrf_failed", _CSRF_DETAIL
        return respond(request, {
            "type": f"https://czesg.org/problems/{code}", "title": problem_title(exc.status_code),
            "status": exc.status_code, "code": code, "instance": request.path,
            "detail": gettext(detail) if detail else gettext("The request was refused."),
        }, exc.status_code)

    @api.exception_handler(CzesgError)
    def _refusal(request: HttpRequest, exc: CzesgError):
        return respond(request, problem(exc, instance=request.path), status_of(exc))
