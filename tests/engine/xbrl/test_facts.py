"""The czesg taxonomy and a report's facts: exact values, and refusals naming fact and rule."""

from __future__ import annotations

import json

import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.xbrl import oim
from czesg.engine.xbrl.concepts import ENTITY_SCHEME, XbrlError, taxonomy_for
from czesg.engine.xbrl.facts import Answer, fact_of

USCC = "91320411MA000000YJ"


@pytest.fixture(scope="module")
def taxonomy():
    return taxonomy_for(load_catalogue())


def test_one_concept_per_indicator_with_registry_types_and_periods(taxonomy):
    catalogue = load_catalogue()
    assert list(taxonomy.concepts) == list(catalogue.codes)
    assert taxonomy.concept("E-GHG-01").item_type == "dtr:ghgEmissionsItemType"
    assert taxonomy.concept("E-GHG-01").unit.numerator == ("utr:tCO2e",)
    assert taxonomy.concept("G-GEN-01").item_type == "xbrli:monetaryItemType"
    assert taxonomy.concept("S-EMP-01").period_type == "instant"
    assert taxonomy.concept("E-ENG-01").period_type == "duration"
    assert taxonomy.concept("G-ABC-04").item_type == "xbrli:booleanItemType"
    # The entity scheme + ":" + credit code is the PACT API's company URN.
    assert f"{ENTITY_SCHEME}:{USCC}" == f"urn:czesg:uscc:{USCC}"


@pytest.mark.parametrize(("code", "shown", "unit", "number", "value"), [
    ("G-GEN-01", "5,000", "万元", 5000.0, "50000000"),
    ("S-EMP-03", "8.5", "%", 8.5, "0.085"),
    ("E-GHG-05", "0.2", "tCO2e/10k_CNY", 0.2, "0.00002"),
    ("E-GHG-05", "350", "tCO2e/MW", 350.0, "350"),  # per unit of physical output
    ("E-ENG-01-GAS", "10", "万Nm3", 10.0, "100000"),
    ("E-GHG-01", "1,234,567.891", "tCO2e", 1234567.891, "1234567.891"),
])
def test_a_fact_is_the_printed_figure_with_its_units_scale(taxonomy, code, shown, unit, number,
                                                            value):
    fact = fact_of(taxonomy, Answer(code, shown, unit, number), "zh-hans")
    assert fact.value == value
    assert fact.shown == shown


def test_a_number_without_a_unit_is_refused_naming_the_fact_and_the_rule(taxonomy):
    with pytest.raises(XbrlError) as refused:
        fact_of(taxonomy, Answer("E-GHG-01", "1,000", "", 1000.0), "zh-hans")
    assert refused.value.render() == (
        "The value of E-GHG-01 has no unit (rule: a numeric fact has a unit, XBRL 2.1 section "
        "4.6.2).")


def test_a_unit_with_no_xbrl_form_is_refused(taxonomy):
    with pytest.raises(XbrlError) as refused:
        fact_of(taxonomy, Answer("E-GHG-01", "1", "kgCO2e", 1.0), "zh-hans")
    assert refused.value.params == {"code": "E-GHG-01", "unit": "kgCO2e"}


def test_an_unmapped_indicator_is_refused(taxonomy):
    with pytest.raises(XbrlError) as refused:
        fact_of(taxonomy, Answer("X-NEW-01", "1", "t", 1.0), "zh-hans")
    assert "X-NEW-01" in refused.value.render()
    assert "one concept per catalogue indicator" in refused.value.render()


def test_a_printed_figure_that_is_not_the_stored_one_is_refused(taxonomy):
    with pytest.raises(XbrlError) as refused:
        fact_of(taxonomy, Answer("E-GHG-01", "1,000", "tCO2e", 1000.4), "zh-hans")
    assert "differs from the stored value" in refused.value.render()


def test_xbrl_json_reads_back_into_the_catalogues_units(taxonomy):
    facts = [fact_of(taxonomy, Answer("G-GEN-01", "5,000", "万元", 5000.0), "zh-hans"),
             fact_of(taxonomy, Answer("S-EMP-01", "120", "person", 120.0), "zh-hans"),
             fact_of(taxonomy, Answer("S-EMP-03", "8.5", "%", 8.5), "zh-hans"),
             fact_of(taxonomy, Answer("G-GEN-04", "母公司", ""), "zh-hans")]
    text = oim.dumps(oim.to_json(taxonomy, facts, entity=USCC, year=2024))
    read = {f.code: (f.value, f.unit, f.year, f.entity) for f in oim.read_json(taxonomy, text)}
    assert read == {"G-GEN-01": ("5000", "万元", 2024, USCC),
                    "S-EMP-01": ("120", "person", 2024, USCC),
                    "S-EMP-03": ("8.5", "%", 2024, USCC),
                    "G-GEN-04": ("母公司", "", 2024, USCC)}


def test_a_foreign_fact_is_refused_naming_it(taxonomy):
    facts = [fact_of(taxonomy, Answer("E-GHG-01", "1,000", "tCO2e", 1000.0), "zh-hans")]
    document = oim.to_json(taxonomy, facts, entity=USCC, year=2024)
    document["facts"]["f-E-GHG-01"]["dimensions"].pop("unit")
    with pytest.raises(XbrlError) as refused:
        oim.read_json(taxonomy, json.dumps(document))
    assert refused.value.params["fact"] == "f-E-GHG-01"
    assert "a number without a czesg unit" in refused.value.render()
    document["facts"]["f-E-GHG-01"]["dimensions"]["concept"] = "czesg:E-XXX-99"
    with pytest.raises(XbrlError) as refused:
        oim.read_json(taxonomy, json.dumps(document))
    assert "is not in the czesg taxonomy" in refused.value.render()
