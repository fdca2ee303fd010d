"""Factor sets: the shipped data, versions, and malformed files refused naming row and field."""

from __future__ import annotations

import csv

import pytest

from czesg.engine import carbon
from czesg.engine.carbon import (
    check_activities,
    load_activities,
    load_factor_set,
    parse_activities,
    parse_factor_set,
)
from czesg.engine.kernel.errors import DataFileError
from tests.engine.carbon import (
    FACTOR_SET,
    FACTORS_DIR,
    REFERENCE,
    RENAMED,
    C,
    copy_factor_set,
    io_csv,
)


# --- the factor set -------------------------------------------------------------------------
class TestFactorSet:
    def test_set_2025_1_is_the_first_with_provenance(self):
        fs = load_factor_set(FACTOR_SET)
        assert fs.version == "2025.1"
        assert fs.supersedes == ""
        assert fs.published.year == 2026
        assert "当量值" in fs.description_zh and "等价值" in fs.description_en

    @pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference data not mounted")
    def test_every_reference_row_is_kept_with_its_value_and_confidence(self):
        fs = load_factor_set(FACTOR_SET)
        with REFERENCE.open(encoding="utf-8-sig") as handle:
            reference = list(csv.DictReader(handle))
        assert len(fs) == len(reference)
        for record in reference:
            factor = fs.get(RENAMED.get(record["factor_id"], record["factor_id"]))
            assert factor.value == float(record["value"])
            assert factor.category == record["category"]
            assert factor.confidence == record["confidence"]
            assert factor.source == record["source"] and factor.locator == record["locator"]
            assert factor.name_zh == record["item_cn"]

    def test_unconfirmed_rows_keep_their_flag(self):
        fs = load_factor_set(FACTOR_SET)
        assert fs.get("GRID-JS-2021").confidence == "unconfirmed-single-secondary"
        assert not fs.get("GRID-EC-2021").is_confirmed

    def test_fuel_parameters_agree_with_the_derived_value(self):
        fuels = [f for f in load_factor_set(FACTOR_SET) if f.category == "fuel_combustion"]
        assert len(fuels) == 24
        for f in fuels:
            derived = f.ncv * f.carbon_content_tC_per_GJ * f.oxidation_rate * C
            assert derived == pytest.approx(f.value, abs=5.0001e-5), f.factor_id
            assert f.carbon_content_tC_per_GJ < 0.1  # tC per GJ, not "10^-2 tC/GJ"

    def test_average_residual_and_footprint_factors_are_kept_apart(self):
        fs = load_factor_set(FACTOR_SET)
        assert fs.get("GRID-CN-2023").category == "grid_average"
        assert fs.get("GRID-CN-EXNF-2023").category == "grid_residual"
        assert fs.get("CFP-CN-2023").category == "grid_carbon_footprint"
        assert fs.get("GRID-CN-FOSSIL-2023").category == "grid_fossil"
        assert fs.get("GRID-CN-ETS-2022").category == "grid_ets_reporting"
        assert fs.get("GRID-JS-2023").category == "grid_provincial"
        assert fs.get("GRID-EC-2023").category == "grid_regional"

    def test_electricity_coefficient_is_the_named_calorific_equivalent_only(self):
        fs = load_factor_set(FACTOR_SET)
        factor = fs.get("TCE-ELECTRICITY-CALORIFIC")
        assert (factor.value, factor.unit, factor.name_zh) == (0.1229, "kgce/kWh", "电力(当量值)")
        assert "等价值" in factor.notes and "NOT in this factor set" in factor.notes
        assert not [f for f in fs if "GENERATION" in f.factor_id]

    def test_latest_year_lookup(self):
        fs = load_factor_set(FACTOR_SET)
        assert fs.latest("grid_provincial", "Jiangsu", 2024).factor_id == "GRID-JS-2023"
        assert fs.latest("grid_provincial", "Jiangsu", 2022).factor_id == "GRID-JS-2022"
        assert fs.latest("grid_provincial", "Jiangsu", 2020) is None
        assert fs.gwp("NF3", "SAR") is None

    def test_latest_version_by_default_and_by_name(self, tmp_path):
        second = copy_factor_set(tmp_path, "2026.1", supersedes="2025.1")
        (second / "factors.csv").write_text(
            (FACTORS_DIR / "factors.csv").read_text(encoding="utf-8"), encoding="utf-8"
        )
        assert carbon.available_factor_sets(tmp_path) == ("2025.1", "2026.1")
        assert load_factor_set(root=tmp_path).version == "2026.1"
        assert load_factor_set("2025.1", root=tmp_path).version == "2025.1"
        with pytest.raises(DataFileError, match="does not exist"):
            load_factor_set("1999.1", root=tmp_path)


class TestMalformedData:
    TOML = (FACTORS_DIR / "factorset.toml").read_text(encoding="utf-8")
    CSV = (FACTORS_DIR / "factors.csv").read_text(encoding="utf-8")

    def _replace_cell(self, factor_id, column, value):
        lines = list(csv.reader(self.CSV.splitlines()))
        header = lines[0]
        for number, cells in enumerate(lines[1:], start=2):
            if cells[0] == factor_id:
                cells[header.index(column)] = value
                return io_csv(lines), number
        raise AssertionError(factor_id)

    @pytest.mark.parametrize(("factor_id", "column", "value", "reason"), [
        ("GRID-JS-2023", "category", "grid_everything", "is not one of"),
        ("FUEL-DIESEL", "carbon_content_tC_per_GJ", "2.02", "implausibly large"),
        ("FUEL-DIESEL", "value", "3.2000", "disagrees"),
        ("GRID-JS-2023", "confidence", "probably", "not a confidence level"),
        ("GRID-JS-2023", "value", "-0.5", "above zero"),
        ("GRID-JS-2023", "data_year", "", "needs the year"),
        ("GRID-JS-2023", "unit", "kgCO2/zorkmid", "not a known unit"),
        ("GRID-JS-2023", "factor_id", "GRID-JS-2022", "already used"),
        ("HEAT-DEFAULT", "source", "", "must not be empty"),
    ])
    def test_bad_cells_are_refused_naming_row_and_field(self, factor_id, column, value, reason):
        text, number = self._replace_cell(factor_id, column, value)
        with pytest.raises(DataFileError) as excinfo:
            parse_factor_set(self.TOML, text, csv_name="factors.csv")
        params = excinfo.value.params
        assert (params["file"], params["row"], params["field"]) == ("factors.csv", number, column)
        assert reason in params["reason"]

    def test_bad_header_and_toml_are_refused(self):
        with pytest.raises(DataFileError) as excinfo:
            parse_factor_set(self.TOML, self.CSV.replace("factor_id,", "id,", 1))
        assert excinfo.value.params["row"] == 1
        with pytest.raises(DataFileError) as excinfo:
            parse_factor_set(self.TOML.replace('version = "2025.1"', 'version = "one"'),
                             self.CSV)
        assert excinfo.value.params["field"] == "version"
        with pytest.raises(DataFileError, match="differs from its folder"):
            parse_factor_set(self.TOML, self.CSV, expected_version="2026.1")

    def test_bad_activities_are_refused(self):
        text = (carbon.FACTORS_ROOT / "activities.toml").read_text(encoding="utf-8")
        with pytest.raises(DataFileError) as excinfo:
            parse_activities(text.replace('kind = "combustion"', 'kind = "magic"', 1))
        assert excinfo.value.params["field"] == "kind"
        assert excinfo.value.params["row"] == text.splitlines().index("[[activity]]") + 1
        with pytest.raises(DataFileError, match="defined twice"):
            parse_activities(text.replace('code = "diesel"', 'code = "natural_gas"'))

    def test_activities_must_find_their_factors(self):
        fs = load_factor_set(FACTOR_SET)
        lines = [line for line in self.CSV.splitlines() if not line.startswith("FUEL-DIESEL,")]
        smaller = parse_factor_set(self.TOML, "\n".join(lines))
        check_activities(fs, load_activities())
        with pytest.raises(DataFileError) as excinfo:
            check_activities(smaller, load_activities())
        assert "FUEL-DIESEL" in excinfo.value.params["reason"]
        assert excinfo.value.params["file"] == "activities.toml"


