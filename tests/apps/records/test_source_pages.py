"""The record source pages: sources with their last imports, a source's imports and upload form,
an import's refused rows, the account table, and large files read in the background."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from czesg.engine.kernel.identifiers import synthetic_uscc

DOCS = Path(__file__).resolve().parents[3] / "docs" / "records"
A, B, C = synthetic_uscc("320402", 1), synthetic_uscc("320402", 2), synthetic_uscc("320411", 3)


@pytest.fixture
def registered(make_enterprise):
    return [make_enterprise(uscc=code, division_code=code[2:8]) for code in (A, B, C)]


@pytest.fixture
def browser(gov):
    client = Client()
    client.force_login(gov)
    return client


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DOCS / name).read_bytes(), content_type="text/csv")


def test_a_register_file_read_on_its_page_shows_the_summary_and_the_refused_row(
        browser, gov, registered):
    from czesg.audit.models import AuditEvent
    from czesg.records.models import Record, RecordImport

    page = browser.get("/records/sources/installation_register/").content.decode()
    # Only the adapters of the source's kind are offered.
    assert 'value="installation-emissions"' in page and 'value="env-credit"' not in page
    assert "electricity-monthly" not in page
    response = browser.post("/records/sources/installation_register/", {
        "adapter": "installation-emissions", "file": upload("installation-emissions.csv")})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-added="4"' in page and 'data-refused="1"' in page
    assert '<tr data-row="6"><td>6</td><td>value</td>' in page
    assert Record.objects.count() == 4
    log = RecordImport.objects.get()
    assert log.imported_by == gov
    assert AuditEvent.objects.filter(action="records.import", target_id=str(log.pk)).exists()
    assert f'data-import="{log.pk}"' in page

    listing = browser.get("/records/sources/").content.decode()
    assert 'data-source="installation_register"' in listing
    assert "installation-emissions.csv" in listing
    detail = browser.get(f"/records/imports/{log.pk}/").content.decode()
    assert '<tr data-row="6"><td>6</td><td>value</td>' in detail
    assert "Not Reported" in detail


def test_refused_rows_are_shown_in_chinese(browser, registered):
    from czesg.records.models import RecordImport

    browser.post("/records/sources/installation_register/", {
        "adapter": "installation-emissions", "file": upload("installation-emissions.csv")})
    log = RecordImport.objects.get()
    browser.cookies["django_language"] = "zh-hans"
    detail = browser.get(f"/records/imports/{log.pk}/",
                         HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "表示没有数值" in detail


def test_an_adapter_of_another_kind_is_refused_on_the_page(browser, registered):
    from czesg.records.models import RecordImport

    response = browser.post("/records/sources/installation_register/", {
        "adapter": "env-credit", "file": upload("env-credit.csv")})
    assert response.status_code == 200
    assert 'id="id_adapter"' in response.content.decode()
    assert RecordImport.objects.count() == 0


def test_a_utility_page_loads_the_account_table_then_the_monthly_file(browser, registered):
    from czesg.records.models import AccountLink, Record

    page = browser.get("/records/sources/utility_electricity/").content.decode()
    assert 'id="account-table-form"' in page
    response = browser.post("/records/sources/utility_electricity/accounts/",
                            {"file": upload("account-links.csv")})
    assert 'data-added="4"' in response.content.decode()
    assert AccountLink.objects.count() == 4
    response = browser.post("/records/sources/utility_electricity/", {
        "adapter": "electricity-monthly", "file": upload("electricity-monthly.csv")})
    page = response.content.decode()
    assert 'data-added="3"' in page and '<tr data-row="38"><td>38</td><td>month</td>' in page
    assert Record.objects.filter(indicator_code="E-ENG-01-ELEC").count() == 3


def test_a_large_file_is_read_in_the_background_and_its_row_polls(
        browser, gov, registered, django_capture_on_commit_callbacks, monkeypatch):
    from czesg.audit.models import AuditEvent
    from czesg.records import uploads
    from czesg.records.models import GovernmentRecord, RecordUpload

    monkeypatch.setattr(uploads, "SYNC_LIMIT", 10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = browser.post("/records/sources/env_credit_evaluation/", {
            "adapter": "env-credit", "file": upload("env-credit.csv")})
    assert response.status_code == 302
    queued = RecordUpload.objects.get()
    assert queued.state == "queued" and GovernmentRecord.objects.count() == 0
    page = browser.get("/records/sources/env_credit_evaluation/").content.decode()
    assert f'hx-get="/records/uploads/{queued.pk}/"' in page and 'hx-trigger="every 2s"' in page
    assert AuditEvent.objects.filter(action="records.queue_import").count() == 1
    for callback in callbacks:  # the commit: the task runs (immediate backend in tests)
        callback()
    queued.refresh_from_db()
    assert (queued.state, queued.result.added, bytes(queued.data)) == ("done", 4, b"")
    assert GovernmentRecord.objects.count() == 4
    row = browser.get(f"/records/uploads/{queued.pk}/").content.decode()
    assert 'data-state="done"' in row and "hx-get" not in row
    assert f"/records/imports/{queued.result_id}/" in row


def test_only_government_users_see_the_source_pages(make_user, registered):
    client = Client()
    client.force_login(make_user("someone"))
    for url in ("/records/sources/", "/records/sources/utility_gas/"):
        assert client.get(url).status_code == 403
    assert Client().get("/records/sources/").status_code == 302  # to the sign-in page
    gov_client = Client()
    from czesg.accounts.models import Role

    gov_client.force_login(make_user("officer", Role.GOVERNMENT))
    assert gov_client.get("/records/sources/nonexistent/").status_code == 404


def test_the_api_lists_a_sources_imports_to_government_users_only(browser, make_user, registered):
    browser.post("/records/sources/utility_electricity/accounts/",
                 {"file": upload("account-links.csv")})
    browser.post("/records/sources/utility_electricity/", {
        "adapter": "electricity-monthly", "file": upload("electricity-monthly.csv")})
    answer = browser.get("/api/v1/records/sources/utility_electricity/imports").json()
    assert answer["count"] == 2
    assert [(i["adapter"], i["added"], i["refused"], i["imported_by"])
            for i in answer["items"]] == [("electricity-monthly", 3, 1, "gov"),
                                          ("account-links", 4, 0, "gov")]
    assert browser.get("/api/v1/records/sources/nonexistent/imports").status_code == 404
    other = Client()
    other.force_login(make_user("someone"))
    assert other.get("/api/v1/records/sources/utility_electricity/imports").status_code == 403
    assert Client().get("/api/v1/records/sources/utility_electricity/imports").status_code == 401


@pytest.mark.parametrize("role, shown", [
    ("government", True), ("platform_admin", True), ("enterprise", False), ("bank", False),
    ("verifier", False), ("park_admin", False),
])
def test_the_main_navigation_links_the_record_sources_for_government_users_only(
        role, shown, make_user, client):
    client.force_login(make_user(f"nav-{role}", role, park_key="czhnd" if role == "park_admin"
                                 else ""))
    page = client.get("/").content.decode()
    link = '<a id="nav-record-sources" href="/records/sources/">记录来源</a>'
    assert (link in page) is shown
    # Where it is shown, it leads to the page; where it is not, the page is refused anyway.
    assert client.get("/records/sources/").status_code == (200 if shown else 403)
