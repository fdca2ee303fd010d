"""Activity codes: the required codes with units and scopes, read-only."""

from __future__ import annotations

import pytest

from czesg.engine.carbon import (
    list_activities,
    load_activities,
)


# --- activities -----------------------------------------------------------------------------
class TestActivities:
    def test_required_activity_codes_with_units_and_scopes(self):
        listed = {a["code"]: a for a in list_activities()}
        expected = {
            "natural_gas": ("万Nm3", "1"), "diesel": ("t", "1"), "gasoline": ("t", "1"),
            "coal": ("t", "1"), "lpg": ("t", "1"), "fuel_oil": ("t", "1"),
            "anthracite": ("t", "1"), "coke": ("t", "1"), "electricity": ("MWh", "2"),
            "purchased_heat": ("GJ", "2"), "green_certificate_electricity": ("MWh", "2"),
            "green_power_contract": ("MWh", "2"), "own_renewable_generation": ("MWh", "memo"),
            "process_emissions": ("tCO2e", "1"), "refrigerant_hfc_134a": ("kg", "1"),
            "refrigerant_hfc_32": ("kg", "1"), "sf6": ("kg", "1"),
        }
        for code, (unit, scope) in expected.items():
            assert (listed[code]["unit"], listed[code]["scope"]) == (unit, scope), code
        for n in range(1, 16):
            entry = listed[f"scope3_cat{n}"]
            assert (entry["unit"], entry["scope"], entry["reported"]) == ("tCO2e", "3", True)
        assert not any(a["estimate"] for a in listed.values())  # no sourced spend factor
        assert "raw coal" in listed["coal"]["notes"]
        assert listed["electricity"]["tce_factor_id"] == "TCE-ELECTRICITY-CALORIFIC"

    def test_activity_table_is_read_only(self):
        with pytest.raises(TypeError):
            load_activities()["diesel"] = None


