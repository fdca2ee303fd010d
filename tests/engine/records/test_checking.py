"""Checking a standard frame of records: every refused row named, enterprises refused whole."""

from __future__ import annotations

from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.identifiers import synthetic_uscc
from czesg.engine.records.checking import check_records, standard_frame

A = synthetic_uscc("320402", 1)
B = synthetic_uscc("320402", 2)


def frame(rows):
    columns = {name: [r.get(name, "") for r in rows]
               for name in ("uscc", "subject", "year", "indicator", "value", "unit", "page")}
    return standard_frame(columns, list(range(2, len(rows) + 2)))


def test_figures_are_converted_to_the_canonical_unit():
    check = check_records(frame([
        {"uscc": A, "subject": "K1", "year": "2024", "indicator": "E-GHG-02",
         "value": "3.5", "unit": "万吨二氧化碳当量"},
        {"uscc": A, "subject": "K2", "year": "2024", "indicator": "E-GHG-02",
         "value": "1,200", "unit": "kgCO2e", "page": "12"},
    ]), load_catalogue(), years=range(2000, 2027))
    assert check.problems == []
    rows = check.accepted.select("subject", "number", "unit", "entered_value", "page").rows()
    assert rows == [("K1", 35000.0, "tCO2e", "3.5", None), ("K2", 1.2, "tCO2e", "1,200", 12)]


def test_every_bad_row_is_named_and_its_enterprise_refused_whole():
    check = check_records(frame([
        {"uscc": A, "subject": "K1", "year": "2024", "indicator": "E-GHG-02", "value": "10",
         "unit": "tCO2e"},
        {"uscc": A, "subject": "K2", "year": "2024", "indicator": "E-GHG-02",
         "value": "Not Reported", "unit": "tCO2e"},
        {"uscc": B, "subject": "K3", "year": "1899", "indicator": "E-GHG-02", "value": "5",
         "unit": "MWh"},
        {"uscc": "91320402MA000001YX", "subject": "K4", "year": "2024",
         "indicator": "E-GHG-02", "value": "5", "unit": "tCO2e"},
        {"uscc": A, "subject": "K1", "year": "2024", "indicator": "E-GHG-02", "value": "10",
         "unit": "tCO2e"},
        {"uscc": A, "subject": "K5", "year": "2024", "indicator": "E-GHG-02", "value": "7",
         "unit": ""},
    ]), load_catalogue(), years=range(2000, 2027))
    found = [(p.row, p.column, p.code) for p in check.problems]
    assert found == [(3, "value", "row_invalid"), (4, "unit", "row_invalid"),
                     (4, "year", "row_invalid"), (5, "uscc", "row_invalid"),
                     (6, "indicator", "row_invalid"), (7, "unit", "row_invalid")]
    texts = {p.row: p.text() for p in check.problems}
    assert texts[3] == ("E-GHG-02: “Not Reported” says that there is no figure; leave the row "
                        "out or give the number.")
    assert texts[6] == "This figure already appears in row 2."
    assert "the unit is missing" in texts[7]
    assert check.accepted.height == 0
    # Enterprise A had one valid row (row 2) refused with it; B had none left.
    assert check.refused_enterprises[A] == 1
    assert check.refused_enterprises[B] == 0


def test_unknown_enterprises_are_refused_by_name():
    check = check_records(frame([
        {"uscc": A, "subject": "K1", "year": "2024", "indicator": "E-GHG-02", "value": "1",
         "unit": "tCO2e"},
    ]), load_catalogue(), years=range(2000, 2027), known_uscc=lambda codes: set())
    assert [p.text() for p in check.problems] == [
        f"No enterprise with credit code {A} is registered."]
