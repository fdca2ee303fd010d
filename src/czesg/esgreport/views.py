"""Downloads of a published disclosure's report: PDF, content-index CSV, inline XBRL, xBRL-JSON
and the czesg taxonomy package; the page that imports an XBRL report into a draft."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext

from czesg.accounts.permissions import is_government
from czesg.disclosures.models import Disclosure
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.kernel.units import label
from czesg.esgreport import rendering, xbrl
from czesg.esgreport.actions import check_fits, import_xbrl
from czesg.esgreport.contents import require_published
from czesg.esgreport.reading import Reading, read_report
from czesg.esgreport.records_import import import_xbrl_records
from czesg.reports.downloads import pdf_download
from czesg.web.problems import user_message
from czesg.web.ratelimit import costs

IMPORT_MAX_BYTES = 20 * 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _published(request: HttpRequest, pk: int) -> Disclosure:
    """The disclosure if the reader may see it (else not found), refused unless published."""
    disclosure = (Disclosure.objects.visible_to(request.user).select_related("enterprise")
                  .filter(pk=pk).first())
    if disclosure is None:
        raise Http404
    require_published(disclosure)
    return disclosure


@costs(30)  # seconds of WeasyPrint layout and font subsetting: at most 10 a minute anonymously
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The ESG report as PDF, in Chinese or (``?lang=en``) English."""
    disclosure = _published(request, pk)
    lang = rendering.report_language(request.GET.get("lang"))
    return pdf_download(rendering.report_pdf(disclosure, lang),
                        rendering.report_name(disclosure, lang))


@costs(2)  # the catalogue's crosswalk against one disclosure
def content_index(request: HttpRequest, pk: int) -> HttpResponse:
    """The content indexes as CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese)."""
    disclosure = _published(request, pk)
    lang = rendering.report_language(request.GET.get("lang"))
    response = HttpResponse("\ufeff" + rendering.content_index_csv(disclosure, lang),
                            content_type="text/csv; charset=utf-8")
    name = rendering.report_name(disclosure, lang).replace("-esg-", "-index-")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@costs(3)  # one disclosure's facts written as XHTML
def ixbrl(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as an inline-XBRL XHTML document (Chinese, or English with ``?lang=en``)."""
    disclosure = _published(request, pk)
    lang = rendering.report_language(request.GET.get("lang"))
    response = HttpResponse(xbrl.ixbrl_for(disclosure, lang), content_type=xbrl.IXBRL_TYPE)
    name = rendering.report_name(disclosure, lang)
    response["Content-Disposition"] = f'attachment; filename="{name}.xhtml"'
    return response


@costs(3)  # one disclosure's facts written as JSON
def xbrl_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's facts as xBRL-JSON."""
    disclosure = _published(request, pk)
    lang = rendering.report_language(request.GET.get("lang"))
    response = HttpResponse(xbrl.json_for(disclosure, lang), content_type=xbrl.JSON_TYPE)
    name = rendering.report_name(disclosure, lang)
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


def taxonomy_package(request: HttpRequest) -> HttpResponse:
    """The czesg taxonomy package (the concepts every czesg XBRL report refers to)."""
    response = HttpResponse(xbrl.taxonomy_package(), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="czesg-taxonomy-{xbrl.taxonomy().version}.zip"')
    return response


def _staging() -> Path:
    """Where an uploaded report waits for its confirmation, named by its SHA-256."""
    folder = Path(settings.VAR_DIR) / "xbrl-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _preview(reading: Reading) -> list[dict]:
    """The facts mapped to indicators, as the preview lists them."""
    catalogue = load_catalogue()
    lang = get_language() or "zh-hans"
    rows = []
    for fact in reading.facts:
        indicator = catalogue.get(fact.code)
        rows.append({"code": fact.code, "fact": fact.fact_id, "entity": fact.entity,
                     "year": fact.year,
                     "name": indicator.name_en if lang.startswith("en") else indicator.name_zh,
                     "value": fact.value, "unit": label(fact.unit, lang) if fact.unit else ""})
    return rows


@login_required
@costs(10)  # Arelle loads and validates an inline document in a separate process
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Import an xBRL-JSON or inline-XBRL report into a draft: upload, preview of the facts
    mapped to indicators (and those left aside), confirm."""
    disclosure = (Disclosure.objects.editable_by(request.user).select_related("enterprise")
                  .filter(pk=pk).first())
    if disclosure is None:
        raise Http404
    context: dict = {"disclosure": disclosure, "error": "", "rows": [], "reading": None,
                     "status": 200}
    if request.method == "POST" and request.POST.get("confirm"):
        staged, name = _confirmed(request, context)
        if staged is not None:
            try:
                points = import_xbrl(disclosure, staged.read_bytes(), name=name,
                                     actor=request.user)
            except CzesgError as exc:
                context["error"], context["status"] = user_message(exc), exc.http_status
            else:
                staged.unlink(missing_ok=True)
                messages.success(request, gettext("%(n)s values were imported from the file.")
                                 % {"n": len(points)})
                return redirect("disclosures:edit", pk=pk)
    elif request.method == "POST":
        _uploaded(request, context, check=lambda reading: check_fits(disclosure, reading))
    return render(request, "esgreport/import.html", context, status=context["status"])


def _uploaded(request: HttpRequest, context: dict,
              check: Callable[[Reading], None] | None = None) -> Reading | None:
    """The uploaded report read, checked by ``check`` and kept under its SHA-256 until it is
    confirmed; or None with the error and status set in ``context``."""
    sent = request.FILES.get("file")
    if sent is None:
        context["error"], context["status"] = gettext("Choose a file to upload."), 400
        return None
    if sent.size > IMPORT_MAX_BYTES:
        context["error"] = gettext("The file is larger than %(limit)s MB.") % {
            "limit": IMPORT_MAX_BYTES // 2**20}
        context["status"] = 413
        return None
    data = sent.read()
    try:
        reading = read_report(data)
        if check is not None:
            check(reading)
    except CzesgError as exc:
        context["error"], context["status"] = user_message(exc), exc.http_status
        return None
    (_staging() / reading.sha256).write_bytes(data)
    context["reading"], context["rows"] = reading, _preview(reading)
    context["name"] = sent.name[:200]
    return reading


def _confirmed(request: HttpRequest, context: dict) -> tuple[Path | None, str]:
    """The staged file that the preview's confirm names, and its name; (None, "") with a 409
    message in ``context`` when it is gone (or the digest is no digest)."""
    digest = request.POST["confirm"]
    staged = _staging() / digest if _DIGEST.fullmatch(digest) else None
    if staged is None or not staged.exists():
        context["error"] = gettext("The uploaded file is no longer here; upload it again.")
        context["status"] = 409
        return None, ""
    return staged, request.POST.get("name", "")[:200] or "report"


@login_required
@costs(10)  # Arelle loads and validates an inline document in a separate process
def import_records(request: HttpRequest) -> HttpResponse:
    """Import an XBRL report's figures into the records (government users): upload, preview of
    the facts mapped to indicators and the enterprises they are about, confirm."""
    if not is_government(request.user):
        raise Http404
    context: dict = {"disclosure": None, "error": "", "rows": [], "reading": None,
                     "status": 200}
    if request.method == "POST" and request.POST.get("confirm"):
        staged, name = _confirmed(request, context)
        if staged is not None:
            try:
                summary = import_xbrl_records(staged.read_bytes(), name, actor=request.user)
            except CzesgError as exc:
                context["error"], context["status"] = user_message(exc), exc.http_status
            else:
                staged.unlink(missing_ok=True)
                messages.success(request, gettext(
                    "Records imported: %(added)s added, %(changed)s changed, %(unchanged)s "
                    "unchanged.") % {"added": summary.added, "changed": summary.changed,
                                     "unchanged": summary.unchanged})
                return redirect("records:import_detail", pk=summary.import_id)
    elif request.method == "POST":
        _uploaded(request, context)
    return render(request, "esgreport/import.html", context, status=context["status"])
