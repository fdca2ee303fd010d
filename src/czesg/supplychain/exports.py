"""The supplier scorecards' Excel workbook (written through :mod:`czesg.reports.workbooks`)."""

from __future__ import annotations

from django.utils.translation import gettext

from czesg.engine import procurement
from czesg.engine.catalogue import load_catalogue
from czesg.enterprises.models import Enterprise
from czesg.reports.workbooks import Sheet, about_rows, workbook
from czesg.supplychain.scorecards import Portfolio, Scorecard
from czesg.web.display import unit_label

COMPONENT_NAMES = {
    "rating": ("ESG评级得分", "ESG rating score"),
    "green": ("常绿分", "Green score"),
    "data": ("问卷填答率", "Share of the asked indicators answered"),
    "assured": ("鉴证数据占比", "Share of the answers assured"),
    "footprint": ("产品碳足迹覆盖率", "Share of the asked products with a footprint"),
}


BASIS_NAMES = {"disclosed": "已发布的披露 Published disclosure",
               "record": "政府记录 Government record",
               "entered": "为本请求填写 Entered for this request"}
ASSURANCE_NAMES = {"none": "未鉴证 Not assured", "limited": "有限保证 Limited assurance",
                   "reasonable": "合理保证 Reasonable assurance"}


def component_names() -> dict[str, str]:
    """Each score component's name in the active language."""
    return {"rating": gettext("ESG rating score"), "green": gettext("Green score"),
            "data": gettext("Share of the asked indicators answered"),
            "assured": gettext("Share of the answers assured"),
            "footprint": gettext("Share of the asked products with a footprint")}


def scorecards_workbook(buyer: Enterprise, cards: list[Scorecard],
                        weighting: procurement.Weighting, view: Portfolio) -> bytes:
    """Scorecards, shared answers, footprints and the portfolio, one sheet each."""
    catalogue = load_catalogue()
    cards_sheet = Sheet("评分卡 Scorecards", [
        ("统一社会信用代码", "Credit code"), ("供应商", "Supplier"), ("供应链层级", "Supply tier"),
        ("ESG评级", "ESG grade"), ("ESG评级得分", "ESG rating score"),
        ("常绿分", "Green score"), ("问卷填答率 %", "Answered %"), ("鉴证数据占比 %", "Assured %"),
        ("碳足迹覆盖率 %", "Footprints %"), ("综合得分", "Score"), ("无数据的项", "Without data"),
        ("答复时间", "Answered at"),
    ], [[c.supplier.uscc, c.supplier.name, c.tier, c.grade, c.rating_score, c.green_score,
         *[c.components()[k] for k in ("data", "assured", "footprint")],
         c.result.score if c.result else None,
         [COMPONENT_NAMES[m][1] for m in (c.result.missing if c.result else ())],
         c.recipient.answered_at] for c in cards])
    answers_sheet = Sheet("答复 Answers", [
        ("统一社会信用代码", "Credit code"), ("供应商", "Supplier"), ("指标代码", "Indicator code"),
        ("指标", "Indicator"), ("数值", "Value"), ("单位", "Unit"), ("来源", "Basis"),
        ("鉴证", "Assurance"),
    ], [[c.supplier.uscc, c.supplier.name, a.indicator_code,
         catalogue.get(a.indicator_code).name_zh,
         a.value_bool if a.value_bool is not None else a.value_number, unit_label(a.unit),
         BASIS_NAMES.get(a.basis, a.basis), ASSURANCE_NAMES.get(a.assurance, a.assurance)]
        for c in cards for a in c.answers])
    footprint_sheet = Sheet("碳足迹 Footprints", [
        ("统一社会信用代码", "Credit code"), ("供应商", "Supplier"), ("产品", "Product"),
        ("基准年", "Reference year"), ("声明单位", "Declared unit"),
        ("碳足迹 kgCO2e/声明单位", "PCF kgCO2e per declared unit"), ("足迹编号", "Footprint id"),
    ], [[c.supplier.uscc, c.supplier.name, fp.product.name, fp.year, fp.product.get_declared_unit_display(),
         fp.pcf, str(fp.pk)] for c in cards for fp in c.footprints])
    portfolio_sheet = Sheet("组合 Portfolio", [
        ("供应链层级", "Supply tier"), ("被请求供应商数", "Suppliers asked"), ("有数据", "With data"),
        ("有鉴证数据", "With assured data"), ("有数据占比 %", "With data %"),
        ("有鉴证数据占比 %", "With assured data %"),
    ], [[tier, asked, data, assured, Portfolio.share(data, asked), Portfolio.share(assured, asked)]
        for tier, asked, data, assured in view.rows])
    weights = "; ".join(f"{COMPONENT_NAMES[k][1]} {w:g}" for k, w in weighting.weights)
    return workbook([cards_sheet, answers_sheet, footprint_sheet, portfolio_sheet], about_rows(
        "供应商评分卡", "Supplier scorecards",
        ("采购方", "Buyer", f"{buyer.name} {buyer.uscc}"),
        ("权重版本", "Weighting version", weighting.version),
        ("权重", "Weights", weights),
        ("权重来源", "Weighting source",
         f"{weighting.provenance.source} ({weighting.provenance.confidence})"),
        ("说明", "Note", "无数据的项计0分 A component without data scores 0."),
    ))
