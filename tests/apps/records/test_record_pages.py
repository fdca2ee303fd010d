"""Comparisons, benchmarks and the enterprise page show record figures where no disclosure has
them, with a badge (披露 / 记录：<source> / 未报告); restricted records only for those who may
read them, and never in a benchmark (a public statistic)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from czesg.disclosures import actions
from czesg.records.models import Record, RecordSource, SourceKind, Visibility
from tests.apps.records.test_known import load, register

pytestmark = pytest.mark.django_db
REGISTER = "记录：重点排放单位温室气体排放核查结果（设施层面）"


@pytest.fixture
def world(gov, draft_a, alice, fill_basic, firm_b):
    """A publishes 2024 (E-GHG-02 300 tCO2e, E-ENG-01 280 tce); the register holds A's 2023
    Scope 1 (310), A's 2024 (999, never shown: A disclosed) and B's 2024 (1,500 + 500); a
    restricted utility record holds B's 2024 energy (480 tce)."""
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    load(gov, register([("K1", draft_a.enterprise.uscc, 2023, "310"),
                        ("K2", draft_a.enterprise.uscc, 2024, "999"),
                        ("K3", firm_b.uscc, 2024, "1,500"), ("K4", firm_b.uscc, 2024, "500")]))
    source = RecordSource.objects.create(
        code="test_power_utility", kind=SourceKind.UTILITY, name_zh="国网常州供电公司",
        name_en="State Grid Changzhou", visibility=Visibility.RESTRICTED)
    now = timezone.now()
    Record.objects.create(
        enterprise=firm_b, year=2024, indicator_code="E-ENG-01", subject="3204-0001",
        value_number=480.0, unit="tce", source=source, retrieved_at=now, method="metered",
        confidence="metered", visibility=Visibility.RESTRICTED, created_by=gov, created_at=now,
        published_on=dt.date(2025, 1, 15))
    return draft_a.enterprise, firm_b


def plain(html: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def cells(html: str, indicator: str) -> list[tuple[str, str]]:
    """(basis, text) of each compared cell of an indicator's row."""
    row = re.search(rf'<tr data-indicator="{indicator}">(.*?)</tr>', html, re.S).group(1)
    return [(basis, plain(text))
            for basis, text in re.findall(r'<td class="num" data-basis="(\w+)">(.*?)</td>',
                                          row, re.S)]


def test_compare_shows_records_with_their_source(world, bob):
    a, b = world
    url = f"/compare/?e={a.uscc}&e={b.uscc}"
    html = Client().get(url).content.decode()
    assert cells(html, "E-GHG-02") == [("disclosed", "300 披露"), ("record", f"2,000 {REGISTER}")]
    assert cells(html, "E-ENG-01") == [("disclosed", "280 披露"), ("not_reported", "— 未报告")]
    member = Client()
    member.force_login(bob)
    html = member.get(url).content.decode()
    assert cells(html, "E-ENG-01") == [("disclosed", "280 披露"),
                                       ("record", "480 记录：国网常州供电公司")]


def test_benchmark_counts_public_records_of_firms_that_disclosed_nothing(world, bob):
    a, b = world
    client = Client()
    client.force_login(bob)  # even B's member: a benchmark reads public records only
    html = client.get(f"/benchmark/?indicator=E-GHG-02&industry=C&year=2024&uscc={b.uscc}"
                      ).content.decode()
    # 300 (A, disclosed) and 2,000 (B, recorded): median 1,150; B is above 50 % of the two.
    assert re.search(r'id="stats-n" data-recorded="1">2 ', html)
    assert "1,150" in html
    position = re.search(r'<p class="note" id="position">(.*?)</p>', html, re.S).group(1)
    assert "2,000" in position and "50%" in position and REGISTER in position
    html = client.get("/benchmark/?indicator=E-ENG-01&industry=C&year=2024").content.decode()
    assert re.search(r'id="stats-n" data-recorded="0">1<', html)


def test_enterprise_page_trends_say_which_years_are_records(world, client):
    a, _ = world
    html = client.get(f"/enterprises/{a.uscc}/").content.decode()
    trend = re.search(r'<p class="small trend-basis" data-indicator="E-GHG-02">(.*?)</p>',
                      html, re.S).group(1)
    points = re.findall(r'data-year="(\d+)" data-basis="(\w+)">(.*?)</span>\s*</span>', trend,
                        re.S)
    assert [(y, b, plain(t)) for y, b, t in points] == [
        ("2023", "record", f"2023: 310 {REGISTER}"), ("2024", "disclosed", "2024: 300 披露")]
