"""Disclosure validation: every rule fires when it should, stays quiet when it should not."""

import dataclasses
import re

import pytest

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.disclosure.answers import (
    Answer,
    Finding,
    has_errors,
    pending_warnings,
    raise_for_errors,
)
from czesg.engine.disclosure.validation import SUM_GROUPS, validate
from czesg.engine.kernel.errors import CatalogueError, ValidationFailed

CATALOGUE = load_catalogue()


def n(code, value, **extra):
    return Answer(code, number=value, **extra)


def basic_answers() -> dict[str, Answer]:
    """A complete, consistent basic-tier disclosure that validates without findings."""
    items = [
        n("G-GEN-01", 10000.0),
        n("G-GEN-03", 2),
        Answer("G-GEN-04", text="Parent company and two plants in Wujin."),
        Answer("G-GEN-06", text="C3831"),
        Answer("G-GOV-06", boolean=True),
        n("E-GHG-01", 300.0),
        n("E-GHG-02", 100.0),
        n("E-GHG-03", 200.0),
        n("E-GHG-05", 0.03),
        n("E-WST-01", 2.0),
        n("E-WST-02", 8.0),
        n("E-CMP-01-PEN", 0),
        n("E-CMP-01-FINE", 0),
        n("E-ENG-01", 50.0),
        n("E-ENG-01-ELEC", 250.0),
        n("E-ENG-01-GAS", 1.0),
        n("E-ENG-01-DSL", 2.0),
        n("E-ENG-01-GSL", 1.0),
        n("E-ENG-01-HEAT", 0.0),
        n("E-ENG-01-PV", 0.0),
        n("E-ENG-02", 0.005),
        n("E-WAT-01", 1000.0),
        n("S-EMP-01", 120),
        n("S-EMP-02-F", 50),
        n("S-EMP-03", 8.0),
        n("S-EMP-05-COV", 100.0),
        n("S-OHS-01", 0),
        n("S-OHS-03", 1),
        n("S-TRN-04", 2400.0),
        n("S-TRN-02", 20.0),
        Answer("G-ABC-04", boolean=True),
        Answer("G-ABC-03", boolean=False),
        n("G-ABC-02", 0),
    ]
    return {a.code: a for a in items}


def run(answers, tier="basic", **kwargs):
    return validate(answers, CATALOGUE, tier=tier, **kwargs)


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


def changed(**answers):
    result = basic_answers()
    for code, answer in answers.items():
        code = code.replace("_", "-")
        if answer is None:
            result.pop(code, None)
        else:
            result[code] = answer
    return result


def with_answers(*items):
    result = basic_answers()
    for answer in items:
        result[answer.code] = answer
    return result


def without(*codes):
    result = basic_answers()
    for code in codes:
        del result[code]
    return result


def catalogue_with(code, **changes) -> Catalogue:
    indicators = tuple(
        dataclasses.replace(i, **changes) if i.code == code else i for i in CATALOGUE.indicators
    )
    return Catalogue(
        version=CATALOGUE.version, title_zh=CATALOGUE.title_zh, title_en=CATALOGUE.title_en,
        topics=CATALOGUE.topics, indicators=indicators,
    )


# --- the baseline ---------------------------------------------------------------------------------
def test_a_complete_consistent_basic_disclosure_has_no_findings():
    assert run(basic_answers()) == []


def test_the_baseline_answers_every_required_indicator_of_the_basic_tier():
    required = {
        i.code for i in CATALOGUE.for_tier("basic")
        if i.disclosure_level in ("mandatory", "where_applicable")
    }
    assert required <= set(basic_answers())


def test_an_unknown_tier_is_refused():
    with pytest.raises(CatalogueError):
        run(basic_answers(), tier="premium")


# --- required -------------------------------------------------------------------------------------
def test_a_missing_mandatory_indicator_is_a_warning_to_confirm():
    findings = run(without("E-GHG-02"))
    assert [(f.severity, f.rule, f.indicator, f.params) for f in findings] == [
        ("warning", "required", "E-GHG-02",
         {"code": "E-GHG-02", "tier": "basic", "level": "mandatory"}),
    ]
    assert findings[0].key == "required:E-GHG-02"
    assert findings[0].render() == (
        "E-GHG-02 is mandatory in the basic tier: report a value, mark it not applicable and "
        "explain why, or confirm to publish it as not reported."
    )


def test_a_missing_where_applicable_indicator_is_a_warning_to_confirm():
    findings = run(without("E-WST-01"))
    assert [(f.rule, f.indicator, f.params) for f in findings] == [
        ("required", "E-WST-01",
         {"code": "E-WST-01", "tier": "basic", "level": "where_applicable"}),
    ]


def test_a_missing_encouraged_indicator_is_fine():
    assert run(without("G-GEN-04", "G-GOV-06", "G-GEN-03")) == []


def test_a_mandatory_indicator_may_be_not_applicable_with_an_explanation():
    answers = with_answers(
        Answer.not_applicable("E-ENG-01-GAS", "No gas connection on site."),
        Answer.not_applicable("E-WST-01", "No hazardous waste is produced."),
    )
    answers["E-WST-04"] = n("E-WST-04", 8.0)  # standard-tier total, still checked if given
    assert run(answers) == []


def test_standard_tier_indicators_are_required_only_in_the_standard_tier():
    assert run(basic_answers()) == []
    codes = {f.indicator for f in only(run(basic_answers(), tier="standard"), "required")}
    assert "E-GHG-06" in codes and "E-GHG-07" in codes
    assert "G-GEN-02" not in codes  # encouraged


# --- not applicable without explanation -----------------------------------------------------------
@pytest.mark.parametrize("explanation", ["", "   "])
def test_not_applicable_without_explanation_is_an_error(explanation):
    findings = run(with_answers(Answer.not_applicable("E-ENG-01-GAS", explanation)))
    assert [(f.severity, f.rule, f.indicator, f.params) for f in findings] == [
        ("error", "na_without_explanation", "E-ENG-01-GAS", {"code": "E-ENG-01-GAS"}),
    ]


def test_not_applicable_without_explanation_is_an_error_even_when_encouraged():
    findings = run(with_answers(Answer.not_applicable("G-GEN-04", "")))
    assert [f.rule for f in findings] == ["na_without_explanation"]


# --- type -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer("E-GHG-02"), "number"),
        (Answer("E-GHG-02", text="100"), "number"),
        (Answer("E-GHG-02", number=float("nan")), "number"),
        (Answer("E-GHG-02", number=float("inf")), "number"),
        (Answer("E-GHG-02", number=True), "number"),
        (Answer("S-EMP-03", text="8%"), "percentage"),
        (Answer("G-ABC-04", text="yes"), "boolean"),
        (Answer("G-GEN-04", text="  "), "text"),
    ],
)
def test_a_stored_value_of_the_wrong_type_is_an_error(answer, kind):
    findings = only(run(with_answers(answer)), "type")
    assert [(f.severity, f.indicator, f.params) for f in findings] == [
        ("error", answer.code, {"code": answer.code, "data_type": kind}),
    ]


def test_a_choice_outside_the_choices_is_a_type_error():
    answers = {"E-GHG-06-CONS": Answer("E-GHG-06-CONS", choice="guesswork")}
    findings = only(run(answers, tier="standard"), "type")
    assert [(f.indicator, f.params) for f in findings] == [
        ("E-GHG-06-CONS", {
            "code": "E-GHG-06-CONS",
            "allowed": ", ".join(c.key for c in CATALOGUE.get("E-GHG-06-CONS").choices),
            "value": "guesswork",
        }),
    ]


def test_a_valid_choice_and_a_missing_choice():
    key = CATALOGUE.get("E-GHG-06-CONS").choices[0].key
    good = only(run({"E-GHG-06-CONS": Answer("E-GHG-06-CONS", choice=key)}, tier="standard"),
                "type")
    assert good == []
    empty = only(run({"E-GHG-06-CONS": Answer("E-GHG-06-CONS")}, tier="standard"), "type")
    assert [f.params for f in empty] == [{"code": "E-GHG-06-CONS", "data_type": "choice"}]


def test_an_unknown_status_is_a_type_error():
    findings = run(with_answers(Answer("G-GEN-04", status="maybe", text="x")))
    assert [(f.rule, f.params) for f in findings] == [
        ("type", {"code": "G-GEN-04", "status": "maybe"}),
    ]


def test_an_answer_for_an_unknown_indicator_is_an_error():
    answers = basic_answers()
    answers["E-XXX-99"] = n("E-XXX-99", 1.0)
    findings = run(answers)
    assert [(f.rule, f.indicator, f.params) for f in findings] == [
        ("unknown_indicator", "E-XXX-99", {"code": "E-XXX-99", "version": CATALOGUE.version}),
    ]


# --- range and percentage -------------------------------------------------------------------------
def test_a_number_below_its_minimum_is_a_range_error():
    findings = run(with_answers(n("E-ENG-01-DSL", -2.5)))
    assert [(f.severity, f.rule, f.indicator, f.params) for f in findings] == [
        ("error", "range", "E-ENG-01-DSL",
         {"code": "E-ENG-01-DSL", "value": "-2.5", "min": "0", "unit": "t"}),
    ]


def test_a_number_above_its_maximum_is_a_range_error():
    catalogue = catalogue_with("G-GEN-03", max=50.0)
    ok = validate(with_answers(n("G-GEN-03", 50)), catalogue, tier="basic")
    assert ok == []
    findings = validate(with_answers(n("G-GEN-03", 51)), catalogue, tier="basic")
    assert [(f.rule, f.params) for f in findings] == [
        ("range", {"code": "G-GEN-03", "value": "51", "max": "50", "unit": "count"}),
    ]


def test_a_percentage_with_narrower_bounds_uses_the_range_rule():
    catalogue = catalogue_with("S-EMP-05-COV", min=10.0)
    findings = validate(with_answers(n("S-EMP-05-COV", 5.0)), catalogue, tier="basic")
    assert [(f.rule, f.params) for f in findings] == [
        ("range", {"code": "S-EMP-05-COV", "value": "5", "min": "10", "unit": "%"}),
    ]


@pytest.mark.parametrize(("value", "shown"), [(150.0, "150"), (-0.5, "-0.5"), (100.01, "100.01")])
def test_a_percentage_outside_0_to_100_is_an_error(value, shown):
    findings = run(with_answers(n("S-EMP-03", value)))
    assert [(f.severity, f.rule, f.indicator, f.params) for f in findings] == [
        ("error", "percentage", "S-EMP-03", {"code": "S-EMP-03", "value": shown}),
    ]


@pytest.mark.parametrize("value", [0.0, 100.0, 35.5])
def test_a_percentage_within_0_to_100_is_fine(value):
    assert run(with_answers(n("S-EMP-03", value))) == []


# --- parts and totals -----------------------------------------------------------------------------
def test_female_employees_above_all_employees_is_an_error():
    findings = run(with_answers(n("S-EMP-02-F", 121)))
    assert [(f.severity, f.rule, f.indicator, f.related, f.params) for f in findings] == [
        ("error", "part_exceeds_total", "S-EMP-02-F", ("S-EMP-01",), {
            "code": "S-EMP-02-F", "value": "121", "total_code": "S-EMP-01", "total": "120",
            "unit": "person",
        }),
    ]
    assert findings[0].key == "part_exceeds_total:S-EMP-02-F"


def test_female_employees_equal_to_all_employees_is_fine():
    assert run(with_answers(n("S-EMP-02-F", 120))) == []


def test_a_part_within_the_rounding_tolerance_of_its_total_is_fine():
    answers = with_answers(n("E-ENG-01-ELEC", 1000.0))
    answers["E-ENG-01-GREEN"] = n("E-ENG-01-GREEN", 1004.9)  # 0.49% above
    assert only(run(answers), "part_exceeds_total") == []
    answers["E-ENG-01-GREEN"] = n("E-ENG-01-GREEN", 1005.1)  # 0.51% above
    findings = only(run(answers), "part_exceeds_total")
    assert [(f.indicator, f.params) for f in findings] == [
        ("E-ENG-01-GREEN", {
            "code": "E-ENG-01-GREEN", "value": "1005.1", "total_code": "E-ENG-01-ELEC",
            "total": "1000", "unit": "MWh",
        }),
    ]


def test_a_single_part_above_its_total_is_reported_once():
    findings = run(with_answers(n("E-GHG-02", 400.0)))
    assert [f.rule for f in findings] == ["part_exceeds_total"]
    assert findings[0].params["total_code"] == "E-GHG-01"


def test_scope_1_and_2_adding_up_to_the_total_is_fine_within_half_a_percent():
    assert run(with_answers(n("E-GHG-01", 301.4))) == []  # 0.47% above the sum of 300
    assert run(with_answers(n("E-GHG-01", 298.6))) == []  # 0.47% below the sum


def test_a_total_emissions_figure_that_is_not_scope_1_plus_2_is_an_error():
    findings = run(with_answers(n("E-GHG-01", 310.0)))  # parts add up to 300
    assert [(f.severity, f.rule, f.indicator, f.related, f.params) for f in findings] == [
        ("error", "sum_of_parts", "E-GHG-01", ("E-GHG-02", "E-GHG-03"), {
            "code": "E-GHG-01", "total": "310", "sum": "300", "parts": "E-GHG-02 + E-GHG-03",
            "unit": "tCO2e", "tolerance": "0.5%",
        }),
    ]
    assert findings[0].key == "sum_of_parts:E-GHG-01:scope"


def test_scope_1_and_2_above_the_total_is_an_error():
    findings = run(with_answers(n("E-GHG-02", 110.0)))  # 110 + 200 = 310 > 300
    assert [(f.rule, f.params) for f in findings] == [
        ("sum_of_parts", {
            "code": "E-GHG-01", "total": "300", "sum": "310", "parts": "E-GHG-02 + E-GHG-03",
            "unit": "tCO2e",
        }),
    ]
    assert "more than their total" in findings[0].render()


def test_an_exact_sum_is_not_checked_while_a_part_is_unanswered():
    answers = with_answers(n("E-GHG-01", 310.0))
    del answers["E-GHG-03"]
    assert only(run(answers), "sum_of_parts") == []


def test_a_not_applicable_part_counts_as_zero_in_an_exact_sum():
    answers = basic_answers()
    answers["E-WAT-01-MUN"] = n("E-WAT-01-MUN", 1000.0)
    answers["E-WAT-01-GW"] = Answer.not_applicable("E-WAT-01-GW", "No wells.")
    answers["E-WAT-01-SW"] = Answer.not_applicable("E-WAT-01-SW", "No surface abstraction.")
    assert only(run(answers), "sum_of_parts") == []
    answers["E-WAT-01-MUN"] = n("E-WAT-01-MUN", 900.0)
    findings = only(run(answers), "sum_of_parts")
    assert [f.params for f in findings] == [{
        "code": "E-WAT-01", "total": "1000", "sum": "900", "parts": "E-WAT-01-MUN",
        "unit": "m3", "tolerance": "0.5%",
    }]


def test_gender_and_age_groups_are_checked_separately_and_exactly():
    answers = basic_answers()
    answers.update({
        "S-EMP-02-M": n("S-EMP-02-M", 70),
        "S-EMP-02-U30": n("S-EMP-02-U30", 40),
        "S-EMP-02-30T50": n("S-EMP-02-30T50", 60),
        "S-EMP-02-O50": n("S-EMP-02-O50", 20),
    })
    assert only(run(answers), "sum_of_parts") == []  # 50 + 70 = 120 and 40 + 60 + 20 = 120
    answers["S-EMP-02-M"] = n("S-EMP-02-M", 69)
    answers["S-EMP-02-O50"] = n("S-EMP-02-O50", 21)
    findings = only(run(answers), "sum_of_parts")
    assert [(f.key, f.params["sum"], f.params.get("tolerance")) for f in findings] == [
        ("sum_of_parts:S-EMP-01:gender", "119", "0"),  # short of the total: exact for people
        ("sum_of_parts:S-EMP-01:age", "121", None),  # above the total
    ]


def test_a_non_exhaustive_split_may_fall_short_of_its_total_but_not_exceed_it():
    answers = {
        "E-GHG-07": n("E-GHG-07", 100.0),
        "E-GHG-07-S1": n("E-GHG-07-S1", 30.0),
        "E-GHG-07-S2": n("E-GHG-07-S2", 40.0),
    }
    assert only(run(answers, tier="standard"), "sum_of_parts") == []
    answers["E-GHG-07-S2"] = n("E-GHG-07-S2", 80.0)
    findings = only(run(answers, tier="standard"), "sum_of_parts")
    assert [(f.indicator, f.params["sum"], f.group) for f in findings] == [
        ("E-GHG-07", "110", "scope"),
    ]


def test_sum_groups_agree_with_the_catalogue_part_of_column():
    for group in SUM_GROUPS:
        for part in group.parts:
            assert CATALOGUE.get(part).part_of == group.total, part
    multi_part_totals = {
        i.part_of for i in CATALOGUE
        if i.part_of and sum(1 for j in CATALOGUE if j.part_of == i.part_of) > 1
    }
    assert multi_part_totals == {g.total for g in SUM_GROUPS}


# --- intensity ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0.03, 0.0315, 0.0285])
def test_an_intensity_within_5_percent_of_numerator_over_denominator_is_fine(value):
    assert run(with_answers(n("E-GHG-05", value))) == []


@pytest.mark.parametrize(("value", "difference"), [(0.0316, "5.33%"), (0.0284, "5.33%")])
def test_an_intensity_more_than_5_percent_off_is_a_warning(value, difference):
    findings = run(with_answers(n("E-GHG-05", value)))
    assert [(f.severity, f.rule, f.indicator, f.related, f.params) for f in findings] == [
        ("warning", "intensity_mismatch", "E-GHG-05", ("E-GHG-01", "G-GEN-01"), {
            "code": "E-GHG-05", "value": str(value), "unit": "tCO2e/10k_CNY",
            "numerator": "E-GHG-01", "denominator": "G-GEN-01", "numerator_value": "300",
            "denominator_value": "10000", "expected": "0.03", "difference": difference,
            "tolerance": "5%",
        }),
    ]
    assert findings[0].key == "intensity_mismatch:E-GHG-05"


def test_an_intensity_per_unit_of_output_is_not_compared_per_revenue():
    # 12.5 tCO2e per MW against 300 t ÷ 10000 万元 = 0.03 per 万元: not the same quantity, so no
    # mismatch, no year-on-year slip against last year's per-revenue 0.03, no peer range.
    answers = with_answers(n("E-GHG-05", 12.5, unit="tCO2e/MW"), n("E-ENG-02", 0.35, unit="tce/t"))
    assert run(answers, previous={"E-GHG-05": 0.03, "E-ENG-02": 0.005},
               industry_ranges={"E-GHG-05": (0.01, 0.05), "E-ENG-02": (0.001, 0.01)}) == []


def test_an_intensity_in_a_unit_it_does_not_admit_or_negative_per_output_is_an_error():
    findings = run(with_answers(n("E-GHG-05", 1.0, unit="tce/t"), n("E-ENG-02", -1.0, unit="tce/t")))
    assert [(f.severity, f.rule, f.indicator, f.params.get("unit")) for f in findings] == [
        ("error", "unit", "E-GHG-05", "tce/t"), ("error", "range", "E-ENG-02", "tce/t")]


def test_an_intensity_entered_per_yuan_instead_of_per_10000_yuan_is_flagged():
    findings = run(with_answers(n("S-TRN-02", 2400.0)))  # 2400 h / 120 persons = 20
    assert [(f.rule, f.params["expected"]) for f in findings] == [("intensity_mismatch", "20")]


def test_an_intensity_is_not_checked_without_its_denominator():
    answers = with_answers(n("E-GHG-05", 9.0))
    del answers["G-GEN-01"]
    assert run(answers) == []


# --- year on year ---------------------------------------------------------------------------------
def test_kwh_entered_as_mwh_is_named():
    findings = run(with_answers(n("E-ENG-01-ELEC", 250000.0)), previous={"E-ENG-01-ELEC": 240.0})
    assert [(f.severity, f.rule, f.indicator, f.params) for f in findings] == [
        ("warning", "yoy_scale", "E-ENG-01-ELEC", {
            "code": "E-ENG-01-ELEC", "value": "250000", "previous": "240", "unit": "MWh",
            "ratio": "1040", "direction": "up", "hint": "this_year", "slip_unit": "kWh",
            "factor": "1000",
        }),
    ]
    assert findings[0].render() == (
        "E-ENG-01-ELEC rose from 240 to 250000 MWh since last year: ×1000 looks like kWh "
        "entered as MWh."
    )
    assert findings[0].key == "yoy_scale:E-ENG-01-ELEC"


def test_yuan_entered_as_10000_yuan_is_named():
    findings = run(with_answers(n("G-GEN-01", 98000000.0)), previous={"G-GEN-01": 9500.0})
    yoy = only(findings, "yoy_scale")
    assert [f.params for f in yoy] == [{
        "code": "G-GEN-01", "value": "98000000", "previous": "9500", "unit": "万元",
        "ratio": "10300", "direction": "up", "hint": "this_year", "slip_unit": "元",
        "factor": "10000",
    }]
    assert yoy[0].render().endswith("×10000 looks like 元 entered as 万元.")


def test_a_thousandfold_fall_suggests_last_years_value_was_in_kwh():
    findings = run(basic_answers(), previous={"E-ENG-01-ELEC": Answer("E-ENG-01-ELEC",
                                                                        number=251000.0)})
    assert [(f.params["direction"], f.params["hint"], f.params["slip_unit"]) for f in findings] == [
        ("down", "last_year", "kWh"),
    ]
    assert "last year's value was kWh entered as MWh" in findings[0].render()


def test_a_percentage_entered_as_a_fraction_is_named():
    findings = run(with_answers(n("S-EMP-03", 0.08)), previous={"S-EMP-03": 7.5})
    assert [(f.params["hint"], f.params["slip_unit"], f.params["factor"]) for f in findings] == [
        ("this_year", "fraction", "100"),
    ]


def test_a_large_change_without_a_known_slip_is_a_plain_warning():
    findings = run(basic_answers(), previous={"E-WAT-01": 40.0})  # ×25
    assert [f.params for f in findings] == [{
        "code": "E-WAT-01", "value": "1000", "previous": "40", "unit": "m3", "ratio": "25",
        "direction": "up", "hint": "",
    }]


@pytest.mark.parametrize("previous", [100.0, 1000.0, 5000.0, 0.0, None, -3.0])
def test_changes_within_tenfold_or_without_a_usable_previous_value_are_fine(previous):
    assert run(basic_answers(), previous={"E-WAT-01": previous}) == []


def test_exactly_tenfold_is_fine_and_just_above_is_not():
    assert run(basic_answers(), previous={"E-WAT-01": 100.0}) == []
    assert only(run(basic_answers(), previous={"E-WAT-01": 99.0}), "yoy_scale") != []


def test_year_on_year_skips_last_years_not_applicable_and_event_counts():
    previous = {
        "E-WAT-01": Answer.not_applicable("E-WAT-01", "x"),
        "G-GEN-03": 100.0,  # unit count: a tenfold change in an event count is plausible
    }
    assert run(basic_answers(), previous=previous) == []


# --- industry range -------------------------------------------------------------------------------
def test_a_value_above_the_industry_range_is_a_warning():
    findings = run(basic_answers(), industry_ranges={"E-ENG-01": (1.0, 40.0)})
    assert [(f.severity, f.rule, f.indicator, f.params) for f in findings] == [
        ("warning", "industry_outlier", "E-ENG-01", {
            "code": "E-ENG-01", "value": "50", "low": "1", "high": "40", "unit": "tce",
            "direction": "above",
        }),
    ]
    assert findings[0].key == "industry_outlier:E-ENG-01"


def test_a_value_below_the_industry_range_is_a_warning():
    findings = run(basic_answers(), industry_ranges={"E-ENG-01": (60.0, 900.0)})
    assert [f.params["direction"] for f in findings] == ["below"]


def test_a_value_inside_the_industry_range_is_fine():
    ranges = {"E-ENG-01": (50.0, 900.0), "E-WAT-01": (10.0, 1000.0), "E-XXX-01": (0.0, 1.0)}
    assert run(basic_answers(), industry_ranges=ranges) == []


def test_a_malformed_industry_range_is_a_programming_error():
    with pytest.raises(ValueError):
        run(basic_answers(), industry_ranges={"E-ENG-01": (9.0, 1.0)})


# --- the findings as a whole ----------------------------------------------------------------------
def messy() -> list[Finding]:
    answers = basic_answers()
    answers.update({
        "S-EMP-02-F": n("S-EMP-02-F", 130),
        "E-GHG-01": n("E-GHG-01", 500.0),
        "S-EMP-03": n("S-EMP-03", 180.0),
        "E-ENG-02": n("E-ENG-02", 9.0),
        "E-CMP-01-FINE": Answer.not_applicable("E-CMP-01-FINE", ""),
        "G-ABC-04": Answer("G-ABC-04"),
        "E-ENG-01-DSL": n("E-ENG-01-DSL", -1.0),
    })
    del answers["G-ABC-02"]
    return run(answers, previous={"E-ENG-01-ELEC": 0.25, "E-WAT-01": 5.0},
               industry_ranges={"E-ENG-01": (100.0, 200.0)})


def test_every_rule_id_and_severity():
    findings = messy()
    assert sorted({(f.rule, f.severity) for f in findings}) == [
        ("industry_outlier", "warning"),
        ("intensity_mismatch", "warning"),
        ("na_without_explanation", "error"),
        ("part_exceeds_total", "error"),
        ("percentage", "error"),
        ("range", "error"),
        ("required", "warning"),
        ("sum_of_parts", "error"),
        ("type", "error"),
        ("yoy_scale", "warning"),
    ]


def test_errors_come_before_warnings_and_keys_are_unique():
    findings = messy()
    severities = [f.severity for f in findings]
    assert severities == sorted(severities)  # "error" < "warning"
    keys = [f.key for f in findings]
    assert len(keys) == len(set(keys))


def test_messages_are_translatable_templates_that_render_with_their_params():
    for finding in messy():
        assert not re.search(r"%[^(%]", finding.message.replace("%%", "")), finding.message
        assert "{" not in finding.message
        rendered = finding.render()
        assert "%(" not in rendered
        assert finding.indicator in rendered


def test_helpers_for_submission_and_acknowledgement():
    findings = messy()
    assert has_errors(findings)
    warnings = [f for f in findings if not f.is_error]
    assert pending_warnings(findings, []) == warnings
    assert pending_warnings(findings, [w.key for w in warnings]) == []
    with pytest.raises(ValidationFailed) as caught:
        raise_for_errors(findings)
    assert caught.value.findings == [f for f in findings if f.is_error]
    raise_for_errors(warnings)  # warnings alone do not block
    assert not has_errors(warnings)
