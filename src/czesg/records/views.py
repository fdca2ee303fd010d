"""The government records page: import a CSV of records and see the latest imported."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from czesg.accounts.permissions import require_government
from czesg.engine import rating as engine
from czesg.engine.kernel.errors import CzesgError
from czesg.records import actions
from czesg.records.models import GovernmentRecord
from czesg.web.problems import problem_text, user_message


@login_required
def records(request: HttpRequest) -> HttpResponse:
    """Import government records from a CSV file (government and platform administrators)."""
    require_government(request.user)
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = gettext("Choose a CSV file.")
        else:
            try:
                result = actions.import_records_csv(
                    upload.read(), actor=request.user, source=request.POST.get("source", ""))
            except CzesgError as exc:
                error = user_message(exc)
    recent = GovernmentRecord.objects.select_related("enterprise").order_by("-imported_at", "-id")
    return render(request, "records/import.html", {
        "result": result, "error": error, "recent": recent[:50],
        "problems": [{"row": p.row, "column": p.column, "uscc": p.uscc,
                      "message": problem_text(p)}
                     for p in (result.problems if result else [])],
        "kinds": [(k.value, k.label) for k in actions.RecordKind],
        "certifications": actions.CERTIFICATIONS,
        "grades": engine.TAX_CREDIT_GRADES, "colours": engine.ENV_CREDIT_COLOURS,
    })
