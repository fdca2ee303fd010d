"""The assurance pages through HTTP: invitation, the verifier's steps, the enterprise's answer,
sign-off and the statement PDF in Chinese and English (real PDFs, read back with pdftotext)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.test import Client

from czesg.access.models import AccessLog
from czesg.assurance.models import Engagement, EngagementState, FindingState
from czesg.disclosures import actions as disclosures
from czesg.disclosures.models import Datapoint
from tests.apps.assurance.conftest import SCOPE

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _act(client, engagement, verb, **data):
    response = client.post(f"/assurance/{engagement.pk}/act/", {"verb": verb, **data})
    assert response.status_code == 302
    return response


def test_the_verifier_lands_on_the_work_list(vera):
    response = _client(vera).get("/me/")
    assert response.status_code == 302 and response["Location"] == "/assurance/"


def test_the_whole_flow_through_the_pages(published_a, assurance_firm, alice, vera, rex,
                                          tmp_path):
    manager = _client(alice)
    page = manager.get(f"/assurance/invite/{published_a.pk}/")
    assert page.status_code == 200 and "常州鉴信认证有限公司" in page.content.decode()
    today = dt.date.today()
    response = manager.post(f"/assurance/invite/{published_a.pk}/", {
        "firm": assurance_firm.pk, "scope": SCOPE, "level": "limited",
        "criteria": ["gbt-32150"], "materiality": "5", "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat()})
    engagement = Engagement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assurance/{engagement.pk}/"

    lead = _client(vera)
    work = lead.get("/assurance/").content.decode()
    assert engagement.reference in work and "甲新能源科技有限公司" in work
    invited = lead.get(f"/assurance/{engagement.pk}/").content.decode()
    assert 'id="accept"' in invited and 'id="scope-values"' not in invited  # not before accepting
    _act(lead, engagement, "accept")
    _act(lead, engagement, "sample_risk")
    _act(lead, engagement, "reviewer", reviewer=rex.pk)
    page = lead.get(f"/assurance/{engagement.pk}/").content.decode()
    assert 'data-code="E-GHG-01" data-sampled="1"' in page
    assert 'data-code="S-EMP-01" data-sampled="0"' in page
    # The firm's read of the enterprise's data is logged under the consent the invitation made.
    assert AccessLog.objects.filter(user=vera, grant__pk__in=engagement.grants).exists()
    for code in ("E-GHG-01", "E-GHG-02", "E-GHG-03"):
        _act(lead, engagement, "procedure", code=code, kind="recalculated", note="复核计算")
    _act(lead, engagement, "finding", code="E-GHG-02", kind="misstatement", amount="abc",
         description="外购电力排放偏低")
    assert not engagement.findings.exists()  # "abc" is refused with a message, nothing written
    _act(lead, engagement, "finding", code="E-GHG-02", kind="misstatement", amount="20",
         description="外购电力排放偏低")
    finding = engagement.findings.get()

    _act(manager, engagement, "respond", finding=finding.pk, response="电表读数已复核，数值无误")
    finding.refresh_from_db()
    assert finding.state == FindingState.RESPONDED and finding.response.startswith("电表")
    _act(lead, engagement, "close", finding=finding.pk)
    _act(lead, engagement, "conclude", conclusion="unmodified", basis="")
    engagement.refresh_from_db()
    assert engagement.state == EngagementState.CONCLUDED
    _act(_client(rex), engagement, "sign")
    engagement.refresh_from_db()
    assert engagement.state == EngagementState.SIGNED
    assert Datapoint.objects.filter(disclosure=published_a, assurance="limited").count() == 5

    zh = manager.get(f"/assurance/{engagement.pk}/statement-zh.pdf")
    assert zh.status_code == 200 and zh["Content-Type"] == "application/pdf"
    text = _pdf_text(zh.content, tmp_path, "zh")
    for expected in ("独立鉴证报告", "甲新能源科技有限公司", "有限保证", "GB/T 32150-2015",
                     "常州鉴信认证有限公司", engagement.reference, "E-GHG-01", "1000"):
        assert expected in text, expected
    en = _pdf_text(manager.get(f"/assurance/{engagement.pk}/statement-en.pdf").content,
                   tmp_path, "en")
    for expected in ("Independent assurance statement", "Alpha New Energy Co.",
                     "Limited assurance", "Unmodified", "Changzhou Jianxin Assurance Co.",
                     "Addressee", "Responsibilities", "Summary of procedures"):
        assert expected in en, expected


def test_other_people_see_no_engagement(invite, bob, make_user):
    engagement = invite()
    assert _client(bob).get(f"/assurance/{engagement.pk}/").status_code == 404
    outsider = make_user("otto", "verifier")
    assert _client(outsider).get(f"/assurance/{engagement.pk}/").status_code == 404
    assert _client(outsider).post(f"/assurance/{engagement.pk}/act/",
                                  {"verb": "accept"}).status_code == 404
    engagement.refresh_from_db()
    assert engagement.state == EngagementState.INVITED


def test_an_amendment_page_says_which_assured_marks_it_dropped(invite, vera, rex, alice):
    from czesg.assurance import actions

    engagement = actions.accept_engagement(invite(), actor=vera)
    engagement = actions.choose_sample(engagement, ["S-EMP-01"], actor=vera)
    actions.assign_reviewer(engagement, rex, actor=vera)
    actions.record_procedure(engagement, "S-EMP-01", "inspected", actor=vera)
    actions.conclude_engagement(engagement, "unmodified", actor=vera)
    actions.sign_statement(engagement, actor=rex)
    response = _client(alice).post(f"/disclosures/{engagement.disclosure_id}/amend/",
                                   {"reason": "更正"}, follow=True)
    body = response.content.decode()
    assert "E-ENG-01, E-GHG-01, E-GHG-02, E-GHG-03, S-EMP-01" in body
    assert disclosures  # the amendment is a draft; the published version stays assured
    assert Datapoint.objects.filter(disclosure=engagement.disclosure).exclude(
        assurance="none").count() == 5


def test_government_keeps_the_register_on_its_page(gov, make_user, firm_a, alice):
    from czesg.assurance.models import AssuranceFirm, ConsultingRelationship

    officer = _client(gov)
    response = officer.post("/assurance/firms/", {
        "verb": "firm", "name": "江苏示例鉴证所", "name_en": "", "accreditation": "资质 X-1",
        "independence_declaration": "独立", "declared_at": "2026-01-10"})
    assert response.status_code == 302
    firm = AssuranceFirm.objects.get()
    verifier = make_user("ivy", "verifier")
    officer.post("/assurance/firms/", {"verb": "verifier", "firm": firm.pk, "user": verifier.pk})
    assert list(firm.members.values_list("user__username", flat=True)) == ["ivy"]
    page = officer.post("/assurance/firms/", {"verb": "consulting", "firm": firm.pk,
                                              "uscc": "bad", "year": "2024",
                                              "description": "碳盘查"})
    assert "没有企业使用该统一社会信用代码" in page.content.decode()
    officer.post("/assurance/firms/", {"verb": "consulting", "firm": firm.pk,
                                       "uscc": firm_a.uscc, "year": "2024",
                                       "description": "碳盘查"})
    assert ConsultingRelationship.objects.get().enterprise == firm_a
    assert _client(alice).post("/assurance/firms/", {"verb": "firm"}).status_code == 404
