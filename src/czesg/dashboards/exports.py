"""Downloads of every dashboard page: Excel workbooks (openpyxl) and PDF reports (WeasyPrint).

A workbook holds one sheet per table. Every sheet starts with two header rows, Chinese above
English, frozen above the data; numbers are stored as numbers (never as formatted text) so that
a reader can compute with them, and an "About" sheet says what the figures are and when they
were made. PDFs are the page's HTML print template rendered with the Noto Sans CJK fonts
(Debian's fonts-noto-cjk) so that Chinese names print.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from czesg.dashboards.figures import BREAKDOWNS, CityFigures, TaskBoard, ZoneFigures, name_of
from czesg.engine.plan import load_city_profile
from czesg.engine.plan import targets as engine

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="E3EFEA")
STATUS_BILINGUAL = {"met": "达成 met", "on_track": "进度正常 on track",
                    "behind": "滞后 behind", "no_data": "无数据 no data"}
SOURCE_BILINGUAL = {"statistic": "园区统计 statistic", "aggregate": "企业汇总 aggregate",
                    "missing": "缺失 missing"}
BREAKDOWN_SHEETS = {"district": "按区县 By district", "park": "按园区 By park",
                    "industry": "按行业 By industry"}


@dataclass
class Sheet:
    """One table of a workbook: its name, bilingual column headers and rows."""

    title: str
    columns: Sequence[tuple[str, str]]
    rows: Iterable[Sequence[Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, tuple | list):
        return "; ".join(str(v) for v in value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def workbook(sheets: Sequence[Sheet], about: Sequence[tuple[str, str, Any]] = ()) -> bytes:
    """Write sheets (and an About sheet of ``(zh, en, value)`` rows) to an .xlsx file."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append([zh for zh, _ in sheet.columns])
        ws.append([en for _, en in sheet.columns])
        for row_number in (1, 2):
            for cell in ws[row_number]:
                cell.font = bold
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            ws.append([_cell(v) for v in row])
        ws.freeze_panes = "A3"
        for number, (zh, en) in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(number)].width = max(10, min(
                40, max(len(zh) * 2, len(en)) + 2))
    if about:
        ws = book.create_sheet("说明 About")
        ws.append(["项目", "Item", "值 Value"])
        for cell in ws[1]:
            cell.font = bold
            cell.fill = HEADER_FILL
        for zh, en, value in about:
            ws.append([zh, en, _cell(value)])
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 28
        ws.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    """An Excel download."""
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None
               ) -> bytes:
    """Render a print template to PDF with WeasyPrint."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=None).write_pdf()


def pdf_response(template: str, context: dict[str, Any], name: str,
                 request: HttpRequest | None = None) -> HttpResponse:
    """A PDF download of a print template."""
    response = HttpResponse(render_pdf(template, context, request),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _about(page_zh: str, page_en: str, *extra: tuple[str, str, Any]) -> list[tuple[str, str, Any]]:
    return [
        ("页面", "Page", f"{page_zh} {page_en}"),
        ("生成时间", "Generated at", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
        *extra,
        ("数据来源", "Data", "czesg 常州ESG数据服务平台 Changzhou ESG data service platform"),
    ]


# --------------------------------------------------------------------------------------------
# City


def city_workbook(figures: CityFigures, context: dict[str, Any] | None = None) -> bytes:
    """The city dashboard: targets, their trends and the three breakdowns."""
    target_rows = [
        [t.key, t.name_zh, t.name_en, t.year, t.value, t.unit, t.comparator, t.target,
         t.target_year, t.share_of_target, STATUS_BILINGUAL[t.status], t.baseline, t.expected,
         t.trend or "", t.measured_by, t.source]
        for t in figures.targets
    ]
    trend_rows = [[t.key, t.name_zh, t.name_en, year, value] for t in figures.targets
                  for year, value in t.series]
    sheets = [
        Sheet("目标 Targets", [
            ("目标", "Target"), ("名称", "Name (Chinese)"), ("英文名称", "Name (English)"),
            ("年份", "Year"), ("数值", "Value"), ("单位", "Unit"), ("比较", "Comparator"),
            ("目标值", "Target value"), ("目标年份", "Target year"),
            ("完成度（%）", "Share of target (%)"), ("状态", "Status"),
            (f"基线（{engine.BASELINE_YEAR}）", f"Baseline ({engine.BASELINE_YEAR})"),
            ("路径预期值", "Expected on path"), ("趋势", "Trend"), ("计量方式", "Measured by"),
            ("依据", "Source"),
        ], target_rows),
        Sheet("目标趋势 Trends", [
            ("目标", "Target"), ("名称", "Name (Chinese)"), ("英文名称", "Name (English)"),
            ("年份", "Year"), ("数值", "Value"),
        ], trend_rows),
    ]
    profile = load_city_profile()
    for by in BREAKDOWNS:
        groups: dict[Any, dict[str, Any]] = {}
        for row in figures.breakdowns[by]:
            entry = groups.setdefault(row["group"], {"grades": {}})
            if row["metric"] == "grade_distribution":
                entry["grades"][row["category"]] = row["value"]
            else:
                entry[row["metric"]] = row["value"]
                entry[f"{row['metric']}_n"] = row["n"]
        rows = []
        for group, entry in groups.items():
            rows.append([
                "" if group is None else group,
                name_of(profile, by, group, "zh-hans") or "（无）",
                name_of(profile, by, group, "en") or "(none)",
                entry.get("enterprises"), entry.get("disclosure_coverage"),
                *[entry["grades"].get(g, 0) for g in (*engine.GRADE_SCALE, engine.UNRATED)],
                entry.get("total_emissions"), entry.get("total_emissions_n"),
                entry.get("emissions_intensity"), entry.get("emissions_intensity_n"),
                entry.get("energy"), entry.get("energy_n"),
            ])
        sheets.append(Sheet(BREAKDOWN_SHEETS[by], [
            ("代码", "Key"), ("名称", "Name (Chinese)"), ("英文名称", "Name (English)"),
            ("企业数", "Enterprises"), ("披露覆盖率（%）", "Disclosure coverage (%)"),
            *[(f"{g}级企业数", f"Grade {g}") for g in engine.GRADE_SCALE],
            ("未评级", "Unrated"),
            ("排放总量（tCO2e）", "Total emissions (tCO2e)"), ("报告排放的企业数", "Reporting emissions"),
            ("排放强度（tCO2e/万元）", "Emission intensity (tCO2e/10k CNY)"),
            ("同时报告排放和营收的企业数", "Reporting emissions and revenue"),
            ("综合能耗（tce）", "Energy use (tce)"), ("报告能耗的企业数", "Reporting energy"),
        ], rows))
    return workbook(sheets, _about(
        "城市ESG看板", "City ESG dashboard",
        ("报告年份", "Reporting year", figures.year),
        ("评级门槛", "Rating threshold", f"{figures.threshold}（含）及以上 / {figures.threshold} "
                                          "or above"),
        ("企业数", "Enterprises", figures.counts.get("enterprises")),
        ("上市企业数", "Listed enterprises", figures.counts.get("listed")),
        ("已发布披露的企业数", "Enterprises with a published disclosure",
         figures.counts.get("disclosed")),
    ))


# --------------------------------------------------------------------------------------------
# Zones


INDICATOR_COLUMNS = [
    ("园区", "Zone"), ("维度", "Dimension"), ("指标", "Indicator"), ("名称", "Name (Chinese)"),
    ("英文名称", "Name (English)"), ("数值", "Value"), ("单位", "Unit"), ("数据来源", "Value source"),
    ("评分方式", "Scoring"), ("方向", "Direction"), ("基准值", "Benchmark"), ("下限", "Floor"),
    ("档位", "Band"), ("档位为推定", "Band assumed"), ("基准依据", "Benchmark source"),
    ("依据可信度", "Benchmark confidence"), ("得分", "Points"), ("权重", "Weight"),
    ("加权得分", "Weighted points"),
]


def _indicator_rows(evaluation) -> list[list[Any]]:
    rows = []
    for dimension in evaluation.dimensions:
        for r in dimension.indicators:
            rows.append([
                evaluation.park_key, dimension.key, r.key, r.name_zh, r.name_en, r.value, r.unit,
                SOURCE_BILINGUAL[r.source], r.scoring, r.direction, r.benchmark, r.floor,
                r.band or "", r.band_assumed if r.band else "", r.benchmark_source,
                r.benchmark_confidence, r.points, r.weight, r.contribution,
            ])
    return rows


def zones_workbook(figures: ZoneFigures, context: dict[str, Any] | None = None) -> bytes:
    """The ranking of zones and every zone's sub-indicators."""
    profile = load_city_profile()
    methodology = figures.methodology
    ranking = []
    for e in figures.evaluations:
        park = profile.park(e.park_key)
        counts = figures.enterprises.get(e.park_key, {})
        ranking.append([
            e.rank, e.park_key, park.name_zh, park.name_en, e.total,
            *[d.score for d in e.dimensions], 100.0 * e.completeness, len(e.missing),
            counts.get("enterprises"), counts.get("disclosed"),
        ])
    sheets = [
        Sheet("排名 Ranking", [
            ("排名", "Rank"), ("园区", "Zone"), ("名称", "Name (Chinese)"),
            ("英文名称", "Name (English)"), ("总分", "Total"),
            *[(d.name_zh, d.name_en) for d in methodology.dimensions],
            ("数据完整度（%）", "Completeness (%)"), ("缺失指标数", "Missing indicators"),
            ("企业数", "Enterprises"), ("已发布披露", "With a published disclosure"),
        ], ranking),
        Sheet("指标 Indicators", INDICATOR_COLUMNS,
              [row for e in figures.evaluations for row in _indicator_rows(e)]),
    ]
    return workbook(sheets, _about(
        "园区ESG评价排名", "Zone ESG evaluation ranking",
        ("年份", "Year", figures.year),
        ("评价方法", "Methodology", f"{methodology.title_zh} / {methodology.title_en}"),
    ))


def zone_workbook(figures: ZoneFigures, context: dict[str, Any]) -> bytes:
    """One zone's report: summary, dimensions, sub-indicators and the entered statistics."""
    park = context["park"]
    evaluation = context["evaluation"]
    methodology = figures.methodology
    counts = figures.enterprises.get(park.key, {})
    statistic_rows = []
    for item in context["entered"]:
        entry = item["entry"]
        statistic = methodology.statistic(item["key"])
        statistic_rows.append([
            item["key"], statistic.name_zh, statistic.name_en,
            entry.value if entry else None, item["unit"], entry.source if entry else "",
            entry.entered_by.username if entry else "", entry.entered_at if entry else None,
        ])
    sheets = [
        Sheet("总览 Summary", [("项目", "Item"), ("英文", "Item (English)"), ("值", "Value")], [
            ["园区", "Zone", f"{park.name_zh} / {park.name_en}"],
            ["年份", "Year", figures.year],
            ["总分", "Total", evaluation.total],
            ["排名", "Rank", evaluation.rank],
            ["参评园区数", "Zones evaluated", len(figures.evaluations)],
            ["数据完整度（%）", "Completeness (%)", 100.0 * evaluation.completeness],
            ["企业数", "Enterprises", counts.get("enterprises")],
            ["已发布披露的企业数", "With a published disclosure", counts.get("disclosed")],
            ["评价方法版本", "Methodology version", methodology.version],
        ]),
        Sheet("维度 Dimensions", [
            ("维度", "Dimension"), ("名称", "Name (Chinese)"), ("英文名称", "Name (English)"),
            ("权重", "Weight"), ("得分", "Score"), ("加权得分", "Weighted score"),
        ], [[d.key, d.name_zh, d.name_en, d.weight, d.score, d.contribution]
            for d in evaluation.dimensions]),
        Sheet("指标 Indicators", INDICATOR_COLUMNS, _indicator_rows(evaluation)),
        Sheet("统计数据 Statistics", [
            ("统计项", "Statistic"), ("名称", "Name (Chinese)"), ("英文名称", "Name (English)"),
            ("数值", "Value"), ("单位", "Unit"), ("来源", "Source"), ("录入人", "Entered by"),
            ("录入时间", "Entered at"),
        ], statistic_rows),
    ]
    return workbook(sheets, _about(
        "园区ESG评价报告", "Zone ESG evaluation report",
        ("园区", "Zone", f"{park.name_zh} / {park.name_en}"),
        ("年份", "Year", figures.year),
        ("评价方法", "Methodology", f"{methodology.title_zh} / {methodology.title_en}"),
    ))


# --------------------------------------------------------------------------------------------
# Tasks


def tasks_workbook(board: TaskBoard, context: dict[str, Any] | None = None) -> bytes:
    """The task tracker: tasks with their flags, milestones and progress posts."""
    from czesg.dashboards.figures import all_milestones, all_posts

    profile = load_city_profile()
    rows = []
    for s in board.statuses:
        task = profile.task(s.number)
        rows.append([
            s.number, s.title_zh, s.title_en,
            "、".join(d.name_zh for d in task.lead_departments),
            "; ".join(d.name_en for d in task.lead_departments),
            s.posts, s.last_post, s.days_since_post, s.milestones_total, s.milestones_done,
            s.completion, s.overdue, len(s.overdue_milestones), s.next_due, s.stalled,
        ])
    overdue = {key for s in board.statuses for key in s.overdue_milestones}
    milestones = [[m.task_number, m.title, m.due, m.done_on, str(m.pk) in overdue]
                  for m in all_milestones()]
    departments = {d.key: d for d in profile.departments}
    posts = []
    for p in all_posts():
        department = departments.get(p.department_key)
        posts.append([p.task_number, p.department_key,
                      department.name_zh if department else "",
                      department.name_en if department else "", p.date, p.text, p.link,
                      p.posted_by.username, p.posted_at])
    sheets = [
        Sheet("任务 Tasks", [
            ("任务", "Task"), ("名称", "Title (Chinese)"), ("英文名称", "Title (English)"),
            ("牵头部门", "Lead departments (Chinese)"), ("英文部门", "Lead departments (English)"),
            ("进展条数", "Posts"), ("最近进展", "Last post"), ("距最近进展天数", "Days since post"),
            ("里程碑数", "Milestones"), ("已完成", "Done"), ("完成率（%）", "Completion (%)"),
            ("逾期", "Overdue"), ("逾期里程碑数", "Overdue milestones"),
            ("下一到期日", "Next due"), (f"停滞（{board.stalled_after_days}天无进展）",
                                       f"Stalled ({board.stalled_after_days} days without a post)"),
        ], rows),
        Sheet("里程碑 Milestones", [
            ("任务", "Task"), ("里程碑", "Milestone"), ("到期日", "Due"), ("完成日", "Done on"),
            ("逾期", "Overdue"),
        ], milestones),
        Sheet("进展 Progress", [
            ("任务", "Task"), ("部门", "Department"), ("部门名称", "Department (Chinese)"),
            ("英文部门", "Department (English)"), ("日期", "Date"), ("进展", "Progress"),
            ("附件链接", "Attachment link"), ("发布人", "Posted by"), ("发布时间", "Posted at"),
        ], posts),
    ]
    return workbook(sheets, _about(
        "任务跟踪", "Task tracker", ("截至", "As of", board.today),
        ("停滞标准", "Stalled after", f"{board.stalled_after_days} 天 days"),
    ))
