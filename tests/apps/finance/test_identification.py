"""Green identification of a request's project against the 2025 green finance project catalogue:
the data file, the keyword suggestion, the action (who, when, on what evidence, audit), the
refusals, the request page and the API field."""

from __future__ import annotations

import pytest
from django.utils import translation

from czesg.audit.models import AuditEvent
from czesg.engine.finance.eligibility import load_purposes
from czesg.engine.finance.green_catalogue import load_green_catalogue, suggest
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused
from czesg.finance import actions
from czesg.finance.models import GreenIdentification
from czesg.web.problems import user_message
from tests.apps.finance.test_views import signed_in

pytestmark = pytest.mark.django_db


def test_catalogue_file_marks_what_was_not_read_in_the_official_text():
    catalogue = load_green_catalogue()
    assert catalogue.version == "2025"
    assert list(catalogue.entries) == [
        "energy_saving", "environmental_protection", "resource_recycling", "clean_energy",
        "ecological", "green_infrastructure", "green_services", "outside"]
    # No invented official codes, every first-level name marked unconfirmed.
    assert all(e.official_code == "" for e in catalogue.entries.values())
    assert all(not e.confirmed for k, e in catalogue.entries.items() if k != "outside")
    assert catalogue.get("clean_energy").name_zh == "能源绿色低碳转型"
    assert catalogue.get("clean_energy").transition_category == "energy_transition"
    assert not catalogue.get("outside").green
    # The purposes a request names are the catalogue's green categories (plus "other").
    assert {k for k, p in load_purposes().items() if p.green} == {
        k for k, e in catalogue.entries.items() if e.green}


def test_suggestion_ranks_categories_by_matching_keywords():
    found = suggest("屋顶光伏 1 MW，配套储能；余热回收")
    assert [(s.key, s.hits) for s in found] == [
        ("clean_energy", ("光伏", "储能")), ("energy_saving", ("余热",)),
        ("resource_recycling", ("回收",))]
    assert [s.key for s in suggest("Rooftop SOLAR plant")] == ["clean_energy"]
    assert suggest("working capital") == []


def test_bank_identifies_the_project_with_evidence_and_audit(sent, bank_a):
    made = actions.identify_project(sent, code="clean_energy", evidence="设计文件：屋顶光伏 1 MW",
                                    actor=bank_a)
    stored = GreenIdentification.objects.get(request=sent)
    assert stored.pk == made.pk
    assert (stored.code, stored.green, stored.transition_category, stored.catalogue_version,
            stored.identified_by, stored.identified_role, stored.suggested) == (
        "clean_energy", True, "energy_transition", "2025", bank_a, "bank", ["clean_energy"])
    assert [e.payload for e in AuditEvent.objects.filter(action="finance.identify_project")] == [{
        "code": "clean_energy", "green": True, "catalogue": "2025",
        "transition_category": "energy_transition", "evidence": "设计文件：屋顶光伏 1 MW",
        "role": "bank", "suggested": ["clean_energy"]}]


def test_a_second_identification_replaces_the_first_and_both_are_audited(sent, alice, gov):
    actions.identify_project(sent, code="energy_saving", evidence="企业自述", actor=alice)
    actions.identify_project(sent, code="outside", evidence="核查：非目录项目", actor=gov)
    stored = GreenIdentification.objects.get(request=sent)
    assert (stored.code, stored.green, stored.identified_role, stored.identified_by) == (
        "outside", False, "government", gov)
    assert [e.payload["code"] for e in AuditEvent.objects.filter(
        action="finance.identify_project").order_by("seq")] == ["energy_saving", "outside"]


@pytest.mark.parametrize("code, evidence, field, words", [
    ("casino", "x", "code", "casino is not a category of the green finance project catalogue"),
    ("", "x", "code", "is not a category"),
    ("clean_energy", "  ", "evidence", "Say on what evidence"),
])
def test_bad_identification_is_refused_naming_the_field(sent, bank_a, code, evidence, field,
                                                        words):
    with pytest.raises(CatalogueError) as refused:
        actions.identify_project(sent, code=code, evidence=evidence, actor=bank_a)
    assert refused.value.params["field"] == field and words in refused.value.render()
    assert not GreenIdentification.objects.exists()
    assert not AuditEvent.objects.filter(action="finance.identify_project").exists()


def test_unknown_code_message_is_translated(sent, bank_a):
    with pytest.raises(CatalogueError) as refused:
        actions.identify_project(sent, code="casino", evidence="x", actor=bank_a)
    with translation.override("zh-hans"):
        assert user_message(refused.value) == "casino 不是绿色金融支持项目目录中的类别。"


def test_only_parties_of_the_request_identify(sent, bob, make_user):
    from czesg.accounts.models import Role

    other_bank = make_user("bank_c", Role.BANK, organisation="丙银行")
    for outsider in (bob, other_bank):
        with pytest.raises(PermissionRefused):
            actions.identify_project(sent, code="clean_energy", evidence="x", actor=outsider)
    assert not GreenIdentification.objects.exists()


def test_request_page_and_api_show_the_identification(sent, alice, bank_a):
    page = signed_in(bank_a).get(f"/finance/requests/{sent.pk}/").content.decode()
    assert 'id="green-none"' in page and 'id="identify-form"' in page
    assert "能源绿色低碳转型" in page  # suggested from 屋顶光伏
    response = signed_in(bank_a).post(f"/finance/requests/{sent.pk}/act/", {
        "verb": "identify", "code": "clean_energy", "evidence": "可研报告第3章"})
    assert response.status_code == 302
    page = signed_in(alice).get(f"/finance/requests/{sent.pk}/").content.decode()
    assert 'data-code="clean_energy"' in page and "可研报告第3章" in page
    assert "甲银行常州分行 (银行)" in page and "能源绿色低碳转型" in page
    body = signed_in(bank_a).get(f"/api/v1/finance/requests/{sent.pk}").json()
    assert body["green_identification"]["code"] == "clean_energy"
    assert body["green_identification"]["identified_by"] == "bank_a"
    listed = signed_in(alice).get("/api/v1/finance/requests").json()["items"]
    assert listed[0]["green_identification"]["evidence"] == "可研报告第3章"


def test_unknown_code_through_the_page_is_named(sent, bank_a):
    client = signed_in(bank_a)
    client.post(f"/finance/requests/{sent.pk}/act/", {"verb": "identify", "code": "casino",
                                                      "evidence": "x"})
    page = client.get(f"/finance/requests/{sent.pk}/").content.decode()
    assert 'id="act-error"' in page and "casino" in page
    assert not GreenIdentification.objects.exists()
