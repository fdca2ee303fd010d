"""The city dashboard's Excel workbook: targets, their trends and the three breakdowns, written
with :mod:`czesg.reports.workbooks` (the PDF is the page's print template, rendered by
:mod:`czesg.reports.pdf`).
"""

from __future__ import annotations

from typing import Any

from czesg.dashboards.figures import BREAKDOWNS, CityFigures
from czesg.dashboards.queries import name_of
from czesg.engine.plan import load_city_profile
from czesg.engine.plan import targets as engine
from czesg.reports.workbooks import Sheet, about_rows, workbook

STATUS_BILINGUAL = {"met": "达成 met", "on_track": "进度正常 on track",
                    "behind": "滞后 behind", "no_data": "无数据 no data"}
BREAKDOWN_SHEETS = {"district": "按区县 By district", "park": "按园区 By park",
                    "industry": "按行业 By industry"}



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
            ("排放总量（吨二氧化碳当量）", "Total emissions (tCO2e)"), ("报告排放的企业数", "Reporting emissions"),
            ("排放强度（吨二氧化碳当量/万元）", "Emission intensity (tCO2e/10k CNY)"),
            ("同时报告排放和营收的企业数", "Reporting emissions and revenue"),
            ("综合能耗（吨标准煤）", "Energy use (tce)"), ("报告能耗的企业数", "Reporting energy"),
        ], rows))
    return workbook(sheets, about_rows(
        "城市ESG看板", "City ESG dashboard",
        ("报告年份", "Reporting year", figures.year),
        ("评级门槛", "Rating threshold", f"{figures.threshold}（含）及以上 / {figures.threshold} "
                                          "or above"),
        ("企业数", "Enterprises", figures.counts.get("enterprises")),
        ("上市企业数", "Listed enterprises", figures.counts.get("listed")),
        ("已发布披露的企业数", "Enterprises with a published disclosure",
         figures.counts.get("disclosed")),
    ))
