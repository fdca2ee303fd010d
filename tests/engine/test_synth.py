"""The synthetic-data generator: determinism, spread, and internally consistent values."""

from __future__ import annotations

import csv
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from czesg.engine import synth
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.values import coerce
from czesg.engine.kernel import identifiers
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.plan import load_city_profile

YEARS = [2022, 2023]
REFERENCE = Path("/work/shared/reference/emission_factors_and_conversions.csv")
FUELS = ("E-ENG-01-GAS", "E-ENG-01-COAL", "E-ENG-01-DSL", "E-ENG-01-GSL", "E-ENG-01-LPG",
         "E-ENG-01-FO")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def profile():
    return load_city_profile()


@pytest.fixture(scope="module")
def params():
    return synth.load_parameters()


@pytest.fixture(scope="module")
def raw_parameters():
    """The parameters file read directly, independent of the loader under test."""
    return tomllib.loads(synth.PARAMETERS_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def enterprises():
    return synth.generate_enterprises(300, seed=2025)


@pytest.fixture(scope="module")
def values(enterprises):
    return synth.generate_disclosures(enterprises, YEARS, seed=2025)


def factor(raw_parameters, factor_id: str) -> float:
    for entry in raw_parameters["factor"]:
        if entry["factor_id"] == factor_id:
            return entry["value"]
    raise AssertionError(f"{factor_id} is not in parameters.toml")


def disclosed(values, code):
    """The values of ``code`` as an (enterprises x years) array, NaN where not disclosed."""
    return values.numbers(code)


def catalogue_type(values, code):
    """The data type of ``code`` as the generated values record it."""
    return values.data_types[values.codes.index(code)]


def as_zero(array):
    """Carriers not disclosed (not applicable, or not in the tier) count as zero."""
    return np.nan_to_num(array, nan=0.0)


# --- determinism --------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_enterprises_and_values():
    first = synth.generate_enterprises(120, seed=7)
    second = synth.generate_enterprises(120, seed=7)
    assert first == second
    one = synth.generate_disclosures(first, YEARS, seed=7)
    two = synth.generate_disclosures(second, YEARS, seed=7)
    for column in ("enterprise_index", "year", "indicator", "boolean", "choice", "text",
                   "na_enterprise_index", "na_indicator", "na_explanation"):
        assert np.array_equal(getattr(one, column), getattr(two, column)), column
    assert np.array_equal(one.number, two.number, equal_nan=True)
    assert one.text_pool == two.text_pool
    assert list(one.rows()) == list(two.rows())


def test_another_seed_gives_other_data():
    first = synth.generate_enterprises(120, seed=7)
    other = synth.generate_enterprises(120, seed=8)
    assert [e.industry_code for e in first] != [e.industry_code for e in other]
    one = synth.generate_disclosures(first, YEARS, seed=7)
    two = synth.generate_disclosures(first, YEARS, seed=8)
    assert not np.array_equal(
        one.numbers("G-GEN-01"), two.numbers("G-GEN-01"), equal_nan=True
    )


# --- enterprises --------------------------------------------------------------------------------
def test_n_enterprises_with_unique_valid_synthetic_usccs(enterprises):
    assert len(enterprises) == 300
    codes = [e.uscc for e in enterprises]
    assert len(set(codes)) == 300
    for enterprise in enterprises:
        assert identifiers.validate_uscc(enterprise.uscc) == enterprise.uscc
        assert identifiers.is_synthetic_uscc(enterprise.uscc)
        assert identifiers.division_code(enterprise.uscc) == enterprise.division_code


def test_names_are_unique_and_visibly_synthetic_in_both_languages(enterprises):
    assert len({e.name for e in enterprises}) == 300
    assert len({e.name_en for e in enterprises}) == 300
    for enterprise in enterprises:
        assert "合成数据" in enterprise.name and "合成样例" in enterprise.name
        assert "synthetic data" in enterprise.name_en.lower()
        assert enterprise.name_en.startswith("Synthetic Sample")


def test_every_district_usable_park_and_lead_industry_appears_at_300(enterprises, profile):
    districts = {d.code for d in profile.districts}
    assert {e.division_code for e in enterprises} == districts
    usable_parks = {p.key for p in profile.parks if p.district in districts}
    assert usable_parks <= {e.park_key for e in enterprises}
    assert {e.lead_industry for e in enterprises} == {li.key for li in profile.lead_industries}


def test_parks_lie_in_the_enterprises_district_and_industries_are_classes(enterprises, profile):
    for enterprise in enterprises:
        if enterprise.park_key:
            assert profile.park(enterprise.park_key).district == enterprise.division_code
        industry = profile.industry(enterprise.industry_code)
        assert industry.level == "class"
        assert profile.lead_industry_of(industry.code).key == enterprise.lead_industry
        assert enterprise.size_class in synth.SIZE_CLASSES


def test_population_mix_at_twenty_thousand():
    population = synth.generate_enterprises(20_000, seed=11)
    listed = [e for e in population if e.listed]
    assert 0.04 <= len(listed) / len(population) <= 0.06
    assert 0.065 <= sum(e.state_owned for e in population) / len(population) <= 0.095
    assert sum(e.size_class in ("large", "medium") for e in listed) / len(listed) >= 0.85
    industrial = {"nev", "battery", "pv", "equipment", "materials", "manufacturing"}
    assert sum(e.lead_industry in industrial for e in population) / len(population) > 0.6
    patterns = {
        "SSE": r"6\d{5}", "SZSE": r"(00|30)\d{4}", "BSE": r"(8\d{5}|92\d{4})", "HKEX": r"\d{5}",
    }
    for enterprise in listed:
        assert re.fullmatch(patterns[enterprise.exchange], enterprise.stock_code), enterprise
    assert len({(e.exchange, e.stock_code) for e in listed}) == len(listed)
    assert all(e.exchange == "" and e.stock_code == "" for e in population if not e.listed)
    # Twenty thousand enterprises x two years generate (speed is the benchmark's business).
    values = synth.generate_disclosures(population, YEARS, seed=11)
    assert len(values) > 20_000 * 2 * 20


# --- tiers and completeness ---------------------------------------------------------------------
def test_listed_companies_disclose_the_standard_tier_others_the_basic(values, catalogue):
    listed = np.array([e.listed for e in values.enterprises])
    assert (values.tier == np.where(listed, "standard", "basic")[:, None]).all()
    basic = {i.code for i in catalogue.for_tier("basic")}
    shown = values.indicator_code[~listed[values.enterprise_index]]
    assert set(shown) <= basic


def test_completeness_is_realistic(values, catalogue):
    shares = values.completeness(catalogue)
    listed = np.array([e.listed for e in values.enterprises])
    basic, standard = shares[~listed], shares[listed]
    assert basic.min() >= 0.65 and basic.max() <= 1.0
    assert 0.75 <= basic[:, 0].mean() <= 0.90
    assert standard.min() >= 0.82
    assert standard[:, 0].mean() >= 0.88
    assert (shares[:, 1] >= shares[:, 0] - 1e-9).all()  # disclosure does not get worse


def test_not_applicable_answers_carry_a_synthetic_explanation(values):
    assert len(values.na_indicator) > 0
    assert all("合成数据" in text for text in values.explanations)
    answered = set(zip(values.enterprise_index.tolist(), values.year.tolist(),
                       values.indicator.tolist(), strict=True))
    missing = set(zip(values.na_enterprise_index.tolist(), values.na_year.tolist(),
                      values.na_indicator.tolist(), strict=True))
    assert not answered & missing
    rows = list(values.not_applicable_rows())
    assert {row[3] for row in rows} >= {"E-ENG-01-PV"}


# --- carbon and energy ---------------------------------------------------------------------------
def test_total_ghg_is_scope1_plus_scope2_location_for_every_enterprise_year(values):
    total = disclosed(values, "E-GHG-01")
    scope1 = disclosed(values, "E-GHG-02")
    scope2 = disclosed(values, "E-GHG-03")
    assert not np.isnan(total).any()  # the core is always answered
    np.testing.assert_allclose(total, scope1 + scope2, rtol=1e-12, atol=0)
    market = disclosed(values, "E-GHG-03-MKT")
    shown = ~np.isnan(market)
    assert shown.any()
    assert not np.allclose(total[shown], (scope1 + market)[shown])  # market-based is not added


def test_scope2_uses_the_exact_jiangsu_factor_of_each_year(values, raw_parameters):
    electricity = disclosed(values, "E-ENG-01-ELEC")
    heat = as_zero(disclosed(values, "E-ENG-01-HEAT"))
    scope2 = disclosed(values, "E-GHG-03")
    heat_factor = factor(raw_parameters, "HEAT-DEFAULT")
    assert heat_factor == 0.11
    expected = {2022: ("GRID-JS-2022", 0.5978), 2023: ("GRID-JS-2023", 0.5827)}
    for column, year in enumerate(YEARS):
        factor_id, value = expected[year]
        assert factor(raw_parameters, factor_id) == value
        np.testing.assert_allclose(
            scope2[:, column], electricity[:, column] * value + heat[:, column] * heat_factor,
            rtol=1e-12,
        )
        without_heat = heat[:, column] == 0
        assert without_heat.any()
        np.testing.assert_allclose(
            scope2[without_heat, column], electricity[without_heat, column] * value, rtol=1e-12
        )
        used = [u for u in values.factors if u.year == year and u.purpose == "scope2_location_grid"]
        assert [(u.factor.factor_id, u.fallback) for u in used] == [(factor_id, False)]


def test_a_year_without_a_published_factor_uses_the_latest_one_and_says_so(
    enterprises, params, raw_parameters
):
    use = params.grid_factor(2030)
    assert use.fallback and use.factor.factor_id == "GRID-JS-2023" and use.value == 0.5827
    latest = max(
        (f for f in raw_parameters["factor"]
         if f["category"] == "grid_provincial" and f["region"] == "Jiangsu"),
        key=lambda f: f["data_year"],
    )
    assert latest["factor_id"] == "GRID-JS-2023"
    values = synth.generate_disclosures(enterprises[:80], [2030], seed=3)
    electricity = disclosed(values, "E-ENG-01-ELEC")[:, 0]
    heat = as_zero(disclosed(values, "E-ENG-01-HEAT"))[:, 0]
    np.testing.assert_allclose(
        disclosed(values, "E-GHG-03")[:, 0], electricity * latest["value"] + heat * 0.11,
        rtol=1e-12,
    )
    [record] = [u for u in values.factors if u.purpose == "scope2_location_grid"]
    assert record.year == 2030 and record.fallback and record.factor.data_year == 2023
    methods = [row[4] for row in values.rows() if row[3] == "E-GHG-06"]
    assert methods and all("2030年因子尚未发布" in text for text in methods)
    assert params.grid_factor(2022).fallback is False


def test_energy_in_tce_is_the_sum_of_carriers_times_their_coefficients(values, params):
    coefficients = {carrier.indicator: carrier.tce_per_unit for carrier in params.carriers}
    # The calorific-equivalent value (当量值) for electricity, never the generation equivalent.
    assert coefficients["E-ENG-01-ELEC"] == 0.1229 == coefficients["E-ENG-01-PV"]
    assert params.electricity_basis == "calorific_equivalent"
    assert math.isclose(coefficients["E-ENG-01-GAS"], 12.143)  # 1.2143 kgce/m3 per 10^4 Nm3
    assert coefficients["E-ENG-01-HEAT"] == 0.03412
    expected = sum(
        as_zero(disclosed(values, code)) * coefficient
        for code, coefficient in coefficients.items()
    )
    np.testing.assert_allclose(disclosed(values, "E-ENG-01"), expected, rtol=1e-12)


def test_scope1_is_the_sum_of_fuels_times_gbt32151_factors(values, params, raw_parameters):
    factors = {c.indicator: c.co2_per_unit for c in params.carriers if c.role == "fuel"}
    assert set(factors) == set(FUELS)
    assert factors["E-ENG-01-GAS"] == factor(raw_parameters, "FUEL-NATURAL_GAS") == 21.6219
    assert factors["E-ENG-01-DSL"] == factor(raw_parameters, "FUEL-DIESEL") == 3.0959
    expected = sum(as_zero(disclosed(values, code)) * value for code, value in factors.items())
    np.testing.assert_allclose(disclosed(values, "E-GHG-02"), expected, rtol=1e-12)
    listed = np.array([e.listed for e in values.enterprises])
    # Coal, LPG and fuel oil are standard-tier items: a basic-tier enterprise never burns them.
    assert np.isnan(disclosed(values, "E-ENG-01-COAL")[~listed]).all()


def test_market_based_scope2_uses_the_residual_factor_and_green_power(values, raw_parameters):
    listed = np.array([e.listed for e in values.enterprises])
    electricity = disclosed(values, "E-ENG-01-ELEC")
    green = disclosed(values, "E-ENG-01-GREEN")
    heat = as_zero(disclosed(values, "E-ENG-01-HEAT"))
    market = disclosed(values, "E-GHG-03-MKT")
    residual = {2022: factor(raw_parameters, "GRID-CN-EXNF-2022"),
                2023: factor(raw_parameters, "GRID-CN-EXNF-2023")}
    for column, year in enumerate(YEARS):
        shown = listed & ~np.isnan(market[:, column]) & ~np.isnan(green[:, column])
        assert shown.any()
        np.testing.assert_allclose(
            market[shown, column],
            (electricity - green)[shown, column] * residual[year] + heat[shown, column] * 0.11,
            rtol=1e-12,
        )


# --- generic consistency -------------------------------------------------------------------------
def test_every_intensity_equals_its_ratio(values, catalogue):
    checked = 0
    for indicator in catalogue.indicators:
        if not indicator.is_intensity:
            continue
        value = disclosed(values, indicator.code)
        numerator = disclosed(values, indicator.intensity_numerator)
        denominator = disclosed(values, indicator.intensity_denominator)
        shown = ~np.isnan(value) & ~np.isnan(numerator) & ~np.isnan(denominator)
        np.testing.assert_allclose(value[shown], (numerator / denominator)[shown], rtol=1e-12)
        checked += int(shown.sum())
    assert checked > 1000


def test_every_part_is_at_most_its_total(values, catalogue):
    checked = 0
    for indicator in catalogue.indicators:
        if not indicator.part_of:
            continue
        part = disclosed(values, indicator.code)
        total = disclosed(values, indicator.part_of)
        shown = ~np.isnan(part) & ~np.isnan(total)
        assert (part[shown] <= total[shown]).all(), indicator.code
        checked += int(shown.sum())
    assert checked > 500


def test_breakdowns_add_up(values):
    employees = disclosed(values, "S-EMP-01")
    female, male = disclosed(values, "S-EMP-02-F"), disclosed(values, "S-EMP-02-M")
    shown = ~np.isnan(female) & ~np.isnan(male)
    assert shown.any()
    assert np.array_equal((female + male)[shown], employees[shown])
    ages = sum(disclosed(values, c) for c in ("S-EMP-02-U30", "S-EMP-02-30T50", "S-EMP-02-O50"))
    shown = ~np.isnan(ages)
    assert shown.any()
    assert np.array_equal(ages[shown], employees[shown])
    waste = disclosed(values, "E-WST-01"), disclosed(values, "E-WST-02")
    total = disclosed(values, "E-WST-04")
    shown = ~np.isnan(total) & ~np.isnan(waste[0]) & ~np.isnan(waste[1])
    np.testing.assert_allclose(total[shown], (waste[0] + waste[1])[shown], rtol=1e-12)
    withdrawn = sum(disclosed(values, c) for c in ("E-WAT-01-MUN", "E-WAT-01-GW", "E-WAT-01-SW"))
    water = disclosed(values, "E-WAT-01")
    shown = ~np.isnan(withdrawn) & ~np.isnan(water)
    assert shown.any()
    np.testing.assert_allclose(withdrawn[shown], water[shown], rtol=1e-9)
    clean, energy = disclosed(values, "E-ENG-03"), disclosed(values, "E-ENG-01")
    shown = ~np.isnan(clean)
    assert (clean[shown] <= energy[shown]).all()


def test_percentages_agree_with_their_counts(values, params):
    checked = 0
    for code, (numerator_codes, denominator_codes) in params.sections[
        "derived_percentage"
    ].items():
        value = disclosed(values, code)
        numerator = sum(as_zero(disclosed(values, c)) for c in numerator_codes)
        denominator = sum(disclosed(values, c) for c in denominator_codes)
        known = np.logical_and.reduce(
            [~np.isnan(disclosed(values, c)) for c in (*numerator_codes, *denominator_codes)]
        )
        shown = ~np.isnan(value) & known
        np.testing.assert_allclose(
            value[shown], (100.0 * numerator / denominator)[shown], rtol=1e-12
        )
        assert ((value[~np.isnan(value)] >= 0) & (value[~np.isnan(value)] <= 100)).all()
        checked += int(shown.sum())
    assert checked > 200


def test_every_value_fits_its_indicator_type_unit_and_bounds(values, catalogue):
    rows = list(values.rows())
    assert len(rows) == len(values)
    for _uscc, _year, tier, code, value, unit in rows:
        indicator = catalogue.get(code)
        assert indicator.in_tier(tier)
        coerced = coerce(indicator, value, unit or None)
        if indicator.is_numeric:
            assert coerced.unit == indicator.unit
            assert coerced.number == value


def test_texts_are_marked_synthetic(values, enterprises):
    by_uscc = {e.uscc: e for e in enterprises}
    texts = [row for row in values.rows() if catalogue_type(values, row[3]) == "text"]
    assert texts
    for uscc, _year, _tier, code, value, _unit in texts:
        if code == "G-GEN-06":
            assert value == by_uscc[uscc].industry_code
        else:
            assert "合成数据" in value



def test_years_follow_each_other_plausibly(values):
    revenue = disclosed(values, "G-GEN-01")
    ratio = revenue[:, 1] / revenue[:, 0]
    assert ((ratio >= 0.9 - 1e-3) & (ratio <= 1.2 + 1e-3)).all()
    assert ratio.std() > 0.02
    assert (disclosed(values, "E-ENG-01-ELEC") > 0).all()
    employees = disclosed(values, "S-EMP-01")
    hires, leavers = disclosed(values, "S-EMP-04"), disclosed(values, "S-EMP-03-N")
    shown = ~np.isnan(hires[:, 1]) & ~np.isnan(leavers[:, 1])
    assert shown.any()
    assert np.array_equal(
        employees[shown, 1], (employees[:, 0] + hires[:, 1] - leavers[:, 1])[shown]
    )
    intensity = disclosed(values, "E-ENG-02")
    assert np.median(intensity[:, 1] / intensity[:, 0]) < 1.0  # mild efficiency gains


# --- parameters ----------------------------------------------------------------------------------
def test_real_world_factors_are_copied_from_the_reference_table(raw_parameters):
    if not REFERENCE.exists():
        pytest.skip("the shared reference table is not available here")
    with REFERENCE.open(encoding="utf-8-sig") as handle:
        reference = {row["factor_id"]: row for row in csv.DictReader(handle)}
    for entry in raw_parameters["factor"]:
        row = reference[entry["factor_id"]]
        assert entry["value"] == float(row["value"]), entry["factor_id"]
        for field in ("unit", "source", "confidence", "category", "region"):
            assert entry[field] == row[field], (entry["factor_id"], field)


def test_made_up_tables_are_labelled_synthetic(raw_parameters):
    for name in synth._SYNTHETIC_TABLES:
        assert raw_parameters[name]["synthetic"] is True, name
        assert "not statistics" in raw_parameters[name]["note"] or "synthetic" in raw_parameters[
            name]["note"].lower(), name
    assert "当量值" in synth.PARAMETERS_PATH.read_text(encoding="utf-8")


def edited(old: str, new: str) -> str:
    text = synth.PARAMETERS_PATH.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_a_missing_value_names_file_table_and_field():
    with pytest.raises(DataFileError) as caught:
        synth.parse_parameters(edited("value = 0.5827\n", ""))
    assert caught.value.params["file"] == "synthetic/parameters.toml"
    assert caught.value.params["row"] == "factor[3]"
    assert caught.value.params["field"] == "value"


def test_a_made_up_table_without_its_synthetic_label_is_refused():
    with pytest.raises(DataFileError) as caught:
        synth.parse_parameters(edited(
            '[size_class]\nsynthetic = true', '[size_class]\nsynthetic = false'
        ))
    assert caught.value.params["row"] == "size_class"
    assert caught.value.params["field"] == "synthetic"


def test_a_carbon_content_ten_times_too_large_is_refused():
    with pytest.raises(DataFileError) as caught:
        synth.parse_parameters(edited(
            "carbon_content_tC_per_GJ = 0.0153\noxidation_rate = 0.99",
            "carbon_content_tC_per_GJ = 0.153\noxidation_rate = 0.99",
        ))
    assert caught.value.params["field"] == "value"


def test_a_missing_synthetic_parameter_is_refused():
    with pytest.raises(DataFileError) as caught:
        synth.parse_parameters(edited("listed_share = 0.05\n", ""))
    assert (caught.value.params["row"], caught.value.params["field"]) == (
        "population", "listed_share"
    )


def test_edge_sizes_and_bad_years():
    empty = synth.generate_disclosures([], YEARS)
    assert len(empty) == 0 and empty.tier.shape == (0, 2)
    assert list(empty.rows()) == []
    one = synth.generate_disclosures(synth.generate_enterprises(1, seed=5), [2023], seed=5)
    assert len(one) > 0
    with pytest.raises(ValueError):
        synth.generate_disclosures(synth.generate_enterprises(3), [2023, 2023])
    with pytest.raises(ValueError):
        synth.generate_disclosures(synth.generate_enterprises(3), [])


def test_submittable_disclosures_pass_the_validation_rules(catalogue):
    validation = pytest.importorskip("czesg.engine.disclosure.validation")
    answers_module = pytest.importorskip("czesg.engine.disclosure.answers")
    population = synth.generate_enterprises(150, seed=9)
    values = synth.generate_disclosures(population, YEARS, seed=9, submittable=True)
    answers: dict[tuple[str, int], dict] = {}
    tiers: dict[tuple[str, int], str] = {}
    for uscc, year, tier, code, value, unit in values.rows():
        coerced = coerce(catalogue.get(code), value, unit or None)
        answers.setdefault((uscc, year), {})[code] = answers_module.Answer.from_coerced(code, coerced)
        tiers[(uscc, year)] = tier
    for uscc, year, tier, code, explanation in values.not_applicable_rows():
        answers.setdefault((uscc, year), {})[code] = answers_module.Answer.not_applicable(
            code, explanation
        )
        tiers[(uscc, year)] = tier
    assert len(answers) == 300
    for (uscc, year), given in answers.items():
        findings = validation.validate(
            given, catalogue, tier=tiers[(uscc, year)], previous=answers.get((uscc, year - 1))
        )
        assert not answers_module.has_errors(findings), (uscc, year, findings[:3])
