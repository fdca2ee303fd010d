"""Files whose figures cannot be read: a clear message for each, and units never guessed."""

import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.extraction import UnreadablePdf, candidates_of, extract
from czesg.engine.extraction.reading import Reading
from tests.engine.extraction.pdfs import minimal_pdf


def test_encrypted_pdf():
    with pytest.raises(UnreadablePdf, match="encrypted"):
        extract(minimal_pdf(encrypted=True), 2024)


@pytest.mark.parametrize("data", [b"%PDF-1.4\ngarbage" * 10, b"not a pdf at all"])
def test_damaged_pdf(data):
    with pytest.raises(UnreadablePdf, match="damaged"):
        extract(data, 2024)


def test_truncated_pdf(reports):
    with pytest.raises(UnreadablePdf, match="damaged"):
        extract(reports["zh_table"].pdf[:4000], 2024)


def test_scanned_pdf_is_said_to_be_one():
    from czesg.bench.extraction_corpus import scanned

    with pytest.raises(UnreadablePdf) as refused:
        extract(scanned(), 2024)
    assert "scanned" in str(refused.value) and "OCR" in str(refused.value)


def test_pdf_without_text():
    with pytest.raises(UnreadablePdf, match="no text"):
        extract(minimal_pdf(), 2024)


def reading(indicator, value, unit, printed_unit, context=""):
    from decimal import Decimal

    return Reading(indicator, 2024, "column", Decimal(value), value, unit, printed_unit,
                   context or printed_unit, 3, (1, 2, 3, 4), f"label | {printed_unit} | {value}")


def test_units_are_never_guessed():
    catalogue = load_catalogue()
    found = {c.indicator: c for c in candidates_of([
        reading("E-ENG-01", "120", "", "吨标油"),            # unknown unit
        reading("E-GHG-02", "5", "GJ", "GJ"),                # another dimension
        reading("E-WAT-01", "7", "", ""),                    # no unit, several scales
        reading("S-EMP-01", "80", "", ""),                   # no unit: 人 or 万人?
        reading("S-EMP-02-FPCT", "41.5", "", ""),            # no unit, but one scale: %
        reading("E-GHG-04", "2", "万吨", "万吨", "范围三排放量（万吨二氧化碳当量）"),
    ], 2024, catalogue)}
    assert (found["E-ENG-01"].value, [f.rule for f in found["E-ENG-01"].findings]) == (
        None, ["unit_unparsed"])
    assert found["E-ENG-01"].findings[0].params == {"unit": "吨标油"}
    assert (found["E-GHG-02"].value, [f.rule for f in found["E-GHG-02"].findings]) == (
        None, ["unit_dimension"])
    assert (found["E-WAT-01"].value, [f.rule for f in found["E-WAT-01"].findings]) == (
        None, ["unit_missing"])
    assert (found["S-EMP-01"].value, [f.rule for f in found["S-EMP-01"].findings]) == (
        None, ["unit_missing"])
    assert found["S-EMP-02-FPCT"].value == 41.5
    # 万吨 in a row that says 二氧化碳当量 weighs CO2e: 20,000 tCO2e
    assert found["E-GHG-04"].value == 20000.0


def test_a_mass_without_co2e_in_its_row_is_not_emissions():
    catalogue = load_catalogue()
    [candidate] = candidates_of([reading("E-GHG-02", "2", "万吨", "万吨", "范围一排放量 万吨")],
                                2024, catalogue)
    assert candidate.value is None
    assert [f.rule for f in candidate.findings] == ["unit_dimension"]
