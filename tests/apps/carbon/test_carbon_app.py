"""Issue 4, the parts users meet: stored carbon calculations through the actions, sent to a
draft disclosure, recalculated beside the original, the pages, the API and ``czesg carbon``.

Expected figures are computed here from the factor set itself (natural gas: NCV x carbon
content x oxidation rate x 44/12; electricity x Jiangsu's factor of the latest published year),
never copied from the calculator's output.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from czesg.audit.models import AuditEvent
from czesg.carbon import actions, display
from czesg.carbon.cli import build_parser, run
from czesg.carbon.models import CarbonCalculation
from czesg.disclosures import actions as disclosure_actions
from czesg.disclosures.models import Datapoint, Method
from czesg.engine import carbon
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, StateConflict

pytestmark = pytest.mark.django_db

YEAR = 2024
FACTOR_SET = "2025.1"  # the set whose numbers these tests assert; named, so a newer one breaks none
ROWS = [
    {"activity": "natural_gas", "quantity": 10, "unit": "万Nm3", "facility": "boiler house"},
    {"activity": "electricity", "quantity": "1,200,000", "unit": "kWh"},
]


def chain(fs: carbon.FactorSet, category: str, year: int) -> carbon.Factor:
    """The factor the engine's documented chain picks for Jiangsu: province, East China, nation."""
    for region in ("Jiangsu", "East China", "CN"):
        factor = fs.latest(category, region, year)
        if factor is not None:
            return factor
    raise AssertionError(f"no {category} factor for {year}")


def expected_for(fs: carbon.FactorSet, year: int = YEAR, gas_wan_nm3: float = 10.0,
                 electricity_mwh: float = 1200.0) -> dict[str, float]:
    gas = fs.get("FUEL-NATURAL_GAS")
    assert gas.ncv_unit == "GJ/万Nm3"
    grid = chain(fs, "grid_provincial", year)
    residual = chain(fs, "grid_residual", year)
    assert grid.unit == residual.unit == "kgCO2/kWh"  # = tCO2/MWh
    gas_tce = fs.get("TCE-NATURAL_GAS_2")
    elec_tce = fs.get("TCE-ELECTRICITY-CALORIFIC")
    assert gas_tce.unit == "kgce/Nm3" and elec_tce.unit == "kgce/kWh"
    scope1 = (gas_wan_nm3 * gas.ncv * gas.carbon_content_tC_per_GJ * gas.oxidation_rate
              * 44 / 12)
    location = electricity_mwh * grid.value
    return {
        "scope1_tco2e": scope1,
        "scope2_location_tco2e": location,
        "scope2_market_tco2e": electricity_mwh * residual.value,
        "scope3_tco2e": 0.0,
        "total_tco2e": scope1 + location,
        # 1 万Nm3 = 10,000 Nm3; kgce -> tce / 1000; 1 MWh = 1,000 kWh.
        "energy_tce": gas_wan_nm3 * 10_000 * gas_tce.value / 1000
        + electricity_mwh * 1000 * elec_tce.value / 1000,
        "grid_id": grid.factor_id,
        "grid_year": grid.data_year,
        "residual_id": residual.factor_id,
    }


@pytest.fixture
def expected():
    return expected_for(carbon.load_factor_set(FACTOR_SET))


def assert_totals(totals: dict, expected: dict) -> None:
    for key in ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e",
                "scope3_tco2e", "total_tco2e", "energy_tce"):
        assert totals[key] == pytest.approx(expected[key], rel=1e-12, abs=1e-12), key


@pytest.fixture
def calculation(firm_a, alice):
    return actions.calculate_for(firm_a, YEAR, ROWS, gwp_set="AR6", factor_set=FACTOR_SET, actor=alice)


@pytest.fixture
def newer_factor_set(tmp_path, monkeypatch):
    """A copy of the shipped factors plus a set 2026.1 that adds Jiangsu's 2024 grid factor."""
    root = tmp_path / "factors"
    shutil.copytree(carbon.FACTORS_ROOT, root)
    newer = root / "2026.1"
    newer.mkdir()
    toml = (root / "2025.1" / "factorset.toml").read_text(encoding="utf-8")
    toml = toml.replace('version = "2025.1"', 'version = "2026.1"').replace(
        'supersedes = ""', 'supersedes = "2025.1"')
    (newer / "factorset.toml").write_text(toml, encoding="utf-8")
    factors = (root / "2025.1" / "factors.csv").read_text(encoding="utf-8")
    template = next(line for line in factors.splitlines() if line.startswith("GRID-JS-2023,"))
    added = template.replace("GRID-JS-2023,", "GRID-JS-2024,", 1)
    added = re.sub(r",2023,[0-9.]+,kgCO2/kWh,", ",2024,0.5500,kgCO2/kWh,", added, count=1)
    assert added != template and ",2024,0.5500," in added
    (newer / "factors.csv").write_text(factors.rstrip("\n") + "\n" + added + "\n",
                                       encoding="utf-8")
    monkeypatch.setenv(carbon.FACTORS_DIR_ENV, str(root))
    assert carbon.available_factor_sets() == ("2025.1", "2026.1")
    return carbon.load_factor_set("2026.1")


# --- calculate ------------------------------------------------------------------------------
def test_calculation_stores_exact_totals_versions_and_trace(calculation, firm_a, alice,
                                                            expected):
    assert_totals(calculation.totals_data, expected)
    assert calculation.enterprise == firm_a and calculation.year == YEAR
    assert calculation.created_by == alice
    assert (calculation.factor_set, calculation.activities_version, calculation.gwp_set) == (
        "2025.1", "2025.1", "AR6")
    assert re.fullmatch(r"[0-9a-f]{64}", calculation.inputs_hash)
    rows = calculation.input_rows
    assert [(r["activity"], r["quantity"], r["unit"], r["facility"], r["row"]) for r in rows] == [
        ("natural_gas", 10.0, "万Nm3", "boiler house", 1), ("electricity", 1_200_000.0, "kWh", "", 2),
    ]
    ids = {e["factor_id"] for e in calculation.trace_data}
    assert {"FUEL-NATURAL_GAS", expected["grid_id"], expected["residual_id"],
            "TCE-NATURAL_GAS_2", "TCE-ELECTRICITY-CALORIFIC"} <= ids
    # The stored trace alone reproduces the stored totals, bit for bit.
    again = carbon.reproduce(calculation.trace_data).to_dicts()[0]
    for key in ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e", "energy_tce"):
        assert again[key] == calculation.totals_data[key]


def test_calculation_is_audited(calculation, firm_a, alice):
    event = AuditEvent.objects.get(action="carbon.calculate", target_id=str(calculation.pk))
    payload = json.loads(event.payload_json)
    assert event.actor_id == alice.pk
    assert payload["enterprise"] == firm_a.uscc and payload["year"] == YEAR
    assert payload["factor_set"] == "2025.1" and payload["gwp_set"] == "AR6"
    assert payload["inputs_hash"] == calculation.inputs_hash
    assert payload["totals"]["scope1_tco2e"] == calculation.totals_data["scope1_tco2e"]


def test_electricity_of_a_year_without_its_own_factor_says_which_year_was_used(calculation,
                                                                              expected):
    entry = next(e for e in calculation.trace_data if e["basis"] == "scope2_location")
    assert entry["factor_id"] == expected["grid_id"] == "GRID-JS-2023"
    assert entry["level"] == "provincial" and entry["fallback_reason"] == "earlier_year"
    assert display.level_text(entry) == (
        "Provincial average (Jiangsu) · 2023 factor used for 2024 (latest published)")


def test_released_gas_uses_the_explicitly_chosen_gwp_set(firm_a, alice):
    rows = [{"activity": "refrigerant_hfc_134a", "quantity": 2, "unit": "kg"}]
    with pytest.raises(carbon.CarbonInputError) as refused:
        actions.calculate_for(firm_a, YEAR, rows, gwp_set=None, factor_set=FACTOR_SET, actor=alice)
    assert [(p.row, p.column) for p in refused.value.problems] == [(1, "activity")]
    fs = carbon.load_factor_set(FACTOR_SET)
    for gwp in ("AR5", "AR6"):
        result = actions.calculate_for(firm_a, YEAR, rows, gwp_set=gwp, factor_set=FACTOR_SET, actor=alice)
        assert result.gwp_set == gwp
        assert result.totals_data["scope1_tco2e"] == pytest.approx(
            2 * fs.gwp("HFC-134a", gwp).value / 1000, rel=1e-12)


def test_bad_rows_name_every_problem_and_store_nothing(firm_a, alice):
    rows = [
        {"activity": "natural_gas", "quantity": "ten", "unit": "万Nm3"},
        {"activity": "electricity", "quantity": 5, "unit": "litre"},
        {"activity": "unobtainium", "quantity": 1, "unit": "t"},
    ]
    with pytest.raises(carbon.CarbonInputError) as refused:
        actions.calculate_for(firm_a, YEAR, rows, gwp_set="AR6", factor_set=FACTOR_SET, actor=alice)
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (1, "quantity"), (2, "unit"), (3, "activity")]
    assert not CarbonCalculation.objects.exists()
    assert not AuditEvent.objects.filter(action="carbon.calculate").exists()


def test_no_rows_and_a_bad_year_are_refused(firm_a, alice):
    with pytest.raises(carbon.CarbonInputError) as refused:
        actions.calculate_for(firm_a, YEAR, [], gwp_set="AR6", factor_set=FACTOR_SET, actor=alice)
    assert refused.value.problems[0].column == "activity"
    with pytest.raises(carbon.CarbonInputError) as refused:
        actions.calculate_for(firm_a, "next year", ROWS, gwp_set="AR6", factor_set=FACTOR_SET, actor=alice)
    assert refused.value.problems[0].column == "year"


def test_platform_admin_may_calculate_on_behalf_of_an_enterprise(firm_a, system, expected):
    calculation = actions.calculate_for(firm_a, YEAR, ROWS, gwp_set="AR6", factor_set=FACTOR_SET, actor=system)
    assert_totals(calculation.totals_data, expected)
    assert AuditEvent.objects.filter(action="carbon.calculate", actor_id=system.pk).exists()


@pytest.mark.parametrize("who", ["bob", "gov"])
def test_only_the_enterprises_managers_may_calculate(who, firm_a, alice, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionRefused):
        actions.calculate_for(firm_a, YEAR, ROWS, gwp_set="AR6", factor_set=FACTOR_SET, actor=actor)
    assert not CarbonCalculation.objects.exists()


def test_calculations_are_visible_only_to_their_managers(calculation, alice, bob, gov, system):
    assert list(CarbonCalculation.objects.visible_to(alice)) == [calculation]
    assert list(CarbonCalculation.objects.visible_to(system)) == [calculation]
    assert not CarbonCalculation.objects.visible_to(bob).exists()
    assert not CarbonCalculation.objects.visible_to(gov).exists()


# --- apply to a disclosure ------------------------------------------------------------------
def test_apply_writes_calculated_datapoints_with_provenance(calculation, draft_a, alice,
                                                            expected):
    actions.apply_to_disclosure(calculation, draft_a, actor=alice)
    points = {p.indicator_code: p for p in Datapoint.objects.filter(disclosure=draft_a)}
    values = {
        "E-GHG-02": expected["scope1_tco2e"], "E-GHG-03": expected["scope2_location_tco2e"],
        "E-GHG-03-MKT": expected["scope2_market_tco2e"], "E-GHG-01": expected["total_tco2e"],
        "E-ENG-01": expected["energy_tce"], "E-ENG-01-ELEC": 1200.0, "E-ENG-01-GAS": 10.0,
    }
    assert set(points) == set(values)  # carriers not entered stay missing, never zero
    for code, value in values.items():
        point = points[code]
        assert point.value_number == pytest.approx(value, abs=1e-6), code
        assert point.method == Method.CALCULATED
        assert point.evidence_ref.startswith(
            f"carbon calculation #{calculation.pk}, factor set 2025.1")
        assert point.entered_by == alice
    assert points["E-GHG-02"].unit == "tCO2e" and points["E-ENG-01"].unit == "tce"
    calculation.refresh_from_db()
    assert calculation.applied_to == draft_a and calculation.applied_at is not None
    event = AuditEvent.objects.get(action="carbon.apply", target_id=str(calculation.pk))
    assert json.loads(event.payload_json)["disclosure"] == draft_a.pk
    assert AuditEvent.objects.filter(action="disclosure.set_values",
                                     target_id=str(draft_a.pk)).exists()


def test_a_later_calculation_replaces_the_values_of_an_earlier_one(firm_a, alice, draft_a):
    with_diesel = actions.calculate_for(
        firm_a, YEAR, [*ROWS, {"activity": "diesel", "quantity": 2, "unit": "t"}],
        gwp_set="AR6", factor_set=FACTOR_SET, actor=alice)
    actions.apply_to_disclosure(with_diesel, draft_a, actor=alice)
    disclosure_actions.set_value(draft_a, "E-ENG-01-GSL", 1, "t", actor=alice)  # typed by hand
    assert draft_a.datapoints.filter(indicator_code="E-ENG-01-DSL").exists()
    without = actions.calculate_for(firm_a, YEAR, ROWS, gwp_set="AR6", factor_set=FACTOR_SET, actor=alice)
    actions.apply_to_disclosure(without, draft_a, actor=alice)
    codes = set(draft_a.datapoints.values_list("indicator_code", flat=True))
    assert "E-ENG-01-DSL" not in codes  # the earlier calculation's carrier is missing again
    assert draft_a.datapoints.get(indicator_code="E-ENG-01-GSL").method == Method.TYPED
    assert all(f"#{without.pk}," in p.evidence_ref
               for p in draft_a.datapoints.filter(method=Method.CALCULATED))
    event = AuditEvent.objects.get(action="carbon.apply", target_id=str(without.pk))
    assert json.loads(event.payload_json)["cleared"] == ["E-ENG-01-DSL"]


def test_apply_refuses_a_published_disclosure(firm_a, alice, draft_a, fill_basic, calculation):
    fill_basic(draft_a, alice)
    disclosure_actions.submit_disclosure(draft_a, actor=alice)
    disclosure_actions.publish_disclosure(draft_a, actor=alice)
    before = {p.indicator_code: (p.value_number, p.method) for p in draft_a.datapoints.all()}
    with pytest.raises(StateConflict):
        actions.apply_to_disclosure(calculation, draft_a, actor=alice)
    after = {p.indicator_code: (p.value_number, p.method) for p in draft_a.datapoints.all()}
    assert after == before and after["E-GHG-02"] == (300.0, Method.TYPED)
    calculation.refresh_from_db()
    assert calculation.applied_to is None


def test_apply_refuses_another_enterprise_or_year(calculation, firm_a, alice, draft_a, draft_b,
                                                  bob):
    with pytest.raises(StateConflict):
        actions.apply_to_disclosure(calculation, draft_b, actor=alice)
    other_year = actions.calculate_for(firm_a, 2023, ROWS, gwp_set="AR6", factor_set=FACTOR_SET, actor=alice)
    with pytest.raises(StateConflict):
        actions.apply_to_disclosure(other_year, draft_a, actor=alice)
    with pytest.raises(PermissionRefused):
        actions.apply_to_disclosure(calculation, draft_a, actor=bob)
    assert not draft_a.datapoints.exists() and draft_b.datapoints.count() == 1


def test_a_calculation_behind_a_published_disclosure_never_changes(
    calculation, alice, draft_a, fill_basic
):
    fill_basic(draft_a, alice)
    actions.apply_to_disclosure(calculation, draft_a, actor=alice)
    pending = [f.key for f in disclosure_actions.checks.findings_for(draft_a) if not f.is_error]
    disclosure_actions.acknowledge_warnings(draft_a, pending, actor=alice)
    disclosure_actions.submit_disclosure(draft_a, actor=alice)
    disclosure_actions.publish_disclosure(draft_a, actor=alice)
    calculation.refresh_from_db()
    calculation.totals = "{}"
    with pytest.raises(StateConflict):
        calculation.save()
    with pytest.raises(StateConflict):
        calculation.delete()


# --- recalculate ----------------------------------------------------------------------------
def test_recalculate_makes_a_new_calculation_beside_the_untouched_original(
    calculation, alice, draft_a, newer_factor_set
):
    actions.apply_to_disclosure(calculation, draft_a, actor=alice)
    calculation.refresh_from_db()
    stored = {f.attname: getattr(calculation, f.attname) for f in calculation._meta.fields}
    fresh = actions.recalculate(calculation, "2026.1", actor=alice)
    assert fresh.pk != calculation.pk and fresh.supersedes == calculation
    assert fresh.factor_set == "2026.1" and fresh.gwp_set == "AR6"
    assert fresh.inputs_hash == calculation.inputs_hash and fresh.inputs == calculation.inputs
    assert fresh.applied_to is None
    assert_totals(fresh.totals_data, expected_for(newer_factor_set))
    assert fresh.totals_data["scope2_location_tco2e"] == pytest.approx(1200 * 0.55, rel=1e-12)
    entry = next(e for e in fresh.trace_data if e["basis"] == "scope2_location")
    assert entry["factor_id"] == "GRID-JS-2024" and entry["fallback_reason"] == ""
    calculation.refresh_from_db()
    assert {f.attname: getattr(calculation, f.attname)
            for f in calculation._meta.fields} == stored
    event = AuditEvent.objects.get(action="carbon.recalculate", target_id=str(fresh.pk))
    assert json.loads(event.payload_json)["supersedes"] == calculation.pk


def test_recalculate_refuses_the_same_an_older_or_an_unknown_set(calculation, alice, bob,
                                                                 newer_factor_set):
    with pytest.raises(StateConflict):
        actions.recalculate(calculation, "2025.1", actor=alice)
    with pytest.raises(CatalogueError):
        actions.recalculate(calculation, "2099.9", actor=alice)
    with pytest.raises(PermissionRefused):
        actions.recalculate(calculation, "2026.1", actor=bob)
    actions.recalculate(calculation, "2026.1", actor=alice)
    with pytest.raises(StateConflict):
        actions.recalculate(calculation, "2026.1", actor=alice)
    assert CarbonCalculation.objects.count() == 2


# --- pages ----------------------------------------------------------------------------------
def calculator_url(enterprise) -> str:
    return f"/enterprises/{enterprise.uscc}/carbon/"


def table_post(year: int = YEAR, gwp: str = "AR6", rows=None) -> dict:
    rows = rows if rows is not None else [
        ("natural_gas", "10", "万Nm3", "boiler house"), ("electricity", "1200", "MWh", ""),
        ("", "", "", ""),
    ]
    return {
        "year": str(year), "gwp_set": gwp, "factor_set": FACTOR_SET, "source": "table",
        "activity": [r[0] for r in rows], "quantity": [r[1] for r in rows],
        "unit": [r[2] for r in rows], "facility": [r[3] for r in rows],
    }


def test_calculator_page_offers_activities_units_and_the_gwp_choice(client, firm_a, alice):
    client.force_login(alice)
    page = client.get(calculator_url(firm_a)).content.decode()
    assert 'name="activity"' in page and 'value="natural_gas"' in page
    assert '<option value="AR6" selected>' in page and 'id="gwp-note"' in page
    units = json.loads(re.search(r'id="carbon-units"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert [u[0] for u in units["electricity"]][:1] == ["MWh"] and "kWh" in [
        u[0] for u in units["electricity"]]
    assert "万Nm3" in [u[0] for u in units["natural_gas"]]
    assert "kWh" not in [u[0] for u in units["natural_gas"]]


@pytest.mark.parametrize("who", ["bob", "gov", "verifier"])
def test_calculator_pages_do_not_exist_for_others(who, client, firm_a, calculation, request,
                                                  make_user):
    from czesg.accounts.models import Role

    user = make_user("verifier", Role.VERIFIER) if who == "verifier" \
        else request.getfixturevalue(who)
    client.force_login(user)
    base = calculator_url(firm_a)
    assert client.get(base).status_code == 404
    assert client.get(f"{base}{calculation.pk}/").status_code == 404
    assert client.post(f"{base}{calculation.pk}/apply/").status_code == 404
    assert client.post(base, table_post()).status_code == 404
    assert CarbonCalculation.objects.count() == 1


def test_calculator_asks_anonymous_visitors_to_sign_in(client, firm_a):
    response = client.get(calculator_url(firm_a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_platform_admin_reaches_the_calculator(client, firm_a, system):
    client.force_login(system)
    assert client.get(calculator_url(firm_a)).status_code == 200


def test_page_calculation_shows_totals_and_trace(client, firm_a, alice, expected):
    client.force_login(alice)
    response = client.post(calculator_url(firm_a), table_post())
    calculation = CarbonCalculation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{calculator_url(firm_a)}{calculation.pk}/"
    page = client.get(response["Location"]).content.decode()
    for key in ("scope1_tco2e", "scope2_location_tco2e", "total_tco2e", "energy_tce"):
        shown = re.search(rf'data-total="{key}" data-value="([^"]+)"', page).group(1)
        assert float(shown) == pytest.approx(expected[key], rel=1e-12)
    for factor_id in ("FUEL-NATURAL_GAS", "GRID-JS-2023", "TCE-NATURAL_GAS_2"):
        assert f'data-factor-id="{factor_id}"' in page
    # The fallback is spelled out for the reader, in Chinese by default and in English on request.
    assert "2024 年采用 2023 年的因子（最新发布）" in page
    assert "boiler house" in page
    client.cookies["django_language"] = "en"
    english = client.get(response["Location"]).content.decode()
    assert "2023 factor used for 2024 (latest published)" in english


def test_page_lists_problems_by_row_and_computes_nothing(client, firm_a, alice):
    client.force_login(alice)
    response = client.post(calculator_url(firm_a), table_post(rows=[
        ("natural_gas", "10", "万Nm3", ""), ("", "", "", ""), ("electricity", "abc", "MWh", ""),
        ("diesel", "3", "MWh", ""),
    ]))
    page = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<tr data-row="(\d+)" data-column="(\w+)">', page) == [
        ("3", "quantity"), ("4", "unit")]
    assert not CarbonCalculation.objects.exists()
    assert 'value="abc"' in page  # what was typed stays on the page


def test_page_accepts_a_csv_upload(client, firm_a, alice, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    data = "activity,quantity,unit,facility\nnatural_gas,10,万Nm3,boiler\nelectricity,1200,MWh,\n"
    upload = SimpleUploadedFile("rows.csv", data.encode("gb18030"), content_type="text/csv")
    response = client.post(calculator_url(firm_a), {
        "year": str(YEAR), "gwp_set": "AR6", "factor_set": FACTOR_SET, "source": "file",
        "file": upload})
    assert response.status_code == 302
    assert_totals(CarbonCalculation.objects.get().totals_data, expected)


def test_page_names_the_lines_of_a_bad_csv(client, firm_a, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    data = "activity,quantity,unit\nnatural_gas,10,万Nm3\n\ncoal,5,t\nelectricity,-1,MWh\n"
    upload = SimpleUploadedFile("rows.csv", data.encode(), content_type="text/csv")
    page = client.post(calculator_url(firm_a), {
        "year": str(YEAR), "gwp_set": "AR6", "source": "file", "file": upload,
    }).content.decode()
    assert re.findall(r'<tr data-row="(\d+)" data-column="(\w+)">', page) == [
        ("4", "activity"), ("5", "quantity")]
    assert not CarbonCalculation.objects.exists()


def test_page_sends_a_calculation_to_the_draft(client, firm_a, alice, draft_a, calculation):
    client.force_login(alice)
    url = f"{calculator_url(firm_a)}{calculation.pk}/"
    page = client.get(url).content.decode()
    assert 'id="apply-to-draft"' in page and 'data-indicator="E-GHG-02"' in page
    response = client.post(f"{url}apply/")
    assert response.status_code == 302
    point = draft_a.datapoints.get(indicator_code="E-GHG-02")
    assert point.method == Method.CALCULATED
    assert f"#{calculation.pk}" in point.evidence_ref


def test_page_without_a_draft_offers_to_start_one(client, firm_a, alice, calculation):
    client.force_login(alice)
    page = client.get(f"{calculator_url(firm_a)}{calculation.pk}/").content.decode()
    assert 'id="no-draft"' in page and f"/enterprises/{firm_a.uscc}/disclose/" in page
    assert 'id="apply-to-draft"' not in page


def test_page_offers_recalculation_beside_the_original(client, firm_a, alice, calculation,
                                                       newer_factor_set):
    client.force_login(alice)
    listing = client.get(calculator_url(firm_a)).content.decode()
    assert 'class="recalculate" data-factor-set="2026.1"' in listing
    response = client.post(f"{calculator_url(firm_a)}{calculation.pk}/recalculate/",
                           {"factor_set": "2026.1"})
    fresh = CarbonCalculation.objects.get(supersedes=calculation)
    assert response["Location"] == f"{calculator_url(firm_a)}{fresh.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="comparison"' in page
    assert f'data-calculation="{calculation.pk}"' in page and f'data-calculation="{fresh.pk}"' in page
    listing = client.get(calculator_url(firm_a)).content.decode()
    assert "data-factor-set=\"2026.1\" class=\"depth-1\"" in listing
    assert 'class="recalculate"' not in listing  # nothing newer left to offer


# --- API ------------------------------------------------------------------------------------
API = "/api/v1/carbon"


def bearer(user, scopes):
    from czesg.access.actions import issue_token

    _, secret = issue_token(user, name="carbon", scopes=scopes, actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def calculate_body(uscc: str, rows=None) -> str:
    return json.dumps({"uscc": uscc, "year": YEAR, "gwp_set": "AR6", "factor_set": FACTOR_SET,
                       "rows": rows or [
        {"activity": "natural_gas", "quantity": 10, "unit": "万Nm3"},
        {"activity": "electricity", "quantity": 1200, "unit": "MWh"},
    ]})


def test_api_lists_activities_and_factors_publicly(client):
    activities = client.get(f"{API}/activities").json()
    gas = next(a for a in activities if a["code"] == "natural_gas")
    assert (gas["unit"], gas["scope"], gas["name_en"]) == ("万Nm3", "1", "Natural gas")
    sets = client.get(f"{API}/factor-sets").json()
    assert [s["version"] for s in sets] == list(carbon.available_factor_sets())
    assert sets[-1]["latest"] is True
    rows = client.get(f"{API}/factor-sets/2025.1/factors",
                      {"category": "grid_provincial", "region": "Jiangsu", "year": 2023}).json()
    assert [r["id"] for r in rows] == ["GRID-JS-2023"]
    factor = carbon.load_factor_set(FACTOR_SET).get("GRID-JS-2023")
    assert rows[0]["value"] == factor.value and rows[0]["unit"] == "kgCO2/kWh"
    assert rows[0]["source"] and rows[0]["confidence"] == factor.confidence
    assert client.get(f"{API}/factor-sets/1999.1/factors").status_code == 404


def test_api_calculates_with_a_write_token(client, firm_a, alice, expected):
    response = client.post(f"{API}/calculate", calculate_body(firm_a.uscc),
                           content_type="application/json", **bearer(alice, ["read", "write"]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert_totals(body["totals"], expected)
    assert body["factor_set"] == "2025.1" and body["gwp_set"] == "AR6"
    assert {e["factor_id"] for e in body["trace"]} >= {"FUEL-NATURAL_GAS", "GRID-JS-2023"}
    stored = CarbonCalculation.objects.get(pk=body["id"])
    assert stored.created_by == alice and stored.enterprise == firm_a


def test_api_refuses_to_calculate_without_write_access(client, firm_a, alice, bob):
    url = f"{API}/calculate"
    body = calculate_body(firm_a.uscc)
    assert client.post(url, body, content_type="application/json").status_code == 401
    assert client.post(url, body, content_type="application/json",
                       **bearer(alice, ["read"])).status_code == 401
    refused = client.post(url, body, content_type="application/json",
                          **bearer(bob, ["read", "write"]))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert not CarbonCalculation.objects.exists()


def test_api_names_the_bad_row_in_a_422_problem(client, firm_a, alice):
    response = client.post(f"{API}/calculate", calculate_body(firm_a.uscc, rows=[
        {"activity": "natural_gas", "quantity": 10, "unit": "万Nm3"},
        {"activity": "electricity", "quantity": 1200, "unit": "litre"},
    ]), content_type="application/json", **bearer(alice, ["write"]))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "carbon_input_invalid" and body["status"] == 422
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(2, "unit")]
    assert "litre" in body["problems"][0]["text"]
    assert not CarbonCalculation.objects.exists()


def test_api_shows_a_calculation_to_its_managers_only(client, calculation, alice, bob):
    url = f"{API}/calculations/{calculation.pk}"
    assert client.get(url).status_code == 401
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    body = client.get(url).json()
    assert body["id"] == calculation.pk and body["totals"] == calculation.totals_data
    assert body["inputs_hash"] == calculation.inputs_hash


# --- command line ---------------------------------------------------------------------------
def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(build_parser().parse_args(list(argv)), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def activity_file(tmp_path, firm_a) -> Path:
    path = tmp_path / "activities.csv"
    path.write_text(
        "uscc,year,activity,quantity,unit,facility\n"
        f"{firm_a.uscc},2024,natural_gas,10,万Nm3,boiler\n"
        f"{firm_a.uscc},2024,electricity,\"1,200,000\",kWh,\n"
        f"{firm_a.uscc},2025,natural_gas,5,万Nm3,\n",
        encoding="utf-8",
    )
    return path


def test_cli_prints_exact_totals_per_enterprise_year_as_json(activity_file, firm_a, expected):
    status, out, err = run_cli(str(activity_file), "--format", "json", "--factor-set", FACTOR_SET)
    assert status == 0, err
    data = json.loads(out)
    assert data["factor_set"] == "2025.1" and data["gwp_set"] == "AR6"
    by_year = {r["year"]: r for r in data["results"]}
    assert_totals(by_year[2024], expected)
    assert by_year[2024]["uscc"] == firm_a.uscc
    assert {e["factor_id"] for e in by_year[2024]["trace"]} >= {"FUEL-NATURAL_GAS",
                                                               "GRID-JS-2023"}
    gas_only = expected_for(carbon.load_factor_set(FACTOR_SET), 2025, 5.0, 0.0)
    assert by_year[2025]["scope1_tco2e"] == pytest.approx(gas_only["scope1_tco2e"], rel=1e-12)
    assert by_year[2025]["scope2_location_tco2e"] == 0.0
    assert not CarbonCalculation.objects.exists()  # the command computes only


def test_cli_text_output_is_a_readable_table(activity_file):
    status, out, _ = run_cli(str(activity_file), "--gwp", "AR5", "--factor-set", FACTOR_SET)
    assert status == 0
    assert "GWP AR5" in out and "Scope 2 (location-based)" in out
    assert re.search(r"GRID-JS-2023\s+0\.5827 kgCO2/kWh\s+2023", out)


def test_cli_lists_the_activity_codes(capsys):
    status, out, _ = run_cli("--list-activities", "--format", "json")
    codes = {a["code"]: a for a in json.loads(out)["activities"]}
    assert status == 0
    assert {"natural_gas", "diesel", "gasoline", "coal", "electricity", "purchased_heat",
            "green_certificate_electricity"} <= set(codes)
    assert codes["electricity"]["unit"] == "MWh" and codes["electricity"]["scope"] == "2"
    status, out, _ = run_cli("--list-activities")
    assert status == 0 and re.search(r"^natural_gas\s+万Nm3\s+1\s", out, re.M)


def test_cli_refuses_a_bad_file_naming_every_row(tmp_path, firm_a):
    path = tmp_path / "bad.csv"
    path.write_text(
        "uscc,year,activity,quantity,unit\n"
        f"{firm_a.uscc},2024,natural_gas,ten,万Nm3\n"
        f"{firm_a.uscc},2024,electricity,100,litre\n"
        f"{firm_a.uscc},2024,coal,5,t\n", encoding="utf-8")
    status, out, err = run_cli(str(path), "--format", "json")
    assert status == 1
    assert [(p["row"], p["column"]) for p in json.loads(out)["problems"]] == [
        (2, "quantity"), (3, "unit"), (4, "activity")]
    for line in ("row 2, column quantity", "row 3, column unit", "row 4, column activity"):
        assert line in err
    status, out, err = run_cli(str(path))
    assert status == 1 and out == "" and "row 4, column activity" in err


def test_cli_usage_errors(tmp_path):
    assert run_cli()[0] == 2
    assert run_cli(str(tmp_path / "missing.csv"))[0] == 1
    status, _, err = run_cli(str(tmp_path / "missing.csv"), "--factor-set", "1999.1")
    assert status == 1 and "1999.1" in err


def test_cli_run_accepts_the_namespace_of_the_czesg_command(activity_file):
    args = argparse.Namespace(file=str(activity_file), format="json", gwp=None,
                              factor_set=None, list_activities=False)
    out = io.StringIO()
    assert run(args, out=out, err=io.StringIO()) == 0
    assert json.loads(out.getvalue())["gwp_set"] == carbon.DEFAULT_GWP_SET


# --- every role against another enterprise's calculation --------------------------------------
@pytest.mark.parametrize("role", ["anonymous", "alice", "bob", "verifier", "bank", "park_admin",
                                  "government", "platform_admin"])
def test_only_managers_and_admins_reach_a_calculation(role, client, firm_b, bob, alice, gov,
                                                      system, make_user):
    from czesg.accounts.models import Role

    calculation = actions.calculate_for(firm_b, YEAR, ROWS, gwp_set="AR6", factor_set=FACTOR_SET, actor=bob)
    users = {
        "anonymous": None, "alice": alice, "bob": bob, "government": gov,
        "platform_admin": system, "verifier": make_user("verifier1", Role.VERIFIER),
        "bank": make_user("bank1", Role.BANK),
        "park_admin": make_user("parkadmin", Role.PARK_ADMIN, park_key="czhnd"),
    }
    if users[role] is not None:
        client.force_login(users[role])
    allowed = role in {"bob", "platform_admin"}
    api = client.get(f"{API}/calculations/{calculation.pk}").status_code
    page = client.get(f"{calculator_url(firm_b)}{calculation.pk}/").status_code
    if allowed:
        assert (api, page) == (200, 200)
    elif role == "anonymous":
        assert api == 401 and page == 302
    else:
        assert (api, page) == (404, 404)
