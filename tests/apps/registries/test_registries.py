"""Issue 7: the registries feed the city targets; their pages add, change and refuse entries.

Expected figures are counted by hand from the fixtures (5 listed companies of which 3 published
is 60.0%; the zone scores are worked out from the methodology's weights below), never copied
from the dashboard's own output.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.audit.recording import verify
from czesg.dashboards import figures
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused
from czesg.enterprises.actions import EnterpriseFacts, register_enterprise
from czesg.registries import actions
from czesg.registries.models import KeyProject, ProfessionalIntake, Standard
from tests.apps.dashboards.city_fixtures import YEAR, card
from tests.conftest import uscc_for

pytestmark = pytest.mark.django_db


def test_registry_figures_feed_the_targets_and_every_change_is_audited(gov, client_as, system):
    today = timezone.localdate()
    for n, (day, role) in enumerate([("2025-03-01", "led"), ("2025-09-01", "joined"),
                                     (f"{today.year}-01-05", "led")]):
        actions.save_registry_entry("standards", {
            "title": f"团体标准{n}", "kind": "group", "role": role, "date": day,
            "source": "市市场监管局公告", "document": f"T/CZ {n}-2025",
        }, actor=gov)
    actions.save_registry_entry("agencies", {"name": "鉴证机构甲", "kind": "assurance",
                                             "date": "2025-05-01", "source": "市发改委"},
                                actor=gov)
    for name in ("项目一", "项目二"):
        actions.save_registry_entry("projects", {"name": name, "year": 2025,
                                                 "date": "2025-06-01", "source": "商务局"},
                                    actor=gov)
    for count in (4000, 1000):
        actions.save_registry_entry("professionals", {"year": 2025, "count": count,
                                                      "date": "2025-12-31", "source": "人社局"},
                                    actor=gov)
    progress = {t.key: t for t in figures.city_figures(YEAR).targets}
    assert progress["standards"].value == 3 and progress["standards"].year == today.year
    assert dict(progress["standards"].series)[2025] == 2  # cumulative to the end of 2025
    assert progress["service_agencies"].value == 1
    assert progress["key_projects"].value == 2 and progress["key_projects"].year == 2025
    assert progress["talent"].value == 5000 and progress["talent"].status == "behind"
    page = client_as(gov).get("/dashboards/city/").content.decode()
    assert float(card(page, "standards")["value"]) == 3
    assert float(card(page, "talent")["value"]) == 5000

    entry = Standard.objects.get(title="团体标准0")
    actions.save_registry_entry("standards", {**{f: getattr(entry, f) for f in
                                                 ("title", "kind", "role", "date", "document")},
                                              "source": "更正后的来源"}, actor=gov, entry=entry)
    actions.delete_registry_entry("standards", Standard.objects.get(title="团体标准1"),
                                  actor=gov, reason="重复录入")
    kinds = list(AuditEvent.objects.filter(action__startswith="registry.standards")
                 .values_list("action", flat=True))
    assert kinds.count("registry.standards.create") == 3
    assert "registry.standards.update" in kinds and "registry.standards.delete" in kinds
    deleted = AuditEvent.objects.get(action="registry.standards.delete")
    assert "团体标准1" in deleted.payload_json
    assert verify().ok


def test_registry_pages_add_and_refuse(gov, client_as, make_user):
    client = client_as(gov)
    response = client.post("/dashboards/registries/projects/", {
        "name": "零碳园区示范项目", "year": "2025", "date": "2025-04-02", "source": "市发改委",
    })
    assert response.status_code == 302
    assert KeyProject.objects.get().entered_by == gov
    assert "零碳园区示范项目" in client.get("/dashboards/registries/projects/").content.decode()
    bad = client.post("/dashboards/registries/professionals/", {"year": "2025", "count": "-3",
                                                                 "date": "2025-01-01",
                                                                 "source": "x"})
    assert bad.status_code == 200 and not ProfessionalIntake.objects.exists()

    firm = register_enterprise(EnterpriseFacts(
        uscc=uscc_for(990), name="案例企业有限公司", industry_code="C3841",
        division_code="320411", size_class="small"), actor=gov)
    case = {"title": "绿色供应链实践", "enterprise": firm.uscc.lower(), "year": "2025",
            "date": "2025-08-08", "summary": "带动上游供应商披露碳排放", "source": "市工信局"}
    assert client.post("/dashboards/registries/cases/", case).status_code == 302
    assert client.post("/dashboards/registries/cases/",
                       {**case, "enterprise": "91320411MA00000000"}).status_code == 200
    from czesg.registries.models import GoodPracticeCase

    stored = GoodPracticeCase.objects.get()
    assert stored.enterprise == firm
    edit = client.get(f"/dashboards/registries/cases/{stored.pk}/").content.decode()
    assert firm.uscc in edit

    enterprise_user = make_user("someone", Role.ENTERPRISE)
    with pytest.raises(PermissionRefused):
        actions.save_registry_entry("projects", {"name": "x", "year": 2025,
                                                 "date": "2025-01-01", "source": "x"},
                                    actor=enterprise_user)
    with pytest.raises(CatalogueError):
        actions.save_registry_entry("projects", {"name": "x", "year": 2025, "date": None,
                                                 "source": "x"}, actor=gov)
    assert KeyProject.objects.count() == 1
