"""Issue 12 (item 3): plausibility as the user types. Impossible values are refused or flagged
beside the field right after the autosave, naming the field by its Chinese name, and the typed
input stays in the field."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from czesg.disclosures import checks
from czesg.disclosures.models import Datapoint
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure import plausibility

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post(client, disclosure, code, **data) -> str:
    response = client.post(reverse("disclosures:answer", args=[disclosure.pk, code]), data, **HTMX)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_bounds_file_converts_components_with_the_lowest_coefficients():
    bounds = plausibility.load_bounds()
    # 1 MWh × 1000 kWh/MWh × 0.1229 kgce/kWh ÷ 1000 kgce/tce
    assert bounds.tce_per_unit["E-ENG-01-ELEC"] == pytest.approx(0.1229)
    assert bounds.tce_per_unit["E-ENG-01-GAS"] == pytest.approx(11.0)  # 万Nm3 × 1.1 kgce/Nm3
    assert bounds.tce_per_unit["E-ENG-01-DSL"] == pytest.approx(1.4571)
    assert bounds.ceiling("small", "C3841") == 200000.0
    assert bounds.ceiling("small", "C3110") == 2000000.0  # steel: energy-intensive division 31
    assert bounds.ceiling_confidence.startswith("unconfirmed")


def test_engine_flags_deaths_above_headcount_energy_ceiling_and_components():
    catalogue = load_catalogue()
    found = plausibility.check(
        {"S-EMP-01": 12.0, "S-OHS-01": 1000.0, "E-ENG-01": 100.0, "E-ENG-01-ELEC": 1e9},
        catalogue, size_class="small", industry_code="C3841",
    )
    rules = sorted((f.rule, f.indicator, f.severity) for f in found)
    assert rules == [
        ("energy_ceiling", "E-ENG-01-ELEC", "error"),
        ("energy_components", "E-ENG-01", "warning"),
        ("exceeds_workforce", "S-OHS-01", "error"),
    ]
    ceiling = next(f for f in found if f.rule == "energy_ceiling")
    assert ceiling.params["value"] == "1.229e+08"
    assert ceiling.params["ceiling"] == "200,000"
    assert plausibility.check({"S-EMP-01": 12.0, "S-OHS-01": 12.0, "E-ENG-01": 100.0,
                               "E-ENG-01-ELEC": 800.0}, catalogue,
                              size_class="small", industry_code="C3841") == []


def test_fractional_headcount_is_refused_naming_the_field_and_kept(client, draft_a, alice):
    client.force_login(alice)
    page = post(client, draft_a, "S-EMP-01", value="12.5", unit="person")
    assert "期末在职员工总数 按整人或整次计数；12.5 不是整数。" in page
    assert 'value="12.5"' in page
    assert "S-EMP-01 按整" not in page
    assert not Datapoint.objects.filter(disclosure=draft_a, indicator_code="S-EMP-01").exists()


def test_negative_count_names_the_field_not_the_code(client, draft_a, alice):
    client.force_login(alice)
    page = post(client, draft_a, "S-EMP-01", value="-3", unit="person")
    assert "期末在职员工总数 不得小于 0 人" in page
    assert 'value="-3"' in page


def test_deaths_above_headcount_shown_inline_after_the_autosave(client, draft_a, alice):
    client.force_login(alice)
    post(client, draft_a, "S-EMP-01", value="12", unit="person")
    page = post(client, draft_a, "S-OHS-01", value="1000", unit="person")
    assert "因工死亡人数（1,000）不能超过期末在职员工总数（12）。" in page
    assert 'value="1000"' in page
    # The same finding is beside the headcount when that field is saved, and blocks submission.
    page = post(client, draft_a, "S-EMP-01", value="12", unit="person")
    assert "不能超过期末在职员工总数（12）" in page
    assert any(f.rule == "exceeds_workforce" and f.is_error for f in checks.findings_for(draft_a))


def test_absurd_electricity_is_flagged_against_the_size_class_bound(client, draft_a, alice):
    client.force_login(alice)
    page = post(client, draft_a, "E-ENG-01-ELEC", value="1000000000000", unit="kWh")
    assert "外购电力消费量 高得不合理：折合 1.229e+08 吨标准煤" in page
    assert "平台设定上限 200,000 吨标准煤，非官方数据" in page
    assert 'value="1000000000000"' in page
    # The edit page shows it again after a reload.
    text = html.unescape(client.get(reverse("disclosures:edit", args=[draft_a.pk])).content.decode())
    assert "外购电力消费量 高得不合理" in text


def test_energy_total_below_its_components_warns_beside_the_total(client, draft_a, alice):
    client.force_login(alice)
    post(client, draft_a, "E-ENG-01-ELEC", value="8000", unit="MWh")  # 983.2 tce
    page = post(client, draft_a, "E-ENG-01", value="500", unit="tce")
    assert "综合能源消费量（500 吨标准煤）小于各分项折标准煤之和（至少 983.2 吨标准煤）" in page
    assert "finding-warning" in page
