"""The report's files: the PDF (WeasyPrint, Noto CJK) and the content indexes as CSV, each in
the language asked for."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from czesg.disclosures.models import Disclosure
from czesg.esgreport.contents import Report, report_for
from czesg.esgreport.indexes import indexes_csv
from czesg.reports.pdf import html_to_pdf

LANGUAGES = ("zh-hans", "en")


def report_language(raw: str | None, default: str = "zh-hans") -> str:
    """The report language from a request or command (Chinese unless English is asked for)."""
    text = (raw or default).lower()
    return "en" if text.startswith("en") else "zh-hans"


def gathered(disclosure: Disclosure, lang: str) -> Report:
    """The report's contents with every label in ``lang``."""
    with translation.override(lang):
        return report_for(disclosure, lang)


def report_html(report: Report) -> str:
    """The print HTML of a gathered report."""
    with translation.override(report.lang):
        return render_to_string("esgreport/report_pdf.html", {"report": report})


def report_pdf(disclosure: Disclosure, lang: str = "zh-hans") -> bytes:
    """A published disclosure's ESG report as PDF (refused for any other state)."""
    return html_to_pdf(report_html(gathered(disclosure, lang)))


def report_name(disclosure: Disclosure, lang: str) -> str:
    """The download name of a report file, without its extension."""
    suffix = "en" if lang == "en" else "zh"
    return f"czesg-esg-{disclosure.enterprise.uscc}-{disclosure.year}-v{disclosure.version}-{suffix}"


def content_index_csv(disclosure: Disclosure, lang: str = "zh-hans") -> str:
    """The disclosure's content indexes as CSV."""
    return indexes_csv(gathered(disclosure, lang).indexes)
