"""Issue 12 (item 1): derived indicators are data (the catalogue's ``formula`` column), parsed by
a small grammar (never Python's eval) and computed with exact numbers in canonical units."""

from __future__ import annotations

import pytest

from czesg.engine.catalogue import formulas, load_catalogue
from czesg.engine.catalogue.loading import parse_catalogue
from czesg.engine.datafiles import DataFileError
from czesg.engine.disclosure.answers import Answer
from czesg.engine.disclosure.validation import validate


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def unit_of(catalogue):
    return {i.code: i.unit or "%" for i in catalogue.indicators if i.is_numeric}


def test_the_catalogue_defines_the_derived_indicators(catalogue):
    assert {i.code: i.formula for i in catalogue.indicators if i.is_derived} == {
        "E-GHG-01": "E-GHG-02 + E-GHG-03",
        "E-GHG-05": "E-GHG-01 / G-GEN-01",
        "E-WST-01-INT": "E-WST-01 / G-GEN-01",
        "E-WST-02-INT": "E-WST-02 / G-GEN-01",
        "E-ENG-02": "E-ENG-01 / G-GEN-01",
        "E-ENG-03-PCT": "E-ENG-03 / E-ENG-01",
        "E-WAT-02": "E-WAT-01 / G-GEN-01",
        "E-WAT-05-PCT": "E-WAT-05 / (E-WAT-05 + E-WAT-01)",
        "E-PKG-01-INT": "E-PKG-01 / G-GEN-01",
        "S-TRN-02": "S-TRN-04 / S-EMP-01",
    }


@pytest.mark.parametrize(
    ("code", "inputs", "expected"),
    [
        ("E-GHG-01", {"E-GHG-02": 300, "E-GHG-03": 700}, 1000.0),
        ("E-GHG-05", {"E-GHG-01": 1000, "G-GEN-01": 5000}, 0.2),
        ("E-ENG-02", {"E-ENG-01": 280, "G-GEN-01": 5000}, 0.056),
        ("E-WAT-02", {"E-WAT-01": 15000, "G-GEN-01": 5000}, 3.0),
        ("E-WST-01-INT", {"E-WST-01": 12.5, "G-GEN-01": 5000}, 0.0025),
        ("E-WST-02-INT", {"E-WST-02": 400, "G-GEN-01": 8000}, 0.05),
        ("E-PKG-01-INT", {"E-PKG-01": 30, "G-GEN-01": 6000}, 0.005),
        ("S-TRN-02", {"S-TRN-04": 2400, "S-EMP-01": 120}, 20.0),
        ("E-ENG-03-PCT", {"E-ENG-03": 70, "E-ENG-01": 280}, 25.0),  # tce ÷ tce in %
        ("E-WAT-05-PCT", {"E-WAT-05": 5000, "E-WAT-01": 15000}, 25.0),
    ],
)
def test_every_formula_with_exact_numbers(catalogue, unit_of, code, inputs, expected):
    node = formulas.parse(catalogue.get(code).formula)
    assert set(node.codes()) == set(inputs)
    result = formulas.evaluate(node, inputs, unit_of, unit_of[code])
    assert result == pytest.approx(expected, rel=1e-12)


def test_derived_values_feed_each_other_and_keep_their_inputs(catalogue, unit_of):
    formula_of = {i.code: i.formula for i in catalogue.indicators if i.is_derived}
    derived = formulas.derive_all(
        formula_of, {"E-GHG-02": 300.0, "E-GHG-03": 700.0, "G-GEN-01": 5000.0}, unit_of)
    assert set(derived) == {"E-GHG-01", "E-GHG-05"}
    assert derived["E-GHG-05"].value == pytest.approx(0.2, rel=1e-12)
    assert derived["E-GHG-05"].inputs == {"E-GHG-01": 1000.0, "G-GEN-01": 5000.0}
    # A reported total is kept (and used), not recomputed.
    derived = formulas.derive_all(
        formula_of, {"E-GHG-01": 1200.0, "E-GHG-02": 300.0, "E-GHG-03": 700.0,
                     "G-GEN-01": 6000.0}, unit_of, reported=frozenset({"E-GHG-01"}))
    assert set(derived) == {"E-GHG-05"}
    assert derived["E-GHG-05"].value == pytest.approx(0.2, rel=1e-12)


def test_a_zero_divisor_gives_no_value(catalogue, unit_of):
    node = formulas.parse("E-ENG-01 / G-GEN-01")
    assert formulas.evaluate(node, {"E-ENG-01": 5, "G-GEN-01": 0}, unit_of, "tce/10k_CNY") is None


@pytest.mark.parametrize("text", ["E-GHG-02 +", "__import__('os')", "E-GHG-02 ** 2", "(E-GHG-02",
                                  "E-GHG-02 E-GHG-03", "e-ghg-02", "1; 2"])
def test_anything_outside_the_grammar_is_refused(text):
    with pytest.raises(formulas.FormulaError):
        formulas.parse(text)


def test_precedence_and_parentheses():
    unit_of = {"A-AA-1": "t", "B-BB-1": "t", "C-CC-1": "t"}
    values = {"A-AA-1": 2.0, "B-BB-1": 3.0, "C-CC-1": 4.0}
    assert formulas.evaluate(formulas.parse("A-AA-1 + B-BB-1 * 2"), values, unit_of, "t") == 8.0
    assert formulas.evaluate(formulas.parse("(A-AA-1 + B-BB-1) * 2"), values, unit_of, "t") == 10.0
    assert formulas.evaluate(formulas.parse("C-CC-1 - A-AA-1 - B-BB-1"), values, unit_of, "t") == -1.0


def _catalogue_with(formula: str, code: str = "E-GHG-01"):
    from czesg.engine.catalogue.loading import CSV_NAME, TOML_NAME
    from czesg.engine.datafiles import DATA_DIR

    toml = (DATA_DIR / "catalogue" / "catalogue.toml").read_text(encoding="utf-8")
    lines = (DATA_DIR / "catalogue" / "indicators.csv").read_text(encoding="utf-8").splitlines()
    out = [line.replace("E-GHG-02 + E-GHG-03", formula) if line.startswith(code + ",") else line
           for line in lines]
    return parse_catalogue(toml, "\n".join(out) + "\n", toml_name=TOML_NAME, csv_name=CSV_NAME)


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("E-GHG-02 + G-GEN-01", "does not give a value in tCO2e"),
        ("E-GHG-02 + E-XXX-99", "unknown indicator"),
        ("E-GHG-02 + E-GHG-05 * G-GEN-01 + E-GHG-01", "depends on itself"),
        ("E-GHG-02 +", "not well formed"),
    ],
)
def test_a_bad_formula_in_the_catalogue_is_refused_naming_the_field(formula, reason):
    with pytest.raises(DataFileError) as caught:
        _catalogue_with(formula)
    assert caught.value.params["field"] == "formula"
    assert reason in caught.value.params["reason"]


def _answers(values):
    return {code: Answer(code=code, number=float(v)) for code, v in values.items()}


def test_a_derived_indicator_with_its_inputs_present_is_not_missing(catalogue):
    findings = validate(_answers({"E-ENG-01": 280, "G-GEN-01": 5000}), catalogue, tier="basic")
    assert not [f for f in findings if f.rule == "required" and f.indicator == "E-ENG-02"]
    findings = validate(_answers({"E-ENG-01": 280}), catalogue, tier="basic")
    assert [f for f in findings if f.rule == "required" and f.indicator == "E-ENG-02"]


def test_a_reported_value_off_its_formula_is_warned_naming_both_numbers(catalogue):
    findings = validate(_answers({"E-ENG-03": 70, "E-ENG-01": 280, "E-ENG-03-PCT": 40}),
                        catalogue, tier="standard")
    found = [f for f in findings if f.rule == "derived_mismatch"]
    assert len(found) == 1 and not found[0].is_error
    assert (found[0].params["value"], found[0].params["expected"]) == ("40", "25")
    close = validate(_answers({"E-ENG-03": 70, "E-ENG-01": 280, "E-ENG-03-PCT": 25.5}),
                     catalogue, tier="standard")
    assert not [f for f in close if f.rule == "derived_mismatch"]


def test_many_disclosures_at_once_give_derive_all_results_bit_for_bit(catalogue, unit_of):
    """The bulk import's column-wise evaluation (:func:`formulas.derive_frame`) against the
    one-disclosure evaluation the form uses, on 2,000 seeded disclosures with missing inputs,
    zero divisors and reported derived values."""
    import random

    import polars as pl

    derived = {i.code: i.formula for i in catalogue.indicators if i.is_derived}
    codes = sorted({c for f in derived.values() for c in formulas.parse(f).codes()} | set(derived))
    rng = random.Random(12)
    rows = []
    for _ in range(2000):
        row = {}
        for code in codes:
            draw = rng.random()
            if draw < 0.2 or (code in derived and draw < 0.7):
                continue
            row[code] = rng.choice([0.0, 1e-9, 123.456, round(rng.uniform(0, 1e6), 3),
                                    rng.uniform(0, 10)])
        rows.append(row)
    frame = pl.DataFrame([{c: r.get(c) for c in codes} for r in rows],
                         schema={c: pl.Float64 for c in codes})
    out = formulas.derive_frame(frame, derived, unit_of)
    computed = 0
    for index, row in enumerate(rows):
        expected = formulas.derive_all(derived, row, unit_of,
                                       reported=frozenset(c for c in derived if c in row))
        for code in derived:
            got = out[f"{code}#derived"][index]
            assert got == (expected[code].value if code in expected else None), (code, row)
            computed += got is not None
    assert computed > 5000  # most rows compute most formulas: the comparison is not vacuous
    # The exact numbers of one disclosure: 300 + 700 t, ÷ 5000 万元, 2400 h ÷ 120 persons.
    one = formulas.derive_frame(pl.DataFrame({
        "E-GHG-02": [300.0], "E-GHG-03": [700.0], "G-GEN-01": [5000.0], "S-TRN-04": [2400.0],
        "S-EMP-01": [120.0], "E-ENG-01": [280.0], "E-ENG-03": [0.0]}), derived, unit_of)
    assert one.select("E-GHG-01#derived", "E-GHG-05#derived", "S-TRN-02#derived",
                      "E-ENG-02#derived", "E-ENG-03-PCT#derived", "E-WAT-02#derived").row(0) == (
        1000.0, 0.2, 20.0, 0.056, 0.0, None)
