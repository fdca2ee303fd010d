"""Issue 7: the zone evaluation: statistics entered through the pages and actions, scores, who sees which zone.

Expected figures are counted by hand from the fixtures (5 listed companies of which 3 published
is 60.0%; the zone scores are worked out from the methodology's weights below), never copied
from the dashboard's own output.
"""

from __future__ import annotations

import re

import pytest

from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import CatalogueError, NotFound, PermissionRefused
from czesg.engine.parks import load_park_methodology
from czesg.parks import actions
from czesg.parks.models import ZoneStatistic
from tests.apps.dashboards.city_fixtures import YEAR

pytestmark = pytest.mark.django_db

# Weights of methodology 2025.1 used in the hand computation below.
DIMENSION = 0.20
HIGHTECH = 0.35          # industrial structure: hightech_enterprises (relative)
CLEAN_ENERGY = 0.15      # environmental performance: clean_energy_share (threshold 0 → 90%)
SOLID_WASTE = 0.15       # environmental performance: solid_waste_utilisation (0 → 80%)


def test_zone_scores_through_the_pages_and_actions(park_admin, gov, client_as):
    methodology = load_park_methodology()
    assert methodology.dimension("industrial_structure").weight == DIMENSION
    assert methodology.indicator("hightech_enterprises").weight == HIGHTECH
    assert methodology.indicator("clean_energy_share").weight == CLEAN_ENERGY
    assert methodology.indicator("solid_waste_utilisation").weight == SOLID_WASTE
    client = client_as(park_admin)
    form = {"year": str(YEAR), "value_hightech_enterprises": "120",
            "source_hightech_enterprises": "高新区统计公报",
            "value_clean_energy_share": "45", "source_clean_energy_share": "园区能源台账",
            "value_solid_waste_utilisation": "80", "source_solid_waste_utilisation": "环保局"}
    response = client.post("/dashboards/zones/czhnd/statistics/", form)
    assert response.status_code == 302
    assert ZoneStatistic.objects.filter(park_key="czhnd", year=YEAR).count() == 3
    assert AuditEvent.objects.filter(action="zone_statistic.set").count() == 3
    actions.enter_zone_statistics("wjhnd", YEAR, {
        "hightech_enterprises": (50, "武进高新区统计"),
        "clean_energy_share": ("90", "武进高新区能源台账"),
    }, actor=gov)

    # czhnd: hightech ranks first of two (100 points), clean energy 45/90 → 50, waste 80 → 100.
    czhnd = DIMENSION * HIGHTECH * 100 + DIMENSION * (CLEAN_ENERGY * 50 + SOLID_WASTE * 100)
    # wjhnd: hightech ranks last (0 points), clean energy 90 → 100.
    wjhnd = DIMENSION * CLEAN_ENERGY * 100
    assert czhnd == pytest.approx(11.5) and wjhnd == pytest.approx(3.0)

    report = client.get("/dashboards/zones/czhnd/", {"year": YEAR}).content.decode()
    total = re.search(r'id="zone-total" data-value="([^"]+)"', report).group(1)
    assert float(total) == pytest.approx(czhnd)
    assert re.search(r'id="zone-rank" data-value="1"', report)
    row = re.search(r'<tr data-indicator="clean_energy_share" data-source="statistic" '
                    r'data-points="([^"]+)"', report)
    assert float(row.group(1)) == pytest.approx(50.0)
    assert 'data-indicator="carbon_per_energy" data-source="missing"' in report

    ranking = client_as(gov).get("/dashboards/zones/", {"year": YEAR}).content.decode()
    shown = dict(re.findall(r'data-zone="([a-z_]+)" data-rank="\d+" data-total="([^"]+)"',
                            ranking))
    assert float(shown["czhnd"]) == pytest.approx(czhnd)
    assert float(shown["wjhnd"]) == pytest.approx(wjhnd)
    assert float(shown["jintan_dz"]) == 0.0

    # Clearing a value is audited too.
    form["value_solid_waste_utilisation"] = ""
    client_as(park_admin).post("/dashboards/zones/czhnd/statistics/", form)
    assert not ZoneStatistic.objects.filter(key="solid_waste_utilisation").exists()
    assert AuditEvent.objects.filter(action="zone_statistic.clear").count() == 1


def test_zone_statistics_are_checked_before_anything_is_written(gov):
    with pytest.raises(CatalogueError):
        actions.enter_zone_statistics("czhnd", YEAR, {
            "hightech_enterprises": (10, "统计公报"), "clean_energy_share": (120, "台账"),
        }, actor=gov)
    with pytest.raises(CatalogueError):
        actions.enter_zone_statistics("czhnd", YEAR, {"hightech_enterprises": (10, "")},
                                      actor=gov)
    with pytest.raises(CatalogueError):
        actions.enter_zone_statistics("czhnd", YEAR, {"not_a_statistic": (1, "x")}, actor=gov)
    with pytest.raises(NotFound):
        actions.enter_zone_statistics("nowhere", YEAR, {"hightech_enterprises": (1, "x")},
                                      actor=gov)
    assert not ZoneStatistic.objects.exists()


def test_park_admin_sees_only_the_own_zone(park_admin, client_as):
    client = client_as(park_admin)
    assert client.get("/dashboards/zones/czhnd/").status_code == 200
    assert client.get("/dashboards/zones/czhnd/statistics/").status_code == 200
    assert client.get("/dashboards/zones/czhnd/export.xlsx").status_code == 200
    for url in ("/dashboards/zones/wjhnd/", "/dashboards/zones/wjhnd/statistics/",
                "/dashboards/zones/wjhnd/export.pdf", "/dashboards/city/",
                "/dashboards/city/export.xlsx", "/dashboards/tasks/", "/dashboards/registries/",
                "/dashboards/zones/export.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.get("/dashboards/zones/").url == "/dashboards/zones/czhnd/"

    before = AuditEvent.objects.count()
    response = client.post("/dashboards/zones/wjhnd/statistics/", {
        "year": str(YEAR), "value_hightech_enterprises": "999",
        "source_hightech_enterprises": "x"})
    assert response.status_code == 404
    with pytest.raises(PermissionRefused):
        actions.enter_zone_statistics("wjhnd", YEAR, {"hightech_enterprises": (999, "x")},
                                      actor=park_admin)
    assert not ZoneStatistic.objects.exists()
    assert AuditEvent.objects.count() == before
    assert list(ZoneStatistic.objects.visible_to(park_admin)) == []
