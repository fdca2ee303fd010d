"""Issue 14 item 4 / issue 12 item 9: a new draft is offered the values the enterprise's current
records hold, with their source, to confirm or correct; a disclosed value far from a record gets
a warning naming the record (in review and beside the field)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from czesg.audit.models import AuditEvent
from czesg.disclosures import actions, checks
from czesg.disclosures.models import Datapoint
from czesg.engine.records.reconcile import tolerance
from tests.apps.records.test_utility_adapters import A, B, link, run

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def utility_sme(gov, make_enterprise, member_of):
    """Enterprise A with its member carol, and the utility's 2024 electricity for A and B."""
    firm = make_enterprise("常州示例发电有限公司", uscc=A, division_code=A[2:8])
    make_enterprise("常州示例水泥有限公司", uscc=B, division_code=B[2:8])
    carol = member_of(firm, "carol")
    link(gov)
    run(gov)
    return firm, carol


def page_of(client, disclosure) -> str:
    return html.unescape(client.get(reverse("disclosures:edit", args=[disclosure.pk]))
                         .content.decode())


def test_a_new_draft_is_prefilled_from_the_utility_and_must_be_confirmed(client, utility_sme):
    firm, carol = utility_sme
    draft = actions.start_disclosure(firm, 2024, actor=carol)
    point = Datapoint.objects.get(disclosure=draft, indicator_code="E-ENG-01-ELEC")
    # 1,278 MWh on the meter account plus 30 MWh on the office account.
    assert (point.value_number, point.unit, point.method) == (1308.0, "MWh", "government")
    assert point.derivation["prefill"] == {
        "kind": "record", "source": "utility_electricity", "name_zh": "供电企业按户按月用电量",
        "name_en": "Electricity utility: monthly consumption per account", "year": 2024,
        "confirmed": False}
    assert list(draft.datapoints.values_list("indicator_code", flat=True)) == ["E-ENG-01-ELEC"]
    event = AuditEvent.objects.get(action="disclosure.prefill")
    assert list(event.payload["values"]) == ["E-ENG-01-ELEC"]
    unconfirmed = [f for f in checks.findings_for(draft) if f.rule == "prefill_unconfirmed"]
    assert [(f.indicator, f.is_error) for f in unconfirmed] == [("E-ENG-01-ELEC", True)]

    client.force_login(carol)
    text = page_of(client, draft)
    assert "来自：供电企业按户按月用电量 2024 年全年合计" in text
    assert "外购电力消费量 已按供电企业按户按月用电量的数据预填；请确认或更正。" in text
    row = html.unescape(client.post(
        reverse("disclosures:answer", args=[draft.pk, "E-ENG-01-ELEC"]),
        {"confirm": "1", "value": "1308", "unit": "MWh"}, **HTMX).content.decode())
    assert "✓ 已确认" in row and "请确认或更正" not in row
    point.refresh_from_db()
    assert point.derivation["prefill"]["confirmed"] is True
    assert point.value_number == 1308.0
    assert AuditEvent.objects.get(action="disclosure.confirm_value").payload["indicator"] == (
        "E-ENG-01-ELEC")
    assert not [f for f in checks.findings_for(draft) if f.rule == "prefill_unconfirmed"]


def test_another_enterprises_records_are_not_prefilled(utility_sme, make_enterprise, member_of):
    other = make_enterprise("丙公司")
    dave = member_of(other, "dave")
    draft = actions.start_disclosure(other, 2024, actor=dave)
    assert not draft.datapoints.exists()
    assert not AuditEvent.objects.filter(action="disclosure.prefill").exists()


def test_a_value_30_percent_below_the_utility_total_is_warned_naming_the_record(
        client, utility_sme):
    firm, carol = utility_sme
    assert tolerance() == 0.10
    draft = actions.start_disclosure(firm, 2024, actor=carol)
    client.force_login(carol)
    row = html.unescape(client.post(
        reverse("disclosures:answer", args=[draft.pk, "E-ENG-01-ELEC"]),
        {"value": "915.6", "unit": "MWh"}, **HTMX).content.decode())
    point = Datapoint.objects.get(disclosure=draft, indicator_code="E-ENG-01-ELEC")
    assert (point.value_number, point.method) == (915.6, "typed")
    assert "prefill" not in point.derivation
    expected = ("外购电力消费量（915.6 MWh）比供电企业按户按月用电量 2024 年的记录"
                "（1,308 MWh）低 30%。")
    assert expected in row
    [warning] = [f for f in checks.findings_for(draft) if f.rule == "record_mismatch"]
    assert (warning.indicator, warning.is_error, warning.params["percent"]) == (
        "E-ENG-01-ELEC", False, "30")
    # Within the tolerance (5% above the record): no warning.
    actions.set_value(draft, "E-ENG-01-ELEC", "1373.4", "MWh", actor=carol)
    assert not [f for f in checks.findings_for(draft) if f.rule == "record_mismatch"]


def test_the_form_shows_the_registry_size_class_beside_the_headcount_as_a_hint(
        client, make_enterprise, member_of):
    """The registry holds an NBS size class, not a headcount: the form names it with its source
    beside the headcount, and fills in no number."""
    firm = make_enterprise("常州示例机械有限公司", size_class="medium")
    dora = member_of(firm, "dora")
    draft = actions.start_disclosure(firm, 2024, actor=dora)
    client.force_login(dora)
    page = page_of(client, draft)
    headcount = page[page.index('id="row-S-EMP-01"'):]
    headcount = headcount[:headcount.index("</form>")]
    assert 'data-source="registry" data-size-class="medium"' in headcount
    assert "企业名录将贵企业划为中型企业（国家统计局《统计上大中小微型企业划分办法》）" in headcount
    assert "规模类型不是员工人数" in headcount
    assert not Datapoint.objects.filter(disclosure=draft, indicator_code="S-EMP-01").exists()
    # Only the headcount carries it.
    energy = page[page.index('id="row-E-ENG-01"'):]
    assert 'data-source="registry"' not in energy[:energy.index("</form>")]
