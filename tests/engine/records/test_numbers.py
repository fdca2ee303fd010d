"""Numbers as real reports and registers print them."""

from __future__ import annotations

import pytest

from czesg.engine.records.numbers import NotAFigure, UnreadableNumber, parse_printed


@pytest.mark.parametrize(("printed", "value"), [
    ("12,345.6", 12345.6),
    ("12，345", 12345.0),
    ("１２３４．５", 1234.5),        # full-width digits and point
    ("1.2万", 12000.0),
    ("3.4亿", 340000000.0),
    ("2百万", 2000000.0),
    ("(120)", -120.0),               # accounting negative
    ("约 1,200", 1200.0),
    ("1 234 567", 1234567.0),
    ("1.5e3", 1500.0),
    (42, 42.0),
])
def test_printed_numbers_are_read_with_their_scale(printed, value):
    assert parse_printed(printed).value == pytest.approx(value, rel=1e-12)


def test_scale_and_approximation_are_kept():
    read = parse_printed("约3.5万")
    assert (read.value, read.scale, read.approximate) == (35000.0, "万", True)


@pytest.mark.parametrize("printed", ["—", "-", "N/A", "Not Reported", "Excluded", "未披露",
                                     "不适用", " n.a. ", ""])
def test_marks_of_no_figure_are_told_apart(printed):
    with pytest.raises(NotAFigure):
        parse_printed(printed)


@pytest.mark.parametrize("printed", ["abc", "12,34", "1,2345.6", "12.5.3", "inf", "1e400"])
def test_text_that_is_no_number_is_refused(printed):
    with pytest.raises(UnreadableNumber):
        parse_printed(printed)
