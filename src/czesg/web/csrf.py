"""The answer to a failed CSRF check (``CSRF_FAILURE_VIEW``): a problem document for the API, a
translated page that says what to do for everybody else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from czesg.web.problems import problem_response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Refuse a write whose CSRF token is missing or wrong, with 403."""
    if request.path.startswith("/api/"):
        return problem_response(
            "csrf_failed", 403,
            gettext("The CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken "
                    "header, or use an API token."),
            request.path,
        )
    return render(request, "errors/refused.html", {
        "message": gettext("The form has expired or did not come from this site. Go back, "
                           "reload the page and send it again."),
    }, status=403)
