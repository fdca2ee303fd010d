"""The zone evaluation's Excel workbooks: the ranking of zones and one zone's report, written
with :mod:`czesg.reports.workbooks`.
"""

from __future__ import annotations

from typing import Any

from czesg.engine.plan import load_city_profile
from czesg.parks.queries import ZoneFigures
from czesg.reports.workbooks import Sheet, about_rows, workbook

SOURCE_BILINGUAL = {"statistic": "园区统计 statistic", "aggregate": "企业汇总 aggregate",
                    "missing": "缺失 missing"}



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
    return workbook(sheets, about_rows(
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
    return workbook(sheets, about_rows(
        "园区ESG评价报告", "Zone ESG evaluation report",
        ("园区", "Zone", f"{park.name_zh} / {park.name_en}"),
        ("年份", "Year", figures.year),
        ("评价方法", "Methodology", f"{methodology.title_zh} / {methodology.title_en}"),
    ))
