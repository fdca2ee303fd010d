"""Issue 7 in the browser: each dashboard opened by the user it is for, its ECharts charts drawn
(a canvas inside each chart box), and a screenshot saved for review.

Elements are located by id and data attributes: the new English strings are not translated yet.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.disclosures import actions as disclosure_actions
from czesg.enterprises.actions import EnterpriseFacts, register_enterprise
from czesg.parks import actions as park_actions
from czesg.parks.models import ZoneStatistic
from czesg.plan import actions as plan_actions
from czesg.registries import actions as registry_actions
from tests.browser.test_pages import sign_in
from tests.conftest import uscc_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2025


def wait_for_charts(page, *ids: str) -> None:
    for chart in ids:
        page.wait_for_selector(f"#{chart} canvas", state="attached")
        page.wait_for_selector(f'#{chart}[data-rendered="true"]', state="attached")


@pytest.fixture
def city_data(gov, system, fill_basic):
    """Six enterprises in two districts and two zones, four of them published for 2025."""
    made = []
    for n, (division, park, listed) in enumerate([
        ("320411", "czhnd", True), ("320411", "czhnd", True), ("320411", "", False),
        ("320412", "wjhnd", True), ("320412", "wjhnd", False), ("320412", "", True),
    ], start=900):
        made.append(register_enterprise(EnterpriseFacts(
            uscc=uscc_for(n, division), name=f"浏览器测试企业{n}有限公司", industry_code="C3841",
            division_code=division, size_class="small", park_key=park, listed=listed,
            exchange="SSE" if listed else "", stock_code=f"68{n:04d}" if listed else "",
        ), actor=gov))
    for enterprise in made[:4]:
        draft = disclosure_actions.start_disclosure(enterprise, YEAR, actor=system)
        fill_basic(draft, system)
        disclosure_actions.submit_disclosure(draft, actor=system)
        disclosure_actions.publish_disclosure(draft, actor=system)
    registry_actions.save_registry_entry("standards", {
        "title": "新能源汽车动力电池ESG评价团体标准", "kind": "group", "role": "led",
        "date": "2025-10-01", "source": "市市场监管局", "document": "T/CZESG 1-2025",
    }, actor=gov)
    return made


def test_government_opens_the_city_dashboard(page, screenshot, gov, city_data):
    sign_in(page, "gov")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/dashboards/city/?year={YEAR}")
    wait_for_charts(page, "trend-listed_disclosure_rate", "trend-standards", "chart-coverage",
                    "chart-grades", "chart-emissions", "chart-intensity", "chart-energy")
    listed = page.locator('article[data-target="listed_disclosure_rate"]')
    assert float(listed.get_attribute("data-value")) == pytest.approx(75.0)  # 3 of 4 listed
    assert listed.get_attribute("data-status") == "met"
    assert page.locator('article[data-target="standards"]').get_attribute("data-value") == "1.0"
    screenshot("city")
    page.locator('#breakdown-tabs button[data-by="park"]').click()
    assert page.locator('details.breakdown-table[data-by="park"]').is_visible()
    assert page.locator('#table-park tr[data-group="czhnd"]').count() == 1
    screenshot("city-by-park")


def test_government_opens_the_zone_ranking(page, screenshot, gov, city_data):
    park_actions.enter_zone_statistics("czhnd", YEAR, {
        "hightech_enterprises": (120, "高新区统计公报"), "clean_energy_share": (45, "能源台账"),
    }, actor=gov)
    park_actions.enter_zone_statistics("wjhnd", YEAR, {"hightech_enterprises": (60, "统计公报")},
                                  actor=gov)
    sign_in(page, "gov")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/dashboards/zones/?year={YEAR}")
    wait_for_charts(page, "chart-ranking")
    first = page.locator("#zone-ranking tbody tr").first
    assert first.get_attribute("data-zone") == "czhnd"
    assert page.locator("#zone-ranking tbody tr").count() == 9
    screenshot("zones")


def test_park_admin_enters_statistics_and_reads_the_report(page, screenshot, make_user,
                                                         city_data):
    make_user("czhnd-admin", Role.PARK_ADMIN, park_key="czhnd")
    sign_in(page, "czhnd-admin")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/dashboards/zones/czhnd/statistics/?year={YEAR}")
    page.locator('input[data-statistic="clean_energy_share"]').fill("45")
    page.locator('input[data-source="clean_energy_share"]').fill("园区能源台账")
    page.locator('input[data-statistic="solid_waste_utilisation"]').fill("80")
    page.locator('input[data-source="solid_waste_utilisation"]').fill("环保局")
    screenshot("statistics")
    page.locator("#save-statistics").click()
    page.wait_for_url(re.compile(r"/dashboards/zones/czhnd/\?year=2025$"))
    assert ZoneStatistic.objects.filter(park_key="czhnd", year=YEAR).count() == 2
    wait_for_charts(page, "chart-dimensions")
    assert page.locator("#zone-name").get_attribute("data-zone") == "czhnd"
    row = page.locator('tr[data-indicator="clean_energy_share"]')
    assert row.get_attribute("data-source") == "statistic"
    assert float(row.get_attribute("data-points")) == pytest.approx(50.0)
    assert page.locator('tr[data-indicator="carbon_per_energy"]').get_attribute(
        "data-source") in ("aggregate", "missing")
    screenshot("zone-report")
    response = page.goto("/dashboards/zones/wjhnd/")
    assert response.status == 404


def test_government_opens_the_task_tracker(page, screenshot, gov):
    today = timezone.localdate()
    plan_actions.assign_department(gov, "drc", actor=gov)
    plan_actions.add_milestone(3, "出台高新区ESG评价办法", today - timedelta(days=10), actor=gov)
    plan_actions.post_task_progress(3, "drc", today, "评价指标体系初稿完成", actor=gov)
    plan_actions.post_task_progress(11, "drc", today - timedelta(days=3), "政企通ESG专题上线",
                               actor=gov)
    done = plan_actions.add_milestone(11, "披露指南发布", today - timedelta(days=2), actor=gov)
    plan_actions.set_milestone_done(done, today - timedelta(days=2), actor=gov)
    sign_in(page, "gov")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto("/dashboards/tasks/")
    wait_for_charts(page, "chart-milestones", "chart-days")
    assert page.locator('#task-list tr[data-task="3"]').get_attribute("data-overdue") == "true"
    assert page.locator('#task-list tr[data-task="3"] [data-flag="overdue"]').is_visible()
    assert page.locator('#task-list tr[data-task="11"]').get_attribute("data-stalled") == "false"
    assert page.locator('#task-list tr[data-task="5"]').get_attribute("data-stalled") == "true"
    screenshot("tasks")
    page.locator('#task-list tr[data-task="3"] a').click()
    page.wait_for_url(re.compile(r"/dashboards/tasks/3/$"))
    assert page.locator("#progress-form").is_visible()
    screenshot("task-3")
