"""The download responses of the pages' exports: which formats exist and how each is sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from czesg.reports.pdf import render_pdf

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "pdf")


def export_format(fmt: str) -> str:
    """The requested export format (not found unless it is one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise Http404
    return fmt


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    """An Excel download."""
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def pdf_download(data: bytes, name: str) -> HttpResponse:
    """A PDF download of rendered bytes."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def pdf_response(template: str, context: dict[str, Any], name: str,
                 request: HttpRequest | None = None) -> HttpResponse:
    """A PDF download of a print template."""
    return pdf_download(render_pdf(template, context, request), name)


def export_response(request: HttpRequest, fmt: str, name: str, *, workbook: Callable[[], bytes],
                    pdf_template: str, context: dict[str, Any]) -> HttpResponse:
    """A page's export in a checked format: its Excel workbook, or its print template as a PDF."""
    if fmt == "xlsx":
        return xlsx_response(workbook(), name)
    return pdf_response(pdf_template, context, name, request)
