"""The public portal: search with facets, comparison, benchmark, open data, the open API."""

from __future__ import annotations

import io
import shutil

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
    frame = pl.read_csv(io.BytesIO(b"".join(csv_response.streaming_content)), infer_schema=False)
    parquet = pl.read_parquet(io.BytesIO(b"".join(client.get("/open-data/2024.parquet").streaming_content)))
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


def test_open_data_files_are_built_once_per_version_of_the_data(client, published, alice,
                                                                  django_assert_max_num_queries):
    from czesg.portal.opendata import files_folder

    shutil.rmtree(files_folder(), ignore_errors=True)  # files of earlier tests on this database
    first = b"".join(client.get("/open-data/2024.csv").streaming_content)
    built = sorted(files_folder().glob("2024-*.csv"))
    assert len(built) == 1
    # The next request reads the built file: two queries (the year and the data version).
    with django_assert_max_num_queries(2):
        again = b"".join(client.get("/open-data/2024.csv").streaming_content)
    assert again == first
    # An amendment published through the actions is in the next file; the old file is gone.
    amendment = actions.amend_disclosure(published[0], "修正报告边界", actor=alice)
    actions.set_values(amendment, [actions.Entry("G-GEN-04", "母公司及两家工厂", "")], actor=alice)
    actions.submit_disclosure(amendment, actor=alice)
    actions.publish_disclosure(amendment, actor=alice)
    frame = pl.read_csv(io.BytesIO(b"".join(client.get("/open-data/2024.csv").streaming_content)),
                        infer_schema=False)
    row = frame.filter((pl.col("indicator") == "G-GEN-04")
                       & (pl.col("uscc") == published[0].enterprise.uscc)).row(0, named=True)
    assert (row["value"], row["version"]) == ("母公司及两家工厂", "2")
    rebuilt = sorted(files_folder().glob("2024-*.csv"))
    assert len(rebuilt) == 1 and rebuilt != built


def test_open_data_is_built_for_each_request_when_caching_is_off(client, published, settings):
    from czesg.portal.opendata import files_folder

    shutil.rmtree(files_folder(), ignore_errors=True)  # files of earlier tests on this database
    settings.CZESG_DASHBOARD_CACHE_SECONDS = 0
    content = b"".join(client.get("/open-data/2024.parquet").streaming_content)
    assert pl.read_parquet(io.BytesIO(content)).height == sum(
        d.datapoints.count() for d in published)
    assert not list(files_folder().glob("2024*"))  # nothing left behind


def test_while_a_file_is_built_requests_get_the_last_one_built(client, published, alice):
    import fcntl

    from czesg.portal.opendata import files_folder

    shutil.rmtree(files_folder(), ignore_errors=True)  # files of earlier tests on this database
    first = b"".join(client.get("/open-data/2024.csv").streaming_content)
    amendment = actions.amend_disclosure(published[0], "修正报告边界", actor=alice)
    actions.set_values(amendment, [actions.Entry("G-GEN-04", "母公司及两家工厂", "")], actor=alice)
    actions.submit_disclosure(amendment, actor=alice)
    actions.publish_disclosure(amendment, actor=alice)
    with (files_folder() / "2024.csv.lock").open("w") as building:  # as another request would
        fcntl.flock(building, fcntl.LOCK_EX)
        assert b"".join(client.get("/open-data/2024.csv").streaming_content) == first
    fresh = b"".join(client.get("/open-data/2024.csv").streaming_content).decode("utf-8-sig")
    assert "母公司及两家工厂" in fresh


def test_visitors_facet_counts_follow_every_audited_change(client, published, make_enterprise):
    # The counts are kept in the cache for anonymous visitors; an audited change makes a new key.
    import re

    def district_count(code: str) -> int:
        page = client.get("/search/?industry=C").content.decode()
        facet = page.split('data-facet="district"')[1].split("</section>")[0]
        found = re.search(rf'district={code}"[^>]*>[^<]*</a> <span class="count">(\d+)<', facet)
        return int(found.group(1)) if found else 0

    before = district_count("320412")
    assert district_count("320412") == before  # the same answer from the cache
    make_enterprise("丙储能电池有限公司", division_code="320412", industry_code="C3841")
    assert district_count("320412") == before + 1


def test_a_benchmark_follows_a_publication(client, published, alice):
    # The distribution is kept in the cache; a publication (audited) shows on the next request.
    from czesg.disclosures import checks

    def median() -> str:
        page = client.get("/benchmark/?indicator=S-EMP-01&industry=C&year=2024").content.decode()
        return page.split('id="stats"')[1].split("</table>")[0]

    before = median()
    assert median() == before  # the same answer from the cache
    amendment = actions.amend_disclosure(published[0], "修正员工人数", actor=alice)
    actions.set_values(amendment, [actions.Entry("S-EMP-01", "180", "人")], actor=alice)
    actions.acknowledge_warnings(
        amendment, [f.key for f in checks.findings_for(amendment) if not f.is_error],
        note="扩产", actor=alice)
    actions.submit_disclosure(amendment, actor=alice)
    actions.publish_disclosure(amendment, actor=alice)
    after = median()
    assert after != before and "180" in after  # 120 and 180: the maximum is the new value
