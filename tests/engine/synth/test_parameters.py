"""The generator's parameters: factors from the carbon factor set, labelled made-up tables."""

from __future__ import annotations

import csv
import shutil

import pytest

from czesg.engine import carbon, synth
from czesg.engine.kernel.errors import DataFileError
from tests.engine.carbon import RENAMED
from tests.engine.synth import REFERENCE, YEARS, edited


# --- parameters ----------------------------------------------------------------------------------
def test_real_world_factors_come_from_the_carbon_factor_set(params, raw_parameters):
    # No real-world coefficient is copied into parameters.toml any more: every factor the
    # generator applies is the carbon engine's, from the factor set the parameters name.
    assert "factor" not in raw_parameters
    fs = carbon.load_factor_set(raw_parameters["energy"]["factor_set"])
    assert params.factor_set is fs
    used = [f for c in params.carriers for f in (c.emission_factor, c.standard_coal) if f]
    used += [params.grid_factor(year, kind).factor for year in YEARS
             for kind in ("location", "residual")]
    for entry in used:
        assert fs.get(entry.factor_id) is entry
    if not REFERENCE.exists():
        pytest.skip("the shared reference table is not available here")
    with REFERENCE.open(encoding="utf-8-sig") as handle:
        reference = {RENAMED.get(row["factor_id"], row["factor_id"]): row
                     for row in csv.DictReader(handle)}
    for entry in used:
        row = reference[entry.factor_id]
        assert entry.value == float(row["value"]), entry.factor_id
        for field in ("source", "confidence", "category", "region"):
            assert getattr(entry, field) == row[field], (entry.factor_id, field)


def test_made_up_tables_are_labelled_synthetic(raw_parameters):
    for name in synth.SYNTHETIC_TABLES:
        assert raw_parameters[name]["synthetic"] is True, name
        assert "not statistics" in raw_parameters[name]["note"] or "synthetic" in raw_parameters[
            name]["note"].lower(), name
    assert "当量值" in synth.PARAMETERS_PATH.read_text(encoding="utf-8")


def test_a_missing_value_names_file_table_and_field():
    with pytest.raises(DataFileError) as caught:
        synth.parse_parameters(edited('activity = "natural_gas"\n', ""))
    assert caught.value.params["file"] == "synthetic/parameters.toml"
    assert caught.value.params["row"] == "carrier[3]"
    assert caught.value.params["field"] == "activity"


def test_a_made_up_table_without_its_synthetic_label_is_refused():
    with pytest.raises(DataFileError) as caught:
        synth.parse_parameters(edited(
            '[size_class]\nsynthetic = true', '[size_class]\nsynthetic = false'
        ))
    assert caught.value.params["row"] == "size_class"
    assert caught.value.params["field"] == "synthetic"


def test_a_carbon_content_ten_times_too_large_is_refused(tmp_path):
    # The factors are the carbon engine's: its loader refuses the factor set the generator reads.
    shutil.copytree(carbon.FACTORS_ROOT, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "2025.1" / "factors.csv"
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("FUEL-NATURAL_GAS,"))
    assert ",389.31,GJ/万Nm3,0.0153,0.99," in row
    path.write_text(text.replace(row, row.replace(",0.0153,0.99,", ",0.153,0.99,")),
                    encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        synth.load_parameters(factors_root=tmp_path)
    assert caught.value.params["file"] == "2025.1/factors.csv"
    assert caught.value.params["field"] == "carbon_content_tC_per_GJ"


def test_a_missing_synthetic_parameter_is_refused():
    with pytest.raises(DataFileError) as caught:
        synth.parse_parameters(edited("listed_share = 0.05\n", ""))
    assert (caught.value.params["row"], caught.value.params["field"]) == (
        "population", "listed_share"
    )


