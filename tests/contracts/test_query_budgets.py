"""Query budgets: every list page and list endpoint answers within a fixed number of queries, and
that number does not grow with the rows it lists (no N+1).

Each row of :data:`BUDGETS` names who looks, what they open and which data grows under it. The
test builds that data through the apps' actions at :data:`SMALL` rows, counts the queries of one
request, grows it to :data:`LARGE` rows and counts again: both counts must be within the row's
budget, and the larger may exceed the smaller by at most :data:`GROWTH`. Caches are cleared
before each counted request, so that the count is the one of a cold page.

A new list page or list endpoint adds one row. :func:`test_every_list_page_has_a_budget` holds
the table against the URL conf (every page route is declared a list page or not) and
:func:`test_every_list_endpoint_has_a_budget` against the OpenAPI schema (every GET that answers
an array or a page), so that a list added without a budget fails. Pages are named by their path,
not by their URL name, so that moving a view between apps keeps its row.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, resolve

from czesg.portal.opendata import files_folder
from tests.conftest import BASIC_NOT_APPLICABLE, BASIC_VALUES, uscc_for

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 8
# How many more queries the larger data set may take: a per-row query adds LARGE - SMALL.
GROWTH = 2
YEAR = 2025
PARK = "czhnd"


@dataclass(frozen=True)
class Budget:
    """One list page or endpoint: who opens it, its path, the data that grows its rows and the
    most queries it may take. ``path`` is filled from :meth:`World.fields`; for API rows it is
    the operation's path as the OpenAPI schema writes it."""

    role: str
    path: str
    grows: str
    budget: int

    def __str__(self) -> str:
        return f"{self.role}:{self.path}"


# The table: (role, path, growing data, budget). A real N+1 left in place is marked
# `# N+1: <what>` on its row; there is none today.
BUDGETS: list[Budget] = [
    # --- public pages ---------------------------------------------------------------------------
    Budget("anonymous", "/search/", "enterprises", 5),
    Budget("anonymous", "/compare/?{compare}", "enterprises", 5),
    Budget("anonymous", "/benchmark/?indicator=E-GHG-05", "enterprises", 6),
    Budget("anonymous", "/open-data/", "years", 3),
    Budget("anonymous", "/open-data/{year}.csv", "enterprises", 5),  # + the data version
    Budget("anonymous", "/open-data/dictionary/", "nothing", 2),
    Budget("anonymous", "/enterprises/{uscc}/", "years", 8),  # + carbon label, targets
    # --- signed-in pages ------------------------------------------------------------------------
    Budget("government", "/me/", "enterprises", 6),
    Budget("enterprise", "/me/", "managed", 12),
    Budget("enterprise", "/enterprises/{uscc}/consents/", "consents", 9),
    Budget("enterprise", "/account/tokens/", "tokens", 5),
    Budget("enterprise", "/enterprises/{uscc}/carbon/", "calculations", 7),
    Budget("enterprise", "/enterprises/{uscc}/products/", "products", 8),
    Budget("enterprise", "/enterprises/{uscc}/products/{product}/", "footprints", 8),
    Budget("enterprise", "/enterprises/{uscc}/pact/", "pact_clients", 10),  # + partners, requests
    Budget("enterprise", "/enterprises/{uscc}/supplier-requests/", "supplier_requests", 6),
    Budget("enterprise", "/enterprises/{uscc}/supplier-requests/{request}/",
           "request_recipients", 7),
    Budget("enterprise", "/enterprises/{uscc}/buyer-requests/", "buyer_requests", 6),
    Budget("enterprise", "/enterprises/{uscc}/buyer-requests/{recipient}/", "request_reads", 10),
    # + the PACT partners and the footprints imported from them
    Budget("enterprise", "/enterprises/{uscc}/suppliers/", "shared_suppliers", 15),
    Budget("enterprise", "/enterprises/{uscc}/suppliers/export.xlsx", "shared_suppliers", 13),
    Budget("enterprise", "/enterprises/{uscc}/suppliers/weighting/", "weightings", 7),
    Budget("enterprise", "/enterprises/{uscc}/rating/", "runs", 13),
    Budget("bank", "/applicants/", "grants", 8),
    Budget("government", "/ratings/", "runs", 11),
    Budget("government", "/ratings/records/", "records", 5),
    Budget("government", "/records/sources/", "imports", 8),
    Budget("government", "/records/sources/utility_electricity/", "imports", 8),
    Budget("enterprise", "/extraction/", "reports", 8),
    # --- dashboards -----------------------------------------------------------------------------
    # the page adds the grades by tier and the counts of assured values to the export's reads
    # +2: green finance panel; +1: the data version the assured breakdown is kept under
    Budget("government", "/dashboards/city/", "enterprises", 20),
    Budget("government", "/dashboards/city/export.xlsx", "enterprises", 16),
    Budget("government", "/dashboards/zones/", "enterprises", 14),
    Budget("government", "/dashboards/zones/export.xlsx", "enterprises", 14),
    Budget("government", "/dashboards/zones/{park}/", "enterprises", 15),
    Budget("government", "/dashboards/zones/{park}/export.xlsx", "enterprises", 15),
    Budget("government", "/dashboards/zones/{park}/statistics/", "statistics", 9),
    Budget("government", "/dashboards/tasks/", "progress", 7),
    Budget("government", "/dashboards/tasks/export.xlsx", "progress", 8),
    Budget("government", "/dashboards/tasks/{task}/", "progress", 7),
    Budget("government", "/dashboards/departments/", "departments", 6),
    Budget("government", "/dashboards/registries/", "registry", 9),
    Budget("government", "/dashboards/registries/{registry}/", "registry", 5),
    # --- assurance ------------------------------------------------------------------------------
    Budget("verifier", "/assurance/", "engagements", 8),
    Budget("government", "/assurance/firms/", "firms", 8),
    # --- green finance --------------------------------------------------------------------------
    Budget("bank", "/finance/products/", "fin_products", 5),
    Budget("bank", "/finance/requests/", "fin_requests", 5),
    Budget("enterprise", "/enterprises/{uscc}/financing/", "fin_products", 9),
    Budget("enterprise", "/enterprises/{uscc}/targets/", "targets", 8),
    Budget("bank", "/finance/loan-book/", "exposures", 11),
    Budget("bank", "/finance/temperature/", "exposures", 12),
    Budget("bank", "/finance/disclosure.xlsx", "exposures", 14),
    Budget("bank", "/finance/disclosure.pdf", "exposures", 14),
    Budget("government", "/finance/supervision/", "fin_granted", 8),
    # --- API ------------------------------------------------------------------------------------
    Budget("anonymous", "/api/v1/carbon/activities", "nothing", 2),
    Budget("anonymous", "/api/v1/carbon/factor-sets", "nothing", 2),
    Budget("anonymous", "/api/v1/carbon/factor-sets/{version}/factors", "nothing", 2),
    Budget("bank", "/api/v1/consents", "grants", 5),
    Budget("anonymous", "/api/v1/datapoints", "enterprises", 4),
    Budget("anonymous", "/api/v1/enterprises", "enterprises", 4),
    Budget("anonymous", "/api/v1/enterprises/{uscc}/disclosures", "years", 3),
    Budget("anonymous", "/api/v1/enterprises/{uscc}/figures", "years", 5),
    Budget("enterprise", "/api/v1/enterprises/{uscc}/figures", "years", 10),
    Budget("anonymous", "/api/v1/indicators", "nothing", 2),
    Budget("anonymous", "/api/v1/ratings/distribution", "rated", 4),
    Budget("anonymous", "/api/v1/ratings/{uscc}/history", "runs", 4),
    Budget("government", "/api/v1/records/sources/{code}/imports", "imports", 6),
    Budget("enterprise", "/api/v1/extraction/reports", "reports", 6),
    Budget("government", "/api/v1/extraction/reports", "reports", 6),
    Budget("bank", "/api/v1/finance/products", "fin_products", 5),
    Budget("bank", "/api/v1/finance/requests", "fin_requests", 5),
    Budget("enterprise", "/api/v1/finance/enterprises/{uscc}/eligibility", "fin_products", 8),
    Budget("bank", "/api/v1/finance/temperature", "exposures", 12),
    Budget("government", "/api/v1/finance/supervision", "fin_granted", 8),
    Budget("enterprise", "/api/v1/supplychain/buyers/{uscc}/requests", "supplier_requests", 6),
    Budget("enterprise", "/api/v1/supplychain/buyers/{uscc}/requests/{request_id}/suppliers",
           "request_recipients", 6),
    Budget("enterprise", "/api/v1/supplychain/buyers/{uscc}/scorecards", "shared_suppliers", 11),
]

# Every page route (API and admin aside) is either a list page, with a row above, or not.
LIST_PAGES = {
    "search/", "compare/", "benchmark/", "open-data/", "open-data/<>.<>", "open-data/dictionary/",
    "enterprises/<>/", "me/", "enterprises/<>/consents/", "account/tokens/",
    "enterprises/<>/carbon/", "enterprises/<>/rating/", "applicants/", "ratings/",
    "ratings/records/", "enterprises/<>/products/", "enterprises/<>/products/<>/",
    "enterprises/<>/pact/", "enterprises/<>/supplier-requests/",
    "enterprises/<>/supplier-requests/<>/", "enterprises/<>/buyer-requests/",
    "enterprises/<>/buyer-requests/<>/", "enterprises/<>/suppliers/",
    "enterprises/<>/suppliers/export.xlsx", "enterprises/<>/suppliers/weighting/",
    "dashboards/city/", "dashboards/city/export.<>", "dashboards/zones/",
    "dashboards/zones/export.<>", "dashboards/zones/<>/", "dashboards/zones/<>/export.<>",
    "dashboards/zones/<>/statistics/", "dashboards/tasks/", "dashboards/tasks/export.<>",
    "dashboards/tasks/<>/", "dashboards/departments/", "dashboards/registries/",
    "dashboards/registries/<>/", "records/sources/", "records/sources/<>/",
    "assurance/", "assurance/firms/", "extraction/",
    "finance/products/", "finance/requests/", "enterprises/<>/financing/",
    "enterprises/<>/targets/", "finance/loan-book/", "finance/temperature/",
    "finance/disclosure.pdf", "finance/disclosure.xlsx", "finance/supervision/",
}
NOT_LIST_PAGES = {
    "",  # the landing page: three counts
    "dashboards/",  # a menu of the dashboards
    "disclosures/<>/", "disclosures/<>/diff/<>/", "disclosures/<>/edit/",
    "disclosures/<>/review/",  # one disclosure against the fixed catalogue
    "disclosures/<>/answer/<>/", "disclosures/<>/copy-forward/", "disclosures/<>/template/",
    "disclosures/<>/upload/", "disclosures/<>/<>/", "evidence/<>/", "enterprises/<>/disclose/",
    "disclosures/<>/delete/", "ratings/feedback/<>/",
    "consents/<>/revoke/", "account/tokens/<>/revoke/",
    "enterprises/<>/carbon/<>/", "enterprises/<>/carbon/<>/apply/",
    "enterprises/<>/carbon/<>/recalculate/",
    "enterprises/<>/footprints/<>/",  # one footprint and its trace
    "enterprises/<>/footprints/<>/publish/", "enterprises/<>/pact/clients/<>/revoke/",
    "enterprises/<>/pact/consents/<>/revoke/", "enterprises/<>/pact/partners/<>/revoke/",
    "ratings/methodology/", "ratings/start/", "ratings/runs/<>/",
    "enterprises/<>/self-diagnosis/", "dashboards/registries/<>/<>/",
    "accounts/login/", "accounts/logout/", "i18n/setlang/",
    "records/sources/<>/accounts/",  # a form's target: redirects or shows one summary
    "records/imports/<>/",  # one import: its counts and the refused rows it keeps
    "records/uploads/<>/",  # one background upload's row
    "favicon.ico",
    # one report read for figures: its candidates, at most one per headline indicator and page
    "extraction/runs/<>/", "extraction/candidates/<>/crop.png",
    "extraction/candidates/<>/accept/", "extraction/candidates/<>/correct/",
    "extraction/candidates/<>/reject/",
    # one engagement against its scope (a subset of the fixed catalogue), its form and its PDF
    "assurance/<>/", "assurance/<>/act/", "assurance/<>/statement-<>.pdf",
    "assurance/invite/<>/",
    # one published disclosure's report files (against the fixed catalogue) and the taxonomy
    "disclosures/<>/report.pdf", "disclosures/<>/content-index.csv",
    "disclosures/<>/report.xhtml", "disclosures/<>/report.json", "xbrl/czesg-taxonomy.zip",
    "disclosures/<>/import/xbrl/",  # one uploaded report's facts against the fixed catalogue
    "records/import/xbrl/",  # the same for the records: a form's target, then one import
    # one financing request with its few banks' answers, and its form's target
    "finance/requests/<>/", "finance/requests/<>/act/",
    "accounts/password/change/", "accounts/password/change/done/", "accounts/password/reset/",
    "accounts/password/reset/sent/", "accounts/password/reset/<>/<>/",
    "accounts/password/reset/complete/",
}
# GET operations that answer one object holding a list (not an array or a page) but list rows.
# The portfolio temperature answers one object whose work grows with the bank's exposures.
EXTRA_LIST_ENDPOINTS = {"/api/v1/ratings/distribution", "/api/v1/enterprises/{uscc}/figures",
                        "/api/v1/finance/temperature", "/api/v1/finance/supervision"}


def _route(path: str) -> str:
    """A route with its converters blanked (``<str:uscc>`` → ``<>``)."""
    return re.sub(r"<[^>]+>", "<>", path)


def _page_routes(patterns=None, prefix: str = "") -> set[str]:
    routes: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not route.startswith(("admin/", "api/", "pact/")):
                routes |= _page_routes(pattern.url_patterns, route)
        elif not route.startswith(("admin/", "api/", "pact/")):
            routes.add(_route(route))
    return routes


def _sample_fields() -> dict[str, str]:
    return {"uscc": uscc_for(1), "compare": "e=X", "year": str(YEAR), "park": PARK, "task": "3",
            "registry": "projects", "version": "2025.1",
            "product": "00000000-0000-4000-8000-000000000000", "request": "1",
            "recipient": "1"}


def test_every_list_page_has_a_budget():
    routes = _page_routes()
    assert LIST_PAGES.isdisjoint(NOT_LIST_PAGES)
    assert routes - LIST_PAGES - NOT_LIST_PAGES == set(), "classify these pages in this module"
    assert (LIST_PAGES | NOT_LIST_PAGES) - routes == set(), "these routes are gone"
    budgeted = {_route(resolve(row.path.format(**_sample_fields()).split("?")[0]).route)
                for row in BUDGETS if not row.path.startswith("/api/")}
    assert LIST_PAGES - budgeted == set(), "these list pages have no query budget"


def test_every_list_endpoint_has_a_budget():
    from czesg.api.v1 import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    lists = set(EXTRA_LIST_ENDPOINTS)
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        responses = get["responses"]
        body = (responses.get(200) or responses.get("200") or {})
        body = body.get("content", {}).get("application/json", {})
        answer = body.get("schema", {})
        if answer.get("type") == "array" or answer.get("$ref", "").split("/")[-1].startswith("Paged"):
            lists.add(path)
    budgeted = {row.path for row in BUDGETS if row.path.startswith("/api/")}
    assert lists - budgeted == set(), "these list endpoints have no query budget"
    assert budgeted - lists == set(), "these budgeted endpoints are no list endpoints"


# --------------------------------------------------------------------------------------------
# The data, built through the actions


class World:
    """The users and data of one measurement; ``grow(kind, n)`` adds ``n`` rows of a kind."""

    def __init__(self, system, gov, firm, manager, make_user, make_enterprise):
        from czesg.accounts.models import Role

        self.system, self.gov, self.firm, self.manager = system, gov, firm, manager
        self.make_user, self.make_enterprise = make_user, make_enterprise
        self.bank = make_user("bank", Role.BANK, organisation="常州银行")
        self.verifier = make_user("verifier", Role.VERIFIER, organisation="鉴证机构")
        self.assurance_firm = None
        self.users = {"government": gov, "enterprise": manager, "bank": self.bank,
                      "verifier": self.verifier}
        self.enterprises = [firm]
        self.counter = 0
        self.years = [YEAR]
        self.publish(firm, YEAR)

    def publish(self, enterprise, year: int):
        """Publish a complete basic disclosure of an enterprise for a year."""
        from czesg.disclosures import actions

        draft = actions.start_disclosure(enterprise, year, actor=self.system)
        actions.set_values(draft, [actions.Entry(c, v, u) for c, v, u in BASIC_VALUES],
                           actor=self.system)
        for code, why in BASIC_NOT_APPLICABLE:
            actions.mark_not_applicable(draft, code, why, actor=self.system)
        actions.submit_disclosure(draft, actor=self.system)
        return actions.publish_disclosure(draft, actor=self.system)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _published_enterprise(self, **facts):
        n = self._next()
        enterprise = self.make_enterprise(
            f"预算测试企业{n}有限公司", uscc=uscc_for(100 + n), park_key=PARK, listed=True,
            exchange="SSE", stock_code=f"60{n:04d}", **facts)
        self.publish(enterprise, YEAR)
        self.enterprises.append(enterprise)
        return enterprise

    def _rate(self) -> None:
        from czesg.ratings import actions

        run = actions.start_rating(YEAR, actor=self.gov, enqueue=False)
        actions.run_rating(run.pk)

    # One method per kind of growing data.
    def grow_nothing(self, n: int) -> None:
        """Lists of fixed data (the catalogue, the factor sets): nothing to add."""

    def grow_enterprises(self, n: int) -> None:
        for _ in range(n):
            self._published_enterprise()

    def grow_rated(self, n: int) -> None:
        self.grow_enterprises(n)
        self._rate()

    def grow_years(self, n: int) -> None:
        for _ in range(n):
            self.years.append(self.years[-1] - 1)
            self.publish(self.firm, self.years[-1])

    def grow_managed(self, n: int) -> None:
        """Enterprises the enterprise user reports for (the workspace's to-do rows)."""
        from czesg.enterprises.actions import add_member

        for _ in range(n):
            add_member(self._published_enterprise(), self.manager, actor=self.gov)

    def grow_runs(self, n: int) -> None:
        for _ in range(n):
            self._rate()

    def grow_grants(self, n: int) -> None:
        from czesg.access.actions import grant_access
        from czesg.enterprises.actions import add_member

        for _ in range(n):
            enterprise = self._published_enterprise()
            owner = self.make_user(f"owner{self.counter}")
            add_member(enterprise, owner, actor=self.gov)
            grant_access(enterprise, self.bank, scopes=["disclosures", "scores"],
                         valid_until=dt.date.today() + dt.timedelta(days=365),
                         purpose="绿色贷款", actor=owner)

    def grant_on_firm(self, grantee):
        from czesg.access.actions import grant_access

        return grant_access(self.firm, grantee, scopes=["disclosures"],
                            valid_until=dt.date.today() + dt.timedelta(days=365),
                            purpose="供应链核查", actor=self.manager)

    def grow_consents(self, n: int) -> None:
        from czesg.access.actions import log_access
        from czesg.accounts.models import Role

        for _ in range(n):
            grantee = self.make_user(f"buyer{self._next()}", Role.BANK)
            log_access(self.grant_on_firm(grantee), grantee, "disclosure 2025 v1", "page")

    def grow_tokens(self, n: int) -> None:
        from czesg.access.actions import issue_token

        for _ in range(n):
            issue_token(self.manager, name=f"token {self._next()}", scopes=["read"],
                        actor=self.manager)

    def _product(self):
        from czesg.supplychain.actions import create_product
        from czesg.supplychain.models import Product

        return Product.objects.filter(enterprise=self.firm).order_by("id").first() or (
            create_product(self.firm, name="预算测试产品", declared_unit="kilogram",
                           actor=self.manager))

    def grow_products(self, n: int) -> None:
        from czesg.supplychain.actions import compute_product_footprint, create_product

        for _ in range(n):
            product = create_product(self.firm, name=f"产品{self._next()}",
                                     declared_unit="kilogram", actor=self.manager)
            compute_product_footprint(product, year=YEAR, output=10.0, actor=self.manager,
                                      fuels=[{"activity": "electricity", "quantity": 100.0,
                                              "unit": "kWh"}])

    def grow_footprints(self, n: int) -> None:
        from czesg.supplychain.actions import compute_product_footprint

        for _ in range(n):
            compute_product_footprint(self._product(), year=YEAR, output=10.0 + self._next(),
                                      actor=self.manager, fuels=[
                                          {"activity": "electricity", "quantity": 100.0,
                                           "unit": "kWh"}])

    def grow_pact_clients(self, n: int) -> None:
        from czesg.supplychain.actions import grant_footprint_consent, register_pact_client
        from czesg.supplychain.partners import register_pact_partner

        for _ in range(n):
            register_pact_client(self.firm, name=f"client {self._next()}", actor=self.manager)
            register_pact_partner(self.firm, name=f"partner {self._next()}",
                                  base_url="https://partner.example/pact", client_id="c",
                                  client_secret="s", actor=self.manager)
            grant_footprint_consent(self.firm, self._published_enterprise(), actor=self.manager)

    def _send(self, buyer, suppliers, actor):
        from czesg.supplychain.actions import send_request

        return send_request(
            buyer, template="battery", title=f"请求{self._next()}", year=YEAR,
            indicators=["E-GHG-02", "E-WAT-01", "G-GOV-06"], products=["电芯"],
            suppliers=[{"uscc": s.uscc} for s in suppliers],
            due_date=dt.date.today() + dt.timedelta(days=30), actor=actor)

    def _supplier(self):
        n = self._next()
        return self.make_enterprise(f"供应商{n}有限公司", uscc=uscc_for(300 + n))

    def grow_supplier_requests(self, n: int) -> None:
        """Requests the firm sent as a buyer (to one new supplier each)."""
        for _ in range(n):
            self._send(self.firm, [self._supplier()], self.manager)

    def grow_request_recipients(self, n: int) -> None:
        """Suppliers asked by the firm's latest request (a new request naming them all)."""
        self.asked = getattr(self, "asked", []) + [self._supplier() for _ in range(n)]
        self.request = self._send(self.firm, self.asked, self.manager)

    def grow_buyer_requests(self, n: int) -> None:
        """Requests other buyers addressed to the firm."""
        for _ in range(n):
            self._send(self._supplier(), [self.firm], self.system)

    def grow_request_reads(self, n: int) -> None:
        """Reads of the firm's shared answer to a buyer's request."""
        from czesg.supplychain.actions import answer_request, note_reads

        if getattr(self, "recipient", None) is None:
            request = self._send(self._supplier(), [self.firm], self.system)
            self.recipient = request.recipients.get()
            answer_request(self.recipient.pk, self.firm, answers={"E-WAT-01": "5"},
                           consent=True, actor=self.manager)
        for _ in range(n):
            note_reads([self.recipient], self.system, "scorecard")

    def grow_shared_suppliers(self, n: int) -> None:
        """Suppliers that shared answers and a published footprint with the firm."""
        from czesg.supplychain.actions import (
            answer_request,
            compute_product_footprint,
            create_product,
            publish_footprint,
        )

        for _ in range(n):
            supplier = self._supplier()
            product = create_product(supplier, name="电芯", declared_unit="kilogram",
                                     actor=self.system)
            draft = compute_product_footprint(product, year=YEAR, output=10.0, actor=self.system,
                                              fuels=[{"activity": "electricity",
                                                      "quantity": 100.0, "unit": "kWh"}])
            publish_footprint(draft.pk, actor=self.system)
            request = self._send(self.firm, [supplier], self.manager)
            answer_request(request.recipients.get().pk, supplier, consent=True,
                           answers={"E-GHG-02": "10", "E-WAT-01": "5", "G-GOV-06": "yes"},
                           products={"电芯": str(product.uuid)}, actor=self.system)

    def grow_weightings(self, n: int) -> None:
        from czesg.supplychain.actions import save_weighting

        for _ in range(n):
            save_weighting(self.firm, {"rating": 0.5, "data": 0.5}, note=f"v{self._next()}",
                           actor=self.manager)

    def grow_calculations(self, n: int) -> None:
        from czesg.carbon.actions import calculate_for

        for _ in range(n):
            calculate_for(self.firm, YEAR, [
                {"activity": "natural_gas", "quantity": 10 + self._next(), "unit": "万Nm3"},
                {"activity": "electricity", "quantity": "1,200,000", "unit": "kWh"},
            ], gwp_set="AR6", actor=self.manager)

    def grow_records(self, n: int) -> None:
        from czesg.records.actions import add_government_record

        for _ in range(n):
            add_government_record(self.firm, YEAR - self._next() % 20, "safety_accident",
                                  value="serious", source="应急管理局", actor=self.gov)

    def grow_imports(self, n: int) -> None:
        from czesg.records.accounts import link_accounts
        from czesg.records.sources import source_of

        for _ in range(n):
            link_accounts(f"account,uscc\nA{self._next()},{self.firm.uscc}\n".encode(),
                          "accounts.csv", source=source_of("utility_electricity"),
                          actor=self.gov)

    def grow_reports(self, n: int) -> None:
        """Reports read for figures (a PDF without text: kept with its reason)."""
        from czesg.extraction.actions import read_report
        from tests.engine.extraction.pdfs import minimal_pdf

        for _ in range(n):
            read_report(self.firm, YEAR, minimal_pdf(), f"report-{self._next()}.pdf",
                        actor=self.manager)

    def grow_statistics(self, n: int) -> None:
        from czesg.parks.actions import enter_zone_statistics

        for _ in range(n):
            enter_zone_statistics(PARK, YEAR - self._next() % 20,
                                  {"hightech_enterprises": (10 + self.counter, "园区统计")},
                                  actor=self.gov)

    def grow_progress(self, n: int) -> None:
        from czesg.plan.actions import add_milestone, assign_department, post_task_progress

        if not self.gov.departments.exists():
            assign_department(self.gov, "drc", actor=self.gov)
        for _ in range(n):
            k = self._next()
            post_task_progress(3, "drc", dt.date.today() - dt.timedelta(days=k), f"进展{k}",
                               actor=self.gov)
            add_milestone(3, f"节点{k}", dt.date.today() + dt.timedelta(days=k), actor=self.gov)

    def grow_departments(self, n: int) -> None:
        from czesg.accounts.models import Role
        from czesg.plan.actions import assign_department

        for _ in range(n):
            officer = self.make_user(f"officer{self._next()}", Role.GOVERNMENT)
            assign_department(officer, "drc", actor=self.gov)

    def grow_registry(self, n: int) -> None:
        from czesg.registries.actions import save_registry_entry

        for _ in range(n):
            save_registry_entry("projects", {"name": f"重点项目{self._next()}", "year": YEAR,
                                             "date": f"{YEAR}-06-01", "source": "商务局"},
                                actor=self.gov)

    def _new_assurance_firm(self, verifier):
        from czesg.assurance.actions import add_verifier, register_firm

        firm = register_firm(name=f"鉴证机构{self._next()}", accreditation="资质",
                             independence_declaration="独立", declared_at=dt.date(2026, 1, 1),
                             actor=self.gov)
        add_verifier(firm, verifier, actor=self.gov)
        return firm

    def grow_firms(self, n: int) -> None:
        from czesg.accounts.models import Role

        for _ in range(n):
            self._new_assurance_firm(self.make_user(f"verifier{self._next()}", Role.VERIFIER))

    def grow_engagements(self, n: int) -> None:
        """Invitations of the verifier's firm by newly published enterprises."""
        from czesg.assurance.actions import invite_firm
        from czesg.disclosures.models import Disclosure

        if self.assurance_firm is None:
            self.assurance_firm = self._new_assurance_firm(self.verifier)
        for _ in range(n):
            enterprise = self._published_enterprise()
            disclosure = Disclosure.objects.get(enterprise=enterprise, year=YEAR)
            invite_firm(disclosure, self.assurance_firm, scope=["E-GHG-01"], level="limited",
                        criteria=[], materiality=5, starts_on=dt.date.today(),
                        ends_on=dt.date.today() + dt.timedelta(days=30), actor=self.system)

    def grow_fin_products(self, n: int) -> None:
        from czesg.finance.actions import publish_product

        for _ in range(n):
            publish_product(name=f"绿色贷款{self._next()}", kind="changlv", min_amount="10",
                            max_amount="500", min_term_months="6", max_term_months="36",
                            rules=[{"figure": "green_score", "min": 50},
                                   {"figure": "size_class", "any_of": ["small"]}],
                            discounts=[{"min_score": 80, "bps": 20}], actor=self.bank)

    def grow_exposures(self, n: int) -> None:
        """Exposures of the bank's 2025 loan book on newly published enterprises."""
        import io

        from czesg.finance.loanbook import import_loan_book
        from czesg.finance.models import Exposure

        for _ in range(n):
            self._published_enterprise()
        rows = [f"X{k},{e.uscc},term_loan,{1000000 + k},CNY,{YEAR}-12-31,,50000000"
                for k, e in enumerate(self.enterprises)]
        import_loan_book(io.BytesIO(("exposure,uscc,instrument,outstanding,currency,as_of,evic,"
                                     "equity_debt\n" + "\n".join(rows) + "\n").encode()),
                         "book.csv", year=YEAR, actor=self.bank)
        assert Exposure.objects.count() == len(self.enterprises)

    def grow_targets(self, n: int) -> None:
        from czesg.finance.actions import set_target

        for _ in range(n):
            k = self._next()
            set_target(self.firm, indicator_code="E-GHG-01" if k % 2 else "E-ENG-01",
                       base_year=2020, base_value=1000 + k, target_year=2030,
                       reduction_pct=30, actor=self.manager)

    def grow_fin_requests(self, n: int) -> None:
        """Financing requests of newly published enterprises sent to the bank."""
        from czesg.enterprises.actions import add_member
        from czesg.finance.actions import publish_product, submit_request
        from czesg.finance.models import Product

        if not Product.objects.filter(bank=self.bank).exists():
            publish_product(name="常绿贷", kind="changlv", min_amount="10", max_amount="500",
                            min_term_months="6", max_term_months="36", rules=[], discounts=[],
                            actor=self.bank)
        for _ in range(n):
            enterprise = self._published_enterprise()
            owner = self.make_user(f"owner{self.counter}")
            add_member(enterprise, owner, actor=self.gov)
            submit_request(enterprise, amount="100", term_months="12", purpose="energy_saving",
                           project="节能改造", banks=[self.bank], actor=owner)

    def grow_fin_granted(self, n: int) -> None:
        """Financing requests sent to the bank, offered, accepted and granted, half of them
        identified."""
        from django.utils import timezone

        from czesg.finance.actions import (
            accept_offer,
            identify_project,
            make_offer,
            record_outcome,
        )
        from czesg.finance.models import FinancingRequest

        before = set(FinancingRequest.objects.values_list("pk", flat=True))
        self.grow_fin_requests(n)
        for index, request in enumerate(FinancingRequest.objects.exclude(pk__in=before)):
            recipient = make_offer(request, amount="80", rate="3.2", actor=self.bank)
            accept_offer(recipient, actor=request.created_by)
            record_outcome(request, granted_amount="80", granted_rate="3.2",
                           granted_on=timezone.localdate(), actor=self.bank)
            if index % 2:
                identify_project(request, code="energy_saving", evidence="可研", actor=self.bank)

    def grow(self, kind: str, n: int) -> None:
        """Add ``n`` rows of a kind of data."""
        getattr(self, f"grow_{kind}")(n)

    def fields(self) -> dict[str, str]:
        """What the paths of :data:`BUDGETS` are filled with."""
        from czesg.engine import carbon

        return {
            "uscc": self.firm.uscc, "year": str(YEAR), "park": PARK, "task": "3",
            "product": str(self._product().uuid),
            "request": str(getattr(getattr(self, "request", None), "pk", 0)),
            "recipient": str(getattr(getattr(self, "recipient", None), "pk", 0)),
            "request_id": str(getattr(getattr(self, "request", None), "pk", 0)),
            "code": "utility_electricity",
            "registry": "projects", "version": carbon.available_factor_sets()[-1],
            "compare": "&".join(f"e={e.uscc}" for e in self.enterprises),
        }


@pytest.fixture
def world(system, gov, firm_a, alice, make_user, make_enterprise):
    """The users and the first published enterprise; each test grows its own kind of data."""
    return World(system, gov, firm_a, alice, make_user, make_enterprise)


def _count(client, path: str, budget: int, django_assert_max_num_queries) -> int:
    cache.clear()
    shutil.rmtree(files_folder(), ignore_errors=True)  # the built open-data files
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


@pytest.mark.parametrize("row", BUDGETS, ids=str)
def test_list_stays_within_its_query_budget(row, world, client, django_assert_max_num_queries):
    if row.role != "anonymous":
        client.force_login(world.users[row.role])
    world.grow(row.grows, SMALL)
    client.get(row.path.format(**world.fields()))  # warm the process (translations, catalogue)
    small = _count(client, row.path.format(**world.fields()), row.budget,
                   django_assert_max_num_queries)
    world.grow(row.grows, LARGE - SMALL)
    large = _count(client, row.path.format(**world.fields()), row.budget,
                   django_assert_max_num_queries)
    assert large <= small + GROWTH, f"{row}: {small} queries at {SMALL} rows, {large} at {LARGE}"

