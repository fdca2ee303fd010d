"""Issue 12 (item 2): the autosaved row keeps a unit picked before the value, and a refused
input stays in the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from czesg.audit.models import AuditEvent
from czesg.disclosures.models import Datapoint

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post(client, disclosure, code, **data):
    return client.post(reverse("disclosures:answer", args=[disclosure.pk, code]), data, **HTMX)


def test_a_unit_picked_before_the_value_is_kept_and_nothing_is_saved(client, draft_a, alice):
    client.force_login(alice)
    page = post(client, draft_a, "E-ENG-01-ELEC", value="", unit="kWh").content.decode()
    assert '<option value="kWh" selected>' in page
    assert '<option value="MWh" selected>' not in page
    assert "已保存" not in page and "Saved" not in page
    assert not Datapoint.objects.filter(disclosure=draft_a).exists()
    assert not AuditEvent.objects.filter(action="disclosure.clear_value").exists()

    page = post(client, draft_a, "E-ENG-01-ELEC", value="6500", unit="kWh").content.decode()
    assert '<option value="kWh" selected>' in page
    point = Datapoint.objects.get(disclosure=draft_a, indicator_code="E-ENG-01-ELEC")
    assert (point.value_number, point.unit, point.entered_unit) == (6.5, "MWh", "kWh")


def test_a_refused_value_stays_in_the_field(client, draft_a, alice):
    client.force_login(alice)
    page = post(client, draft_a, "E-ENG-01-ELEC", value="六千", unit="kWh").content.decode()
    assert 'value="六千"' in page
    assert '<option value="kWh" selected>' in page
    assert 'role="alert"' in page
    assert not Datapoint.objects.filter(disclosure=draft_a).exists()


def test_a_number_without_a_unit_is_refused_naming_the_indicator_in_chinese(client, draft_a, alice):
    client.force_login(alice)
    page = post(client, draft_a, "S-EMP-01", value="12", unit="").content.decode()
    assert "期末在职员工总数：请填写数值的单位（以人存储）" in page
    assert not Datapoint.objects.filter(disclosure=draft_a).exists()


def test_energy_typed_in_mwh_is_stored_in_tce_with_the_coefficient_named(client, draft_a, alice):
    client.force_login(alice)
    page = post(client, draft_a, "E-ENG-01", value="1000", unit="MWh").content.decode()
    assert '<option value="MWh" selected>' in page
    point = Datapoint.objects.get(disclosure=draft_a, indicator_code="E-ENG-01")
    assert (point.value_number, point.unit, point.entered_value, point.entered_unit) == (
        pytest.approx(122.9, rel=1e-12), "tce", "1000", "MWh")
    conversion = point.derivation["conversion"]
    assert (conversion["factor_id"], conversion["coefficient"]) == ("TCE-ELECTRICITY-CALORIFIC", 0.1229)
    event = AuditEvent.objects.get(action="disclosure.set_values")
    assert event.payload["conversions"]["E-ENG-01"]["factor_id"] == "TCE-ELECTRICITY-CALORIFIC"
    assert "按电力(当量值) 0.1229 kgce/kWh折算（因子库 2025.1，TCE-ELECTRICITY-CALORIFIC）" in page
