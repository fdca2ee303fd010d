"""Request guards in front of every page and endpoint: a request body larger than the platform
accepts is answered with 413, and a NUL character in the path, the query string or a submitted
form or JSON field with 422 (API) or 400 (pages), before any view or database sees it.
PostgreSQL text cannot hold a NUL, so without this guard such a value would end in a server error
wherever it reached a query; the guard answers it in one place for every app."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext

from czesg.web.problems import problem_response

# Bodies whose every byte is a submitted value (a multipart body is checked field by field).
_FORM = "application/x-www-form-urlencoded"
_JSON_TYPES = ("application/json", "application/problem+json", "application/merge-patch+json")


def _refuse(request: HttpRequest, *, code: str, status: int, page_status: int,
            message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(code, status, message, request.path)
    return render(request, "errors/refused.html", {"message": message}, status=page_status)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query string or a submitted value holds a NUL character."""
    if "\x00" in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    if query and b"\x00" in unquote_to_bytes(query.replace("+", " ")):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = (request.content_type or "").lower()
    if content_type == _FORM:
        return b"\x00" in unquote_to_bytes(request.body.replace(b"+", b" "))
    if content_type in _JSON_TYPES:
        # In JSON a NUL is written as the escape \u0000 (a raw one makes the body unparsable,
        # which the API answers as such).
        return b"\\u0000" in request.body
    if content_type == "multipart/form-data":
        # The form's text fields only: an uploaded file may well contain NUL bytes.
        return any("\x00" in key or any("\x00" in v for v in request.POST.getlist(key))
                   for key in request.POST)
    return False


class RequestGuardMiddleware:
    """Refuse a too large body (413) and a NUL character in any submitted text (422/400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        content_type = (request.content_type or "").lower()
        limit = (settings.CZESG_MAX_REQUEST_BYTES if content_type == "multipart/form-data"
                 else settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if limit is not None and length > limit:
            message = gettext("The request is larger than %(limit)s MB; nothing was saved.") % {
                "limit": _megabytes(limit)}
            return _refuse(request, code="request_too_large", status=413, page_status=413,
                           message=message)
        try:
            has_nul = _has_nul(request)
        except MultiPartParserError:
            message = gettext("The form could not be read; nothing was saved.")
            return _refuse(request, code="request_unparsable", status=400, page_status=400,
                           message=message)
        if has_nul:
            message = gettext("The request contains a NUL character, which no field may hold.")
            return _refuse(request, code="request_invalid", status=422, page_status=400,
                           message=message)
        return self.get_response(request)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.3g}"
