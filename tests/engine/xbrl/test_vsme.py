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
    assert len(mapping) == 18
    assert mapping["G-GEN-01"].concept == "vsme:Turnover"
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


def test_a_mapping_whose_unit_does_not_fit_the_vsme_type_is_refused(tmp_path):
    original = (vsme.DATA_DIR / "xbrl" / vsme.NAME).read_text(encoding="utf-8")
    # Waste in tonnes declared as a VSME volume concept (reported in m3).
    (tmp_path / vsme.NAME).write_text(
        original.replace("vsme:TotalWasteGeneratedMass,dtr-types:massItemType",
                         "vsme:TotalWasteGeneratedVolume,dtr-types:volumeItemType"),
        encoding="utf-8")
    with pytest.raises(DataFileError) as refused:
        vsme.load_vsme(taxonomy_for(load_catalogue()), tmp_path)
    assert refused.value.params["field"] == "vsme_data_type"


def test_a_vsme_tagged_fact_is_checked_by_name_period_and_unit():
    mapping = vsme.load_vsme(taxonomy_for(load_catalogue()))
    scope1 = "vsme:GrossScope1GreenhouseGasEmissions"
    assert vsme.check_fact(mapping, "E-GHG-02", scope1, "duration", ("utr:tCO2e",)) == []
    assert vsme.check_fact(mapping, "E-GHG-02", scope1, "instant", ("utr:tCO2e",)) == [
        f"{scope1} is duration, the fact's context is instant"]
    assert "reported in utr:tCO2e, the fact is in utr:t" in vsme.check_fact(
        mapping, "E-GHG-02", scope1, "duration", ("utr:t",))[0]
    assert vsme.check_fact(mapping, "G-GEN-01", "vsme:Turnover", "duration",
                           ("iso4217:CNY",)) == []
    assert vsme.check_fact(mapping, "G-GEN-04", "vsme:Turnover", "duration", ()) == [
        "G-GEN-04 has no VSME concept, yet vsme:Turnover is tagged"]


def test_the_inline_document_nests_each_czesg_fact_in_its_vsme_fact():
    from czesg.engine.xbrl import inline
    from czesg.engine.xbrl.facts import Answer, fact_of

    taxonomy = taxonomy_for(load_catalogue())
    facts = [fact_of(taxonomy, Answer("E-GHG-02", "300", "tCO2e", 300.0), "zh-hans"),
             fact_of(taxonomy, Answer("G-GEN-04", "母公司"), "zh-hans")]
    document = inline.Document(
        "t", "91320412MA1W8H6X3P", 2024, "zh-hans", [], [inline.Section(
            "s", [inline.Line("x", f.concept.name, f) for f in facts])], ["n"],
        {"profile": "p", "notes": "n", "indicator": "i", "value": "v"},
        vsme={"E-GHG-02": "vsme:GrossScope1GreenhouseGasEmissions"})
    text = inline.render(taxonomy, document, facts)
    assert ('<ix:nonFraction id="vsme-E-GHG-02" name="vsme:GrossScope1GreenhouseGasEmissions" '
            'contextRef="D" target="vsme" unitRef="u_tCO2e" decimals="INF" scale="0" '
            'format="ixt:num-dot-decimal"><ix:nonFraction id="f-E-GHG-02" '
            'name="czesg:E-GHG-02" contextRef="D" unitRef="u_tCO2e" decimals="INF" scale="0" '
            'format="ixt:num-dot-decimal">300</ix:nonFraction></ix:nonFraction>') in text
    assert ('<ix:references target="vsme"><link:schemaRef xlink:type="simple" '
            f'xlink:href="{vsme.VSME_ENTRY_POINT}"/></ix:references>') in text
    assert f'xmlns:vsme="{vsme.VSME_NAMESPACE}"' in text
    assert 'name="vsme:' not in text.split("G-GEN-04")[1]  # an unmapped fact: czesg only
