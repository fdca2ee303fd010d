"""PDF reports (WeasyPrint): a page's HTML print template rendered with the Noto Sans CJK fonts
(Debian's fonts-noto-cjk) so that Chinese names print. Print templates extend
``reports/pdf_base.html`` (A4 landscape, page numbers, the platform's footer)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF; ``base_url`` resolves its relative links, if any."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None
               ) -> bytes:
    """Render a print template to PDF."""
    return html_to_pdf(render_to_string(template, context, request=request))
