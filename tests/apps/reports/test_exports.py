"""Issue 7: every dashboard page's Excel workbook and PDF, written by the reports app.

Expected figures are counted by hand from the fixtures (5 listed companies of which 3 published
is 60.0%; the zone scores are worked out from the methodology's weights below), never copied
from the dashboard's own output.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from czesg.parks import actions
from tests.apps.dashboards.city_fixtures import YEAR
from tests.apps.parks.test_zones import CLEAN_ENERGY, DIMENSION

pytestmark = pytest.mark.django_db


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
