"""Synthetic disclosures: determinism, tiers, completeness and internally consistent values."""

from __future__ import annotations

import numpy as np
import pytest

from czesg.engine import synth
from czesg.engine.disclosure.values import coerce
from tests.engine.synth import YEARS, as_zero, catalogue_type, disclosed


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
