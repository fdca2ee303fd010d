"""The shared reader of methodology TOML tables: key paths, refusals and checked values."""

from __future__ import annotations

import pytest

from czesg.engine.datafiles import TomlTable
from czesg.engine.kernel.errors import DataFileError

DATA = {
    "dimension": [
        {"key": "one", "indicator": [{"weight": 0.5}, {"weight": "heavy"}]},
    ],
    "peers": {"min_peers": 3, "source": "s", "confidence": "unconfirmed-single-source"},
    "weights": {"E": 0.2, "S": 0.3, "G": 0.5},
}


def table(data=None):
    return TomlTable(DATA if data is None else data, "m.toml", confidences=("choice",))


def refusal(call):
    with pytest.raises(DataFileError) as caught:
        call()
    return caught.value.params


def test_paths_are_full_and_array_entries_count_from_one():
    indicator = table().array("dimension")[0].array("indicator")[1]
    assert indicator.path == "dimension[1].indicator[2]"
    params = refusal(lambda: indicator.number("weight", low=0, high=1))
    assert params == {"file": "m.toml", "row": "dimension[1].indicator[2]", "field": "weight",
                      "reason": "expected a number, not 'heavy'"}
    assert table().child("peers").path == "peers"
    assert table().array("absent", required=False) == []


def test_an_empty_field_is_reported_as_a_dash_and_the_top_level_is_named():
    params = refusal(lambda: table().fail("", "bad"))
    assert (params["row"], params["field"]) == ("(top level)", "-")
    assert refusal(lambda: TomlTable([], "m.toml", "x"))["field"] == "-"


def test_provenance_accepts_the_given_confidences_and_well_formed_unconfirmed_ones():
    assert table().child("peers").provenance() == ("s", "unconfirmed-single-source")
    assert table({"source": "s", "confidence": "choice"}).provenance() == ("s", "choice")
    for bad in ("unconfirmed-", "unconfirmed-Single", "unconfirmed-a--b", "certain"):
        params = refusal(table({"source": "s", "confidence": bad}).provenance)
        assert params["field"] == "confidence"


def test_defaults_bounds_and_sums():
    node = table({"a": 5, "t": " x ", "k": "Bad Key"})
    assert node.text("missing", default="") == "" and node.text("t") == "x"
    assert node.number("missing", default=2.0) == 2.0 and node.optional_number("missing") is None
    assert "above 1" in refusal(lambda: node.number("a", high=1))["reason"]
    assert "above 0" in refusal(lambda: table({"a": 0}).number("a", positive=True))["reason"]
    assert refusal(node.key)["field"] == "key"
    assert table().mapping("weights", ("E", "S", "G")) == (("E", 0.2), ("S", 0.3), ("G", 0.5))
    table().check_sum("weights", [0.1] * 10, "ten tenths")
    params = refusal(lambda: node.check_sum("weight", [0.5, 0.6], "the parts"))
    assert params["reason"] == "the weights of the parts sum to 1.1, not 1"
