"""A bank's environmental disclosure after JR/T 0227-2021, as PDF (read back with pdftotext, in
Chinese and English) and as Excel (cells read back), for the bank alone."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from czesg.finance import actions, disclosure_report, loanbook
from czesg.finance.models import Product
from tests.apps.esgreport.conftest import pdf_text

pytestmark = pytest.mark.django_db

PV = [{"activity": "electricity", "quantity": "1000", "unit": "MWh"}]
YEAR = timezone.localdate().year  # a grant date lies between the request and today
HEADER = "exposure,uscc,instrument,outstanding,currency,as_of,evic,equity_debt\n"


@pytest.fixture
def disclosed(sent, alice, bank_a, firm_a, firm_b, make_enterprise):
    """Bank A granted Alpha 200 万元 (its 常绿贷, energy saving, 24 months, today) with an
    expected reduction of 582.7 t/year; the same book in 2024 (Alpha's disclosed year) and this year:
    Alpha 5 M CNY (in 2024 financed 50 t, quality 2), Beta 2 M, a C30 (non-metallic minerals)
    maker 3 M (no data) = 1,000 万元."""
    product = Product.objects.get(bank=bank_a)
    offer = actions.make_offer(sent, amount="200", rate="3.1", product=product, actor=bank_a)
    actions.accept_offer(offer, actor=alice)
    actions.record_outcome(sent, granted_amount="200", granted_rate="3.1",
                           granted_on=timezone.localdate(), actor=bank_a)
    actions.estimate_reduction(sent, baseline=PV, project=[], year="2024", actor=bank_a)
    cement = make_enterprise("丙碳素制品有限公司", industry_code="C3091")
    for year in (2024, YEAR):
        text = (HEADER + f"L1,{firm_a.uscc},term_loan,5000000,CNY,{year}-12-31,,100000000\n"
                f"L2,{firm_b.uscc},working_capital,2000000,CNY,{year}-12-31,,\n"
                f"L3,{cement.uscc},term_loan,3000000,CNY,{year}-12-31,,\n")
        loanbook.import_loan_book(io.BytesIO(text.encode()), "book.csv", year=year,
                                  actor=bank_a)
    return sent


def test_gathered_figures(disclosed, bank_a):
    report = disclosure_report.gather(bank_a, YEAR)
    assert (report.green_count, report.green_balance, report.book_outstanding) == (
        1, 200, 1000)
    assert report.green_share == pytest.approx(0.2)
    assert [(n, a) for _k, n, a in report.by_kind] == [(1, 200)]
    assert report.by_category == [("节能降碳产业", 1, 200)]
    assert [(r["amount"], r["reduction"]) for r in report.reductions] == [
        (200, pytest.approx(582.7))]
    assert report.intensive == [("建材", 1, 300)]
    assert report.intensive_share == pytest.approx(0.3)
    # Nobody disclosed for this year yet: every exposure is listed without data.
    assert report.by_quality == [("—", 3, 10_000_000.0, 0.0)]
    # 2024: Alpha's disclosed 1,000 t × 5 M / 100 M = 50 t at quality 2; the loan granted this
    # year was not outstanding then.
    earlier = disclosure_report.gather(bank_a, 2024)
    assert earlier.financed.financed_tco2e == 50.0 and earlier.financed.weighted_quality == 2.0
    assert earlier.by_quality == [("2", 1, 5_000_000.0, 50.0), ("—", 2, 5_000_000.0, 0.0)]
    assert (earlier.green_count, earlier.reductions) == (0, [])


def test_pdf_in_chinese_and_english(disclosed, bank_a, tmp_path):
    client = Client()
    client.force_login(bank_a)
    response = client.get(f"/finance/disclosure.pdf?year={YEAR}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"czesg-jrt0227-bank_a-{YEAR}-zh.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    flat = "".join(text.split())
    for expected in ("JR/T0227-2021《金融机构环境信息披露指南》", "7.7投融资活动的环境影响",
                     "7.5环境风险管理", "节能降碳产业", "常绿贷", "建材"):
        assert expected in flat, expected
    for figure in ("绿色贷款余额（万元）200.00", "贷款余额（万元）1000.00", "占贷款余额比例20.00%",
                   "582.70", "300.00"):
        assert figure in flat, figure
    english = client.get(f"/finance/disclosure.pdf?year={YEAR}&lang=en")
    text = "".join(pdf_text(english.content, tmp_path).split())
    for expected in (f"Environmentaldisclosure{YEAR}", "Greenloanbalance(10kCNY)200.00",
                     "Energysavingandcarbonreduction", "Buildingmaterials", "582.70",
                     "Shareoftheloanbook20.00%"):
        assert expected in text, expected
    older = client.get("/finance/disclosure.pdf?year=2024&lang=en")
    text = "".join(pdf_text(older.content, tmp_path).split())
    for expected in ("FinancedScope1+2emissions(tCO2e)50.00", "Weighteddata-qualityscore2.00",
                     "Coverageoftheoutstandingamount50.00%"):
        assert expected in text, expected


def test_excel_cells(disclosed, bank_a):
    client = Client()
    client.force_login(bank_a)
    response = client.get(f"/finance/disclosure.xlsx?year={YEAR}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    green = book["绿色贷款 Green loans"]
    assert [c.value for c in green[3]][:1] + [c.value for c in green[3]][2:] == [
        "合计 Total", 1, 200, 0.2]
    assert green["B3"].value.startswith("7.7 ")
    assert [c.value for c in green[5]] == ["目录类别 Catalogue category", "节能降碳产业", 1, 200,
                                           0.2]
    assert [c.value for c in book["投融资碳排放 Financed"][3]] == ["—", 3, 10_000_000, 0]
    reductions = book["碳减排 Reductions"]
    row = [c.value for c in reductions[3]]
    assert row[0] == disclosed.pk and row[3] == 200 and row[6] == 582.7
    intensive = book["碳密集行业 Carbon-intensive"]
    assert [c.value for c in intensive[3]] == ["建材", 1, 300, 0.3]
    older = load_workbook(io.BytesIO(client.get("/finance/disclosure.xlsx?year=2024").content))
    assert [c.value for c in older["投融资碳排放 Financed"][3]] == ["2", 1, 5_000_000, 50]
    assert [c.value for c in older["投融资碳排放 Financed"][4]] == ["—", 2, 5_000_000, 0]


def test_bank_only(disclosed, alice, gov, bank_b):
    for user in (alice, gov):
        client = Client()
        client.force_login(user)
        assert client.get(f"/finance/disclosure.pdf?year={YEAR}").status_code == 404
        assert client.get(f"/finance/disclosure.xlsx?year={YEAR}").status_code == 404
    # Another bank gets its own (empty) disclosure, never bank A's figures.
    client = Client()
    client.force_login(bank_b)
    book = load_workbook(io.BytesIO(client.get(f"/finance/disclosure.xlsx?year={YEAR}").content))
    assert [c.value for c in book["绿色贷款 Green loans"][3]][2:4] == [0, 0]
    assert client.get("/finance/disclosure.xlsx?year=abc").status_code == 404


def test_download_buttons_on_the_bank_pages(disclosed, bank_a):
    client = Client()
    client.force_login(bank_a)
    for page in ("/finance/loan-book/", "/finance/temperature/"):
        html = client.get(page).content.decode()
        assert f'href="/finance/disclosure.pdf?year={YEAR}"' in html, page
        assert f'href="/finance/disclosure.xlsx?year={YEAR}"' in html, page
