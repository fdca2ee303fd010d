"""The calculation relations of the czesg taxonomy: the catalogue's plain sums only."""

from __future__ import annotations

from czesg.engine.catalogue import load_catalogue
from czesg.engine.xbrl.calculations import SUMMATION_ITEM, summations
from czesg.engine.xbrl.concepts import taxonomy_for
from czesg.engine.xbrl.taxonomy import calculations_xml, schema_xml


def test_the_catalogue_formulas_that_are_sums_become_summation_relations():
    taxonomy = taxonomy_for(load_catalogue())
    # E-GHG-01 = E-GHG-02 + E-GHG-03; ratios such as E-GHG-05 = E-GHG-01 / G-GEN-01 and the
    # reuse rate E-WAT-05 / (E-WAT-05 + E-WAT-01) are no sum of the total's own unit.
    assert summations(taxonomy) == {"E-GHG-01": ("E-GHG-02", "E-GHG-03")}


def test_the_calculation_linkbase_is_referred_to_by_the_schema():
    taxonomy = taxonomy_for(load_catalogue())
    text = calculations_xml(taxonomy)
    assert text.count(f'xlink:arcrole="{SUMMATION_ITEM}"') == 2
    assert ('xlink:from="loc_E-GHG-01" xlink:to="loc_E-GHG-03" order="2" weight="1"') in text
    assert 'xlink:href="czesg-cal.xml"' in schema_xml(taxonomy)
