"""Open data: every published value of a year as CSV or Parquet, with a data dictionary.

The CSV's text cells go through :func:`~czesg.engine.kernel.spreadsheet.formula_safe`, so that a
spreadsheet never runs an answer as a formula; Parquet is typed data and keeps the text as given.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.db.models.fields.json import KT
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from czesg.dashboards.queries import data_version
from czesg.disclosures.models import Datapoint, Disclosure, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.spreadsheet import formula_safe_column
from czesg.enterprises.models import Enterprise
from czesg.records.known import DISCLOSED, RECORD, recorded_values
from czesg.records.models import Record, Visibility
from czesg.storage.bulk import read_columns
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


# Disclosures read per query while a file is built: their values are one frame at a time.
CHUNK_DISCLOSURES = 2000
_TEXT = [c[0] for c in COLUMNS if c[0] not in ("year", "version")]
SCHEMA = {c[0]: (pl.Int32 if c[0] in ("year", "version") else pl.Utf8) for c in COLUMNS}


def published_frame(year: int) -> pl.DataFrame:
    """Every value of the latest published version of each disclosure of a year, then the
    public records that no published value holds (see :func:`published_chunks`)."""
    return pl.concat(list(published_chunks(year)), how="vertical")


def published_chunks(year: int, chunk: int = CHUNK_DISCLOSURES) -> Iterator[pl.DataFrame]:
    """:func:`published_frame` in parts, in the file's order (by credit code, then indicator):
    the values of ``chunk`` disclosures at a time (one query each, built column-wise), then
    one part of records. A city's file is written part by part, never held whole."""
    disclosures = list(
        Disclosure.objects.latest_published(year=year).order_by("enterprise__uscc").values_list(
            "pk", "enterprise__uscc", "enterprise__name", "enterprise__industry_code",
            "enterprise__division_code", "year", "version", "published_at", "catalogue_version"))
    disclosed: set[tuple[str, str]] = set()
    yielded = False
    for first in range(0, len(disclosures), chunk):
        part = _values_part(disclosures[first:first + chunk])
        disclosed.update(zip(part["uscc"].to_list(), part["indicator"].to_list(), strict=True))
        yielded = True
        yield part
    records = _records_part(year, disclosed)
    if records.height or not yielded:
        yield records


def _values_part(disclosures: list[tuple]) -> pl.DataFrame:
    """The values of some disclosures (rows of :func:`published_chunks`' first query)."""
    heads = pl.DataFrame(
        [(pk, uscc, name, industry, division, yr, version,
          published_at.isoformat() if published_at else "", catalogue)
         for pk, uscc, name, industry, division, yr, version, published_at, catalogue
         in disclosures],
        schema={"disclosure": pl.Int64, "uscc": pl.Utf8, "enterprise": pl.Utf8,
                "industry_code": pl.Utf8, "division_code": pl.Utf8, "year": pl.Int32,
                "version": pl.Int32, "published_at": pl.Utf8, "catalogue_version": pl.Utf8},
        orient="row")
    query = (Datapoint.objects.filter(disclosure_id__in=[d[0] for d in disclosures]).order_by()
             .values_list("disclosure_id", "indicator_code", "status", "value_number",
                          "value_text", "value_bool", "value_choice", "unit", "entered_value",
                          "entered_unit", "na_explanation", "method", "assurance",
                          KT("assurance_detail__reference"), KT("assurance_detail__date")))
    sql, params = query.query.sql_with_params()
    names = ["disclosure", "indicator", "status", "number", "text", "flag", "choice", "unit",
             "entered_value", "entered_unit", "na_explanation", "method", "assurance",
             "assurance_engagement", "assured_on"]
    kinds = {"disclosure": pl.Int64, "number": pl.Float64, "flag": pl.Boolean}
    columns = read_columns(sql, params, len(names))
    points = pl.DataFrame({name: pl.Series(name, column, dtype=kinds.get(name, pl.Utf8), strict=False)
                           for name, column in zip(names, columns, strict=True)})
    choice = pl.col("choice")
    points = points.with_columns(
        value=pl.when(pl.col("number").is_not_null()).then(number_texts(points["number"]))
        .when(pl.col("flag").is_not_null())
        .then(pl.when(pl.col("flag")).then(pl.lit("true")).otherwise(pl.lit("false")))
        .when(choice.is_not_null() & (choice != "")).then(choice)
        .otherwise(pl.col("text")),
    ).with_columns(pl.col("assurance_engagement", "assured_on").fill_null(""))
    return (points.join(heads, on="disclosure", how="inner")
            .with_columns(basis=pl.lit(DISCLOSED), source=pl.lit(""), source_name=pl.lit(""),
                          document=pl.lit(""), page=pl.lit(""))
            .sort("uscc", "indicator")
            .select([pl.col(c).cast(t) for c, t in SCHEMA.items()]))


def number_texts(numbers: pl.Series) -> pl.Series:
    """Each number as Python's ``repr`` writes it (the open-data files' form since the first
    release). Polars writes the same text for zero and magnitudes from 1e-4 up to 1e16; the
    few others (and NaN or infinity) are written by ``repr`` itself."""
    texts = numbers.cast(pl.Utf8)
    size = numbers.abs()
    odd = ((size >= 1e16) | ((size < 1e-4) & (size != 0)) | numbers.is_nan()
           | numbers.is_infinite()).fill_null(False).arg_true()
    if len(odd):
        texts = texts.scatter(odd, [repr(value) for value in numbers.gather(odd).to_list()])
    return texts


def _records_part(year: int, disclosed: set[tuple[str, str]]) -> pl.DataFrame:
    """The public records of the year's enterprise-indicators that no published disclosure
    holds, one row each (the preferred source's figure), in the file's order."""
    out: dict[str, list] = {c[0]: [] for c in COLUMNS}
    _add_records(out, year, disclosed)
    return pl.DataFrame(out, schema=SCHEMA)


def _add_records(out: dict[str, list], year: int, disclosed: set[tuple[str, str]]) -> None:
    """Append the public records of the year's enterprise-indicators that no published
    disclosure holds (one row each, the preferred source's figure)."""
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
    return frame.with_columns(*(formula_safe_column(name)
                                for name, kind in frame.schema.items() if kind == pl.Utf8))


def index(request: HttpRequest) -> HttpResponse:
    """The open-data page: one download per year, and the dictionary."""
    years = (
        Disclosure.objects.filter(state=State.PUBLISHED).values("year")
        .annotate(n=Count("enterprise", distinct=True), updated=Max("published_at"))
        .order_by("-year")
    )
    return render(request, "portal/open_data.html", {"years": years})


# What a download costs from its client's rate-limit budget: at least 20 units (every published
# value of a year), and one unit per 10 MiB of the file last built for it. A city of 100,000
# enterprises makes a CSV of about 900 MB: sending it costs the server more than any page, so
# an anonymous budget (300 units a minute) pays for three a minute, not fifteen.
DOWNLOAD_MINIMUM_COST = 20
DOWNLOAD_BYTES_PER_UNIT = 10 * 1024 * 1024


def download_cost(year: int, fmt: str) -> int:
    """The units a download of the year's file costs (see :data:`DOWNLOAD_BYTES_PER_UNIT`)."""
    built = [f.stat().st_size for f in files_folder().glob(f"{year}-*.{fmt}")]
    return max(DOWNLOAD_MINIMUM_COST, math.ceil(max(built, default=0) / DOWNLOAD_BYTES_PER_UNIT))


def _requested_cost(request: HttpRequest) -> int:
    match = request.resolver_match
    if match is None or not str(match.kwargs.get("year", "")).isdigit():
        return DOWNLOAD_MINIMUM_COST
    return download_cost(int(match.kwargs["year"]), str(match.kwargs.get("fmt", "")))


@costs(_requested_cost)  # by the size of the file (see DOWNLOAD_BYTES_PER_UNIT)
def download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """All published values of a year as CSV (UTF-8 with BOM, for Excel) or Parquet."""
    if fmt not in ("csv", "parquet"):
        raise Http404
    if not year_has_data(year):
        raise Http404
    path, temporary = built_file(year, fmt)
    try:
        handle = path.open("rb")
    except FileNotFoundError:  # a newer file replaced the one found a moment ago
        path, temporary = built_file(year, fmt)
        handle = path.open("rb")
    if temporary:
        path.unlink()  # the open handle still reads it; nothing is left behind
    return FileResponse(handle, as_attachment=True, filename=f"czesg-published-{year}.{fmt}",
                        content_type=CONTENT_TYPES[fmt])


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def built_file(year: int, fmt: str) -> tuple[Path, bool]:
    """The year's open-data file, built once per version of the data and kept under
    ``VAR_DIR/open-data``: at 100,000 enterprises a year holds millions of values, which take
    seconds to read and write, so each request must not build its own. The version is the
    audit chain's head (:func:`czesg.dashboards.queries.data_version`): every publication,
    amendment, assurance or record import goes through an audited action, so the next request
    after one builds a new file. Requests that arrive while a file is built get the last file
    built (at most one version behind; the first file of a year is waited for), so one build
    at a time holds one thread, never the server's. Older versions' files are removed. As the dashboards' cache, a file is
    kept at most ``CZESG_DASHBOARD_CACHE_SECONDS`` (0: none is kept), which bounds how long a
    change made outside the actions stays unseen. Without an audit chain the file is built for
    the request alone (``True``: the caller removes it)."""
    folder = files_folder()
    folder.mkdir(parents=True, exist_ok=True)
    seconds = int(settings.CZESG_DASHBOARD_CACHE_SECONDS)
    version = data_version() if seconds > 0 else None
    if version is None:
        target = folder / f"{year}-{uuid.uuid4().hex}.{fmt}.partial"
        _build(year, fmt, target)
        return target, True
    key = hashlib.sha256(version.encode()).hexdigest()[:20]
    path = folder / f"{year}-{key}.{fmt}"

    def fresh() -> bool:
        return path.exists() and time.time() - path.stat().st_mtime < seconds

    if fresh():
        return path, False
    with (folder / f"{year}.{fmt}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another request is building it: serve the last file built
            built = sorted(folder.glob(f"{year}-*.{fmt}"), key=lambda f: f.stat().st_mtime)
            if built:
                return built[-1], False
            fcntl.flock(lock, fcntl.LOCK_EX)  # none yet: wait for the one being built
        if not fresh():
            partial = path.with_name(path.name + ".partial")
            _build(year, fmt, partial)
            os.replace(partial, path)
            for older in folder.glob(f"{year}-*.{fmt}"):
                if older != path:
                    older.unlink(missing_ok=True)
    return path, False


def files_folder() -> Path:
    """Where the built open-data files of this database are kept (removing it empties that
    cache); one folder per database, so that databases sharing a VAR_DIR never share files."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        name = f"{name}:{os.getpid()}"  # an in-memory database is its process's own
    database = hashlib.sha256(name.encode()).hexdigest()[:12]
    return Path(settings.VAR_DIR) / "open-data" / database


def _build(year: int, fmt: str, target: Path) -> None:
    """Write the year's file part by part (:func:`published_chunks`)."""
    if fmt == "csv":
        with target.open("wb") as out:
            out.write("\ufeff".encode())
            for number, part in enumerate(published_chunks(year)):
                csv_frame(part).write_csv(out, include_header=number == 0)
        return
    # Parquet has no appending writer in Polars: the parts go to Arrow IPC files first, which a
    # lazy scan then streams into one Parquet file.
    with tempfile.TemporaryDirectory(dir=target.parent) as folder:
        parts = []
        for number, part in enumerate(published_chunks(year)):
            parts.append(Path(folder) / f"{number:06d}.arrow")
            part.write_ipc(parts[-1])
        pl.scan_ipc(parts).sink_parquet(target)


def dictionary(request: HttpRequest) -> HttpResponse:
    """What every column and every indicator code in the open-data files means."""
    lang = get_language() or "zh-hans"
    catalogue = load_catalogue()
    return render(request, "portal/dictionary.html", {
        "columns": [(c[0], c[1] if not lang.startswith("en") else c[2], c[2]) for c in COLUMNS],
        "indicators": catalogue.indicators, "version": catalogue.version, "lang": lang,
    })
