"""The cradle-to-gate footprint of a worked example, to the last digit, and its refusals."""

from __future__ import annotations

import pytest

from czesg.engine.footprint import (
    FootprintInputError,
    FootprintInputs,
    FuelUse,
    MaterialUse,
    SupplierFootprint,
    compute_footprint,
    decimal_text,
    load_secondary_factors,
    parse_secondary_factors,
    product_footprint,
)
from czesg.engine.kernel.errors import DataFileError

# A synthetic secondary factor for the test only (the shipped file has no rows yet).
SECONDARY = parse_secondary_factors(
    "factor_id,kind,name_zh,name_en,value,biogenic_value,unit,confidence,source,locator,notes\n"
    "TEST-ALU,material,测试铝,test aluminium,2.0,0.5,kgCO2e/kg,unconfirmed-test,test,,\n"
    "TEST-TRUCK,transport,测试卡车,test truck,0.1,,kgCO2e/t*km,confirmed-secondary,test,,\n"
)
CELLS = SupplierFootprint(
    declared_unit="kilogram", declared_amount=1.0, pcf_excluding_biogenic=10.0,
    pcf_including_biogenic=9.5, fossil=9.8, primary_data_share=40.0,
    reference="urn:czesg:product:cells",
)


def worked_example(**overrides) -> FootprintInputs:
    facts = dict(
        uscc="91320411T000000011", year=2024, declared_unit="piece", output=1000.0,
        fuels=(
            FuelUse("natural_gas", 2.0, "万Nm3", share=0.5, row=1),
            FuelUse("electricity", 100000.0, "kWh", share=0.5, row=2),
            FuelUse("diesel", 1.0, "t", share=1.0, stage="transport", row=3),
        ),
        materials=(
            MaterialUse("cells", 0.8, "t", supplier=CELLS, row=1),
            MaterialUse("housing", 50.0, "kg", secondary_factor_id="TEST-ALU", row=2),
        ),
        exempted_percent=1.0,
    )
    facts.update(overrides)
    return FootprintInputs(**facts)


def test_worked_example_exact_numbers():
    result = compute_footprint(worked_example(), factor_set="2025.1", secondary=SECONDARY)
    gas = 2 * 389.31 * 0.0153 * 0.99 * 44 / 12 * 1000 * 0.5   # GB/T 32151 defaults, 50 %
    electricity = 100000 * 0.5777 * 0.5                     # CFP-CN-2024, not a Scope 2 factor
    diesel = 1 * 42.652 * 0.0202 * 0.98 * 44 / 12 * 1000     # transport from its fuel
    cells_fossil, cells_bio, cells_uptake = 800 * 9.8, 800 * 0.2, 800 * -0.5
    housing, housing_bio = 50 * 2.0, 50 * 0.5
    fossil = gas + electricity + diesel + cells_fossil + housing
    biogenic = cells_bio + housing_bio
    assert result.fossil_kg == pytest.approx(fossil, rel=1e-12)
    assert result.pcf_excluding_biogenic == pytest.approx((fossil + biogenic) / 1000, rel=1e-12)
    assert result.pcf_including_biogenic == pytest.approx(
        (fossil + biogenic + cells_uptake) / 1000, rel=1e-12)
    assert result.pcf_excluding_biogenic == pytest.approx(61.7277978, abs=1e-7)
    primary = gas + electricity + diesel + (cells_fossil + cells_bio) * 0.4
    assert result.primary_data_share == pytest.approx(
        100 * primary / (fossil + biogenic), rel=1e-12)
    assert result.by_stage == pytest.approx({
        "energy": gas, "electricity": electricity, "transport": diesel,
        "materials": cells_fossil + cells_bio + housing + housing_bio,
    }, rel=1e-12)
    ids = [(e["stage"], e["factor_id"]) for e in result.trace]
    assert ids == [("energy", "FUEL-NATURAL_GAS"), ("transport", "FUEL-DIESEL"),
                   ("electricity", "CFP-CN-2024"), ("materials", ""),
                   ("materials", "TEST-ALU")]
    assert result.unconfirmed_factors == ["TEST-ALU"]
    assert result.summary()["exempted_percent"] == 1.0


def test_electricity_falls_back_to_latest_earlier_footprint_factor():
    result = compute_footprint(
        worked_example(year=2026, materials=(), fuels=(FuelUse("electricity", 1.0, "MWh"),)),
        factor_set="2025.1", secondary=SECONDARY)
    assert result.trace[0]["factor_id"] == "CFP-CN-2024"
    assert result.pcf_excluding_biogenic == pytest.approx(1000 * 0.5777 / 1000)


def problems_of(inputs: FootprintInputs) -> list[tuple[str, object, str, str]]:
    with pytest.raises(FootprintInputError) as caught:
        compute_footprint(inputs, factor_set="2025.1", secondary=SECONDARY)
    return [(p.table, p.row, p.column, p.render()) for p in caught.value.problems]


def test_no_activity_data_is_refused():
    assert problems_of(worked_example(fuels=(), materials=())) == [
        ("product", None, "-",
         "The product has no activity data: enter its energy, materials or transport first."),
    ]


def test_incompatible_supplier_unit_is_refused_naming_the_material():
    found = problems_of(worked_example(materials=(
        MaterialUse("cells", 12.0, "pcs", supplier=CELLS, row=4),)))
    assert found == [("materials", 4, "unit",
                      "The quantity of “cells” is in pcs but its footprint is per kg; these "
                      "units cannot be converted.")]


def test_every_problem_is_listed_at_once():
    found = problems_of(worked_example(
        output=0.0, exempted_percent=6.0,
        fuels=(FuelUse("electricity", -1.0, "kWh", row=2), FuelUse("process_co2", 1.0, "t",
                                                                   row=3)),
        materials=(MaterialUse("glue", 1.0, "kg", row=5),
                   MaterialUse("truck", 1.0, "kg", secondary_factor_id="TEST-TRUCK", row=6),
                   MaterialUse("paint", 1.0, "kg", secondary_factor_id="NOPE", row=7)),
    ))
    assert [(t, r, c) for t, r, c, _ in found] == [
        ("fuels", 2, "quantity"), ("fuels", 3, "activity"),
        ("materials", 5, "source"), ("materials", 6, "secondary_factor_id"),
        ("materials", 7, "secondary_factor_id"),
        ("product", None, "exempted_percent"), ("product", None, "output"),
    ]


def test_inconsistent_supplier_footprint_is_refused():
    bad = SupplierFootprint("kilogram", 1.0, 1.0, 1.0, 2.0, 50.0)
    found = problems_of(worked_example(materials=(MaterialUse("x", 1.0, "kg", supplier=bad),)))
    assert found[0][3] == ("The supplier footprint of “x” is inconsistent: fossil emissions "
                           "exceed the footprint excluding biogenic uptake.")


def test_shipped_secondary_file_loads_and_has_no_invented_rows():
    assert load_secondary_factors() == {}


def test_bad_secondary_file_names_row_and_field():
    with pytest.raises(DataFileError) as caught:
        parse_secondary_factors(
            "factor_id,kind,name_zh,name_en,value,biogenic_value,unit,confidence,source,"
            "locator,notes\nX,material,a,b,1,,kgCO2e/kg,guess,s,,\n")
    assert caught.value.params["row"] == 2
    assert caught.value.params["field"] == "confidence"


def test_decimal_text():
    assert decimal_text(61.72779780000001) == "61.727798"
    assert decimal_text(-0.0) == "0"
    assert decimal_text(1e-9) == "0"
    assert decimal_text(1234567.0) == "1234567"
    assert decimal_text(-0.4) == "-0.4"


def test_pact_product_footprint_shape():
    from datetime import UTC, datetime

    result = compute_footprint(worked_example(), factor_set="2025.1", secondary=SECONDARY)
    pf = product_footprint({
        "id": "0b7e1f0a-3c3f-4c3e-9a0e-1f2a3b4c5d6e",
        "created": datetime(2025, 3, 1, tzinfo=UTC), "status": "Active",
        "company_name": "测试电池", "uscc": "91320411T000000011",
        "product_uuid": "5f0c", "product_name": "Pack", "cpc_code": "46410", "hs_code": "",
        "period_start": datetime(2024, 1, 1, tzinfo=UTC),
        "period_end": datetime(2025, 1, 1, tzinfo=UTC), "geography": "CN-JS",
        "summary": result.summary(),
    })
    assert pf["companyIds"] == ["urn:czesg:uscc:91320411T000000011"]
    assert pf["productClassifications"] == ["urn:cpc:46410"]
    assert pf["pcf"]["pcfExcludingBiogenicUptake"] == "61.727798"
    assert pf["pcf"]["biogenicCO2Uptake"] == "-0.4"
    assert pf["pcf"]["referencePeriodEnd"] == "2025-01-01T00:00:00Z"
