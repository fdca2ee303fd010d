"""A bank's environmental disclosure after JR/T 0227-2021: the sections the platform can fill
(green loan balance and share by product kind and catalogue category, financed emissions and
their data quality, facility loans with their expected reductions, exposure to carbon-intensive
industries), gathered once and written as PDF (WeasyPrint, Noto CJK; Chinese first, English on
request) and as an Excel workbook (the project's one export function)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.finance.eligibility import load_purposes
from czesg.engine.kernel.provenance import Confidence, Provenance
from czesg.finance import loanbook
from czesg.finance.models import (
    ExpectedReduction,
    FinancingRequest,
    LoanBook,
    ProductKind,
    Recipient,
    RecipientState,
    RequestState,
)
from czesg.reports.pdf import html_to_pdf
from czesg.reports.workbooks import Sheet, about_rows, workbook

WAN = Decimal(10_000)


@dataclass(frozen=True)
class Section:
    """A section of the disclosure: its key, the standard's clause and titles."""

    key: str
    clause: str
    title_zh: str
    title_en: str
    provenance: Provenance

    def title(self, lang: str) -> str:
        """The title in the language (Chinese unless English is asked for)."""
        return self.title_en if lang.startswith("en") else self.title_zh


@dataclass(frozen=True)
class Industry:
    """A carbon-intensive industry and the GB/T 4754 prefixes that fall under it."""

    key: str
    name_zh: str
    name_en: str
    prefixes: tuple[str, ...]

    def name(self, lang: str) -> str:
        """The name in the language (Chinese unless English is asked for)."""
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass(frozen=True)
class Layout:
    """The standard, its sections the platform fills, and the carbon-intensive industries."""

    standard_zh: str
    standard_en: str
    provenance: Provenance
    sections: dict[str, Section]
    industries: tuple[Industry, ...]

    def standard(self, lang: str) -> str:
        """The standard's name in the language."""
        return self.standard_en if lang.startswith("en") else self.standard_zh


@lru_cache(maxsize=1)
def load_disclosure_layout() -> Layout:
    """Read and check ``data/finance/jrt0227-2021.toml`` (cached)."""
    name = "finance/jrt0227-2021.toml"
    root = parse_toml(read_data_file(Path(DATA_DIR) / name, name), name,
                      confidences=[c.value for c in Confidence])
    seen = FirstSeen()
    sections = {}
    for row in root.array("section"):
        seen.claim(row, "key", row.key())
        sections[row.key()] = Section(row.key(), row.text("clause"), row.text("title_zh"),
                                      row.text("title_en"), row.provenance())
    missing = {"green_loans", "financed_emissions", "reductions", "carbon_intensive"} - set(
        sections)
    if missing:
        root.fail("section", "missing " + ", ".join(sorted(missing)))
    industries = []
    for row in root.array("industry"):
        seen.claim(row, "key", "industry:" + row.key())
        row.provenance()
        industries.append(Industry(row.key(), row.text("name_zh"), row.text("name_en"),
                                   row.texts("gbt4754")))
    return Layout(root.text("standard_zh"), root.text("standard_en"), root.provenance(),
                  sections, tuple(industries))


@dataclass
class Disclosure:
    """What the platform can fill of a bank's disclosure for a year, in one language."""

    bank: Any
    year: int
    lang: str
    layout: Layout
    made_at: dt.datetime
    book: LoanBook | None
    green_balance: Decimal = Decimal(0)  # 万元
    green_count: int = 0
    book_outstanding: Decimal | None = None  # 万元
    by_kind: list[tuple[str, int, Decimal]] = field(default_factory=list)
    by_category: list[tuple[str, int, Decimal]] = field(default_factory=list)
    financed: Any = None  # pcaf.Portfolio
    by_quality: list[tuple[str, int, float, float]] = field(default_factory=list)
    reductions: list[dict[str, Any]] = field(default_factory=list)
    intensive: list[tuple[str, int, Decimal]] = field(default_factory=list)

    @property
    def green_share(self) -> float | None:
        """The green loan balance as a share of the book's outstanding amount."""
        if not self.book_outstanding:
            return None
        return float(self.green_balance / self.book_outstanding)

    def share_of(self, amount: Decimal) -> float | None:
        """An amount (万元) as a share of the book's outstanding amount."""
        if not self.book_outstanding:
            return None
        return float(amount / self.book_outstanding)

    @property
    def intensive_total(self) -> Decimal:
        """The outstanding amount lent to carbon-intensive industries (万元)."""
        return sum((amount for _n, _c, amount in self.intensive), Decimal(0))

    @property
    def intensive_share(self) -> float | None:
        """That amount as a share of the book's outstanding amount."""
        if not self.book_outstanding:
            return None
        return float(self.intensive_total / self.book_outstanding)

    @property
    def reduction_total(self) -> float:
        """The expected annual reduction of the facility loans (tCO2e)."""
        return sum(r["reduction"] for r in self.reductions)

    def section(self, key: str) -> Section:
        """A section of the layout."""
        return self.layout.sections[key]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def green_loans(bank, year: int) -> list[tuple[Recipient, FinancingRequest]]:
    """The loans the bank granted through the platform that were outstanding at the end of the
    year: granted on or before 31 December and their term not run out by then."""
    end = dt.date(year, 12, 31)
    found = []
    for recipient in (Recipient.objects.filter(
            bank=bank, state=RecipientState.ACCEPTED, request__state=RequestState.GRANTED,
            request__granted_on__lte=end)
            .select_related("request", "request__enterprise", "product").order_by("request_id")):
        request = recipient.request
        if _add_months(request.granted_on, request.term_months) > end:
            found.append((recipient, request))
    return found


def gather(bank, year: int, lang: str = "zh-hans") -> Disclosure:
    """The bank's disclosure for the year: every section from the platform's records."""
    layout = load_disclosure_layout()
    book = LoanBook.objects.filter(bank=bank, year=year).first()
    report = Disclosure(bank=bank, year=year, lang=lang, layout=layout,
                        made_at=timezone.localtime(), book=book)
    with translation.override(lang):
        kinds = dict(ProductKind.choices)
        purposes = load_purposes()
        by_kind: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
        by_category: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
        loans = green_loans(bank, year)
        for recipient, request in loans:
            amount = request.granted_amount or Decimal(0)
            kind = str(kinds[recipient.product.kind]) if recipient.product else str(
                kinds[ProductKind.OTHER])
            purpose = purposes.get(request.purpose)
            category = purpose.name(lang) if purpose else request.purpose
            for table, key in ((by_kind, kind), (by_category, category)):
                table[key][0] += 1
                table[key][1] += amount
            report.green_balance += amount
        report.green_count = len(loans)
        report.by_kind = sorted(((k, n, a) for k, (n, a) in by_kind.items()),
                                key=lambda r: (-r[2], r[0]))
        report.by_category = sorted(((k, n, a) for k, (n, a) in by_category.items()),
                                    key=lambda r: (-r[2], r[0]))
        granted_ids = [request.pk for _r, request in loans]
        for reduction in (ExpectedReduction.objects.filter(request_id__in=granted_ids)
                          .select_related("request__enterprise").order_by("request_id")):
            request = reduction.request
            report.reductions.append({
                "request": request.pk, "enterprise": request.enterprise.display_name(lang),
                "uscc": request.enterprise.uscc, "amount": request.granted_amount,
                "granted_on": request.granted_on, "project": request.project,
                "reduction": reduction.reduction_tco2e, "factor_set": reduction.factor_set,
                "factor_year": reduction.year})
        if book is not None:
            _book_sections(report, book, layout, lang)
    return report


def _book_sections(report: Disclosure, book: LoanBook, layout: Layout, lang: str) -> None:
    """The sections read from the loan book: financed emissions and carbon-intensive exposure."""
    rows = list(book.exposures.values_list("enterprise__industry_code", "outstanding"))
    report.book_outstanding = sum((o for _i, o in rows), Decimal(0)) / WAN
    result, report.financed = loanbook.book_emissions(book, report.bank)
    by_quality: dict[Any, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for quality, outstanding, financed in result.select(
            "quality", "outstanding", "financed_tco2e").iter_rows():
        entry = by_quality[quality]
        entry[0] += 1
        entry[1] += outstanding or 0.0
        entry[2] += financed or 0.0
    report.by_quality = [(str(q) if q is not None else "—", n, o, f)
                         for q, (n, o, f) in sorted(by_quality.items(),
                                                    key=lambda kv: (kv[0] is None, kv[0] or 0))]
    intensive: dict[str, list] = {i.key: [0, Decimal(0)] for i in layout.industries}
    for code, outstanding in rows:
        for industry in layout.industries:
            if (code or "").startswith(industry.prefixes):
                intensive[industry.key][0] += 1
                intensive[industry.key][1] += outstanding / WAN
                break
    report.intensive = [(i.name(lang), *intensive[i.key]) for i in layout.industries
                        if intensive[i.key][0]]


def disclosure_language(raw: str | None) -> str:
    """The disclosure's language from a request (Chinese unless English is asked for)."""
    return "en" if (raw or "").lower().startswith("en") else "zh-hans"


def disclosure_name(report: Disclosure) -> str:
    """The download name without its extension."""
    suffix = "en" if report.lang == "en" else "zh"
    return f"czesg-jrt0227-{report.bank.username}-{report.year}-{suffix}"


def disclosure_pdf(report: Disclosure) -> bytes:
    """The disclosure as PDF in its language."""
    lang = report.lang
    sections = {key: {"clause": s.clause, "title": s.title(lang)}
                for key, s in report.layout.sections.items()}
    share, coverage = report.green_share, report.financed.coverage if report.financed else None
    context = {"r": report, "sections": sections, "standard": report.layout.standard(lang),
               "green_share_pct": share * 100 if share is not None else None,
               "coverage_pct": coverage * 100 if coverage is not None else None}
    with translation.override(lang):
        html = render_to_string("finance/bank_disclosure_pdf.html", context)
    return html_to_pdf(html)


def disclosure_xlsx(report: Disclosure) -> bytes:
    """The disclosure as an Excel workbook: one sheet per section, bilingual headers."""
    layout = report.layout

    def title(key: str) -> str:
        section = layout.sections[key]
        return f"{section.clause} {section.title(report.lang)}"

    share = report.green_share
    sheets = [
        Sheet("绿色贷款 Green loans", [("分类", "Breakdown"), ("类别", "Category"),
                                       ("笔数", "Loans"), ("余额（万元）", "Balance (10k CNY)"),
                                       ("占贷款余额比例", "Share of the loan book")],
              [("合计 Total", title("green_loans"), report.green_count, report.green_balance,
                share)]
              + [("产品类型 Product kind", kind, n, amount, report.share_of(amount))
                 for kind, n, amount in report.by_kind]
              + [("目录类别 Catalogue category", category, n, amount, report.share_of(amount))
                 for category, n, amount in report.by_category]),
        Sheet("投融资碳排放 Financed", [("数据质量评分", "Data-quality score"),
                                         ("敞口数", "Exposures"),
                                         ("未偿余额（元）", "Outstanding (CNY)"),
                                         ("投融资排放（tCO2e）", "Financed emissions (tCO2e)")],
              list(report.by_quality)),
        Sheet("碳减排 Reductions", [("申请编号", "Request"), ("企业", "Enterprise"),
                                    ("统一社会信用代码", "USCC"),
                                    ("贷款金额（万元）", "Loan (10k CNY)"),
                                    ("发放日期", "Granted on"), ("项目", "Project"),
                                    ("预计年减排量（tCO2e）", "Expected annual reduction (tCO2e)"),
                                    ("排放因子集", "Factor set")],
              [(r["request"], r["enterprise"], r["uscc"], r["amount"], r["granted_on"],
                r["project"], r["reduction"], r["factor_set"]) for r in report.reductions]),
        Sheet("碳密集行业 Carbon-intensive", [("行业", "Industry"), ("敞口数", "Exposures"),
                                             ("未偿余额（万元）", "Outstanding (10k CNY)"),
                                             ("占贷款余额比例", "Share of the loan book")],
              [(name, n, amount, report.share_of(amount))
               for name, n, amount in report.intensive]),
    ]
    financed = report.financed
    about = about_rows(
        "银行环境信息披露", "Bank environmental disclosure",
        ("标准", "Standard", layout.standard(report.lang)),
        ("条款编号", "Clause numbers", layout.provenance.confidence),
        ("银行", "Bank", report.bank.organisation or report.bank.username),
        ("年度", "Year", report.year),
        ("绿色贷款", "Green loans", title("green_loans")),
        ("投融资碳排放", "Financed emissions", title("financed_emissions")),
        ("碳减排", "Reductions", title("reductions")),
        ("碳密集行业", "Carbon-intensive industries", title("carbon_intensive")),
        ("投融资排放合计（tCO2e）", "Financed emissions, total (tCO2e)",
         financed.financed_tco2e if financed else "—"),
        ("加权数据质量评分", "Weighted data-quality score",
         financed.weighted_quality if financed and financed.weighted_quality else "—"),
        ("贷款余额（万元）", "Loan book outstanding (10k CNY)",
         report.book_outstanding if report.book_outstanding is not None else "—"))
    return workbook(sheets, about)
