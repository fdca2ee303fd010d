"""Downloads of a published disclosure's report: PDF, content-index CSV, inline XBRL, xBRL-JSON
and the czesg taxonomy package."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from czesg.disclosures.models import Disclosure
from czesg.esgreport import rendering, xbrl
from czesg.esgreport.contents import require_published
from czesg.reports.downloads import pdf_download
from czesg.web.ratelimit import costs


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
