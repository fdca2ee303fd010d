"""Turns a domain refusal raised anywhere under a page into a translated error page."""

from django.http import JsonResponse
from django.shortcuts import render

from czesg.engine.kernel.errors import CzesgError
from czesg.web.problems import problem, status_of, user_message


class RefusalMiddleware:
    """Render :class:`CzesgError` as a page (or problem JSON for API paths) with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CzesgError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                problem(exception, request.path), status=status_of(exception),
                content_type="application/problem+json",
            )
        return render(
            request, "errors/refused.html", {"message": user_message(exception)},
            status=status_of(exception),
        )
