"""Adding a factor-set version as docs/carbon.md describes breaks nothing (issue 13 item 11).

A copy of the factor data directory gets a set 2026.1 that supersedes 2025.1 with one changed
grid factor; the engine and the carbon app are pointed at it through ``CZESG_FACTORS_DIR``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from czesg.carbon import actions
from czesg.engine import carbon

OLD, NEW = "2025.1", "2026.1"
OLD_JS_2023, NEW_JS_2023 = "0.5827", "0.5700"
ROOT = Path(__file__).resolve().parents[3]
ROWS = [{"activity": "natural_gas", "quantity": 10, "unit": "万Nm3"},
        {"activity": "electricity", "quantity": 1200, "unit": "MWh", "region": "Jiangsu"}]
ROWS_WITH_KEYS = [{"uscc": "91320400MA1XXXXX1A", "year": 2023, **r} for r in ROWS]


def add_new_version(root: Path) -> Path:
    """Copy the shipped factor data to ``root`` and add 2026.1 the way docs/carbon.md says."""
    shutil.copytree(carbon.FACTORS_ROOT, root)
    old, new = root / OLD, root / NEW
    new.mkdir()
    toml = (old / carbon.FACTORSET_NAME).read_text(encoding="utf-8")
    assert f'version = "{OLD}"' in toml and 'supersedes = ""' in toml
    toml = toml.replace(f'version = "{OLD}"', f'version = "{NEW}"').replace(
        'supersedes = ""', f'supersedes = "{OLD}"')
    toml = "\n".join("published = 2027-06-30" if line.startswith("published = ") else line
                     for line in toml.splitlines()) + "\n"
    (new / carbon.FACTORSET_NAME).write_text(toml, encoding="utf-8")
    factors = (old / carbon.FACTORS_NAME).read_text(encoding="utf-8")
    changed = factors.replace(f",Jiangsu,2023,{OLD_JS_2023},kgCO2/kWh,",
                              f",Jiangsu,2023,{NEW_JS_2023},kgCO2/kWh,")
    assert changed.count("\n") == factors.count("\n") and changed != factors
    (new / carbon.FACTORS_NAME).write_text(changed, encoding="utf-8")
    return root


@pytest.fixture
def new_root(tmp_path):
    return add_new_version(tmp_path / "factors")


def test_the_new_version_is_the_default_and_the_named_one_is_unchanged(new_root, monkeypatch):
    shipped = carbon.calculate(ROWS_WITH_KEYS, factor_set=OLD, gwp_set="AR6")
    monkeypatch.setenv(carbon.FACTORS_DIR_ENV, str(new_root))
    assert carbon.factors_root() == new_root
    assert carbon.available_factor_sets() == (OLD, NEW)
    newest = carbon.load_factor_set()
    assert (newest.version, newest.supersedes) == (NEW, OLD)
    assert newest.get("GRID-JS-2023").value == float(NEW_JS_2023)
    assert carbon.load_factor_set(OLD).get("GRID-JS-2023").value == float(OLD_JS_2023)

    default = carbon.calculate(ROWS_WITH_KEYS, gwp_set="AR6")
    assert default.factor_set == NEW
    named = carbon.calculate(ROWS_WITH_KEYS, factor_set=OLD, gwp_set="AR6")
    assert named.factor_set == OLD and named.totals.equals(shipped.totals)
    assert named.trace == shipped.trace
    assert carbon.reproduce(shipped.trace).equals(shipped.totals)
    location = "scope2_location_tco2e"
    assert default.totals[location][0] == pytest.approx(
        shipped.totals[location][0] - 1_200_000 * (float(OLD_JS_2023) - float(NEW_JS_2023))
        / 1000, rel=1e-12)



@pytest.mark.django_db
def test_a_stored_calculation_reproduces_with_its_set_after_a_new_one(new_root, monkeypatch,
                                                                      firm_a, alice):
    stored = actions.calculate_for(firm_a, 2023, ROWS, gwp_set="AR6", factor_set=OLD,
                                   actor=alice)
    monkeypatch.setenv(carbon.FACTORS_DIR_ENV, str(new_root))
    fresh = actions.calculate_for(firm_a, 2023, ROWS, gwp_set="AR6", actor=alice)
    assert fresh.factor_set == NEW
    assert fresh.totals_data["scope2_location_tco2e"] < stored.totals_data["scope2_location_tco2e"]
    again = actions.calculate_for(firm_a, 2023, ROWS, gwp_set="AR6", factor_set=OLD, actor=alice)
    assert again.totals_data == stored.totals_data and again.inputs_hash == stored.inputs_hash
    reproduced = carbon.reproduce(stored.trace_data).to_dicts()[0]
    for key in ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e", "energy_tce"):
        assert reproduced[key] == stored.totals_data[key]
    assert actions.newer_factor_sets(OLD) == [NEW]
    recalculated = actions.recalculate(stored, NEW, actor=alice)
    assert recalculated.factor_set == NEW
    assert recalculated.totals_data == fresh.totals_data


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="about factor data, not the database: run once, in the SQLite pass")
def test_the_carbon_tests_pass_against_a_directory_with_a_new_version(new_root):
    # The strongest check: the carbon engine and app tests, run with the new version present,
    # keep every assertion (each names the set its numbers come from).
    env = {**os.environ, carbon.FACTORS_DIR_ENV: str(new_root)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
         "tests/engine/carbon", "tests/apps/carbon/test_carbon_app.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
