"""The translated display layer: codes and messages as a person reads them, in each language."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from czesg.engine.kernel.problems import Problem
from czesg.web import display
from czesg.web.problems import problem_text


def _both(function, *args):
    with translation.override("zh-hans"):
        zh = function(*args)
    with translation.override("en"):
        en = function(*args)
    return zh, en


def test_units_tiers_levels_types_and_confidence_read_in_each_language():
    assert _both(display.unit_label, "person") == ("人", "persons")
    assert _both(display.unit_label, "hour/person") == ("小时/人", "hours per person")
    assert _both(display.unit_label, "tCO2e/10k_CNY") == ("吨二氧化碳当量/万元", "tCO2e per 10,000 CNY")
    assert _both(display.unit_label, "count") == ("个/次", "count")
    assert _both(display.tier_label, "basic") == ("基础版（中小企业）", "Basic (SMEs)")
    assert _both(display.level_label, "where_applicable") == ("适用时披露", "Where applicable")
    assert _both(display.data_type_label, "boolean") == ("是/否", "Yes/no")
    assert _both(display.confidence_label, "methodology-choice") == ("方法论选择", "Methodology choice")
    assert _both(display.confidence_label, "unconfirmed-single-secondary") == (
        "未经确认：仅有单一二手来源", "Unconfirmed: a single secondary source")
    assert _both(display.confidence_label, "confirmed-primary / methodology-choice")[0] == (
        "已确认（一手来源） / 方法论选择")


def test_every_canonical_catalogue_unit_has_a_chinese_label():
    from czesg.engine.catalogue import load_catalogue

    with translation.override("zh-hans"):
        for indicator in load_catalogue():
            if indicator.unit:
                label = display.unit_label(indicator.unit)
                assert "_" not in label and label not in {"person", "count", "hour"}, indicator.code


def test_log_entries_and_provinces_read_in_chinese():
    assert _both(display.log_label, "rating 2025 (run 2)") == (
        "2025 年评级（第 2 次运行）", "rating 2025 (run 2)")
    assert _both(display.log_label, "disclosure 2025 v3")[0] == "2025 年披露（第 3 版）"
    assert _both(display.log_label, "page/api") == ("网页/API", "web page/API")
    assert _both(display.province_label, "Jiangsu") == ("江苏", "Jiangsu")


def test_a_message_names_the_indicator_and_its_unit_in_the_current_language():
    item = Problem("%(code)s must be at least %(min)s %(unit)s; got %(value)s.",
                   {"code": "S-EMP-01", "min": 0, "unit": "person", "value": "-3"})
    assert _both(problem_text, item) == (
        "期末在职员工总数（S-EMP-01） 不得小于 0 人；填写的是 -3。",
        "Total employees at period end (S-EMP-01) must be at least 0 persons; got -3.")


def test_a_field_key_is_named_by_its_label():
    item = Problem("%(field)s: “%(value)s” is not a number.",
                   {"field": "zone_employment", "field_zh": "园区从业人员", "field_en": "Zone employment",
                    "value": "abc"})
    zh, en = _both(problem_text, item)
    assert zh.startswith("园区从业人员") and "zone_employment" not in zh
    assert en.startswith("Zone employment")


def test_template_filters_are_available_without_loading():
    template = Template("{{ u|unit }} {{ x|num }} {{ t|tier }} {{ c|confidence }}")
    with translation.override("zh-hans"):
        text = template.render(Context({"u": "hour/person", "x": 3.9, "t": "standard",
                                        "c": "confirmed-primary"}))
    assert text == "小时/人 3.9 标准版（上市公司） 已确认（一手来源）"


class _Firm:
    name, name_en = "常州合成样例有限公司", "Changzhou Sample Co., Ltd."


def test_english_names_in_english_mode():
    assert _both(display.display_name, _Firm()) == ("常州合成样例有限公司", "Changzhou Sample Co., Ltd.")
    assert _both(display.display_name, {"name": "某公司", "name_en": ""}) == ("某公司", "某公司")


def test_the_carbon_trace_names_the_province_in_chinese():
    from django.utils.translation import gettext

    from czesg.carbon.display import level_text

    entry = {"level": "provincial", "region": "Jiangsu"}
    assert _both(level_text, entry, gettext) == ("省级平均（江苏）", "Provincial average (Jiangsu)")


def test_figures_take_the_digits_their_indicator_calls_for():
    from decimal import Decimal

    assert display.indicator_number(Decimal("12.0000"), "S-EMP-01") == "12"
    assert display.indicator_number(1234.0, "S-EMP-01") == "1,234"
    assert display.indicator_number(37.456, "S-INN-02-PCT") == "37.5"
    assert display.indicator_number(6020.0, "E-GHG-01") == "6,020"
    assert display.indicator_number(Decimal("3.9000"), "E-GHG-01") == "3.9"
    assert display.indicator_number(None, "E-GHG-01") == "—"


def test_the_basis_of_a_shown_value_reads_in_each_language_with_its_source_escaped():
    template = Template('{% basis "record" source document page %}|{% basis "disclosed" %}|'
                        '{% basis "not_reported" %}')
    context = {"source": "常州市生态环境局 <b>", "document": 'report "2024".pdf', "page": 12}
    with translation.override("zh-hans"):
        zh = template.render(Context(context))
    with translation.override("en"):
        en = template.render(Context({**context, "document": "", "page": None}))
    assert zh == (
        '<span class="tag basis basis-record" data-basis="record" '
        'title="report &quot;2024&quot;.pdf p. 12">记录：常州市生态环境局 &lt;b&gt; '
        '<span class="basis-page">第 12 页</span></span>|'
        '<span class="tag basis basis-disclosed" data-basis="disclosed">披露</span>|'
        '<span class="tag basis basis-not-reported" data-basis="not_reported">未报告</span>')
    assert en == (
        '<span class="tag basis basis-record" data-basis="record">Record: 常州市生态环境局 &lt;b&gt;'
        '</span>|<span class="tag basis basis-disclosed" data-basis="disclosed">Disclosed</span>|'
        '<span class="tag basis basis-not-reported" data-basis="not_reported">Not reported</span>')
