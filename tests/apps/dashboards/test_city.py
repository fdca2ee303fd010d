"""Issue 7: the city dashboard (targets, breakdowns, caching) and the fact table behind it.

Expected figures are counted by hand from the fixtures (5 listed companies of which 3 published
is 60.0%; the zone scores are worked out from the methodology's weights below), never copied
from the dashboard's own output.
"""

from __future__ import annotations

import pytest

from czesg.accounts.models import Role
from czesg.dashboards import figures, queries
from czesg.disclosures import actions as disclosure_actions
from czesg.engine.plan import targets as engine
from czesg.registries import actions
from tests.apps.dashboards.city_fixtures import YEAR, card, rate

pytestmark = pytest.mark.django_db


def test_listed_disclosure_rate_counts_listed_companies_that_published(city, gov, client_as):
    result = figures.city_figures(YEAR)
    target = next(t for t in result.targets if t.key == "listed_disclosure_rate")
    assert target.value == pytest.approx(60.0)  # 3 of 5 listed; the unlisted two do not count
    assert target.status == "met" and target.year == YEAR
    assert result.counts["listed"] == 5 and result.counts["disclosed"] == 5

    page = client_as(gov).get("/dashboards/city/", {"year": YEAR})
    assert page.status_code == 200
    shown = card(page.content.decode(), "listed_disclosure_rate")
    assert shown["status"] == "met" and float(shown["value"]) == pytest.approx(60.0)
    assert "60.0%" in page.content.decode()


def test_a_published_report_held_in_the_records_counts_as_disclosed(city, gov):
    import dataclasses

    from czesg.records.adapters import adapter_named
    from czesg.records.importing import import_record_file
    from czesg.records.models import RecordSource

    # Figures read from published reports (the extraction of issue 15 will write such records);
    # here the register's simple format, declared as a report format.
    report_figures = dataclasses.replace(adapter_named("installation-emissions"),
                                         name="report-figures", source_kind="published_report")

    reports = RecordSource.objects.create(code="reports", kind="published_report",
                                          name_zh="年度报告", name_en="Annual reports")
    fourth, fifth = city["listed"][3], city["listed"][4]
    data = ("installation_id,uscc,year,emissions,unit\n"
            f"report,{fourth.uscc},{YEAR},120,tCO2e\n"
            f"report,{fifth.uscc},{YEAR - 1},90,tCO2e\n").encode()
    import_record_file(report_figures, data, "reports.csv", source=reports, actor=gov)
    result = figures.city_figures(YEAR)
    target = next(t for t in result.targets if t.key == "listed_disclosure_rate")
    # 3 published disclosures + the fourth company's report of the year = 4 of 5; the fifth
    # company's report is of the year before.
    assert target.value == pytest.approx(80.0)
    assert result.counts["listed_disclosed"] == 4


def test_breakdowns_sum_emissions_and_energy_per_district(city):
    result = figures.city_figures(YEAR)
    rows = {(r["group"], r["metric"], r["category"]): r for r in result.breakdowns["district"]}
    # Wujin (320412): 2 listed, both published; Xinbei (320411): 3 listed, 1 published.
    assert rows[("320412", "disclosure_coverage", None)]["value"] == pytest.approx(100.0)
    assert rows[("320411", "disclosure_coverage", None)]["value"] == pytest.approx(100 / 3)
    assert rows[("320412", "total_emissions", None)]["value"] == pytest.approx(2000.0)
    assert rows[("320411", "energy", None)]["value"] == pytest.approx(280.0)
    assert rows[("320413", "emissions_intensity", None)]["value"] == pytest.approx(
        2000.0 / 10000.0)
    assert rows[("320413", "grade_distribution", "unrated")]["value"] == 2
    industries = {r["group"] for r in result.breakdowns["industry"]}
    assert {"battery", "pv"} <= industries


def test_rated_a_or_above_uses_each_enterprises_latest_rating(city, gov, client_as):
    e = city["listed"] + city["unlisted"]
    # An earlier 2025 run is superseded by the later one; enterprise 6 was rated only in 2024.
    rate(gov, {2025: {e[0]: "C", e[1]: "C", e[2]: "C"}})
    rate(gov, {2024: {e[0]: "BBB", e[5]: "A", e[6]: "AA"}})
    rate(gov, {2025: {e[0]: "AAA", e[1]: "AA", e[2]: "A", e[3]: "BBB", e[4]: "B", e[6]: "BB"}})
    # Latest grades: AAA, AA, A, BBB, B, A (2024), BB → A or above: 4; AA or above: 2.
    rows = queries.rating_rows(YEAR)
    assert len(rows) == 9  # the superseded 2025 run is not read
    for threshold in ("A", "AA", "AAA", "C"):  # the Polars count is the engine's count
        assert dict(queries.rated_series(rows, threshold))[YEAR] == engine.rated_a_or_above(
            [(str(e), y, g) for e, y, g in rows], threshold)
    for threshold, expected in (("A", 4), ("AA", 2)):
        target = next(t for t in figures.city_figures(YEAR, threshold).targets
                      if t.key == "a_rated_enterprises")
        assert target.value == expected
        assert dict(target.series)[2024] == (2 if threshold == "A" else 1)
        page = client_as(gov).get("/dashboards/city/", {"year": YEAR, "threshold": threshold})
        assert float(card(page.content.decode(), "a_rated_enterprises")["value"]) == expected
    grades = {(r["group"], r["category"]): r["value"] for r in
              figures.city_figures(YEAR).breakdowns["district"]
              if r["metric"] == "grade_distribution"}
    assert grades[("320412", "AAA")] == 1 and grades[("320412", "AA")] == 1
    assert grades[("320413", "unrated")] == 1  # e[5] has no 2025 rating


def test_an_unknown_threshold_falls_back_to_a(gov, client_as):
    page = client_as(gov).get("/dashboards/city/", {"threshold": "Z"})
    assert page.status_code == 200
    assert 'value="A" selected' in page.content.decode()


def test_empty_city_shows_no_data(gov, client_as):
    page = client_as(gov).get("/dashboards/city/")
    assert page.status_code == 200
    for key in ("listed_disclosure_rate", "standards", "a_rated_enterprises"):
        assert card(page.content.decode(), key)["status"] == "no_data"


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.BANK, Role.VERIFIER])
def test_other_roles_and_the_public_see_no_dashboard(role, make_user, client):
    urls = ["/dashboards/", "/dashboards/city/", "/dashboards/city/export.xlsx",
            "/dashboards/zones/", "/dashboards/zones/czhnd/", "/dashboards/zones/czhnd/export.pdf",
            "/dashboards/zones/czhnd/statistics/", "/dashboards/tasks/", "/dashboards/tasks/3/",
            "/dashboards/tasks/export.xlsx", "/dashboards/registries/",
            "/dashboards/registries/standards/", "/dashboards/departments/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    client.force_login(make_user(f"user-{role}", role))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post("/dashboards/registries/standards/", {"title": "x"}).status_code == 404


def test_dashboard_fetch_is_a_few_queries(city, gov, client_as, django_assert_max_num_queries):
    client = client_as(gov)
    client.get("/dashboards/city/")
    with django_assert_max_num_queries(25):
        client.get("/dashboards/city/")


def test_cached_figures_follow_every_audited_change(city, gov, client_as):
    client = client_as(gov)
    first = card(client.get("/dashboards/city/").content.decode(), "standards")
    assert first["status"] == "no_data"
    assert card(client.get("/dashboards/city/").content.decode(), "standards") == first
    actions.save_registry_entry("standards", {
        "title": "地方标准", "kind": "local", "role": "joined", "date": "2025-02-01",
        "source": "江苏省市场监管局"}, actor=gov)
    assert float(card(client.get("/dashboards/city/").content.decode(),
                      "standards")["value"]) == 1


def test_caching_can_be_turned_off(city, gov, client_as, settings, monkeypatch):
    settings.CZESG_DASHBOARD_CACHE_SECONDS = 0
    calls = []
    original = figures.city_figures

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(figures, "city_figures", counting)
    client = client_as(gov)
    client.get("/dashboards/city/")
    client.get("/dashboards/city/")
    assert len(calls) == 2


def _facts():
    from czesg.disclosures.models import EnterpriseYear

    return {(f.enterprise_id, f.year): (f.disclosure_id, f.emissions, f.revenue, f.energy)
            for f in EnterpriseYear.objects.all()}


def test_facts_follow_publication_and_amendment(register, publish, system):
    firm = register()
    assert _facts() == {}
    first = publish(firm)
    assert _facts() == {(firm.pk, YEAR): (first.pk, 1000.0, 5000.0, 280.0)}
    amendment = disclosure_actions.amend_disclosure(first, "排放量更正", actor=system)
    disclosure_actions.set_value(amendment, "G-GEN-01", 6000, "万元", actor=system)
    assert _facts() == {(firm.pk, YEAR): (first.pk, 1000.0, 5000.0, 280.0)}  # a draft is private
    pending = [f.key for f in disclosure_actions.checks.findings_for(amendment) if not f.is_error]
    disclosure_actions.acknowledge_warnings(amendment, pending, actor=system)
    disclosure_actions.submit_disclosure(amendment, actor=system)
    disclosure_actions.publish_disclosure(amendment, actor=system)
    assert _facts() == {(firm.pk, YEAR): (amendment.pk, 1000.0, 6000.0, 280.0)}


def test_facts_rebuilt_from_scratch_equal_the_maintained_ones(city, register, publish):
    from czesg.disclosures.facts import rebuild_facts

    publish(city["unlisted"][0], YEAR - 1)
    maintained = _facts()
    assert len(maintained) == 6
    rebuild_facts()
    assert _facts() == maintained


def test_city_frame_from_facts_equals_the_frame_from_datapoints(city, gov, publish):
    import polars as pl

    publish(city["listed"][3], YEAR - 1)
    e = city["listed"] + city["unlisted"]
    rate(gov, {YEAR: {e[0]: "AA", e[1]: "B"}})
    runs = queries.latest_runs()
    from_facts = queries.city_frame(YEAR, queries.rating_frame(YEAR, runs))
    from_datapoints = queries.enterprise_frame(YEAR, queries.CITY_CODES, runs=runs)
    columns = sorted(from_datapoints.columns)
    assert sorted(from_facts.columns) == columns
    assert from_facts.select(columns).sort("uscc").equals(
        from_datapoints.select(columns).sort("uscc"))
    assert from_facts.filter(pl.col("grade") == "AA")["uscc"].to_list() == [e[0].pk]


def test_the_dashboard_and_the_ratings_page_agree_on_a_or_above(city, gov, client_as):
    # Issue 11: an enterprise rated A for 2024 and not yet rated for 2025 counts on both pages
    # (the latest rating as of the year, ratings.queries); before, the ratings page said 0.
    e = city["listed"] + city["unlisted"]
    from czesg.engine.rating import load_green_methodology, load_methodology
    from czesg.ratings.models import RatingRun

    rate(gov, {2024: {e[0]: "A", e[1]: "BBB"}})
    rate(gov, {2025: {e[1]: "B", e[2]: "AA"}})
    RatingRun.objects.update(methodology_version=load_methodology().version,
                             green_methodology_version=load_green_methodology().version)
    for threshold, expected in (("A", 2), ("AA", 1), ("AAA", 0)):
        target = next(t for t in figures.city_figures(YEAR, threshold).targets
                      if t.key == "a_rated_enterprises")
        page = client_as(gov).get("/ratings/", {"year": YEAR, "threshold": threshold})
        assert target.value == expected
        assert page.context["at_or_above"] == expected


def test_the_grade_table_is_split_by_disclosure_tier(city, gov, client_as):
    # Methodology 2025.2: a basic-tier grade is at most AA, so grades are counted per tier.
    import re

    from czesg.ratings.models import Rating

    e = city["listed"] + city["unlisted"]
    rate(gov, {YEAR: {e[0]: "C"}})  # an earlier run of the year, superseded by the next
    [latest] = rate(gov, {YEAR: {e[0]: "AAA", e[1]: "A", e[5]: "AA", e[6]: "A", e[2]: "BB"}})
    Rating.objects.filter(run=latest, enterprise__in=[e[5], e[6], e[2]]).update(tier="basic")
    assert queries.grades_by_tier(YEAR) == {"standard": {"AAA": 1, "A": 1},
                                            "basic": {"AA": 1, "A": 1, "BB": 1}}
    page = client_as(gov).get("/dashboards/city/", {"year": YEAR}).content.decode()
    table = re.search(r'<table class="grid" id="grades-by-tier">.*?</table>', page, re.S).group(0)
    rows = dict(re.findall(r'<tr data-tier="(\w+)"><th scope="row">(.*?)</th>', table))
    assert rows == {"basic": "基础版（中小企业）", "standard": "标准版（上市公司）"}
    assert list(rows) == ["basic", "standard"]  # the tiers' order

    def cells(tier: str) -> dict[str, str]:
        row = re.search(rf'<tr data-tier="{tier}">.*?</tr>', table, re.S).group(0)
        return dict(re.findall(r'data-grade="(\w+)">(\d+)<', row))

    assert cells("basic") == {"AAA": "0", "AA": "1", "A": "1", "BBB": "0", "BB": "1", "B": "0",
                              "CCC": "0", "CC": "0", "C": "0"}
    assert cells("standard")["AAA"] == "1" and cells("standard")["A"] == "1"
    assert re.search(r'<tr data-tier="basic">.*?<td class="num" data-total>3</td>', table)
    assert "基础版（中小企业）披露仅按基础版表单中的指标评级，等级最高为 AA" in page
    from tests.apps.reports.test_exports import _pdf_text

    pdf = client_as(gov).get("/dashboards/city/export.pdf", {"year": YEAR})
    text = _pdf_text(pdf.content)
    assert "按披露层级分列的等级" in text and "基础版（中小企业）" in text


def test_the_tier_table_says_when_the_year_has_no_rating_run(gov, client_as):
    page = client_as(gov).get("/dashboards/city/", {"year": YEAR}).content.decode()
    assert 'id="grades-by-tier"' not in page
    assert f"{YEAR} 年尚无已完成的评级运行。" in page


@pytest.mark.django_db(transaction=True)
def test_requests_that_miss_the_same_figure_together_compute_it_once(make_enterprise):
    import threading
    import time

    from django.core.cache import cache
    from django.db import connections

    from czesg.dashboards.queries import cached

    make_enterprise("甲")  # an audited change: the data has a version to cache under
    cache.clear()
    computed = []

    def compute():
        computed.append(1)
        time.sleep(0.3)  # a slow city-wide figure
        return len(computed)

    answers = []

    def request():
        try:
            answers.append(cached("together", ("x",), compute))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert computed == [1] and answers == [1, 1, 1, 1]
