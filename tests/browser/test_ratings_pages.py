"""Issue 5 in the browser: a government user re-rates the city, watches the run go through the
database task queue (the real ``db_worker`` command) until it completes, then opens an
enterprise's rating page and sees its grade."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from czesg.ratings.models import Rating, RatingRun, RunStatus
from tests.apps.ratings.test_ratings import build_city
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(firm_a, firm_b, alice, bob, make_enterprise, member_of, fill_basic):
    return build_city(firm_a, firm_b, alice, bob, make_enterprise, member_of, fill_basic)


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default"]}}


def test_government_user_rerates_the_city_and_opens_a_rating(page, screenshot, settings, city,
                                                             gov):
    settings.TASKS = DATABASE_TASKS  # queued in the database, run by the worker command
    sign_in(page, "gov")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto("/ratings/")
    assert page.locator("#no-run").is_visible()
    page.locator("#start-year").select_option("2024")
    page.locator("#start-rating").click()
    page.wait_for_url(re.compile(r"/ratings/\?year=2024"))
    run = RatingRun.objects.get()
    row = page.locator(f"#run-{run.pk}")
    assert row.get_attribute("data-run-status") == RunStatus.QUEUED
    screenshot("queued")

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.rated == 3

    # The row polls every 2 s; once the run is done the page reloads with its figures.
    page.locator(f'#run-{run.pk}[data-run-status="done"]').wait_for()
    page.locator("#rated-count").wait_for()
    assert page.locator("#rated-count").inner_text().strip() == "3"
    assert page.locator("#chart-industry canvas").count() == 1
    assert page.locator('#grade-counts-by-tier tr[data-tier="basic"]').is_visible()
    screenshot("done")

    firm = city["a"]
    rating = Rating.objects.get(run=run, enterprise=firm)
    page.goto(f"/enterprises/{firm.uscc}/rating/")
    grade = page.locator("#rating-grade")
    assert grade.get_attribute("data-grade") == rating.grade
    assert grade.inner_text().strip() == rating.grade
    # The tier beside the grade: these are basic disclosures, rated under 2025.2 on their form.
    tier = page.locator("#rating-tier")
    assert tier.is_visible() and tier.get_attribute("data-tier") == rating.tier == "basic"
    assert tier.inner_text().strip() == "基础版（中小企业）"
    assert page.locator("#explanation").is_visible()  # government reads the explanation
    assert page.locator(f'#rating-history tr[data-run="{run.pk}"]').count() == 1
    screenshot("rating")
