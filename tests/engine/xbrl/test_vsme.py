"""The indicators' VSME concepts: checked against the czesg concepts, since no VSME taxonomy
package can be validated offline."""

from __future__ import annotations

import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.xbrl import vsme
from czesg.engine.xbrl.concepts import taxonomy_for


def test_every_mapping_agrees_with_its_czesg_concept():
    mapping = vsme.load_vsme(taxonomy_for(load_catalogue()))
    assert len(mapping) == 16
    assert mapping["E-GHG-02"].concept == "vsme:GrossScope1GreenhouseGasEmissions"
    assert mapping["S-EMP-01"].period_type == "instant"  # a headcount at the period end
    assert all("EFRAG" in m.provenance.source for m in mapping.values())


def test_a_mapping_of_the_wrong_period_type_is_refused(tmp_path):
    original = (vsme.DATA_DIR / "xbrl" / vsme.NAME).read_text(encoding="utf-8")
    (tmp_path / vsme.NAME).write_text(
        original.replace("vsme:NumberOfEmployees,xbrli:decimalItemType,instant",
                         "vsme:NumberOfEmployees,xbrli:decimalItemType,duration"),
        encoding="utf-8")
    with pytest.raises(DataFileError) as refused:
        vsme.load_vsme(taxonomy_for(load_catalogue()), tmp_path)
    assert refused.value.params["field"] == "vsme_period_type"
    assert "S-EMP-01 is instant" in refused.value.params["reason"]
