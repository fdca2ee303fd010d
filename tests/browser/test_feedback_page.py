"""Issue 12 item 5 in the browser: an SME submits and publishes its disclosure and sees the
estimated grade, green score and the diagnosis on the page it lands on."""

from __future__ import annotations

import re

import pytest

from czesg.disclosures import actions
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sme_publishes_and_sees_grade_and_diagnosis(page, screenshot, firm_a, alice, fill_basic):
    draft = actions.start_disclosure(firm_a, 2024, actor=alice)
    fill_basic(draft, alice)
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/disclosures/{draft.pk}/review/")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(rf"/ratings/feedback/{draft.pk}/$"))
    assert page.locator("#feedback-grade").inner_text().strip()
    page.goto(f"/disclosures/{draft.pk}/")
    page.get_by_role("button", name="发布").click()
    page.wait_for_url(re.compile(rf"/ratings/feedback/{draft.pk}/$"))
    grade = page.locator("#feedback-grade").inner_text().strip()
    assert re.fullmatch(r"A{1,3}|B{1,3}|C{1,3}", grade)
    assert page.locator("#feedback-state").inner_text().count("已发布") == 1
    assert float(page.locator("#feedback-green").inner_text()) >= 0
    assert page.locator("#raised li").count() >= 1
    assert page.get_by_role("heading", name="什么降低了得分").is_visible()
    # The plan's first three steps, or all when fewer remain on the basic form (2025.2).
    assert 1 <= page.locator("#next-steps li").count() <= 3
    screenshot("feedback")
