"""Issue 16 in the browser: the listed company invites an assurance firm, a verifier samples
and raises a finding, the company amends, the reviewer signs the statement, and the profile
shows the assured values with the statement's PDF."""

from __future__ import annotations

import re

import pytest

from czesg.assurance.models import Engagement
from czesg.disclosures.models import Datapoint
from tests.apps.assurance.conftest import (  # noqa: F401 (fixtures)
    SCOPE,
    assurance_firm,
    published_a,
    rex,
    vera,
)
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_to(page, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username)


def _act(page, selector: str, button: str) -> None:
    page.locator(selector).get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_invite_sample_find_amend_sign_and_show(
        page, screenshot, published_a, assurance_firm, alice, vera, rex, firm_a):  # noqa: F811
    # The company invites the firm from the directory.
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/enterprises/{firm_a.uscc}/")
    page.get_by_role("link", name="邀请鉴证机构").click()
    page.get_by_label("鉴证机构").select_option(label="常州鉴信认证有限公司")
    for code in SCOPE:
        page.locator(f"input[name=scope][value='{code}']").check()
    page.get_by_label("保证程度").select_option("limited")
    page.locator("input[name=criteria][value='gbt-32150']").check()
    page.get_by_role("button", name="邀请").click()
    page.wait_for_url(re.compile(r"/assurance/\d+/$"))
    engagement = Engagement.objects.get()
    assert engagement.state == "invited"

    # The verifier lands on the work list, accepts, samples and raises a finding.
    _switch_to(page, "vera")
    page.wait_for_url(re.compile(r"/assurance/$"))
    page.get_by_role("link", name=engagement.reference).click()
    page.get_by_role("button", name="接受鉴证业务").click()
    page.get_by_role("button", name="按基于风险的规则抽样").click()
    page.get_by_role("button", name="指定复核人").click()
    assert page.locator("#reviewer").inner_text() == "rex"
    sampled = page.locator("#scope-values tr[data-sampled='1']")
    assert sampled.count() == 3
    for code in ("E-GHG-01", "E-GHG-03", "E-GHG-02"):
        row = page.locator(f"#scope-values tr[data-code='{code}']")
        row.locator(".procedure-form select[name=kind]").select_option("recalculated")
        row.locator(".procedure-form input[name=note]").fill("按电费单复算")
        _act(page, f"#scope-values tr[data-code='{code}'] .procedure-form", "记录程序")
    row = page.locator("#scope-values tr[data-code='S-EMP-01']")
    row.locator(".finding-form select[name=kind]").select_option("misstatement")
    row.locator(".finding-form input[name=amount]").fill("10")
    row.locator(".finding-form input[name=description]").fill("花名册为130人")
    _act(page, "#scope-values tr[data-code='S-EMP-01'] .finding-form", "提出发现")
    assert "花名册为130人" in page.locator("#findings").inner_text()
    screenshot("fieldwork")

    # The company corrects through an amendment, publishes it and links it to the finding.
    _switch_to(page, "alice")
    page.goto(f"/disclosures/{published_a.pk}/")
    page.get_by_label("更正原因").fill("按鉴证发现更正员工人数")
    page.get_by_role("button", name="更正").click()
    page.wait_for_url(re.compile(r"/disclosures/\d+/edit/$"))
    field = page.locator("#row-S-EMP-01 [name=value]")
    field.fill("130")
    field.press("Tab")
    page.locator("#row-S-EMP-01 .status .ok").wait_for()
    page.get_by_role("link", name="检查并提交").first.click()
    # 130 employees put the reported training hours per employee off its formula: the company
    # confirms the warning (its figure stands) before submitting.
    page.locator("#warnings li[data-indicator='S-TRN-02'] input[name=acknowledge]").check()
    page.get_by_role("button", name="确认勾选的警告").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="确认并提交").click()
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    amendment = Datapoint.objects.get(indicator_code="S-EMP-01", value_number=130).disclosure
    page.goto(f"/disclosures/{amendment.pk}/")
    page.get_by_role("button", name="发布").click()
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    page.goto(f"/assurance/{engagement.pk}/")
    page.get_by_role("button", name="已通过发布的更正版本改正").click()
    page.wait_for_load_state()
    assert "已通过更正版本改正" in page.locator("#findings").inner_text()

    # The lead closes the finding and concludes; the second verifier signs.
    _switch_to(page, "vera")
    page.goto(f"/assurance/{engagement.pk}/")
    page.get_by_role("button", name="关闭发现").click()
    page.get_by_label("鉴证结论").select_option("unmodified")
    page.get_by_role("button", name="形成结论").click()
    page.wait_for_load_state()
    assert page.locator("#engagement").get_attribute("data-state") == "concluded"
    _switch_to(page, "rex")
    page.goto(f"/assurance/{engagement.pk}/")
    page.get_by_role("button", name="签发鉴证报告").click()
    page.wait_for_load_state()
    assert page.locator("#engagement").get_attribute("data-state") == "signed"
    screenshot("signed")

    # Anyone sees the assured values on the profile, with the statement's PDF.
    page.context.clear_cookies()
    page.goto(f"/enterprises/{firm_a.uscc}/")
    section = page.locator(".assurance-statement")
    assert section.locator(".tag.assured").count() == len(SCOPE)
    assert "130" in section.locator("tr[data-indicator='S-EMP-01']").inner_text()
    screenshot("profile")
    with page.expect_download() as download:
        section.get_by_role("link", name="鉴证报告（中文 PDF）").click()
    path = download.value.path()
    assert open(path, "rb").read(4) == b"%PDF"
    assert Datapoint.objects.filter(disclosure=amendment).exclude(assurance="none").count() == 5
