"""Open data: every published value of a year as CSV or Parquet, with a data dictionary.

The CSV's text cells go through :func:`~czesg.engine.kernel.spreadsheet.formula_safe`, so that a
spreadsheet never runs an answer as a formula; Parquet is typed data and keeps the text as given.
"""

from __future__ import annotations

import io

import polars as pl
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from czesg.disclosures.models import Datapoint, Disclosure, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.spreadsheet import formula_safe
from czesg.enterprises.models import Enterprise
from czesg.records.known import DISCLOSED, RECORD, recorded_values
from czesg.records.models import Record, Visibility
from czesg.web.ratelimit import costs

# The columns of the open-data files, with their meaning (shown in the data dictionary).
COLUMNS = (
    ("uscc", "统一社会信用代码", "Unified social credit code of the enterprise"),
    ("enterprise", "企业名称", "Registered name of the enterprise"),
    ("industry_code", "行业代码（GB/T 4754-2017）", "Industry code (GB/T 4754-2017)"),
    ("division_code", "行政区划代码", "Administrative division code"),
    ("year", "报告年度", "Reporting year"),
    ("version", "披露版本", "Version of the disclosure (the latest published one)"),
    ("indicator", "指标代码", "Indicator code of the catalogue"),
    ("status", "填报状态", "reported, or not_applicable (with an explanation)"),
    ("value", "数值", "Value in the indicator's canonical unit (numbers); text, yes/no or choice key otherwise"),
    ("unit", "单位", "Canonical unit of the value"),
    ("entered_value", "原始录入值", "The value as the enterprise typed it"),
    ("entered_unit", "原始录入单位", "The unit the enterprise typed"),
    ("na_explanation", "不适用说明", "Why the indicator does not apply"),
    ("method", "数据来源方式", "typed, imported, calculated, government, extracted or copied"),
    ("assurance", "鉴证状态", "none, limited or reasonable"),
    ("assurance_engagement", "鉴证业务编号", "For an assured value: the reference of the "
     "assurance engagement whose signed statement covers it (firm and date in its statement)"),
    ("assured_on", "鉴证日期", "For an assured value: the date the statement was signed"),
    ("published_at", "发布时间", "When the version was published (UTC)"),
    ("catalogue_version", "指标目录版本", "Version of the indicator catalogue"),
    ("basis", "数据依据", "disclosed (the enterprise's published disclosure) or record (a named "
     "source's figure, given only where the enterprise disclosed none)"),
    ("source", "记录来源", "For a record: the code of its source (see the source list)"),
    ("source_name", "记录来源名称", "For a record: the name of its source"),
    ("document", "来源文件", "For a record: the document the figure was read from"),
    ("page", "页码", "For a record read from a document: the page"),
)


def published_frame(year: int) -> pl.DataFrame:
    """Every value of the latest published version of each disclosure of a year."""
    rows = (
        Datapoint.objects.filter(
            disclosure__in=Disclosure.objects.latest_published(year=year).values("pk"))
        .order_by("disclosure__enterprise__uscc", "indicator_code")
        .values_list(
            "disclosure__enterprise__uscc", "disclosure__enterprise__name",
            "disclosure__enterprise__industry_code", "disclosure__enterprise__division_code",
            "disclosure__year", "disclosure__version", "indicator_code", "status",
            "value_number", "value_text", "value_bool", "value_choice", "unit", "entered_value",
            "entered_unit", "na_explanation", "method", "assurance", "assurance_detail", "disclosure__published_at",
            "disclosure__catalogue_version",
        )
    )
    out = {c[0]: [] for c in COLUMNS}
    for (uscc, name, industry, division, yr, version, code, status, number, text, flag, choice,
         unit, entered_value, entered_unit, na, method, assurance, detail, published_at,
         catalogue_version) in rows.iterator(chunk_size=20000):
        if number is not None:
            value = repr(number)
        elif flag is not None:
            value = "true" if flag else "false"
        else:
            value = choice or text
        for key, item in (
            ("uscc", uscc), ("enterprise", name), ("industry_code", industry),
            ("division_code", division), ("year", yr), ("version", version),
            ("indicator", code), ("status", status), ("value", value), ("unit", unit),
            ("entered_value", entered_value), ("entered_unit", entered_unit),
            ("na_explanation", na), ("method", method), ("assurance", assurance),
            ("assurance_engagement", (detail or {}).get("reference", "")),
            ("assured_on", (detail or {}).get("date", "")),
            ("published_at", published_at.isoformat() if published_at else ""),
            ("catalogue_version", catalogue_version), ("basis", DISCLOSED), ("source", ""),
            ("source_name", ""), ("document", ""), ("page", ""),
        ):
            out[key].append(item)
    _add_records(out, year)
    return pl.DataFrame(out, schema={c[0]: (pl.Int32 if c[0] in ("year", "version") else pl.Utf8)
                                     for c in COLUMNS})


def _add_records(out: dict[str, list], year: int) -> None:
    """Append the public records of the year's enterprise-indicators that no published
    disclosure holds (one row each, the preferred source's figure)."""
    disclosed = set(zip(out["uscc"], out["indicator"], strict=True))
    ids = Record.objects.filter(year=year, current=True, visibility=Visibility.PUBLIC).values_list(
        "enterprise_id", flat=True).distinct()
    figures = recorded_values(list(ids), years=[year])
    registry = dict(Enterprise.objects.filter(pk__in={k[0] for k in figures}).values_list(
        "pk", "uscc"))
    names = {pk: (name, industry, division) for pk, name, industry, division in
             Enterprise.objects.filter(pk__in=registry).values_list(
                 "pk", "name", "industry_code", "division_code")}
    for (enterprise_id, _, code), figure in sorted(
            figures.items(), key=lambda item: (registry[item[0][0]], item[0][2])):
        uscc = registry[enterprise_id]
        if (uscc, code) in disclosed:
            continue
        name, industry, division = names[enterprise_id]
        for key, item in (
            ("uscc", uscc), ("enterprise", name), ("industry_code", industry),
            ("division_code", division), ("year", year), ("version", None),
            ("indicator", code), ("status", "reported"),
            ("value", "" if figure.number is None else repr(figure.number)),
            ("unit", figure.unit), ("entered_value", ""), ("entered_unit", ""),
            ("na_explanation", ""), ("method", "record"), ("assurance", ""),
            ("assurance_engagement", ""), ("assured_on", ""),
            ("published_at", ""), ("catalogue_version", ""), ("basis", RECORD),
            ("source", figure.source), ("source_name", figure.source_name_zh),
            ("document", figure.document), ("page", "" if figure.page is None else str(figure.page)),
        ):
            out[key].append(item)


def year_has_data(year: int) -> bool:
    """Whether a year has a published disclosure or a public record to download."""
    return (Disclosure.objects.filter(state=State.PUBLISHED, year=year).exists()
            or Record.objects.filter(year=year, current=True,
                                     visibility=Visibility.PUBLIC).exists())


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as the CSV file holds it: every text cell formula-safe (Parquet keeps raw text)."""
    return frame.with_columns(pl.col(pl.Utf8).map_elements(formula_safe, return_dtype=pl.Utf8))


def index(request: HttpRequest) -> HttpResponse:
    """The open-data page: one download per year, and the dictionary."""
    years = (
        Disclosure.objects.filter(state=State.PUBLISHED).values("year")
        .annotate(n=Count("enterprise", distinct=True), updated=Max("published_at"))
        .order_by("-year")
    )
    return render(request, "portal/open_data.html", {"years": years})


@costs(20)  # every published value of a year
def download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """All published values of a year as CSV (UTF-8 with BOM, for Excel) or Parquet."""
    if fmt not in ("csv", "parquet"):
        raise Http404
    if not year_has_data(year):
        raise Http404
    frame = published_frame(year)
    buffer = io.BytesIO()
    if fmt == "csv":
        buffer.write("\ufeff".encode())
        csv_frame(frame).write_csv(buffer)
        content_type = "text/csv; charset=utf-8"
    else:
        frame.write_parquet(buffer)
        content_type = "application/vnd.apache.parquet"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="czesg-published-{year}.{fmt}"'
    return response


def dictionary(request: HttpRequest) -> HttpResponse:
    """What every column and every indicator code in the open-data files means."""
    lang = get_language() or "zh-hans"
    catalogue = load_catalogue()
    return render(request, "portal/dictionary.html", {
        "columns": [(c[0], c[1] if not lang.startswith("en") else c[2], c[2]) for c in COLUMNS],
        "indicators": catalogue.indicators, "version": catalogue.version, "lang": lang,
    })
