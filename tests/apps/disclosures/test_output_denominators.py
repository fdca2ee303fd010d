"""Issue 12 (item 2): an intensity per unit of physical output (per MW, per t of product, per
m²) is a denominator the form offers, is stored in its own unit with what was typed, and is never
compared, benchmarked or rated with values per 10,000 CNY of revenue."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from czesg.audit.models import AuditEvent
from czesg.disclosures import actions, checks
from czesg.disclosures.models import Method
from czesg.engine import rating as engine
from czesg.ratings.inputs import fetch_inputs

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def point(disclosure, code):
    return disclosure.datapoints.filter(indicator_code=code).first()


def row_of(page: str, code: str) -> str:
    row = page[page.index(f'id="row-{code}"'):]
    return row[:row.index("</form>")]


@pytest.fixture
def calculated(draft_a, alice):
    actions.set_values(draft_a, [
        actions.Entry("E-ENG-01", 280, "tce"), actions.Entry("G-GEN-01", 5000, "万元"),
    ], actor=alice)
    assert point(draft_a, "E-ENG-02").value_number == pytest.approx(0.056, rel=1e-12)
    return draft_a


def test_the_form_offers_the_denominators_of_an_intensity(client, calculated, alice):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    row = row_of(client.get(reverse("disclosures:edit", args=[calculated.pk])).content.decode(),
                 "E-ENG-02")
    assert '<select name="basis"' in row and "readonly" in row
    assert '<option value="-" selected>吨标准煤/万元，由平台计算</option>' in row
    assert '<option value="tce/MW">吨标准煤/兆瓦（每兆瓦装机容量）</option>' in row
    assert '<option value="tce/t">吨标准煤/吨产品（每吨产品）</option>' in row
    assert '<option value="tce/m2">吨标准煤/平方米（每平方米建筑面积）</option>' in row
    # An indicator with no output denominator keeps its plain read-only unit.
    page = client.get(reverse("disclosures:edit", args=[calculated.pk])).content.decode()
    assert '<select name="basis"' not in row_of(page, "E-ENG-01")


def test_a_value_per_tonne_of_product_is_stored_in_its_own_unit_and_back_to_calculated(
    client, calculated, alice
):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    url = reverse("disclosures:answer", args=[calculated.pk, "E-ENG-02"])
    # Picking the denominator posts the calculated per-revenue figure still in the field:
    # nothing is stored, the field opens empty for the per-tonne value.
    response = client.post(url, {"value": "0.056", "basis": "tce/t"}, **HTMX)
    row = response.content.decode()
    assert point(calculated, "E-ENG-02").method == Method.CALCULATED
    assert '<option value="tce/t" selected>' in row and 'name="value" inputmode="decimal" value=""' in row
    assert "readonly" not in row.split('name="value"', 1)[1].split(">", 1)[0]

    response = client.post(url, {"value": "0.35", "basis": "tce/t"}, **HTMX)
    stored = point(calculated, "E-ENG-02")
    assert (stored.value_number, stored.unit, stored.entered_value, stored.entered_unit,
            stored.method) == (0.35, "tce/t", "0.35", "tce/t", Method.TYPED)
    event = AuditEvent.objects.filter(action="disclosure.set_values").latest("pk")
    assert event.payload["values"]["E-ENG-02"][:2] == ["0.35", "tce/t"]
    row = response.content.decode()
    assert '<option value="tce/t" selected>' in row and 'value="0.35"' in row
    assert "不与按每万元营业收入计的数值一起排名" in row

    # A changed input does not overwrite it with a per-revenue figure, nor is it checked
    # against energy ÷ revenue.
    actions.set_value(calculated, "E-ENG-01", 300, "tce", actor=alice)
    assert (point(calculated, "E-ENG-02").value_number, point(calculated, "E-ENG-02").unit) == (
        0.35, "tce/t")
    assert not [f for f in checks.findings_for(calculated) if f.indicator == "E-ENG-02"]

    # Back to per revenue: the platform calculates again.
    client.post(url, {"value": "0.35", "basis": "-"}, **HTMX)
    back = point(calculated, "E-ENG-02")
    assert (back.value_number, back.unit, back.method) == (
        pytest.approx(0.06, rel=1e-12), "tce/10k_CNY", Method.CALCULATED)


def test_a_denominator_it_does_not_admit_is_refused_with_the_input_kept(client, calculated, alice):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    url = reverse("disclosures:answer", args=[calculated.pk, "E-ENG-02"])
    response = client.post(url, {"value": "abc", "basis": "tce/MW"}, **HTMX)
    row = response.content.decode()
    assert 'value="abc"' in row and 'role="alert"' in row
    assert point(calculated, "E-ENG-02").method == Method.CALCULATED


@pytest.fixture
def published_pair(draft_a, alice, firm_b, bob, fill_basic):
    fill_basic(draft_a, alice)
    actions.set_value(draft_a, "E-ENG-02", 12, "tce/MW", actor=alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    other = actions.start_disclosure(firm_b, 2024, actor=bob)
    fill_basic(other, bob)
    actions.submit_disclosure(other, actor=bob)
    actions.publish_disclosure(other, actor=bob)
    return draft_a, other


def test_benchmark_and_rating_never_rank_a_per_output_value_with_per_revenue_ones(
    client, published_pair, firm_a, firm_b
):
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/benchmark/?indicator=E-ENG-02&year=2024").content.decode()
    assert '<dd id="stats-n" data-recorded="0">1</dd>' in page  # firm b's 0.056 per 万元 alone
    assert 'id="per-output"' in page and "1 家企业按实物产出" in page
    inputs, ids = fetch_inputs(2024, engine.load_methodology())
    column = list(inputs.codes).index("E-ENG-02")
    row_a, row_b = list(ids).index(firm_a.pk), list(ids).index(firm_b.pk)
    assert np.isnan(inputs.values[row_a, column]) and inputs.status[row_a, column] == engine.MISSING
    assert inputs.values[row_b, column] == pytest.approx(0.056)
