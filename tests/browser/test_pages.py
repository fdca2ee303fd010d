"""What a person sees: sign in, their enterprise, a disclosure with provenance, both languages."""

from __future__ import annotations

import re

import pytest

from czesg.disclosures import actions
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_public_landing_is_chinese_first_with_an_english_switch(page, screenshot):
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "常州ESG数据服务平台"
    screenshot("zh")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Changzhou ESG data service platform"
    screenshot("en")


def test_enterprise_user_sees_own_disclosure_with_provenance(page, screenshot, firm_a, alice, draft_a):
    actions.set_value(draft_a, "S-EMP-01", "1,250", "人", evidence="花名册", actor=alice)
    actions.set_value(draft_a, "E-GHG-01", 800, "吨二氧化碳当量", actor=alice)
    actions.mark_not_applicable(draft_a, "E-GHG-04", "无重大范围三排放源", actor=alice)
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.get_by_role("link", name=firm_a.name).click()
    assert page.locator("#disclosure-list").get_by_text("草稿").is_visible()
    page.get_by_role("link", name="查看").click()
    row = page.locator('tr[data-indicator="S-EMP-01"]')
    assert "1,250" in row.inner_text()
    assert "手工录入" in row.inner_text() and "alice" in row.inner_text()
    assert "花名册" in row.inner_text()
    assert "不适用" in page.locator('tr[data-indicator="E-GHG-04"]').inner_text()
    assert "缺失" in page.locator('tr[data-indicator="E-GHG-02"]').inner_text()
    screenshot("disclosure")


def test_another_enterprises_draft_is_not_found(page, alice, draft_b):
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    response = page.goto(f"/disclosures/{draft_b.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "未找到"


def test_wrong_password_shows_a_message(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.get_by_role("alert").inner_text()
