"""Disclosed first, records where the enterprise disclosed nothing, always saying which; restricted
records only for the enterprise, government and those it consented to."""

from __future__ import annotations

import io

import polars as pl
import pytest

from czesg.disclosures import actions

pytestmark = pytest.mark.django_db


def register(rows: list[tuple[str, str, int, str]]) -> bytes:
    lines = ["installation_id,uscc,year,emissions,unit"]
    lines += [f"{inst},{uscc},{year},\"{value}\",tCO2e" for inst, uscc, year, value in rows]
    return ("\n".join(lines) + "\n").encode()


def load(gov, data, source=None):
    from czesg.records.adapters import adapter_named
    from czesg.records.importing import import_record_file
    from czesg.records.sources import source_of

    return import_record_file(adapter_named("installation-emissions"), data, "register.csv",
                              source=source or source_of("installation_register"), actor=gov)


@pytest.fixture
def published_a(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    return draft_a


def test_disclosed_figures_win_and_records_fill_the_rest(gov, published_a, firm_b):
    from czesg.records.known import known_figures

    firm_a = published_a.enterprise
    load(gov, register([("K1", firm_a.uscc, 2024, "280"), ("K2", firm_a.uscc, 2024, "40"),
                        ("K3", firm_b.uscc, 2024, "1,500"), ("K4", firm_b.uscc, 2024, "500"),
                        ("K5", firm_a.uscc, 2023, "310")]))
    known = known_figures([firm_a.pk, firm_b.pk], codes=["E-GHG-02"])
    a_2024 = known[(firm_a.pk, 2024, "E-GHG-02")]
    assert (a_2024.basis, a_2024.number) == ("disclosed", 300.0)
    b_2024 = known[(firm_b.pk, 2024, "E-GHG-02")]
    assert (b_2024.basis, b_2024.number, b_2024.recorded.source, b_2024.recorded.subjects) == (
        "record", 2000.0, "installation_register", 2)
    assert known[(firm_a.pk, 2023, "E-GHG-02")].number == 310.0
    assert (firm_b.pk, 2023, "E-GHG-02") not in known  # not reported


def test_profile_api_says_which_figures_are_records(client, gov, published_a, firm_b):
    firm_a = published_a.enterprise
    load(gov, register([("K1", firm_a.uscc, 2023, "310"), ("K3", firm_b.uscc, 2024, "1,500")]))
    body = client.get(f"/api/v1/enterprises/{firm_a.uscc}/profile").json()
    scope1 = next(h for h in body["headline"] if h["indicator"] == "E-GHG-02")
    assert scope1["values"] == {"2023": 310.0, "2024": 300.0}
    assert scope1["basis"] == {"2023": "record", "2024": "disclosed"}
    assert scope1["sources"] == {"2023": "installation_register"}
    assert body["published_years"] == [2024]
    only_records = client.get(f"/api/v1/enterprises/{firm_b.uscc}/profile").json()
    assert only_records["published_years"] == [] and only_records["headline"] == [
        {"indicator": "E-GHG-02", "unit": "tCO2e", "values": {"2024": 1500.0},
         "basis": {"2024": "record"}, "sources": {"2024": "installation_register"}}]


def test_open_data_adds_public_records_with_their_source(client, gov, published_a, firm_b):
    firm_a = published_a.enterprise
    load(gov, register([("K1", firm_a.uscc, 2024, "999"), ("K3", firm_b.uscc, 2024, "1,500")]))
    frame = pl.read_csv(io.BytesIO(b"".join(client.get("/open-data/2024.csv").streaming_content)), infer_schema=False)
    disclosed = frame.filter(pl.col("basis") == "disclosed")
    assert disclosed.height == published_a.datapoints.count()
    records = frame.filter(pl.col("basis") == "record")
    assert records.select("uscc", "indicator", "value", "unit", "source").rows() == [
        (firm_b.uscc, "E-GHG-02", "1500.0", "tCO2e", "installation_register")]
    # A year with records only is downloadable too.
    load(gov, register([("K3", firm_b.uscc, 2022, "1,400")]))
    assert client.get("/open-data/2022.csv").status_code == 200


def test_restricted_records_reach_only_the_enterprise_government_and_grantees(
        gov, firm_a, member_of, make_user):
    from czesg.accounts.models import Role
    from czesg.records.known import recorded_values, restricted_readable
    from czesg.records.models import RecordSource

    # A register whose figures are restricted (as a utility's are), read with the register format.
    meters = RecordSource.objects.create(code="meters", kind="government_register",
                                         name_zh="电表", name_en="Meters", visibility="restricted")
    load(gov, register([("M1", firm_a.uscc, 2024, "12")]), source=meters)
    owner = member_of(firm_a, "owner")
    bank = make_user("bank", Role.BANK)
    assert recorded_values([firm_a.pk]) == {}
    assert restricted_readable(owner, [firm_a.pk]) == {firm_a.pk}
    assert restricted_readable(gov, [firm_a.pk]) == {firm_a.pk}
    assert restricted_readable(bank, [firm_a.pk]) == set()
    shown = recorded_values([firm_a.pk], restricted=restricted_readable(owner, [firm_a.pk]))
    assert shown[(firm_a.pk, 2024, "E-GHG-02")].number == 12.0


def test_an_unquoted_thousands_separator_is_refused_naming_the_row(gov, firm_b):
    from czesg.engine.records.tables import RecordFileError

    data = f"installation_id,uscc,year,emissions,unit\nK3,{firm_b.uscc},2024,1,500,tCO2e\n"
    with pytest.raises(RecordFileError) as refused:
        load(gov, data.encode())
    assert refused.value.render() == (
        "Row 2 has 6 cells but the header has 5: a number with a thousands separator must be "
        "quoted (\"1,500\").")


def test_a_partial_disclosure_is_published_with_the_rest_not_reported(client, draft_a, alice):
    from czesg.audit.models import AuditEvent

    # A listed company's five headline figures, nothing else.
    actions.set_values(draft_a, [actions.Entry(c, v, u) for c, v, u in (
        ("E-GHG-02", 300, "tCO2e"), ("E-GHG-03", 700, "tCO2e"), ("E-GHG-01", 1000, "tCO2e"),
        ("E-ENG-01", 280, "tce"), ("G-GEN-01", 5000, "万元"))], actor=alice)
    client.force_login(alice)
    review = client.get(f"/disclosures/{draft_a.pk}/review/").content.decode()
    assert 'id="confirm-not-reported"' in review and 'id="errors"' not in review
    response = client.post(f"/disclosures/{draft_a.pk}/review/",
                           {"not_reported": "1", "submit": "1"})
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.state == "submitted"
    confirmed = AuditEvent.objects.get(action="disclosure.acknowledge_warnings")
    assert all(key.startswith("required:") for key in confirmed.payload["keys"])
    assert "required:E-GHG-02" not in confirmed.payload["keys"]
    actions.publish_disclosure(draft_a, actor=alice)
    from czesg.engine.catalogue import load_catalogue

    client.cookies["django_language"] = "en"
    page = client.get(f"/disclosures/{draft_a.pk}/").content.decode()
    total = len(load_catalogue().for_tier(draft_a.tier))
    # The five figures given, and the two intensities the platform derives from them (E-GHG-05
    # and E-ENG-02, per 万元 of revenue).
    assert sorted(draft_a.datapoints.values_list("indicator_code", flat=True)) == [
        "E-ENG-01", "E-ENG-02", "E-GHG-01", "E-GHG-02", "E-GHG-03", "E-GHG-05", "G-GEN-01"]
    assert f"7 of {total} indicators answered" in page
    assert page.count('data-status="not_reported"') == total - 7
    assert ">not applicable<" not in page
    client.cookies["django_language"] = "zh-hans"
    assert "未报告" in client.get(f"/disclosures/{draft_a.pk}/").content.decode()


def test_a_population_read_in_one_query_finds_what_the_batched_reads_find(
        gov, firm_a, firm_b, monkeypatch):
    from czesg.records import known
    from czesg.records.models import RecordSource

    meters = RecordSource.objects.create(code="a_meters", kind="government_register",
                                         name_zh="电表", name_en="Meters", visibility="restricted")
    load(gov, register([("K1", firm_a.uscc, 2024, "280"), ("K2", firm_a.uscc, 2024, "40"),
                        ("K3", firm_b.uscc, 2024, "1,500"), ("K5", firm_a.uscc, 2023, "310")]))
    load(gov, register([("M1", firm_a.uscc, 2024, "12"), ("M2", firm_b.uscc, 2024, "7")]),
         source=meters)
    asked = [
        ([firm_a.pk], {}), ([firm_a.pk], {"years": [2024]}),
        ([firm_a.pk, firm_b.pk], {"restricted": [firm_a.pk, firm_b.pk]}),
        ([firm_a.pk], {"restricted": [firm_a.pk, firm_b.pk], "codes": ["E-GHG-02"]}),
        ([firm_a.pk, firm_b.pk], {"restricted": [firm_b.pk]}),
    ]
    batched = [known.recorded_values(ids, **kwargs) for ids, kwargs in asked]
    monkeypatch.setattr(known, "WHOLE_TABLE", 0)  # every population read in one query
    assert [known.recorded_values(ids, **kwargs) for ids, kwargs in asked] == batched
    # firm_b's records stay out of firm_a's answer; restricted ones only where allowed.
    assert set(batched[0]) == {(firm_a.pk, 2024, "E-GHG-02"), (firm_a.pk, 2023, "E-GHG-02")}
    assert batched[0][(firm_a.pk, 2024, "E-GHG-02")].number == 320.0
    shown = {(pk, year): (v.source, v.number) for (pk, year, _), v in batched[2].items()}
    assert shown == {(firm_a.pk, 2023): ("installation_register", 310.0),
                     (firm_a.pk, 2024): ("a_meters", 12.0), (firm_b.pk, 2024): ("a_meters", 7.0)}
    shown = {(pk, year): (v.source, v.number) for (pk, year, _), v in batched[4].items()}
    assert shown == {(firm_a.pk, 2023): ("installation_register", 310.0),
                     (firm_a.pk, 2024): ("installation_register", 320.0),
                     (firm_b.pk, 2024): ("a_meters", 7.0)}
