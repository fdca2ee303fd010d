"""Issue 12, done when: an SME completes a good basic-tier disclosure in the browser and, right
after publishing, sees a grade of A or above with the diagnosis.

Rating methodology 2025.2 rates a basic-tier disclosure on the ten rated indicators of the basic
form (tests/engine/rating/test_tiers.py). The year already has a rating run of three peers of the
same industry whose basic disclosures are worse on every percentile indicator (half the revenue
for the same emissions and energy, so twice the intensities; 90% social-insurance coverage, 15%
turnover, 10 training hours per employee). The SME's values (tests/conftest.py BASIC_VALUES,
written policy on ESG responsibilities added) are better than every peer's on each percentile
indicator (score 100 × 3 / 3 = 100) and good on every threshold indicator (no work injuries, the
policies in place, no corruption case), so it scores 100 and is graded AA: the best grade of the
basic tier (AAA is kept for the standard form).
"""

from __future__ import annotations

import re

import pytest

from czesg.disclosures import actions as d
from czesg.disclosures import checks
from czesg.disclosures.models import Disclosure
from tests.apps.ratings.test_ratings import rate_now
from tests.browser.test_disclosure_workflow import DERIVED, save_row
from tests.browser.test_pages import sign_in
from tests.conftest import BASIC_NOT_APPLICABLE, BASIC_VALUES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2024
# The peers' departures from BASIC_VALUES: each worse on a percentile indicator of the basic
# form (the platform derives the intensities and hours per employee from them).
PEER = {"G-GEN-01": 2500, "S-EMP-05-COV": 90, "S-EMP-03": 15, "S-TRN-04": 1200}
GOOD = [*BASIC_VALUES, ("G-GOV-06", "yes", "")]


def publish_peer(enterprise, manager) -> Disclosure:
    """A peer's basic disclosure, typed like the SME's but with the PEER values, published."""
    draft = d.start_disclosure(enterprise, YEAR, actor=manager)
    d.set_values(draft, [d.Entry(code, PEER.get(code, value), unit) for code, value, unit in GOOD
                         if code not in DERIVED], actor=manager)
    for code, why in BASIC_NOT_APPLICABLE:
        d.mark_not_applicable(draft, code, why, actor=manager)
    d.acknowledge_warnings(draft, [f.key for f in checks.findings_for(draft) if not f.is_error],
                           actor=manager)
    d.submit_disclosure(draft, actor=manager)
    return d.publish_disclosure(draft, actor=manager)


def test_an_sme_with_a_good_basic_disclosure_sees_aa_and_the_diagnosis_on_publishing(
        page, screenshot, gov, make_enterprise, member_of, firm_a, alice):
    for n in range(3):
        peer = make_enterprise(f"常州同业{n}制造有限公司")
        disclosure = publish_peer(peer, member_of(peer, f"peer{n}"))
        derived = {p.indicator_code: p.value_number for p in disclosure.datapoints.all()}
        assert derived["E-GHG-05"] == pytest.approx(0.4) and derived["S-TRN-02"] == 10.0
    run = rate_now(gov, YEAR)
    assert run.rated == 3 and run.methodology_version == "2025.2"

    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.get_by_role("link", name=firm_a.name).click()
    page.get_by_role("link", name="开始披露").click()
    page.get_by_label("报告年度").select_option(str(YEAR))
    page.get_by_label("指标范围").select_option("basic")
    page.get_by_role("button", name="开始").click()
    page.wait_for_url(re.compile(r"/disclosures/\d+/edit/$"))
    for code, value, unit in GOOD:
        if code in DERIVED:
            continue  # computed by the platform once its inputs are saved
        row = page.locator(f"#row-{code}")
        field = row.locator("[name=value]")
        if value == "yes":
            field.select_option("yes")
        else:
            units = row.locator("select[name=unit]")
            if units.count() and units.input_value() != unit:
                units.select_option(unit)  # the unit first, then the value (issue 12 item 2)
            field.fill(str(value))
            field.press("Tab")
        save_row(page, code)
    for code, why in BASIC_NOT_APPLICABLE:
        row = page.locator(f"#row-{code}")
        row.locator("[name=na_explanation]").fill(why)
        row.locator("[name=na]").check()
        save_row(page, code)

    page.get_by_role("link", name="检查并提交").first.click()
    assert "没有错误" in page.locator("main").inner_text()
    for box in page.locator("input[name=acknowledge]").all():
        box.check()
    page.get_by_role("button", name="确认并提交").click()
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    page.get_by_role("link", name=re.compile(f"{YEAR} 年度 ESG 披露")).click()
    page.wait_for_url(re.compile(r"/disclosures/\d+/$"))
    page.get_by_role("button", name="发布").click()
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    screenshot("published")

    # Right after publishing: the grade, the score, and the diagnosis.
    assert "已发布" in page.locator("#feedback-state").inner_text()
    assert "基础版（中小企业）" in page.locator("#feedback-state").inner_text()
    assert page.locator("#feedback-grade").inner_text().strip() == "AA"
    assert page.locator("#feedback-score").inner_text().strip() == "100.0"
    assert page.locator("#feedback").get_attribute("data-grade") == "AA"
    assert "已填报 10 项评级指标中的 10 项" in page.locator("#raised").inner_text()
    assert page.get_by_role("heading", name="什么降低了得分").is_visible()
    assert page.locator("#lowered li").count() == 0
    assert "没有降低得分的因素。" in page.locator("#lowered").inner_text()
    assert page.locator("#next-steps-none").is_visible()  # nothing left to gain on this form

    # The full self-diagnosis names the tier and that the grade is held at the tier's best.
    page.get_by_role("link", name="完整自我诊断").click()
    page.wait_for_url(re.compile(r"/self-diagnosis/\?source=disclosure$"))
    assert page.locator("#diagnosis-grade").inner_text().strip() == "AA"
    assert page.locator("#diagnosis-tier").inner_text().strip() == "基础版（中小企业）"
    assert "基础版披露的等级最高为 AA" in page.locator("#diagnosis-grade-capped").inner_text()
    screenshot("diagnosis")
    disclosure = Disclosure.objects.get(enterprise=firm_a, year=YEAR)
    assert disclosure.state == "published"
    assert {p.indicator_code: p.value_number for p in disclosure.datapoints.filter(
        indicator_code__in=["E-GHG-05", "E-ENG-02", "S-TRN-02"])} == pytest.approx(
        {"E-GHG-05": 0.2, "E-ENG-02": 0.056, "S-TRN-02": 20.0})
