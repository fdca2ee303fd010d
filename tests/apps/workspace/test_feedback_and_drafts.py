"""Issue 12 items 5 and 6 through the pages: feedback after submit and publish, deleting a
draft, the "already exists" link, the bank directory and what banks see of drafts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from czesg.access import actions as access_actions
from czesg.access.models import Grant
from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.disclosures import actions
from czesg.disclosures.models import Datapoint, Disclosure

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post_with_csrf(client: Client, path: str, data: dict | None = None):
    page = client.get(path)
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    return client.post(path, {**(data or {}), "csrfmiddlewaretoken": token})


# --- feedback ---------------------------------------------------------------------------------
def test_submit_and_publish_land_on_the_estimated_grade_and_next_steps(client, alice, draft_a, fill_basic):
    fill_basic(draft_a, alice)
    client.force_login(alice)
    response = client.post(f"/disclosures/{draft_a.pk}/submit/")
    assert response.status_code == 302 and response["Location"] == f"/ratings/feedback/{draft_a.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    grade = page.context["diagnosis"]["grade"]
    assert f'id="feedback-grade">{grade}<' in html
    assert page.context["green"]["score"] >= 0 and 'id="feedback-green"' in html
    # The next three steps of the improvement plan, or all of them when fewer remain (a complete
    # basic form leaves only the encouraged basic indicators under methodology 2025.2).
    plan = page.context["diagnosis"]["plan"]
    assert page.context["steps"] == plan[:3] and len(page.context["steps"]) == min(3, len(plan))
    for step in page.context["steps"]:
        assert f'data-code="{step["code"]}"' in html
    assert "什么提高了得分" in html and "什么降低了得分" in html and "下一步的三件事" in html
    # The same estimate as the self-diagnosis page of this disclosure (no second scoring).
    diagnosis = client.get(f"/enterprises/{draft_a.enterprise.uscc}/self-diagnosis/?source=disclosure")
    assert diagnosis.context["diagnosis"]["score"] == page.context["diagnosis"]["score"]
    response = client.post(f"/disclosures/{draft_a.pk}/publish/")
    assert response["Location"] == f"/ratings/feedback/{draft_a.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "已发布" in html and 'id="feedback-grade"' in html
    client.cookies["django_language"] = "en"
    html = client.get(response["Location"]).content.decode()
    assert "What raised the score" in html and "Next three steps" in html and "治理" not in html


def test_only_the_enterprises_managers_see_the_feedback(client, bob, gov, draft_a):
    for user in (bob, gov):
        client.force_login(user)
        assert client.get(f"/ratings/feedback/{draft_a.pk}/").status_code == 404


# --- deleting a draft -------------------------------------------------------------------------
def test_an_enterprise_deletes_its_draft_after_confirming(alice, draft_a):
    actions.set_value(draft_a, "S-EMP-01", 55, "person", actor=alice)
    client = csrf_client(alice)
    confirm = client.get(f"/disclosures/{draft_a.pk}/delete/")
    html = confirm.content.decode()
    assert confirm.status_code == 200 and 'id="confirm-delete"' in html and "1 个数值" in html
    refused = Client(enforce_csrf_checks=True)
    refused.force_login(alice)
    assert refused.post(f"/disclosures/{draft_a.pk}/delete/").status_code == 403  # no CSRF token
    assert Disclosure.objects.filter(pk=draft_a.pk).exists()
    response = post_with_csrf(client, f"/disclosures/{draft_a.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert not Disclosure.objects.filter(pk=draft_a.pk).exists()
    assert not Datapoint.objects.filter(disclosure_id=draft_a.pk).exists()
    event = AuditEvent.objects.get(action="disclosure.delete")
    assert event.target_id == str(draft_a.pk) and event.actor_id == alice.pk
    assert '"datapoints":1' in event.payload_json and '"year":2024' in event.payload_json


def test_deleting_a_draft_removes_its_evidence_files(alice, draft_a, settings, tmp_path,
                                                     django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    evidence = actions.attach_evidence(
        draft_a, "S-EMP-01", SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF"), actor=alice)
    stored = tmp_path / evidence.file.name
    assert stored.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        summary = actions.delete_draft(draft_a, actor=alice)
    assert summary["evidence"] == [evidence.sha256]
    assert not stored.exists() and not Disclosure.objects.filter(pk=draft_a.pk).exists()


def test_a_submitted_or_published_disclosure_cannot_be_deleted(client, alice, bob, draft_a, fill_basic):
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    client.force_login(alice)
    page = client.get(f"/disclosures/{draft_a.pk}/delete/").content.decode()
    assert 'id="delete-refused"' in page and 'id="confirm-delete"' not in page
    response = client.post(f"/disclosures/{draft_a.pk}/delete/")
    assert response.status_code == 409 and "只有草稿可以删除" in response.content.decode()
    actions.publish_disclosure(draft_a, actor=alice)
    assert client.post(f"/disclosures/{draft_a.pk}/delete/").status_code == 409
    assert Disclosure.objects.filter(pk=draft_a.pk).exists()
    assert not AuditEvent.objects.filter(action="disclosure.delete").exists()
    client.force_login(bob)  # another enterprise's manager: the draft does not exist for him
    assert client.post(f"/disclosures/{draft_a.pk}/delete/").status_code == 404


def test_already_exists_links_to_the_existing_disclosure(client, alice, draft_a):
    client.force_login(alice)
    page = client.post(f"/enterprises/{draft_a.enterprise.uscc}/disclose/", {"year": 2024, "tier": "basic"})
    html = page.content.decode()
    assert "已存在" in html
    assert f'id="existing-disclosure" href="/disclosures/{draft_a.pk}/edit/"' in html
    assert Disclosure.objects.filter(enterprise=draft_a.enterprise).count() == 1


# --- consent from a directory -----------------------------------------------------------------
def test_consent_is_granted_by_picking_a_registered_bank(make_user, alice, bob, draft_a):
    bank = make_user("bank1", Role.BANK, organisation="合成样例银行")
    make_user("gov2", Role.GOVERNMENT, organisation="市政府")
    client = csrf_client(alice)
    page = client.get(f"/enterprises/{draft_a.enterprise.uscc}/consents/")
    html = page.content.decode()
    assert '<select id="grantee" name="grantee" required>' in html
    assert f'<option value="{bank.pk}">合成样例银行 · bank1</option>' in html
    assert "市政府" not in html  # not a grantee role
    assert f'value="{bob.pk}"' in html  # another enterprise's user may be a buyer
    assert f'value="{alice.pk}"' not in html  # not one's own members
    response = post_with_csrf(client, f"/enterprises/{draft_a.enterprise.uscc}/consents/", {
        "grantee": str(bank.pk), "scopes": ["scores"], "valid_until": NEXT_YEAR.isoformat(),
        "purpose": "绿色贷款"})
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.grantee, grant.share_disclosures, grant.share_scores) == (bank, False, True)
    assert AuditEvent.objects.filter(action="access.grant", target_id=str(grant.pk)).exists()
    # A typed user name is no longer a way in.
    response = post_with_csrf(client, f"/enterprises/{draft_a.enterprise.uscc}/consents/", {
        "grantee": "bank1", "scopes": ["scores"], "valid_until": NEXT_YEAR.isoformat(),
        "purpose": "x"})
    assert response.status_code == 200 and "请从列表中选择" in response.content.decode()
    assert Grant.objects.count() == 1


# --- what banks see of drafts -----------------------------------------------------------------
def test_applicants_show_published_figures_and_label_shared_drafts(client, make_user, alice, bob, draft_a, draft_b, fill_basic):
    bank = make_user("bank1", Role.BANK)
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    amendment = actions.amend_disclosure(draft_a, "营收更正", actor=alice)
    actions.set_value(amendment, "G-GEN-01", 7777, "万元", actor=alice)
    actions.set_value(draft_b, "G-GEN-01", 9999, "万元", actor=bob)
    access_actions.grant_access(draft_a.enterprise, bank, scopes=["scores"], valid_until=NEXT_YEAR,
                                purpose="loan", actor=alice)
    access_actions.grant_access(draft_b.enterprise, bank, scopes=["scores"], valid_until=NEXT_YEAR,
                                purpose="loan", actor=bob)
    client.force_login(bank)
    html = client.get("/applicants/").content.decode()
    assert "5000" in html and "7777" not in html and "9999" not in html  # published only
    assert f'href="/disclosures/{amendment.pk}/"' not in html
    assert "最新披露" not in html and "最新已发布披露" in html
    # B shares its drafts explicitly: the draft is listed and its figures are labelled.
    access_actions.grant_access(draft_b.enterprise, bank, scopes=["disclosures"],
                                valid_until=NEXT_YEAR, purpose="loan", actor=bob)
    html = client.get("/applicants/").content.decode()
    row_b = html[html.index(f'data-uscc="{draft_b.enterprise.uscc}"'):]
    row_b = row_b[:row_b.index("</tr>")]
    assert "9999" in row_b and '<span class="tag">草稿</span>' in row_b
    assert f'href="/disclosures/{draft_b.pk}/"' in row_b and "未发布" in row_b


# --- the workspace ----------------------------------------------------------------------------
def test_the_sme_workspace_shows_status_deadline_completeness_grade_and_next_step(client, alice, firm_a):
    from czesg.portal.workspace import deadline_of, reporting_year

    year = reporting_year()
    client.force_login(alice)
    html = client.get("/me/").content.decode()
    block = html[html.index(f'id="todo-{firm_a.uscc}"'):]
    assert 'data-next="start"' in block and "尚未开始" in block
    assert f'href="/enterprises/{firm_a.uscc}/disclose/"' in block and f"开始 {year} 年度披露" in block
    deadline = deadline_of(year)
    assert deadline.day.isoformat() == f"{year + 1}-04-30" and not deadline.confirmed
    assert deadline.day.isoformat() in block and "未确认" in block and "尚未评级" in block
    draft = actions.start_disclosure(firm_a, year, actor=alice)
    actions.set_value(draft, "S-EMP-01", 55, "person", actor=alice)
    html = client.get("/me/").content.decode()
    block = html[html.index(f'id="todo-{firm_a.uscc}"'):]
    assert 'data-next="fill"' in block and "草稿" in block and "已填 1 / 33 项指标" in block
    assert f'href="/disclosures/{draft.pk}/edit/"' in block
    assert f'href="/disclosures/{draft.pk}/delete/"' in block


def test_banks_and_verifiers_land_on_their_work_list_and_government_on_the_city(client, make_user, gov):
    for role, work_list in ((Role.BANK, "/applicants/"), (Role.VERIFIER, "/assurance/")):
        client.force_login(make_user(f"u-{role}", role))
        response = client.get("/me/")
        assert response.status_code == 302 and response["Location"] == work_list
    client.force_login(gov)
    html = client.get("/me/").content.decode()
    assert 'href="/dashboards/city/"' in html and 'href="/ratings/"' in html
    park_admin = make_user("wjadmin", Role.PARK_ADMIN, park_key="wjhnd")
    client.force_login(park_admin)
    assert 'href="/dashboards/zones/wjhnd/"' in client.get("/me/").content.decode()
