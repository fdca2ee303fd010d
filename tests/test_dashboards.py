"""Issue 7: the city dashboard, the registries, zone evaluation, the task tracker and exports.

Expected figures are counted by hand from the fixtures (5 listed companies of which 3 published
is 60.0%; the zone scores are worked out from the methodology's weights below), never copied
from the dashboard's own output.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.audit.recording import verify
from czesg.dashboards import actions, figures
from czesg.dashboards.models import (
    DepartmentMembership,
    KeyProject,
    ProfessionalIntake,
    Standard,
    TaskMilestone,
    TaskProgress,
    ZoneStatistic,
)
from czesg.disclosures import actions as disclosure_actions
from czesg.engine.kernel.errors import CatalogueError, NotFound, PermissionRefused
from czesg.engine.parks import load_park_methodology
from czesg.engine.plan import targets as engine
from czesg.enterprises.actions import EnterpriseFacts, register_enterprise
from tests.conftest import uscc_for

pytestmark = pytest.mark.django_db

YEAR = 2025


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def park_admin(make_user):
    return make_user("czhnd-admin", Role.PARK_ADMIN, park_key="czhnd")


@pytest.fixture
def client_as(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def register(gov):
    counter = {"n": 500}

    def make(*, listed: bool = False, park_key: str = "", division: str = "320411",
             industry: str = "C3841"):
        counter["n"] += 1
        n = counter["n"]
        return register_enterprise(EnterpriseFacts(
            uscc=uscc_for(n, division), name=f"看板测试企业{n}有限公司", industry_code=industry,
            division_code=division, size_class="small", park_key=park_key, listed=listed,
            exchange="SSE" if listed else "", stock_code=f"60{n:04d}" if listed else "",
        ), actor=gov)

    return make


@pytest.fixture
def publish(system, fill_basic):
    """Publish a complete basic disclosure of an enterprise for a year (E-GHG-01 = 1000 tCO2e,
    G-GEN-01 = 5000 万元, E-ENG-01 = 280 tce)."""

    def run(enterprise, year: int = YEAR):
        draft = disclosure_actions.start_disclosure(enterprise, year, actor=system)
        fill_basic(draft, system)
        disclosure_actions.submit_disclosure(draft, actor=system)
        return disclosure_actions.publish_disclosure(draft, actor=system)

    return run


@pytest.fixture
def city(register, publish):
    """5 listed companies (3 published for 2025) and 2 unlisted ones (both published)."""
    listed = [register(listed=True, division="320412" if i < 2 else "320411") for i in range(5)]
    unlisted = [register(division="320413", industry="C3825"), register(division="320413")]
    for enterprise in listed[:3] + unlisted:
        publish(enterprise)
    return {"listed": listed, "unlisted": unlisted}


def rate(gov, grades_by_year: dict[int, dict], runs_per_year: int = 1):
    """Store completed rating runs (as the ratings app would) with the given grades."""
    from czesg.ratings.models import Rating, RatingRun, RunStatus

    made = []
    for year, grades in grades_by_year.items():
        run = RatingRun.objects.create(
            year=year, methodology_version="test", green_methodology_version="test",
            started_by=gov, status=RunStatus.DONE, finished_at=timezone.now(), rated=len(grades),
        )
        for enterprise, grade in grades.items():
            Rating.objects.create(
                run=run, enterprise=enterprise, year=year, score=50.0, grade=grade, total=50.0,
                deductions=0.0, peer_group="g", peer_rank=1, peer_size=1, inputs_hash="x",
                methodology_version="test", input_row="{}",
            )
        made.append(run)
    return made


def card(html: str, key: str) -> dict[str, str]:
    match = re.search(rf'<article class="target[^"]*" data-target="{key}" data-status="([a-z_]+)" '
                      rf'data-value="([^"]*)" data-year="([^"]*)"', html)
    assert match, f"no card for {key}"
    return {"status": match.group(1), "value": match.group(2), "year": match.group(3)}


# --------------------------------------------------------------------------------------------
# City targets computed from platform data


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
    rows = figures.rating_rows(YEAR)
    assert len(rows) == 9  # the superseded 2025 run is not read
    for threshold in ("A", "AA", "AAA", "C"):  # the Polars count is the engine's count
        assert dict(figures.rated_series(rows, threshold))[YEAR] == engine.rated_a_or_above(
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


# --------------------------------------------------------------------------------------------
# Registries


def test_registry_figures_feed_the_targets_and_every_change_is_audited(gov, client_as, system):
    today = timezone.localdate()
    for n, (day, role) in enumerate([("2025-03-01", "led"), ("2025-09-01", "joined"),
                                     (f"{today.year}-01-05", "led")]):
        actions.save_registry_entry("standards", {
            "title": f"团体标准{n}", "kind": "group", "role": role, "date": day,
            "source": "市市场监管局公告", "document": f"T/CZ {n}-2025",
        }, actor=gov)
    actions.save_registry_entry("agencies", {"name": "鉴证机构甲", "kind": "assurance",
                                             "date": "2025-05-01", "source": "市发改委"},
                                actor=gov)
    for name in ("项目一", "项目二"):
        actions.save_registry_entry("projects", {"name": name, "year": 2025,
                                                 "date": "2025-06-01", "source": "商务局"},
                                    actor=gov)
    for count in (4000, 1000):
        actions.save_registry_entry("professionals", {"year": 2025, "count": count,
                                                      "date": "2025-12-31", "source": "人社局"},
                                    actor=gov)
    progress = {t.key: t for t in figures.city_figures(YEAR).targets}
    assert progress["standards"].value == 3 and progress["standards"].year == today.year
    assert dict(progress["standards"].series)[2025] == 2  # cumulative to the end of 2025
    assert progress["service_agencies"].value == 1
    assert progress["key_projects"].value == 2 and progress["key_projects"].year == 2025
    assert progress["talent"].value == 5000 and progress["talent"].status == "behind"
    page = client_as(gov).get("/dashboards/city/").content.decode()
    assert float(card(page, "standards")["value"]) == 3
    assert float(card(page, "talent")["value"]) == 5000

    entry = Standard.objects.get(title="团体标准0")
    actions.save_registry_entry("standards", {**{f: getattr(entry, f) for f in
                                                 ("title", "kind", "role", "date", "document")},
                                              "source": "更正后的来源"}, actor=gov, entry=entry)
    actions.delete_registry_entry("standards", Standard.objects.get(title="团体标准1"),
                                  actor=gov, reason="重复录入")
    kinds = list(AuditEvent.objects.filter(action__startswith="registry.standards")
                 .values_list("action", flat=True))
    assert kinds.count("registry.standards.create") == 3
    assert "registry.standards.update" in kinds and "registry.standards.delete" in kinds
    deleted = AuditEvent.objects.get(action="registry.standards.delete")
    assert "团体标准1" in deleted.payload_json
    assert verify().ok


def test_registry_pages_add_and_refuse(gov, client_as, make_user):
    client = client_as(gov)
    response = client.post("/dashboards/registries/projects/", {
        "name": "零碳园区示范项目", "year": "2025", "date": "2025-04-02", "source": "市发改委",
    })
    assert response.status_code == 302
    assert KeyProject.objects.get().entered_by == gov
    assert "零碳园区示范项目" in client.get("/dashboards/registries/projects/").content.decode()
    bad = client.post("/dashboards/registries/professionals/", {"year": "2025", "count": "-3",
                                                                 "date": "2025-01-01",
                                                                 "source": "x"})
    assert bad.status_code == 200 and not ProfessionalIntake.objects.exists()

    firm = register_enterprise(EnterpriseFacts(
        uscc=uscc_for(990), name="案例企业有限公司", industry_code="C3841",
        division_code="320411", size_class="small"), actor=gov)
    case = {"title": "绿色供应链实践", "enterprise": firm.uscc.lower(), "year": "2025",
            "date": "2025-08-08", "summary": "带动上游供应商披露碳排放", "source": "市工信局"}
    assert client.post("/dashboards/registries/cases/", case).status_code == 302
    assert client.post("/dashboards/registries/cases/",
                       {**case, "enterprise": "91320411MA00000000"}).status_code == 200
    from czesg.dashboards.models import GoodPracticeCase

    stored = GoodPracticeCase.objects.get()
    assert stored.enterprise == firm
    edit = client.get(f"/dashboards/registries/cases/{stored.pk}/").content.decode()
    assert firm.uscc in edit

    enterprise_user = make_user("someone", Role.ENTERPRISE)
    with pytest.raises(PermissionRefused):
        actions.save_registry_entry("projects", {"name": "x", "year": 2025,
                                                 "date": "2025-01-01", "source": "x"},
                                    actor=enterprise_user)
    with pytest.raises(CatalogueError):
        actions.save_registry_entry("projects", {"name": "x", "year": 2025, "date": None,
                                                 "source": "x"}, actor=gov)
    assert KeyProject.objects.count() == 1


# --------------------------------------------------------------------------------------------
# Zones

# Weights of methodology 2025.1 used in the hand computation below.
DIMENSION = 0.20
HIGHTECH = 0.35          # industrial structure: hightech_enterprises (relative)
CLEAN_ENERGY = 0.15      # environmental performance: clean_energy_share (threshold 0 → 90%)
SOLID_WASTE = 0.15       # environmental performance: solid_waste_utilisation (0 → 80%)


def test_zone_scores_through_the_pages_and_actions(park_admin, gov, client_as):
    methodology = load_park_methodology()
    assert methodology.dimension("industrial_structure").weight == DIMENSION
    assert methodology.indicator("hightech_enterprises").weight == HIGHTECH
    assert methodology.indicator("clean_energy_share").weight == CLEAN_ENERGY
    assert methodology.indicator("solid_waste_utilisation").weight == SOLID_WASTE
    client = client_as(park_admin)
    form = {"year": str(YEAR), "value_hightech_enterprises": "120",
            "source_hightech_enterprises": "高新区统计公报",
            "value_clean_energy_share": "45", "source_clean_energy_share": "园区能源台账",
            "value_solid_waste_utilisation": "80", "source_solid_waste_utilisation": "环保局"}
    response = client.post("/dashboards/zones/czhnd/statistics/", form)
    assert response.status_code == 302
    assert ZoneStatistic.objects.filter(park_key="czhnd", year=YEAR).count() == 3
    assert AuditEvent.objects.filter(action="zone_statistic.set").count() == 3
    actions.enter_zone_statistics("wjhnd", YEAR, {
        "hightech_enterprises": (50, "武进高新区统计"),
        "clean_energy_share": ("90", "武进高新区能源台账"),
    }, actor=gov)

    # czhnd: hightech ranks first of two (100 points), clean energy 45/90 → 50, waste 80 → 100.
    czhnd = DIMENSION * HIGHTECH * 100 + DIMENSION * (CLEAN_ENERGY * 50 + SOLID_WASTE * 100)
    # wjhnd: hightech ranks last (0 points), clean energy 90 → 100.
    wjhnd = DIMENSION * CLEAN_ENERGY * 100
    assert czhnd == pytest.approx(11.5) and wjhnd == pytest.approx(3.0)

    report = client.get("/dashboards/zones/czhnd/", {"year": YEAR}).content.decode()
    total = re.search(r'id="zone-total" data-value="([^"]+)"', report).group(1)
    assert float(total) == pytest.approx(czhnd)
    assert re.search(r'id="zone-rank" data-value="1"', report)
    row = re.search(r'<tr data-indicator="clean_energy_share" data-source="statistic" '
                    r'data-points="([^"]+)"', report)
    assert float(row.group(1)) == pytest.approx(50.0)
    assert 'data-indicator="carbon_per_energy" data-source="missing"' in report

    ranking = client_as(gov).get("/dashboards/zones/", {"year": YEAR}).content.decode()
    shown = dict(re.findall(r'data-zone="([a-z_]+)" data-rank="\d+" data-total="([^"]+)"',
                            ranking))
    assert float(shown["czhnd"]) == pytest.approx(czhnd)
    assert float(shown["wjhnd"]) == pytest.approx(wjhnd)
    assert float(shown["jintan_dz"]) == 0.0

    # Clearing a value is audited too.
    form["value_solid_waste_utilisation"] = ""
    client_as(park_admin).post("/dashboards/zones/czhnd/statistics/", form)
    assert not ZoneStatistic.objects.filter(key="solid_waste_utilisation").exists()
    assert AuditEvent.objects.filter(action="zone_statistic.clear").count() == 1


def test_zone_statistics_are_checked_before_anything_is_written(gov):
    with pytest.raises(CatalogueError):
        actions.enter_zone_statistics("czhnd", YEAR, {
            "hightech_enterprises": (10, "统计公报"), "clean_energy_share": (120, "台账"),
        }, actor=gov)
    with pytest.raises(CatalogueError):
        actions.enter_zone_statistics("czhnd", YEAR, {"hightech_enterprises": (10, "")},
                                      actor=gov)
    with pytest.raises(CatalogueError):
        actions.enter_zone_statistics("czhnd", YEAR, {"not_a_statistic": (1, "x")}, actor=gov)
    with pytest.raises(NotFound):
        actions.enter_zone_statistics("nowhere", YEAR, {"hightech_enterprises": (1, "x")},
                                      actor=gov)
    assert not ZoneStatistic.objects.exists()


def test_park_admin_sees_only_the_own_zone(park_admin, client_as):
    client = client_as(park_admin)
    assert client.get("/dashboards/zones/czhnd/").status_code == 200
    assert client.get("/dashboards/zones/czhnd/statistics/").status_code == 200
    assert client.get("/dashboards/zones/czhnd/export.xlsx").status_code == 200
    for url in ("/dashboards/zones/wjhnd/", "/dashboards/zones/wjhnd/statistics/",
                "/dashboards/zones/wjhnd/export.pdf", "/dashboards/city/",
                "/dashboards/city/export.xlsx", "/dashboards/tasks/", "/dashboards/registries/",
                "/dashboards/zones/export.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.get("/dashboards/zones/").url == "/dashboards/zones/czhnd/"

    before = AuditEvent.objects.count()
    response = client.post("/dashboards/zones/wjhnd/statistics/", {
        "year": str(YEAR), "value_hightech_enterprises": "999",
        "source_hightech_enterprises": "x"})
    assert response.status_code == 404
    with pytest.raises(PermissionRefused):
        actions.enter_zone_statistics("wjhnd", YEAR, {"hightech_enterprises": (999, "x")},
                                      actor=park_admin)
    assert not ZoneStatistic.objects.exists()
    assert AuditEvent.objects.count() == before
    assert list(ZoneStatistic.objects.visible_to(park_admin)) == []


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


# --------------------------------------------------------------------------------------------
# Tasks


def test_task_flags_on_the_page(gov, client_as, make_user):
    today = timezone.localdate()
    actions.assign_department(gov, "drc", actor=gov)
    assert DepartmentMembership.objects.get().department_key == "drc"
    # Task 3 (led jointly by drc): a milestone past due and not done → overdue.
    actions.add_milestone(3, "出台高新区ESG评价办法", today - timedelta(days=10), actor=gov)
    actions.post_task_progress(3, "drc", today, "评价指标体系初稿完成", actor=gov)
    # Task 2: last post 100 days ago → stalled; task 4: fresh post, milestone done → neither.
    actions.post_task_progress(2, "drc", today - timedelta(days=100), "召开产业链座谈会",
                               actor=gov)
    actions.post_task_progress(4, "drc", today - timedelta(days=5), "光伏项目开工", actor=gov,
                               link="https://example.org/report.pdf")
    done = actions.add_milestone(4, "发布新能源产业规划", today - timedelta(days=3), actor=gov)
    actions.set_milestone_done(done, today - timedelta(days=4), actor=gov)

    page = client_as(gov).get("/dashboards/tasks/").content.decode()

    def flags(number: int) -> tuple[str, str]:
        match = re.search(rf'<tr data-task="{number}" data-overdue="(\w+)" '
                          rf'data-stalled="(\w+)"', page)
        return match.group(1), match.group(2)

    assert flags(3) == ("true", "false")
    assert flags(2) == ("false", "true")
    assert flags(4) == ("false", "false")
    assert flags(7) == ("false", "true")  # no post since the plan was issued (over 90 days)
    assert re.search(r'id="overdue-count">1<', page)

    detail = client_as(gov).get("/dashboards/tasks/3/").content.decode()
    assert 'id="task-flags" data-overdue="true"' in detail
    assert "评价指标体系初稿完成" in detail


def test_only_lead_departments_report(gov, make_user, client_as, system):
    other = make_user("gov-other", Role.GOVERNMENT, organisation="市教育局")
    actions.assign_department(other, "education", actor=gov)
    with pytest.raises(PermissionRefused):
        actions.post_task_progress(3, "drc", timezone.localdate(), "x", actor=other)
    with pytest.raises(PermissionRefused):
        actions.post_task_progress(5, "drc", timezone.localdate(), "x", actor=other)
    actions.post_task_progress(5, "education", timezone.localdate(), "托育服务推进", actor=other)
    with pytest.raises(PermissionRefused):
        actions.add_milestone(3, "x", timezone.localdate(), actor=other)
    # A platform administrator may post for any lead department.
    actions.post_task_progress(3, "market_regulation", timezone.localdate(), "x", actor=system)
    with pytest.raises(CatalogueError):
        actions.post_task_progress(5, "education", timezone.localdate() + timedelta(days=2), "x",
                                   actor=other)
    page = client_as(other).get("/dashboards/tasks/3/").content.decode()
    assert 'id="not-a-lead"' in page and 'id="progress-form"' not in page
    response = client_as(other).post("/dashboards/tasks/3/", {
        "form": "progress", "department_key": "drc", "date": str(timezone.localdate()),
        "text": "x"})
    assert response.status_code == 200
    assert TaskProgress.objects.filter(task_number=3).count() == 1
    park = make_user("park-x", Role.PARK_ADMIN, park_key="wjhnd")
    with pytest.raises(PermissionRefused):
        actions.assign_department(other, "drc", actor=park)
    with pytest.raises(CatalogueError):
        actions.assign_department(park, "drc", actor=gov)


def test_task_page_posts_and_milestones(gov, client_as):
    actions.assign_department(gov, "drc", actor=gov)
    client = client_as(gov)
    today = timezone.localdate()
    assert client.post("/dashboards/tasks/11/", {
        "form": "progress", "department_key": "drc", "date": str(today),
        "text": "政企通ESG专题模块上线", "link": ""}).status_code == 302
    assert client.post("/dashboards/tasks/11/", {
        "form": "milestone", "title": "披露指南发布", "due": str(today + timedelta(days=30)),
    }).status_code == 302
    milestone = TaskMilestone.objects.get()
    assert client.post("/dashboards/tasks/11/", {"form": "done", "milestone": milestone.pk,
                                                 "done_on": str(today)}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == today
    status = figures.task_board().statuses[10]
    assert status.number == 11 and status.milestones_done == 1 and not status.stalled
    assert {"task.progress", "task.milestone.add", "task.milestone.done"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


# --------------------------------------------------------------------------------------------
# Exports


def test_city_excel_export_holds_the_numbers(city, gov, client_as):
    response = client_as(gov).get("/dashboards/city/export.xlsx", {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert {"目标 Targets", "按区县 By district", "按园区 By park", "按行业 By industry"} <= set(
        book.sheetnames)
    targets = book["目标 Targets"]
    assert targets["A1"].value == "目标" and targets["A2"].value == "Target"
    rows = {row[0]: row for row in targets.iter_rows(min_row=3, values_only=True)}
    assert rows["listed_disclosure_rate"][4] == pytest.approx(60.0)
    district = {row[0]: row for row in book["按区县 By district"].iter_rows(min_row=3,
                                                                          values_only=True)}
    assert district["320412"][3] == 2  # enterprises
    assert district["320412"][4] == pytest.approx(100.0)
    header = [c.value for c in book["按区县 By district"][2]]
    assert district["320412"][header.index("Total emissions (tCO2e)")] == pytest.approx(2000.0)


def test_zone_and_task_excel_exports(park_admin, gov, client_as):
    actions.enter_zone_statistics("czhnd", YEAR, {"clean_energy_share": (45, "台账")},
                                  actor=park_admin)
    response = client_as(park_admin).get("/dashboards/zones/czhnd/export.xlsx", {"year": YEAR})
    book = load_workbook(io.BytesIO(response.content))
    indicators = book["指标 Indicators"]
    header = [c.value for c in indicators[2]]
    row = next(r for r in indicators.iter_rows(min_row=3, values_only=True)
               if r[2] == "clean_energy_share")
    assert row[header.index("Value")] == 45 and row[header.index("Points")] == pytest.approx(50)
    stats = {r[0]: r for r in book["统计数据 Statistics"].iter_rows(min_row=3, values_only=True)}
    assert stats["clean_energy_share"][3] == 45 and stats["clean_energy_share"][5] == "台账"

    ranking = load_workbook(io.BytesIO(client_as(gov).get(
        "/dashboards/zones/export.xlsx", {"year": YEAR}).content))["排名 Ranking"]
    totals = {r[1]: r[4] for r in ranking.iter_rows(min_row=3, values_only=True)}
    assert totals["czhnd"] == pytest.approx(DIMENSION * CLEAN_ENERGY * 50) and len(totals) == 9

    tasks = load_workbook(io.BytesIO(client_as(gov).get("/dashboards/tasks/export.xlsx").content))
    rows = list(tasks["任务 Tasks"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == list(range(1, 21))
    assert "市发改委" in rows[0][3]


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_zone_pdf_is_a_real_pdf_with_the_zone_name(park_admin, client_as):
    response = client_as(park_admin).get("/dashboards/zones/czhnd/export.pdf", {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "常州国家高新技术产业开发区" in text


@pytest.mark.parametrize("url", ["/dashboards/city/export.pdf", "/dashboards/zones/export.pdf",
                                 "/dashboards/tasks/export.pdf"])
def test_every_page_has_a_pdf(url, gov, client_as):
    response = client_as(gov).get(url)
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "czesg" in text


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


# --------------------------------------------------------------------------------------------
# The fact table behind the city dashboard


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
    runs = figures.latest_runs()
    from_facts = figures.city_frame(YEAR, figures.rating_frame(YEAR, runs))
    from_datapoints = figures.enterprise_frame(YEAR, figures.CITY_CODES, runs=runs)
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
