"""The one data-file reader: every refusal names the file, the row (or key path) and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from czesg.engine.datafiles import FirstSeen, parse_toml, read_csv_rows, read_data_file
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.kernel.provenance import Confidence, Provenance

COLUMNS = ("code", "value", "source", "confidence")


def refusal(call) -> str:
    with pytest.raises(DataFileError) as refused:
        call()
    return str(refused.value)


def test_a_missing_file_is_named(tmp_path: Path):
    assert refusal(lambda: read_data_file(tmp_path / "x.toml", "city/x.toml")) == (
        "city/x.toml, row -, field -: the file is missing"
    )


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path):
    (tmp_path / "x.csv").write_bytes("代码".encode("gb18030"))
    assert refusal(lambda: read_data_file(tmp_path / "x.csv", "x.csv")) == (
        "x.csv, row -, field -: the file is not valid UTF-8"
    )


def test_bad_toml_names_its_line():
    message = refusal(lambda: parse_toml('a = 1\nb = = 2\n', "f.toml"))
    assert message.startswith("f.toml, row 2, field -: not valid TOML: ")


def test_toml_refusals_name_the_key_path_and_field():
    top = parse_toml('[[park]]\nkey = "a"\n[[park]]\nkey = 3\n', "f.toml")
    second = top.array("park")[1]
    assert refusal(lambda: second.text("key")) == (
        "f.toml, row park[2], field key: expected a non-empty text"
    )
    assert refusal(lambda: second.allow("name")) == (
        "f.toml, row park[2], field key: unknown key; expected one of name"
    )


def test_toml_refusals_by_line_name_the_line_and_dotted_field():
    text = 'version = "1"\n\n[[topic]]\nkey = "a"\n\n[[topic]]\nkey = "b"\norder = "x"\n'
    top = parse_toml(text, "c.toml", by_line=True)
    second = top.array("topic")[1]
    assert refusal(lambda: second.integer("order")) == (
        "c.toml, row 8, field topic.order: expected a whole number"
    )
    assert refusal(lambda: second.text("name_zh")) == (
        "c.toml, row 6, field topic.name_zh: missing"
    )
    assert refusal(lambda: top.text("title")) == "c.toml, row 1, field title: missing"


def test_first_seen_names_the_first_user():
    top = parse_toml('[[d]]\ncode = "1"\n[[d]]\ncode = "1"\n', "f.toml")
    seen = FirstSeen()
    first, second = top.array("d")
    seen.claim(first, "code", "1")
    assert refusal(lambda: seen.claim(second, "code", "1")) == (
        "f.toml, row d[2], field code: “1” is already used in d[1]"
    )


def test_provenance_is_one_type_with_an_enum_of_codes():
    top = parse_toml('source = "plan"\nconfidence = "confirmed-primary"\n', "f.toml",
                     confidences=(Confidence.CONFIRMED_PRIMARY,))
    provenance = top.provenance()
    assert provenance == Provenance("plan", "confirmed-primary")
    assert provenance.level is Confidence.CONFIRMED_PRIMARY
    source, confidence = provenance
    assert (source, confidence) == ("plan", "confirmed-primary")
    unconfirmed = Provenance("plan", "unconfirmed-single-source")
    assert unconfirmed.level is None and unconfirmed.is_unconfirmed


def test_an_unknown_confidence_is_refused_with_the_accepted_codes():
    top = parse_toml('source = "plan"\nconfidence = "sure"\n', "f.toml",
                     confidences=(Confidence.CONFIRMED_PRIMARY, Confidence.ANALYST_MAPPING))
    assert refusal(top.provenance) == (
        "f.toml, row (top level), field confidence: 'sure' is not one of confirmed-primary, "
        "analyst-mapping or unconfirmed-*"
    )


GOOD_CSV = "code,value,source,confidence\nA,1.5,doc,analyst-mapping\n\n"


def test_csv_rows_carry_their_spreadsheet_row_and_cells():
    rows = read_csv_rows("\ufeff" + GOOD_CSV + 'B,"2",doc,analyst-mapping\n', "t.csv", COLUMNS,
                         confidences=(Confidence.ANALYST_MAPPING,))
    assert [(row.row, row.text("code"), row.number("value")) for row in rows] == [
        (2, "A", 1.5), (4, "B", 2.0),
    ]
    assert rows[0].provenance() == Provenance("doc", "analyst-mapping")


@pytest.mark.parametrize(("text", "message"), [
    ("", "t.csv, row 1, field -: the file is empty"),
    ("code,value,source\n", "t.csv, row 1, field confidence: the column is missing"),
    ("code,value,source,confidence,x\n", "t.csv, row 1, field x: the column is not expected"),
    ("value,code,source,confidence\n",
     "t.csv, row 1, field value: the columns are out of order; expected "
     "code,value,source,confidence"),
    (GOOD_CSV + "B,2\n", "t.csv, row 4, field source: the row has 2 cells; 4 are expected"),
])
def test_csv_refusals_name_the_row_and_column(text, message):
    assert refusal(lambda: read_csv_rows(text, "t.csv", COLUMNS)) == message


@pytest.mark.parametrize(("cells", "call", "message"), [
    ("A,,doc,analyst-mapping", lambda row: row.text("value"),
     "t.csv, row 2, field value: the cell is empty"),
    ("A,x,doc,analyst-mapping", lambda row: row.number("value"),
     "t.csv, row 2, field value: “x” is not a number"),
    ("A,inf,doc,analyst-mapping", lambda row: row.number("value"),
     "t.csv, row 2, field value: “inf” is not a finite number"),
    ("A,-1,doc,analyst-mapping", lambda row: row.number("value", low=0),
     "t.csv, row 2, field value: -1.0 is below 0"),
    ("A,1,doc,guess", lambda row: row.provenance(),
     "t.csv, row 2, field confidence: 'guess' is not one of analyst-mapping or unconfirmed-*"),
])
def test_csv_cell_refusals_name_the_row_and_column(cells, call, message):
    (row,) = read_csv_rows(f"code,value,source,confidence\n{cells}\n", "t.csv", COLUMNS,
                           confidences=(Confidence.ANALYST_MAPPING,))
    assert refusal(lambda: call(row)) == message
