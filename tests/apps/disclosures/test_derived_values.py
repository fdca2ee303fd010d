"""Issue 12 (item 1): derived indicators are computed by the platform whenever their inputs are
saved, stored as ``calculated`` with formula and inputs, and shown read-only with how."""

from __future__ import annotations

import pytest
from django.urls import reverse

from czesg.audit.models import AuditEvent
from czesg.disclosures import actions
from czesg.disclosures.models import Method

pytestmark = pytest.mark.django_db


def points(disclosure):
    return {p.indicator_code: p for p in disclosure.datapoints.all()}


def test_inputs_saved_compute_the_derived_values_with_formula_and_inputs(draft_a, alice):
    actions.set_values(draft_a, [
        actions.Entry("E-GHG-02", 300, "tCO2e"), actions.Entry("E-GHG-03", 700, "吨二氧化碳当量"),
        actions.Entry("G-GEN-01", 50, "百万元"),
    ], actor=alice)
    saved = points(draft_a)
    total, intensity = saved["E-GHG-01"], saved["E-GHG-05"]
    assert (total.value_number, total.unit, total.method) == (1000.0, "tCO2e", Method.CALCULATED)
    assert total.derivation == {"formula": "E-GHG-02 + E-GHG-03",
                                "inputs": {"E-GHG-02": 300.0, "E-GHG-03": 700.0}}
    assert intensity.value_number == pytest.approx(0.2, rel=1e-12)  # 1000 t ÷ 5000 万元
    assert intensity.derivation["inputs"] == {"E-GHG-01": 1000.0, "G-GEN-01": 5000.0}
    event = AuditEvent.objects.get(action="disclosure.derive")
    assert event.payload["values"]["E-GHG-01"] == 1000.0

    # A changed input changes the derived values; a removed one removes them.
    actions.set_value(draft_a, "E-GHG-03", 900, "tCO2e", actor=alice)
    assert points(draft_a)["E-GHG-01"].value_number == 1200.0
    assert points(draft_a)["E-GHG-05"].value_number == pytest.approx(0.24, rel=1e-12)
    actions.clear_value(draft_a, "E-GHG-03", actor=alice)
    assert {"E-GHG-01", "E-GHG-05"}.isdisjoint(points(draft_a))


def test_a_reported_value_of_a_derived_indicator_is_kept(draft_a, alice):
    actions.set_values(draft_a, [
        actions.Entry("E-GHG-02", 300, "tCO2e"), actions.Entry("E-GHG-03", 700, "tCO2e"),
        actions.Entry("E-GHG-01", 1000, "tCO2e", method=Method.IMPORTED),
    ], actor=alice)
    assert points(draft_a)["E-GHG-01"].method == Method.IMPORTED


def test_the_form_shows_a_derived_row_read_only_with_how_it_was_computed(client, draft_a, alice):
    actions.set_values(draft_a, [
        actions.Entry("E-ENG-01", 280, "tce"), actions.Entry("G-GEN-01", 5000, "万元"),
    ], actor=alice)
    client.force_login(alice)
    page = client.get(reverse("disclosures:edit", args=[draft_a.pk])).content.decode()
    row = page[page.index('id="row-E-ENG-02"'):]
    row = row[:row.index("</form>")]
    assert 'value="0.056"' in row and "readonly" in row
    assert "由平台计算：综合能源消费量 (280) ÷ 营业收入 (5000)。" in row
    # Typing into the row changes nothing: the platform's value stays.
    client.post(reverse("disclosures:answer", args=[draft_a.pk, "E-ENG-02"]),
                {"value": "9", "unit": "tce/10k_CNY"}, HTTP_HX_REQUEST="true")
    assert points(draft_a)["E-ENG-02"].value_number == pytest.approx(0.056, rel=1e-12)
    assert points(draft_a)["E-ENG-02"].method == Method.CALCULATED
