"""The methodology page's tables: generated from the TOML, with their words in either language."""

from __future__ import annotations

import tomllib

from django.utils import translation

from czesg.engine.rating import load_green_methodology, load_methodology, parse_methodology
from czesg.ratings.methodology_page import methodology_tables
from tests.engine.rating.cases import published_text, replace_once


def test_methodology_tables_are_generated_from_the_toml():
    raw = tomllib.loads(published_text("2025.2"))
    tables = {t["key"]: t for t in methodology_tables(load_methodology(), "en")}
    rows = tables["indicators"]["rows"]
    for row in rows:
        entry = raw["pillar"][row["pillar"]]["topic"][row["topic"]]["indicator"][row["code"]]
        assert row["weight"] == entry["weight"]
        assert row["source"] == entry["source"] and row["confidence"] == entry["confidence"]
    assert [r["grade"] for r in tables["bands"]["rows"]] == [b["grade"] for b in raw["band"]]
    # 2025.2's tier rule: the basic tier's indicators and best grade, with their sources.
    tiers = tables["tiers"]["rows"]
    assert [r["max_grade"] for r in tiers] == ["AA", "AAA"]
    assert tiers[0]["rated_indicators"] == ", ".join(raw["tiers"]["basic"]["indicators"])
    assert raw["tiers"]["basic"]["max_grade_source"] in tiers[0]["source"]
    assert tiers[1]["rated_indicators"] == "every rated indicator"
    assert "tiers" not in {t["key"] for t in methodology_tables(load_methodology("2025.1"), "en")}
    # Change the TOML and the tables change with it.
    text = replace_once(published_text("2025.2"),
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.60",
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.55")
    text = replace_once(text, "[pillar.E.topic.climate.indicator.E-CLM-03-PCT]\nweight = 0.25",
                        "[pillar.E.topic.climate.indicator.E-CLM-03-PCT]\nweight = 0.30")
    changed = methodology_tables(parse_methodology(text, name="x.toml"), "zh-hans")
    row = next(r for r in changed[3]["rows"] if r["code"] == "E-GHG-05")
    assert row["weight"] == 0.55
    assert changed[3]["columns"][0]["label"] == "维度"
    green = {t["key"] for t in methodology_tables(load_green_methodology(), "en")}
    assert {"components", "certifications", "green_industry", "labels"} <= green


def _cell(tables, key, column, code_column=None, code=None):
    table = next(t for t in tables if t["key"] == key)
    row = next(r for r in table["rows"] if code_column is None or r[code_column] == code)
    return row[column]


def test_the_tables_speak_the_language_asked_for_whatever_the_active_one():
    methodology, green = load_methodology(), load_green_methodology()
    for active in ("en", "zh-hans"):
        with translation.override(active):
            zh = methodology_tables(methodology, "zh-hans")
            en = methodology_tables(methodology, "en")
            green_zh = methodology_tables(green, "zh-hans")
            green_en = methodology_tables(green, "en")
        assert zh[0]["title"] == "维度默认权重" and en[0]["title"] == "Default pillar weights"
        assert [c["label"] for c in zh[1]["columns"]][3:6] == ["环境（E）", "社会（S）", "治理（G）"]
        assert _cell(zh, "indicators", "direction", "code", "E-GHG-05") == "越低越好"
        assert _cell(en, "indicators", "direction", "code", "E-GHG-05") == "lower is better"
        assert _cell(zh, "indicators", "normalisation", "code", "E-GHG-05") == "行业内百分位"
        assert _cell(zh, "indicators", "scoring", "code", "E-GHG-05") == (
            "100 × 优于同行的比例（并列计一半）")
        assert _cell(zh, "settings", "value", "setting", "fallback") == "重要性分组 → 全部企业"
        assert _cell(en, "settings", "value", "setting", "fallback") == (
            "materiality group → all enterprises")
        penalties = _cell(zh, "deductions", "rule")
        assert penalties.startswith("每次处罚 ") and "；按罚款总额（万元）：≥ " in penalties
        assert _cell(en, "deductions", "rule").startswith("2 per penalty (at most ")
        assert _cell(green_zh, "components", "unknown") in ("剔除该项并重新分配权重", "计0分")
        assert "在行业同行中的百分位（" in _cell(green_zh, "components", "rule")
        assert _cell(green_en, "components", "rule").startswith("percentile of ")
