"""A bank's own reporting pages: the portfolio temperature of its loan book and its
environmental disclosure (JR/T 0227-2021) as PDF and Excel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.finance import disclosure_report, temperature
from czesg.finance.models import LoanBook
from czesg.web.language import language


def _book(request: HttpRequest) -> tuple[list[LoanBook], LoanBook | None]:
    """The bank's books and the one asked for (``?year=``; the latest otherwise)."""
    if request.user.role != Role.BANK:
        raise Http404
    books = list(LoanBook.objects.filter(bank=request.user).order_by("-year"))
    chosen = next((b for b in books if str(b.year) == request.GET.get("year")),
                  books[0] if books else None)
    return books, chosen


@login_required
def portfolio_temperature(request: HttpRequest) -> HttpResponse:
    """The portfolio temperature of the bank's loan book by the CDP-WWF method, per time frame
    and scope, by the aggregation option chosen (``?aggregation=``; WATS by default)."""
    books, book = _book(request)
    aggregation = request.GET.get("aggregation", "WATS")
    if aggregation not in temperature.OFFERED:
        aggregation = "WATS"
    context: dict = {"books": books, "book": book, "aggregation": aggregation,
                     "options": temperature.OFFERED}
    if book is not None:
        result = temperature.book_temperature(book, request.user)
        lang = language()
        names = {f.key: f.name(lang) for f in result.method.time_frames}
        context |= {"result": result, "method_title": result.method.title(lang),
                    "rows": [r | {"time_frame_name": names[r["time_frame"]]}
                             for r in result.rows(aggregation)]}
    return render(request, "finance/portfolio_temperature.html", context)


def _disclosure(request: HttpRequest):
    """The bank's disclosure of the year asked for (``?year=``; the latest book's year, else
    the current year) in the language asked for (``?lang=en``; Chinese otherwise)."""
    _books, book = _book(request)
    try:
        year = int(request.GET.get("year") or (book.year if book else timezone.localdate().year))
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    lang = disclosure_report.disclosure_language(request.GET.get("lang"))
    return disclosure_report.gather(request.user, year, lang)


@login_required
def disclosure_pdf(request: HttpRequest) -> HttpResponse:
    """The bank's environmental disclosure (JR/T 0227-2021 sections the platform fills) as PDF."""
    report = _disclosure(request)
    response = HttpResponse(disclosure_report.disclosure_pdf(report),
                            content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{disclosure_report.disclosure_name(report)}.pdf"')
    return response


@login_required
def disclosure_xlsx(request: HttpRequest) -> HttpResponse:
    """The same disclosure as an Excel workbook."""
    report = _disclosure(request)
    response = HttpResponse(
        disclosure_report.disclosure_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="{disclosure_report.disclosure_name(report)}.xlsx"')
    return response
