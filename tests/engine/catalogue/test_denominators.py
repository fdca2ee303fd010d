"""The physical-output denominators of intensity indicators are data: the shipped file names
catalogue intensities and canonical units, and a malformed file is refused naming the field."""

from __future__ import annotations

import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.denominators import (
    all_output_units,
    basis_of,
    denominators,
    output_units,
    parse_denominators,
    to_output_unit,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import DataFileError, UnitError


def test_the_shipped_file_admits_output_units_only_for_catalogue_intensities():
    catalogue = load_catalogue()
    table = denominators()
    assert set(table.units) == {"E-GHG-05", "E-ENG-02", "E-WAT-02"}
    for code, listed in table.units.items():
        indicator = catalogue.get(code)
        assert indicator.is_intensity and indicator.unit.endswith("/10k_CNY")
        numerator = indicator.unit.split("/")[0]
        for unit in listed:
            assert unit.split("/")[0] == numerator  # same quantity, another denominator
            with pytest.raises(UnitError):  # never convertible into the per-revenue unit
                units.conversion_factor(unit, indicator.unit)
    assert output_units("E-GHG-05") == ("tCO2e/MW", "tCO2e/t", "tCO2e/m2")
    assert output_units("E-GHG-01") == ()
    assert "m3/t" in all_output_units() and "tCO2e/10k_CNY" not in all_output_units()


def test_each_basis_has_a_name_in_both_languages_and_a_source():
    assert basis_of("tce/MW").name("zh-hans") == "每兆瓦装机容量"
    assert basis_of("tce/MW").name("en") == "per MW of installed capacity"
    assert basis_of("m3/m2").name("en") == "per m² of floor area"
    assert basis_of("tCO2e/10k_CNY") is None
    for basis in denominators().bases.values():
        assert basis.source and basis.confidence
    assert basis_of("tCO2e/MW").confidence.startswith("unconfirmed")  # no standard text read


def test_a_value_converts_to_the_output_unit_it_measures():
    assert to_output_unit("E-ENG-02", 350.0, "kgce/t") == (pytest.approx(0.35), "tce/t")
    assert to_output_unit("E-ENG-02", 1.0, "tce/10k_CNY") is None
    assert to_output_unit("E-GHG-01", 1.0, "tCO2e/MW") is None


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('version = "1"\n[[basis]]\ndenominator = "MW"\nname_zh = "a"\nname_en = "b"\n'
         'source = "s"\nconfidence = "guess"\n[[indicator]]\ncode = "X"\nunits = ["tCO2e/MW"]\n'
         'source = "s"\nconfidence = "definition"\n', "basis.confidence"),
        ('version = "1"\n[[basis]]\ndenominator = "MW"\nname_zh = "a"\nname_en = "b"\n'
         'source = "s"\nconfidence = "definition"\n[[indicator]]\ncode = "X"\n'
         'units = ["tCO2e/furlong"]\nsource = "s"\nconfidence = "definition"\n', "indicator.units"),
        ('version = "1"\n[[basis]]\ndenominator = "MW"\nname_zh = "a"\nname_en = "b"\n'
         'source = "s"\nconfidence = "definition"\n[[indicator]]\ncode = "X"\n'
         'units = ["tce/t"]\nsource = "s"\nconfidence = "definition"\n', "indicator.units"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_field(text, field):
    with pytest.raises(DataFileError) as caught:
        parse_denominators(text, "denominators.toml")
    assert caught.value.params["field"] == field
