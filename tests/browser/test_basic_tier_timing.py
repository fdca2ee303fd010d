"""Issue 12 item 9: how long the basic tier takes a scripted first-time SME user, with the
utility's electricity pre-filled and derived values computed by the platform. The figures
(fields touched, pages, clicks, wall time) are written to ``$CZESG_VAR_DIR/timing/`` and
printed; no threshold is asserted (speed belongs to ``czesg bench``), only that the run
completes with the derived values filled in."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from czesg.disclosures.models import Disclosure
from czesg.engine.catalogue import load_catalogue
from tests.apps.records.test_utility_adapters import A, link, run
from tests.browser.test_disclosure_workflow import DERIVED
from tests.conftest import BASIC_NOT_APPLICABLE, BASIC_VALUES, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Tally:
    """What the scripted user did: fields touched, clicks, keys pressed."""

    def __init__(self) -> None:
        self.fields: set[str] = set()
        self.clicks = 0
        self.keys = 0


def test_a_first_time_sme_completes_the_basic_tier(page, screenshot, gov, make_enterprise,
                                                   member_of, tmp_path):
    firm = make_enterprise("常州示例发电有限公司", uscc=A, division_code=A[2:8])
    member_of(firm, "erin")
    link(gov)
    run(gov)  # the utility's 2024 electricity: pre-filled on the new draft
    pages: list[str] = []
    page.on("framenavigated", lambda f: pages.append(f.url) if f == page.main_frame else None)
    done = Tally()
    started = time.perf_counter()

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("erin")
    page.get_by_label("密码").fill(PASSWORD)
    done.fields |= {"username", "password"}
    page.get_by_role("button", name="登录").click()
    done.clicks += 1
    page.wait_for_url(re.compile(r"/me/$"))
    page.get_by_role("link", name=firm.name).click()
    page.get_by_role("link", name="开始披露").click()
    page.get_by_label("报告年度").select_option("2024")
    page.get_by_label("指标范围").select_option("basic")
    page.get_by_role("button", name="开始").click()
    done.clicks += 5
    done.fields |= {"year", "tier"}
    page.wait_for_url(re.compile(r"/disclosures/\d+/edit/$"))

    # The pre-filled electricity is confirmed, not typed.
    prefilled = page.locator("#row-E-ENG-01-ELEC")
    assert "来自：" in prefilled.locator(".prefill").inner_text()
    prefilled.get_by_role("button", name="确认").click()
    done.clicks += 1
    page.locator("#row-E-ENG-01-ELEC .prefill", has_text="已确认").wait_for()

    typed = 0
    for code, value, _unit in BASIC_VALUES:
        if code in DERIVED or code == "E-ENG-01-ELEC":
            continue
        row = page.locator(f"#row-{code}")
        field = row.locator("[name=value]")
        if value == "yes":
            field.select_option("yes")
            done.clicks += 1
        else:
            field.click()
            field.fill(str(value))
            field.press("Tab")
            done.clicks += 1
            done.keys += len(str(value)) + 1
        done.fields.add(code)
        typed += 1
        page.locator(f"#row-{code} .status .ok").wait_for()
    for code, why in BASIC_NOT_APPLICABLE:
        row = page.locator(f"#row-{code}")
        row.locator("[name=na_explanation]").fill(why)
        row.locator("[name=na]").check()
        done.clicks += 2
        done.keys += len(why)
        done.fields.add(code)
        page.locator(f"#row-{code} .status .ok").wait_for()

    page.get_by_role("link", name="检查并提交").first.click()
    done.clicks += 1
    assert "没有错误" in page.locator("main").inner_text()
    for box in page.locator("input[name=acknowledge]").all():
        box.check()
        done.clicks += 1
    page.get_by_role("button", name="确认并提交").click()
    done.clicks += 1
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    page.get_by_role("link", name=re.compile("2024 年度 ESG 披露")).click()
    page.wait_for_url(re.compile(r"/disclosures/\d+/$"))
    page.get_by_role("button", name="发布").click()
    done.clicks += 2
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    seconds = time.perf_counter() - started
    screenshot("published")

    disclosure = Disclosure.objects.get(enterprise=firm, year=2024)
    assert disclosure.state == "published"
    calculated = set(disclosure.datapoints.filter(method="calculated")
                     .values_list("indicator_code", flat=True))
    assert calculated == DERIVED
    assert disclosure.datapoints.get(indicator_code="E-ENG-01-ELEC").method == "government"
    figures = {
        "indicators_in_tier": len(load_catalogue().for_tier("basic")),
        "derived_by_platform": len(DERIVED),
        "prefilled_confirmed": 1,
        "values_typed_or_picked": typed,
        "not_applicable_marked": len(BASIC_NOT_APPLICABLE),
        "fields_touched": len(done.fields),
        "clicks": done.clicks,
        "keys_pressed": done.keys,
        "pages_loaded": len(pages),
        "wall_seconds_scripted": round(seconds, 1),
    }
    out = Path(os.environ.get("CZESG_VAR_DIR") or tmp_path) / "timing"
    out.mkdir(parents=True, exist_ok=True)
    (out / "basic_tier.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print("basic tier, scripted first-time SME user:", json.dumps(figures))
