"""Issue 12 (item 2): units are data (data/units/units.toml); every conversion with exact numbers,
currency scales, and refusals of malformed unit files naming the line and field."""

from __future__ import annotations

import pytest

from czesg.engine.datafiles import DataFileError
from czesg.engine.kernel import units
from czesg.engine.kernel.bilingual import LocalName, localized


@pytest.mark.parametrize(
    ("typed", "canonical", "factor"),
    [
        ("元", "万元", 0.0001),
        ("CNY", "万元", 0.0001),
        ("百万元", "万元", 100.0),
        ("RMB million", "万元", 100.0),
        ("亿元", "万元", 10000.0),
        ("亿元", "百万元", 100.0),
        ("百万元", "CNY", 1_000_000.0),
        ("吨二氧化碳当量/百万元", "tCO2e/10k_CNY", 0.01),
        ("吨标准煤/百万元", "tce/10k_CNY", 0.01),
        ("立方米/百万元", "m3/10k_CNY", 0.01),
        ("吨/百万元", "t/10k_CNY", 0.01),
        ("kWh", "MWh", 0.001),
        ("度", "MWh", 0.001),
        ("万千瓦时", "MWh", 10.0),
        ("GJ", "MWh", 1 / 3.6),
        ("MJ", "GJ", 0.001),
        ("TJ", "GJ", 1000.0),
        ("万人", "person", 10000.0),
        ("ML", "m3", 1000.0),
    ],
)
def test_every_scale_converts_exactly(typed, canonical, factor):
    assert units.conversion_factor(typed, canonical) == pytest.approx(factor, rel=1e-12)


def test_every_unit_has_labels_in_both_languages_and_a_source_where_it_scales():
    table = units.unit_table()
    for unit in table.units:
        assert unit.zh and unit.en, unit.symbol
        assert units.is_known(unit.symbol), unit.symbol
        if not unit.canonical and unit.expression != unit.symbol:  # a conversion to another unit
            assert unit.source and unit.confidence, unit.symbol
    assert units.ALL_LABELS["百万元"] == ("百万元", "CNY million")
    assert units.label("万元", "en") == "10,000 CNY"
    assert units.label("tCO2e/10k_CNY", "zh-hans") == "吨二氧化碳当量/万元"


def test_currency_scales_offered_for_revenue():
    assert units.alternatives("万元") == ("万元", "CNY", "元", "百万元", "RMB million", "亿元")
    assert units.scales("万元") == ("万元", "CNY", "百万元", "亿元")


def test_scales_decide_whether_a_blank_unit_may_stand_for_the_canonical_one():
    assert units.scales("%") == ("%",)
    assert units.scales("count") == ("count",)
    assert units.scales("person") == ("person", "万人")
    assert units.scales("tCO2e/10k_CNY") == ("tCO2e/10k_CNY", "吨二氧化碳当量/百万元")


def test_energy_reaches_standard_coal_only_through_the_named_bridge():
    with pytest.raises(units.UnitError):
        units.conversion_factor("MWh", "tce")
    bridge = units.find_bridge("MWh", "tce")
    assert bridge is not None
    assert (bridge.factor_set, bridge.factor_id) == ("2025.1", "TCE-ELECTRICITY-CALORIFIC")
    assert units.find_bridge("t", "tce") is None
    assert units.find_bridge("MWh", "tCO2e") is None
    assert units.offered("tce")[:5] == ("tce", "吨标准煤", "kgce", "千克标准煤", "万吨标准煤")
    assert {"kWh", "MWh", "GJ"} <= set(units.offered("tce"))
    assert units.offered("MWh") == units.alternatives("MWh")


GOOD = """
version = "t"
[[define]]
line = "yuan = [currency] = CNY"
source = "s"
confidence = "definition"
[[unit]]
symbol = "CNY"
expression = "CNY"
zh = "元"
en = "CNY"
canonical = true
"""


def test_a_new_unit_is_a_data_edit():
    table = units.parse_units(GOOD + '[[unit]]\nsymbol = "千元"\nexpression = "1000 * CNY"\n'
                              'zh = "千元"\nen = "CNY thousand"\nsource = "千 = 10^3"\n'
                              'confidence = "definition"\n')
    assert [u.symbol for u in table.units] == ["CNY", "千元"]
    assert table.units[1].source == "千 = 10^3"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ('[[unit]]\nsymbol = "CNY"\nexpression = "CNY"\nzh = "元"\nen = "CNY"\n', "unit.symbol"),
        ('[[unit]]\nsymbol = "X"\nexpression = "CNY"\nen = "x"\n', "unit.zh"),
        ('[[unit]]\nsymbol = "X"\nexpression = "CNY"\nzh = "x"\nen = "x"\ncolour = 1\n',
         "unit.colour"),
        ('[[unit]]\nsymbol = "X"\nexpression = "CNY"\nzh = "x"\nen = "x"\nsource = "s"\n'
         'confidence = "guess"\n', "unit.confidence"),
    ],
)
def test_a_malformed_unit_file_is_refused_naming_line_and_field(extra, field):
    with pytest.raises(DataFileError) as caught:
        units.parse_units(GOOD + extra)
    assert caught.value.params["file"] == units.UNITS_FILE
    assert caught.value.params["field"] == field
    assert isinstance(caught.value.params["row"], int)


def test_a_local_name_reads_in_the_readers_language():
    name = LocalName("期末在职员工总数", "Employees at year end")
    assert str(name) == "期末在职员工总数"
    assert localized({"name": name, "n": 3}, "en") == {"name": "Employees at year end", "n": 3}
    assert localized({"name": name}, "zh-hans") == {"name": "期末在职员工总数"}
