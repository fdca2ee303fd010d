"""Issue 12 (item 2): a number without a unit is never guessed, energy becomes standard coal only
through the factor set's named coefficient, and an intensity per physical output is kept in its
own unit (a denominator the catalogue data admits), never stored per 10,000 CNY."""

from __future__ import annotations

import json

import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.values import coerce
from czesg.engine.kernel.bilingual import localized
from czesg.engine.kernel.errors import UnitError
from czesg.engine.kernel.identifiers import make_uscc


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.mark.parametrize(
    ("code", "raw", "unit", "stored"),
    [
        ("G-GEN-01", 50, "百万元", 5000.0),
        ("G-GEN-01", "1.2", "亿元", 12000.0),
        ("G-GEN-01", 3_000_000, "元", 300.0),
        ("G-GEN-01", 50, "RMB million", 5000.0),
        ("E-GHG-05", 20, "吨二氧化碳当量/百万元", 0.2),
        ("E-ENG-02", 5.6, "tce/RMB million", 0.056),
        ("E-ENG-01-ELEC", 6500, "kWh", 6.5),
        ("S-EMP-03", 8.5, "", 8.5),  # a percentage has one admissible unit
        ("G-GEN-03", 2, "", 2.0),  # so does a count
    ],
)
def test_typed_scales_are_stored_in_the_canonical_unit(catalogue, code, raw, unit, stored):
    value = coerce(catalogue.get(code), raw, unit)
    assert value.number == pytest.approx(stored, rel=1e-12)
    assert value.entered_unit == (unit or catalogue.get(code).unit)
    assert value.conversion == {}


@pytest.mark.parametrize("code", ["S-EMP-01", "E-GHG-05", "E-ENG-01-ELEC", "G-GEN-01", "E-ENG-01"])
def test_a_number_without_a_unit_is_refused_naming_the_indicator(catalogue, code):
    indicator = catalogue.get(code)
    with pytest.raises(UnitError) as caught:
        coerce(indicator, 12, "")
    params = caught.value.params
    assert localized(params, "zh-hans")["name"] == indicator.name_zh
    assert localized(params, "en")["name"] == indicator.name_en
    assert "not guessed" in caught.value.render()


@pytest.mark.parametrize(
    ("raw", "unit", "tce"),
    [
        (1000, "MWh", 122.9),  # 1000 MWh x 0.1229 kgce/kWh = 122.9 tce
        (6500, "kWh", 0.79885),
        (1, "GWh", 122.9),
        (3600, "GJ", 122.9),  # 3600 GJ = 1000 MWh
        (100, "万千瓦时", 122.9),
    ],
)
def test_energy_into_tce_through_the_named_coefficient(catalogue, raw, unit, tce):
    value = coerce(catalogue.get("E-ENG-01"), raw, unit)
    assert value.number == pytest.approx(tce, rel=1e-12)
    assert (value.unit, value.entered_unit) == ("tce", unit)
    assert value.conversion["factor_id"] == "TCE-ELECTRICITY-CALORIFIC"
    assert value.conversion["factor_set"] == "2025.1"
    assert (value.conversion["coefficient"], value.conversion["coefficient_unit"]) == (
        0.1229, "kgce/kWh")


def test_standard_coal_typed_directly_needs_no_coefficient(catalogue):
    value = coerce(catalogue.get("E-ENG-01"), 2, "万吨标准煤")
    assert (value.number, value.conversion) == (20000.0, {})


@pytest.mark.parametrize(
    ("code", "raw", "unit", "stored", "stored_unit"),
    [
        ("E-GHG-05", 0.5, "tCO2e/MW", 0.5, "tCO2e/MW"),
        ("E-GHG-05", 1250, "kgCO2e/t", 1.25, "tCO2e/t"),  # 1250 kg = 1.25 t per t of product
        ("E-GHG-05", "0.08", "吨二氧化碳当量/平方米", 0.08, "tCO2e/m2"),
        ("E-GHG-05", 80, "kgCO2e/m²", 0.08, "tCO2e/m2"),
        ("E-GHG-05", 2, "tCO2e/kW", 2000.0, "tCO2e/MW"),  # per kW: 1000 × per MW
        ("E-ENG-02", 350, "kgce/t", 0.35, "tce/t"),
        ("E-ENG-02", 12, "吨标准煤/兆瓦", 12.0, "tce/MW"),
        ("E-WAT-02", 3.2, "立方米/吨产品", 3.2, "m3/t"),
        ("E-WAT-02", 0.9, "m³/m²", 0.9, "m3/m2"),
    ],
)
def test_an_intensity_per_physical_output_is_kept_in_its_own_unit(
    catalogue, code, raw, unit, stored, stored_unit
):
    value = coerce(catalogue.get(code), raw, unit)
    assert value.number == pytest.approx(stored, rel=1e-12)
    assert value.unit == stored_unit  # never per 万元
    assert value.entered_unit == unit and value.conversion == {}


@pytest.mark.parametrize("unit", ["tCO2e/kWh", "tCO2e/person", "MWh"])
def test_a_denominator_the_data_does_not_admit_is_refused_naming_the_admitted_ones(catalogue, unit):
    indicator = catalogue.get("E-GHG-05")
    with pytest.raises(UnitError) as caught:
        coerce(indicator, 0.5, unit)
    params = localized(caught.value.params, "en")
    assert params["name"] == indicator.name_en
    assert params["expected"] == "tCO2e per 10,000 CNY"
    assert params["bases"] == "tCO2e per MW / tCO2e per t of product / tCO2e per m²"
    assert localized(caught.value.params, "zh-hans")["bases"] == (
        "吨二氧化碳当量/兆瓦 / 吨二氧化碳当量/吨产品 / 吨二氧化碳当量/平方米")


def test_an_intensity_without_output_denominators_refuses_a_per_output_figure(catalogue):
    indicator = catalogue.get("E-WST-01-INT")  # the data file admits no output basis for it
    with pytest.raises(UnitError) as caught:
        coerce(indicator, 0.5, "t/MW")
    params = localized(caught.value.params, "en")
    assert params["expected"] == "t per 10,000 CNY" and params["denominator"] == "MW"
    assert "per 10,000 CNY" in caught.value.render()


def test_mass_is_not_standard_coal(catalogue):
    with pytest.raises(UnitError) as caught:
        coerce(catalogue.get("E-ENG-01"), 5, "t")
    assert caught.value.params["expected"] == "tce"


# --- the long-format bulk file converts with the form's own function ----------------------------
@pytest.mark.parametrize(
    ("raw", "unit", "tce"),
    [("1000", "MWh", 122.9), ("6500", "kWh", 0.79885), ("3600", "GJ", 122.9),
     ("100", "万千瓦时", 122.9), ("2", "万吨标准煤", 20000.0)],
)
def test_a_bulk_file_converts_energy_into_tce_exactly_as_the_form(catalogue, raw, unit, tce):
    from czesg.engine.disclosure.bulk import check_long, long_frame

    uscc = make_uscc("9", "1", "320411", "T00000001")
    check = check_long(long_frame([(uscc, 2024, "E-ENG-01", raw, unit)]), catalogue)
    assert check.problems == []
    (row,) = check.accepted.iter_rows(named=True)
    typed = coerce(catalogue.get("E-ENG-01"), raw, unit)
    assert row["number"] == typed.number  # bit for bit: the same multipliers in the same order
    assert row["number"] == pytest.approx(tce, rel=1e-12)
    assert (row["unit"], row["entered_value"], row["entered_unit"]) == ("tce", raw, unit)
    named = json.loads(row["conversion"]) if row["conversion"] else {}
    assert named == typed.conversion
    if unit != "万吨标准煤":
        assert (named["factor_id"], named["coefficient"]) == ("TCE-ELECTRICITY-CALORIFIC", 0.1229)


@pytest.mark.parametrize("unit", ["t", "m3", "万元", "person"])
def test_a_bulk_file_refuses_a_unit_of_the_wrong_dimension_naming_row_and_field(catalogue, unit):
    from czesg.engine.disclosure.bulk import check_long, long_frame

    uscc = make_uscc("9", "1", "320411", "T00000001")
    check = check_long(long_frame([
        (uscc, 2024, "S-EMP-01", "12", "person"),
        (uscc, 2024, "E-ENG-01", "5", unit),
    ]), catalogue)
    (problem,) = check.problems
    assert (problem.row, problem.column) == (3, "unit")
    assert problem.render() == f"E-ENG-01 is measured in tce; “{unit}” does not fit."
    assert check.accepted.height == 0  # the enterprise is refused as a whole
