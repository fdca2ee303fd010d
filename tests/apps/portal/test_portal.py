"""The public portal: search with facets, comparison, benchmark, open data, the open API."""

from __future__ import annotations

import io

import polars as pl
import pytest

from czesg.disclosures import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(draft_a, draft_b, alice, bob, fill_basic):
    for draft, actor in ((draft_a, alice), (draft_b, bob)):
        fill_basic(draft, actor)
        actions.submit_disclosure(draft, actor=actor)
        actions.publish_disclosure(draft, actor=actor)
    return draft_a, draft_b


def test_search_filters_and_counts_facets(client, firm_a, firm_b, make_enterprise):
    make_enterprise("丙储能电池有限公司", division_code="320412", industry_code="C3841")
    page = client.get("/search/?q=电池").content.decode()
    assert "丙储能电池有限公司" in page and firm_a.name not in page
    page = client.get("/search/?district=320412").content.decode()
    assert firm_b.name in page and "丙储能电池有限公司" in page and firm_a.name not in page
    assert 'data-facet="district"' in page
    assert client.get(f"/search/?q={firm_a.uscc}").content.decode().count('data-uscc="') == 1


def test_search_by_published_year(client, published, make_enterprise):
    make_enterprise("未披露企业")
    page = client.get("/search/?year=2024").content.decode()
    assert "未披露企业" not in page and published[0].enterprise.name in page


def test_compare_shows_published_values_side_by_side_and_hides_drafts(client, published, make_enterprise):
    a, b = published
    draft_only = make_enterprise("仅有草稿企业")
    page = client.get(f"/compare/?e={a.enterprise.uscc}&e={b.enterprise.uscc}&e={draft_only.uscc}")
    html = page.content.decode()
    assert 'data-indicator="S-EMP-01"' in html and html.count("120") >= 2
    assert "仅有草稿企业" in html


def test_benchmark_percentiles_are_exact(client, published, alice):
    # Two published values of S-EMP-01 in the C3 industries: 120 (B) and 120 (A).
    page = client.get(f"/benchmark/?indicator=S-EMP-01&industry=C&year=2024&uscc={published[0].enterprise.uscc}")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="stats"' in html and ">2<" in html


def test_open_data_csv_and_parquet_hold_every_published_value(client, published):
    csv_response = client.get("/open-data/2024.csv")
    assert csv_response["Content-Disposition"].endswith('czesg-published-2024.csv"')
    frame = pl.read_csv(io.BytesIO(csv_response.content), infer_schema=False)
    parquet = pl.read_parquet(io.BytesIO(client.get("/open-data/2024.parquet").content))
    count = sum(d.datapoints.count() for d in published)
    assert frame.height == parquet.height == count
    row = parquet.filter((pl.col("indicator") == "E-GHG-01")
                         & (pl.col("uscc") == published[0].enterprise.uscc)).row(0, named=True)
    assert (row["value"], row["unit"], row["method"], row["version"]) == ("1000.0", "tCO2e", "typed", 1)
    assert client.get("/open-data/1999.csv").status_code == 404


def test_data_dictionary_lists_columns_and_indicators(client):
    page = client.get("/open-data/dictionary/").content.decode()
    assert "entered_unit" in page and "E-GHG-01" in page


def test_api_lists_enterprises_with_filters_and_pagination(client, firm_a, firm_b):
    body = client.get("/api/v1/enterprises?district=320412").json()
    assert body["count"] == 1 and body["items"][0]["uscc"] == firm_b.uscc
    assert client.get("/api/v1/enterprises?page_size=1").json()["count"] == 2


def test_api_datapoints_are_published_only(client, published, draft_a):
    rows = client.get("/api/v1/datapoints?indicator=S-EMP-01").json()["items"]
    assert {r["uscc"] for r in rows} == {d.enterprise.uscc for d in published}
    assert all(r["unit"] == "person" for r in rows)


def test_problem_responses_are_rfc7807(client):
    response = client.get("/api/v1/disclosures/999999")
    assert response.status_code == 404
    body = response.json()
    assert response["Content-Type"].startswith("application/problem+json")
    assert {"type", "title", "status", "detail"} <= set(body)


def test_invalid_parameters_get_a_problem_naming_the_field(client):
    response = client.get("/api/v1/enterprises?page=abc")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "request_invalid" and body["field"] == "page"
    assert response["Content-Type"].startswith("application/problem+json")
    # Bounded page numbers: an absurd page is refused, not passed to the database.
    assert client.get("/api/v1/enterprises?page=99999999999999999999").status_code == 422


def test_profile_shows_the_latest_published_version_of_each_year(client, published, alice):
    a, _ = published
    before = client.get(f"/api/v1/enterprises/{a.enterprise.uscc}/profile").json()
    assert before["latest"]["version"] == 1
    amendment = actions.amend_disclosure(a, "员工人数更正", actor=alice)
    actions.set_value(amendment, "S-EMP-01", 130, "person", actor=alice)
    actions.set_value(amendment, "S-TRN-02", 2400 / 130, "hour/person", actor=alice)
    actions.submit_disclosure(amendment, actor=alice)
    # The draft amendment shows nowhere; its publication shows at once (the stored profile is
    # rebuilt by the publication itself).
    assert client.get(f"/api/v1/enterprises/{a.enterprise.uscc}/profile").json() == before
    actions.publish_disclosure(amendment, actor=alice)
    body = client.get(f"/api/v1/enterprises/{a.enterprise.uscc}/profile").json()
    assert body["published_years"] == [2024]
    assert body["latest"]["version"] == 2 and body["latest"]["amends"] == a.pk
    employees = next(h for h in body["headline"] if h["indicator"] == "S-EMP-01")
    assert employees == {"indicator": "S-EMP-01", "unit": "person", "values": {"2024": 130.0},
                         "basis": {"2024": "disclosed"}, "sources": {}}
    assert client.get("/api/v1/enterprises/91320411000000000X/profile").status_code == 404


def test_search_filters_and_counts_by_latest_grade(client, published, gov):
    from czesg.ratings import actions as rating_actions

    run = rating_actions.start_rating(2024, actor=gov, enqueue=False)
    rating_actions.run_rating(run.pk)
    run.refresh_from_db()
    grades = dict(run.ratings.values_list("enterprise__uscc", "grade"))
    assert len(grades) == 2
    uscc, grade = next(iter(grades.items()))
    page = client.get(f"/search/?grade={grade}").content.decode()
    assert f'data-uscc="{uscc}"' in page
    assert page.count('data-uscc="') == sum(1 for g in grades.values() if g == grade)
    assert 'data-facet="grade"' in page


def test_public_profiles_are_stored_by_the_actions_that_change_them(client, make_enterprise,
                                                                   draft_a, alice, fill_basic):
    from czesg.portal.api import ProfileOut
    from czesg.portal.models import PublicProfile

    fresh = make_enterprise("新登记企业")
    stored = PublicProfile.objects.get(enterprise=fresh)
    assert stored.uscc == fresh.uscc
    assert ProfileOut.model_validate_json(stored.body).published_years == []
    firm = draft_a.enterprise
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    assert ProfileOut.model_validate_json(
        PublicProfile.objects.get(enterprise=firm).body).latest is None  # submitted is not public
    actions.publish_disclosure(draft_a, actor=alice)
    profile = ProfileOut.model_validate_json(PublicProfile.objects.get(enterprise=firm).body)
    assert profile.published_years == [2024] and profile.latest.id == draft_a.pk
    assert {h.indicator: h.values for h in profile.headline}["S-EMP-01"] == {2024: 120.0}
    # What the API serves is the stored document, byte for byte.
    response = client.get(f"/api/v1/enterprises/{firm.uscc.lower()}/profile")
    assert response.content.decode() == PublicProfile.objects.get(enterprise=firm).body


def test_a_missing_profile_is_built_on_first_read_and_kept(client, published):
    from czesg.portal.models import PublicProfile

    firm = published[0].enterprise
    expected = client.get(f"/api/v1/enterprises/{firm.uscc}/profile").json()
    PublicProfile.objects.filter(enterprise=firm).delete()
    assert client.get(f"/api/v1/enterprises/{firm.uscc}/profile").json() == expected
    assert PublicProfile.objects.filter(enterprise=firm).exists()


def test_bulk_publication_stores_every_profile(db):
    from czesg.demo import load_synthetic
    from czesg.disclosures.models import Disclosure, State
    from czesg.portal.api import ProfileOut
    from czesg.portal.models import PublicProfile

    load_synthetic(enterprises=40, years=[2024], seed=9)
    published = dict(Disclosure.objects.filter(state=State.PUBLISHED)
                     .values_list("enterprise__uscc", "pk"))
    stored = {p.uscc: ProfileOut.model_validate_json(p.body)
              for p in PublicProfile.objects.all()}
    assert len(stored) == 40 and published
    for uscc, profile in stored.items():
        assert (profile.latest.id if profile.latest else None) == published.get(uscc)


def test_facets_and_the_result_count_are_counted_together(client, published, make_enterprise):
    from czesg.enterprises.models import Enterprise
    from czesg.portal.public import facet_counts

    make_enterprise("未披露储能企业", division_code="320412")  # registered, nothing published
    counts = facet_counts(Enterprise.objects.all(), None)
    assert counts["total"] == [("", 3)]
    assert counts["year"] == [("2024", 2)]  # two enterprises published their 2024 disclosure
    assert dict(counts["district"]) == {"320411": 1, "320412": 2}
    assert counts["grade"] == []
    page = client.get("/search/?district=320412").content.decode()
    assert 'id="result-count">2 ' in page
