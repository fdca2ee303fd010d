"""The content indexes' frameworks and requirements, held to the catalogue's crosswalk."""

from __future__ import annotations

import csv
import shutil

import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.frameworks import (
    ANSWERED,
    DIRECTORY,
    GAP,
    NOT_APPLICABLE,
    content_index,
    load_frameworks,
    references,
)
from czesg.engine.kernel.errors import DataFileError


@pytest.fixture(scope="module")
def frameworks():
    return {f.key: f for f in load_frameworks(load_catalogue())}


def test_every_framework_lists_exactly_the_references_the_catalogue_maps(frameworks):
    catalogue = load_catalogue()
    assert list(frameworks) == ["cn-exchange", "gri", "ifrs-s2", "hkex", "sgx", "vsme"]
    columns = {"cn-exchange": "exchange_article", "gri": "gri", "ifrs-s2": "ifrs_s2",
               "hkex": "hkex", "sgx": "sgx"}
    for key, column in columns.items():
        cells = {getattr(i, column) for i in catalogue.indicators if getattr(i, column)}
        refs = {r.ref for r in frameworks[key].requirements}
        # Every reference cell of the catalogue is one listed requirement, or several joined by "/".
        for cell in cells:
            parts = cell.split("/") if frameworks[key].split else [cell]
            assert {p.strip() for p in parts} <= refs, (key, cell)
    assert [len(f.requirements) for f in frameworks.values()] == [32, 64, 17, 42, 28, 10]
    assert [r.ref for r in frameworks["vsme"].requirements] == [
        "B1", "B2", "B3", "B5", "B6", "B7", "B8", "B9", "B10", "B11"]
    # Each row keeps its source and confidence; the exchange's article numbers are unconfirmed.
    assert all(r.provenance.is_unconfirmed for r in frameworks["cn-exchange"].requirements)
    assert not any(r.provenance.is_unconfirmed for r in frameworks["gri"].requirements)


def test_a_content_index_tells_answered_not_applicable_and_gaps(frameworks):
    catalogue = load_catalogue()
    rows = {r.requirement.ref: r for r in content_index(
        frameworks["gri"], catalogue,
        {"E-GHG-02": "value", "E-WST-01": "not_applicable", "E-WST-02": "not_applicable"})}
    assert rows["305-1"].status == ANSWERED
    assert rows["305-1"].answered_by == ("E-GHG-02",)
    assert rows["305-1"].indicators == ("E-GHG-01", "E-GHG-02", "E-GHG-06-CONS", "E-GHG-06-GWP")
    assert rows["306-3"].status == NOT_APPLICABLE
    assert rows["305-2"].status == GAP and rows["305-2"].answered_by == ()
    vsme = {r.requirement.ref: r for r in content_index(frameworks["vsme"], catalogue,
                                                         {"E-WAT-01": "value"})}
    assert vsme["B6"].status == ANSWERED and vsme["B7"].status == GAP


def test_an_indicators_references_beside_it_in_the_form(frameworks):
    catalogue = load_catalogue()
    found = {f.key: refs for f, refs in references(tuple(frameworks.values()),
                                                   catalogue.get("E-GHG-01"))}
    assert found == {"cn-exchange": ("第二十四条",), "gri": ("305-1", "305-2", "305-3"),
                     "ifrs-s2": ("para 29(a) GHG",), "hkex": ("A1.2",),
                     "sgx": ("GHG Emissions: absolute (total)",), "vsme": ("B3",)}


def test_a_requirement_no_indicator_maps_is_refused_naming_the_file(tmp_path):
    folder = tmp_path / "frameworks"
    shutil.copytree(DIRECTORY, folder)
    with (folder / "requirements.csv").open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["gri", "999-9", "invented for the test", "analyst-mapping"])
    with pytest.raises(DataFileError) as refused:
        load_frameworks(load_catalogue(), folder)
    assert refused.value.params["file"] == "frameworks.toml"
    assert "999-9" in refused.value.params["reason"]


def test_a_catalogue_reference_missing_from_the_list_is_refused(tmp_path):
    folder = tmp_path / "frameworks"
    shutil.copytree(DIRECTORY, folder)
    lines = (folder / "requirements.csv").read_text().splitlines()
    (folder / "requirements.csv").write_text(
        "\n".join(line for line in lines if not line.startswith("gri,305-1,")) + "\n")
    with pytest.raises(DataFileError) as refused:
        load_frameworks(load_catalogue(), folder)
    assert "305-1" in refused.value.params["reason"]
