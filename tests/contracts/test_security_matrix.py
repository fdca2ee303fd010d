"""Every role against every API endpoint on another tenant's object: no read or write the role
should not have. The object is enterprise B's draft disclosure (bob manages B)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.disclosures.models import Datapoint

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "alice", "bob", "verifier", "bank", "bank_granted_a", "park_admin",
         "government", "platform_admin", "regulator"]
# Who may read B's unpublished draft, and who may change it (through the API).
READERS = {"bob", "government", "platform_admin"}
WRITERS = {"bob", "platform_admin"}


@pytest.fixture
def actors(alice, bob, gov, system, make_user, firm_a):
    from czesg.access.actions import grant_access

    users = {
        "anonymous": None, "alice": alice, "bob": bob, "government": gov,
        "platform_admin": system,
        "verifier": make_user("verifier1", Role.VERIFIER),
        "bank": make_user("bank1", Role.BANK),
        "bank_granted_a": make_user("bank2", Role.BANK),
        "park_admin": make_user("parkadmin", Role.PARK_ADMIN, park_key="czhnd"),
        "regulator": make_user("regulator1", Role.REGULATOR),
    }
    grant_access(firm_a, users["bank_granted_a"], scopes=["disclosures", "evidence"],
                 valid_until=timezone.localdate() + dt.timedelta(days=30), purpose="loan",
                 actor=alice)
    return users


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def endpoints(draft):
    uscc = draft.enterprise.uscc
    return [
        ("read", "get", f"/api/v1/disclosures/{draft.pk}", None),
        ("write", "put", f"/api/v1/disclosures/{draft.pk}/datapoints/S-EMP-01", {"value": 7}),
        ("write", "post", f"/api/v1/disclosures/{draft.pk}/submit", None),
        ("write", "post", f"/api/v1/disclosures/{draft.pk}/publish", None),
        ("list", "get", f"/api/v1/enterprises/{uscc}/disclosures", None),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_role_against_another_tenants_draft(role, actors, draft_b, fill_basic, bob):
    fill_basic(draft_b, bob)
    client = client_for(actors[role])
    values_before = list(Datapoint.objects.order_by("pk").values_list("pk", "value_number"))
    audit_before = AuditEvent.objects.count()
    for kind, verb, url, body in endpoints(draft_b):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(client, verb)(url, **kwargs)
        assert response.status_code < 500, (role, url, response.status_code)
        if kind == "read":
            expected = 200 if role in READERS else 404
            assert response.status_code == expected, (role, url, response.status_code)
        elif kind == "list":
            ids = [d["id"] for d in response.json()]
            assert (draft_b.pk in ids) == (role in READERS), (role, url)
        elif role not in WRITERS:
            assert response.status_code in (401, 403, 404), (role, url, response.status_code)
    if role not in WRITERS:
        assert list(Datapoint.objects.order_by("pk").values_list("pk", "value_number")) == values_before
        assert AuditEvent.objects.count() == audit_before
        draft_b.refresh_from_db()
        assert draft_b.state == "draft"


@pytest.mark.parametrize("role", ROLES)
def test_public_endpoints_answer_every_role(role, actors, firm_b):
    client = client_for(actors[role])
    for url in ("/api/v1/indicators", "/api/v1/enterprises", f"/api/v1/enterprises/{firm_b.uscc}",
                f"/api/v1/enterprises/{firm_b.uscc}/profile", "/api/v1/datapoints"):
        assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_consents_list_only_the_callers_own(role, actors, firm_a):
    response = client_for(actors[role]).get("/api/v1/consents")
    if role == "anonymous":
        assert response.status_code == 401
    else:
        expected = [firm_a.uscc] if role == "bank_granted_a" else []
        assert [c["enterprise"] for c in response.json()["items"]] == expected


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_another_tenants_draft(role, actors, draft_b):
    client = client_for(actors[role])
    pages = [f"/disclosures/{draft_b.pk}/edit/", f"/disclosures/{draft_b.pk}/review/",
             f"/disclosures/{draft_b.pk}/template/", f"/disclosures/{draft_b.pk}/upload/",
             f"/enterprises/{draft_b.enterprise.uscc}/consents/",
             f"/enterprises/{draft_b.enterprise.uscc}/disclose/"]
    for url in pages:
        status = client.get(url).status_code
        if role == "bob":
            assert status == 200, (role, url)
        else:
            assert status in (302, 404), (role, url, status)  # sign-in redirect or not found


# --------------------------------------------------------------------------------------------
# Carbon and ratings endpoints against enterprise B's objects

CARBON_ROWS = [{"activity": "electricity", "quantity": 1000, "unit": "kWh"}]
# Who may read B's stored calculation, and who may calculate for B.
CARBON_READERS = {"bob", "platform_admin"}
CARBON_WRITERS = {"bob", "platform_admin"}
# Who may read B's rating explanation and green score (its grade and score are public), and who
# may start and follow a city rating run.
EXPLANATION_READERS = {"bob", "government", "platform_admin"}
RUN_STARTERS = {"government", "platform_admin"}


@pytest.fixture
def rated_b(draft_b, fill_basic, bob, gov):
    from czesg.disclosures import actions
    from czesg.ratings import actions as ratings

    fill_basic(draft_b, bob)
    actions.submit_disclosure(draft_b, actor=bob)
    actions.publish_disclosure(draft_b, actor=bob)
    run = ratings.start_rating(draft_b.year, actor=gov, enqueue=False)
    ratings.run_rating(run.pk)
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("role", ROLES)
def test_role_against_another_tenants_carbon_calculation(role, actors, firm_b, bob):
    from czesg.carbon import actions as carbon
    from czesg.carbon.models import CarbonCalculation

    stored = carbon.calculate_for(firm_b, 2024, CARBON_ROWS, gwp_set=None, actor=bob)
    client = client_for(actors[role])
    response = client.get(f"/api/v1/carbon/calculations/{stored.pk}")
    expected = 200 if role in CARBON_READERS else (401 if role == "anonymous" else 404)
    assert response.status_code == expected, (role, response.status_code)
    if expected == 200:
        assert response.json()["uscc"] == firm_b.uscc

    count, audit_before = CarbonCalculation.objects.count(), AuditEvent.objects.count()
    response = client.post("/api/v1/carbon/calculate", data=json.dumps(
        {"uscc": firm_b.uscc, "year": 2024, "rows": CARBON_ROWS}), content_type="application/json")
    assert response.status_code < 500, (role, response.status_code)
    if role in CARBON_WRITERS:
        assert response.status_code == 200 and CarbonCalculation.objects.count() == count + 1
    else:
        assert response.status_code in (401, 403, 404), (role, response.status_code)
        assert CarbonCalculation.objects.count() == count
        assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("role", ROLES)
def test_role_against_another_tenants_rating(role, actors, rated_b, firm_b):
    from czesg.ratings.models import RatingRun

    client = client_for(actors[role])
    body = client.get(f"/api/v1/ratings/{firm_b.uscc}").json()
    assert body["grade"] and body["score"] is not None  # grade and score are public
    assert (body.get("explanation") is not None) == (role in EXPLANATION_READERS), role
    assert (body.get("green_score") is not None) == (role in EXPLANATION_READERS), role
    assert client.get(f"/api/v1/ratings/{firm_b.uscc}/history").status_code == 200

    status = client.get(f"/api/v1/ratings/runs/{rated_b.pk}").status_code
    assert status == (200 if role in RUN_STARTERS else 401 if role == "anonymous" else 403), (
        role, status)
    runs, audit_before = RatingRun.objects.count(), AuditEvent.objects.count()
    response = client.post("/api/v1/ratings/runs", data=json.dumps({"year": rated_b.year - 1}),
                           content_type="application/json")
    if role in RUN_STARTERS:
        assert response.status_code == 202 and RatingRun.objects.count() == runs + 1
    else:
        assert response.status_code in (401, 403), (role, response.status_code)
        assert RatingRun.objects.count() == runs and AuditEvent.objects.count() == audit_before


# --------------------------------------------------------------------------------------------
# Buyers' requests and supplier scorecards: B (bob) asks A (alice) for data

# Who may open B's pages as a buyer and A's pages as a supplier (the pages of one enterprise are
# its managers' and the platform administrators').
BUYER_PAGE_READERS = {"bob", "platform_admin"}
SUPPLIER_PAGE_READERS = {"alice", "platform_admin"}


@pytest.fixture
def request_b_to_a(firm_a, firm_b, bob):
    from czesg.supplychain.actions import send_request

    sent = send_request(firm_b, template="battery", title="电芯数据", year=2024,
                        indicators=["E-WAT-01"], suppliers=[{"uscc": firm_a.uscc}],
                        due_date=timezone.localdate() + dt.timedelta(days=10), actor=bob)
    return sent, sent.recipients.get()


@pytest.mark.parametrize("role", ROLES)
def test_role_against_supplier_request_pages(role, actors, firm_a, firm_b, request_b_to_a):
    from czesg.supplychain.models import RequestRecipient, RequestState, SupplierWeighting

    sent, recipient = request_b_to_a
    client = client_for(actors[role])
    buyer_pages = [f"/enterprises/{firm_b.uscc}/supplier-requests/",
                   f"/enterprises/{firm_b.uscc}/supplier-requests/{sent.pk}/",
                   f"/enterprises/{firm_b.uscc}/suppliers/",
                   f"/enterprises/{firm_b.uscc}/suppliers/export.xlsx",
                   f"/enterprises/{firm_b.uscc}/suppliers/weighting/"]
    supplier_pages = [f"/enterprises/{firm_a.uscc}/buyer-requests/",
                      f"/enterprises/{firm_a.uscc}/buyer-requests/{recipient.pk}/"]
    for pages, readers in ((buyer_pages, BUYER_PAGE_READERS),
                           (supplier_pages, SUPPLIER_PAGE_READERS)):
        for url in pages:
            status = client.get(url).status_code
            expected = (200,) if role in readers else (302, 404)
            assert status in expected, (role, url, status)
    audit_before = AuditEvent.objects.count()
    answer = client.post(f"/enterprises/{firm_a.uscc}/buyer-requests/{recipient.pk}/",
                         {"answer": "1", "answer-E-WAT-01": "5", "consent": "on"})
    assert answer.status_code < 500, (role, answer.status_code)
    state = RequestRecipient.objects.get(pk=recipient.pk).state
    if role in SUPPLIER_PAGE_READERS:
        assert state == RequestState.SHARED, role
    else:
        assert answer.status_code in (302, 404) and state == RequestState.OPEN, role
        assert AuditEvent.objects.count() == audit_before
    weights = client.post(f"/enterprises/{firm_b.uscc}/suppliers/weighting/",
                          {"rating": "1", "green": "0", "data": "0", "assured": "0",
                           "footprint": "0"})
    assert weights.status_code == (302 if role in BUYER_PAGE_READERS else
                                   302 if role == "anonymous" else 404), (role, weights)
    assert SupplierWeighting.objects.filter(buyer=firm_b).count() == (
        1 if role in BUYER_PAGE_READERS else 0), role


@pytest.mark.parametrize("role", ROLES)
def test_role_against_supplier_request_endpoints(role, actors, firm_a, firm_b, request_b_to_a):
    """The supply-chain API answers B's managers and the platform administrators as B's buyer
    pages do; every other role gets 401 (anonymous) or 404 and writes nothing."""
    from czesg.supplychain.models import RequestRead, SupplierRequest

    sent, _ = request_b_to_a
    client = client_for(actors[role])
    base = f"/api/v1/supplychain/buyers/{firm_b.uscc}"
    for url in (f"{base}/requests", f"{base}/requests/{sent.pk}",
                f"{base}/requests/{sent.pk}/suppliers", f"{base}/scorecards"):
        status = client.get(url).status_code
        expected = (200 if role in BUYER_PAGE_READERS else 401 if role == "anonymous"
                    else 404)
        assert status == expected, (role, url, status)
    audit_before = AuditEvent.objects.count()
    response = client.post(f"{base}/requests", content_type="application/json", data=json.dumps({
        "template": "battery", "title": "再次请求", "year": 2024, "indicators": ["E-WAT-01"],
        "suppliers": [{"uscc": firm_a.uscc}],
        "due_date": (timezone.localdate() + dt.timedelta(days=10)).isoformat()}))
    if role in BUYER_PAGE_READERS:
        assert response.status_code == 201, (role, response.status_code)
        assert SupplierRequest.objects.filter(buyer=firm_b).count() == 2
    else:
        assert response.status_code in (401, 404), (role, response.status_code)
        assert SupplierRequest.objects.filter(buyer=firm_b).count() == 1
        assert AuditEvent.objects.count() == audit_before
        assert RequestRead.objects.count() == 0
    # fetching from a partner B has not registered: 404 even for B's managers, nothing called
    status = client.post(f"{base}/partners/1/fetch").status_code
    assert status == (401 if role == "anonymous" else 404), (role, status)


# Green finance against enterprise B's financing request (sent to the bank "bank" only)

FINANCE_READERS = {"bob", "bank", "government", "platform_admin"}


@pytest.fixture
def finance_request_b(actors, firm_b, bob):
    from czesg.finance import actions as finance

    finance.publish_product(name="常绿贷", kind="changlv", min_amount="10", max_amount="500",
                            min_term_months="6", max_term_months="36", rules=[], discounts=[],
                            actor=actors["bank"])
    return finance.submit_request(firm_b, amount="100", term_months="12",
                                  purpose="energy_saving", project="余热回收",
                                  banks=[actors["bank"]], actor=bob)


@pytest.mark.parametrize("role", ROLES)
def test_role_against_another_tenants_financing_request(role, actors, finance_request_b, firm_b):
    from czesg.finance.models import Recipient

    client = client_for(actors[role])
    pk = finance_request_b.pk
    for url in (f"/finance/requests/{pk}/", f"/api/v1/finance/requests/{pk}"):
        status = client.get(url).status_code
        if role in FINANCE_READERS:
            assert status == 200, (role, url, status)
        else:
            assert status in (302, 401, 404), (role, url, status)
    listed = client.get("/api/v1/finance/requests")
    if role == "anonymous":
        assert listed.status_code == 401
    else:
        assert (pk in [r["id"] for r in listed.json()["items"]]) == (role in FINANCE_READERS)
    for url in (f"/enterprises/{firm_b.uscc}/financing/",
                f"/api/v1/finance/enterprises/{firm_b.uscc}/eligibility"):
        status = client.get(url).status_code
        assert status == (200 if role == "bob" else 302 if url.startswith("/ent") and
                          role == "anonymous" else 401 if role == "anonymous" else 404), (
            role, url, status)
    products = client.get("/finance/products/").status_code
    assert products == (302 if role == "anonymous" else 200), (role, products)

    audit_before = AuditEvent.objects.count()
    for body in ({"verb": "offer", "amount": "50", "rate": "3"}, {"verb": "decline",
                                                                   "reason": "no"},
                 {"verb": "withdraw"}):
        response = client.post(f"/finance/requests/{pk}/act/", body)
        assert response.status_code < 500, (role, body, response.status_code)
        if role not in FINANCE_READERS:
            assert response.status_code in (302, 404), (role, body, response.status_code)
    recipient = Recipient.objects.get(request=finance_request_b)
    finance_request_b.refresh_from_db()
    changed = recipient.state != "pending" or finance_request_b.state != "open"
    assert changed == (role in ("bank", "bob", "platform_admin")), (role, recipient.state,
                                                                     finance_request_b.state)
    if role not in ("bank", "bob", "platform_admin"):
        assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("role", ROLES)
def test_role_against_another_tenants_targets(role, actors, firm_b, bob):
    from czesg.finance import actions as finance
    from czesg.finance.models import Target

    finance.set_target(firm_b, indicator_code="E-GHG-01", base_year=2020, base_value=1000,
                       target_year=2030, target_value=700, actor=bob)
    client = client_for(actors[role])
    url = f"/enterprises/{firm_b.uscc}/targets/"
    status = client.get(url).status_code
    assert status == (200 if role == "bob" else 302 if role == "anonymous" else 404), (role, status)
    response = client.post(url, {"indicator_code": "E-GHG-01", "base_year": "2020",
                                 "base_value": "5", "target_year": "2030", "target_value": "1"})
    assert response.status_code < 500
    assert Target.objects.count() == (2 if role == "bob" else 1), role
    # the public profile and label endpoint answer every role
    assert client.get(f"/enterprises/{firm_b.uscc}/").status_code == 200
    assert client.get(f"/api/v1/finance/labels/{firm_b.uscc}").status_code == 404  # none yet


@pytest.mark.parametrize("role", ROLES)
def test_loan_book_page_is_the_banks_own(role, actors):
    status = client_for(actors[role]).get("/finance/loan-book/").status_code
    expected = 200 if role in ("bank", "bank_granted_a") else 302 if role == "anonymous" else 404
    assert status == expected, (role, status)
    response = client_for(actors[role]).post("/finance/loan-book/", {"year": "2024"})
    assert response.status_code < 500
    from czesg.finance.models import LoanBook

    assert LoanBook.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_role_against_a_banks_temperature_and_disclosure(role, actors, firm_b):
    """The portfolio temperature and the JR/T 0227 disclosure are the bank's own: every other
    role is sent to log in, refused (401) or answered 404."""
    import io

    from czesg.finance.loanbook import import_loan_book

    import_loan_book(io.BytesIO(
        ("exposure,uscc,instrument,outstanding,currency,as_of,evic,equity_debt\n"
         f"L1,{firm_b.uscc},term_loan,1000000,CNY,2024-12-31,,\n").encode()),
        "book.csv", year=2024, actor=actors["bank"])
    from openpyxl import load_workbook

    client = client_for(actors[role])
    other_bank = role != "bank" and getattr(actors[role], "role", None) == "bank"
    for url in ("/finance/temperature/", "/api/v1/finance/temperature?year=2024",
                "/finance/disclosure.pdf?year=2024", "/finance/disclosure.xlsx?year=2024"):
        status = client.get(url).status_code
        if role == "bank" or (other_bank and "/api/" not in url):
            assert status == 200, (role, url, status)  # another bank: its own, empty
        else:
            assert status in (302, 401, 404), (role, url, status)
    if other_bank:
        book = load_workbook(io.BytesIO(client.get("/finance/disclosure.xlsx?year=2024").content))
        about = {row[1]: row[2] for row in book["说明 About"].iter_rows(values_only=True)}
        assert about["Loan book outstanding (10k CNY)"] == "—"
        assert 'id="temperature"' not in client.get("/finance/temperature/").content.decode()


# --------------------------------------------------------------------------------------------
# Reports read for figures (/api/v1/extraction): B's own report, read by bob into B's disclosure

# Who may see B's report and its candidates (as on the pages), who may decide them (the run's
# figures go to B's disclosure: its managers only; an analyst's decisions go to the records), and
# who may upload a report of B (B is not listed: no analyst reads it).
EXTRACTION_READERS = {"bob", "government", "platform_admin"}
EXTRACTION_DECIDERS = {"bob"}
EXTRACTION_UPLOADERS = {"bob"}


@pytest.mark.parametrize("role", ROLES)
def test_role_against_another_tenants_report_read_for_figures(role, actors, firm_b, bob):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from czesg.bench.extraction_corpus import en_table
    from czesg.extraction import actions as extraction
    from czesg.extraction.models import Candidate, ExtractionRun

    pdf = en_table().pdf
    run = extraction.read_report(firm_b, 2024, pdf, "report.pdf", actor=bob)
    candidate = run.candidates.order_by("id").first()
    client = client_for(actors[role])
    status = client.get(f"/api/v1/extraction/reports/{run.pk}").status_code
    expected = 200 if role in EXTRACTION_READERS else (401 if role == "anonymous" else 404)
    assert status == expected, (role, status)
    listed = client.get("/api/v1/extraction/reports")
    if role == "anonymous":
        assert listed.status_code == 401
    else:
        assert (run.pk in [r["id"] for r in listed.json()]) == (role in EXTRACTION_READERS), role

    runs, audit_before = ExtractionRun.objects.count(), AuditEvent.objects.count()
    response = client.post(f"/api/v1/extraction/candidates/{candidate.pk}/reject",
                           data=json.dumps({"note": "x"}), content_type="application/json")
    assert response.status_code < 500, (role, response.status_code)
    if role in EXTRACTION_DECIDERS:
        assert response.status_code == 200
    else:
        assert response.status_code in (401, 403, 404), (role, response.status_code)
        assert Candidate.objects.get(pk=candidate.pk).state == "pending"
        assert AuditEvent.objects.count() == audit_before
    response = client.post("/api/v1/extraction/reports", data={
        "uscc": firm_b.uscc, "year": "2024",
        "file": SimpleUploadedFile("b.pdf", pdf, content_type="application/pdf")})
    assert response.status_code < 500, (role, response.status_code)
    if role in EXTRACTION_UPLOADERS:
        assert response.status_code == 201 and ExtractionRun.objects.count() == runs + 1
    else:
        assert response.status_code in (401, 403, 404), (role, response.status_code)
        assert ExtractionRun.objects.count() == runs


@pytest.mark.parametrize("role", ROLES)
def test_role_against_the_green_identification_of_another_tenants_request(
        role, actors, finance_request_b):
    from czesg.finance.models import GreenIdentification

    client = client_for(actors[role])
    audit_before = AuditEvent.objects.count()
    response = client.post(f"/finance/requests/{finance_request_b.pk}/act/", {
        "verb": "identify", "code": "energy_saving", "evidence": "余热回收可研"})
    assert response.status_code in (302, 404), (role, response.status_code)
    identified = GreenIdentification.objects.filter(request=finance_request_b).exists()
    assert identified == (role in FINANCE_READERS), role
    if role not in FINANCE_READERS:
        assert AuditEvent.objects.count() == audit_before


SUPERVISORS = {"government", "platform_admin", "regulator"}


@pytest.mark.parametrize("role", ROLES)
def test_supervision_view_is_for_government_and_regulators(role, actors, finance_request_b):
    client = client_for(actors[role])
    page = client.get("/finance/supervision/").status_code
    assert page == (200 if role in SUPERVISORS else 302 if role == "anonymous" else 404), (
        role, page)
    api = client.get("/api/v1/finance/supervision").status_code
    assert api == (200 if role in SUPERVISORS else 401 if role == "anonymous" else 404), (
        role, api)
