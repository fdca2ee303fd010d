"""Every page under the production Content-Security-Policy: each role signs in and walks every
page it can reach by links from its workspace (plus the pages no link leads to), and the browser
reports no CSP violation, no failed script and no request outside this server."""

from __future__ import annotations

import os
import re
from urllib.parse import urljoin, urlsplit

import pytest

from czesg.accounts.models import Role
from tests.apps.ratings.test_ratings import YEAR, build_city, rate_now
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Links a crawler must not follow: downloads (not pages), sign-out and the language switch.
SKIP = re.compile(r"(\.\w+\?|\.\w+$|/export|/download|/template/|/evidence/|/api/v1/(?!docs)"
                  r"|/logout|/i18n/|/admin/.*/(delete|history)/|/admin/logout)")
MAX_PAGES = 80  # per role; the admin alone has many model pages

POLICY = {
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
    "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
}


@pytest.fixture
def world(firm_a, firm_b, alice, bob, gov, system, make_enterprise, member_of, fill_basic,
          make_user):
    from czesg.disclosures.actions import start_disclosure

    city = build_city(firm_a, firm_b, alice, bob, make_enterprise, member_of, fill_basic)
    start_disclosure(firm_a, YEAR + 1, actor=alice)  # a draft: its edit and review pages
    rate_now(gov, YEAR)
    make_user("parkadmin", Role.PARK_ADMIN, park_key="czhnd")
    make_user("bank1", Role.BANK)
    make_user("verifier1", Role.VERIFIER)
    return city


def crawl(page, base: str, starts: list[str]) -> tuple[list[str], list[str]]:
    """Open every same-origin page reachable from ``starts``; return the pages and the problems."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
            if m.type in ("error", "warning") and ("Content Security Policy" in m.text
                                                   or "Refused" in m.text) else None)
    page.on("pageerror", lambda e: problems.append(f"{page.url}: script error {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{page.url}: failed {r.url}")
            if not r.url.startswith(base) else None)
    page.on("request", lambda r: problems.append(f"{page.url}: outside request {r.url}")
            if not r.url.startswith((base, "data:", "blob:")) else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    seen: list[str] = []
    queue = list(starts)
    variants: set[str] = set()  # paths already opened with a query string (filters): one each
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = page.goto(path)
        assert response is not None
        if response.status < 400:
            header = response.header_value("content-security-policy") or ""
            assert POLICY <= {d.strip() for d in header.split(";")}, (path, header)
        page.wait_for_load_state("load")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urljoin(page.url, href)
            parts = urlsplit(url)
            if not url.startswith(base) or SKIP.search(parts.path + "?" + parts.query):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.query:
                if parts.path in variants:
                    continue
                variants.add(parts.path)
            if local not in seen and local not in queue:
                queue.append(local)
    return seen, problems


# The policy and the scripts are the same whatever the database: the crawl (the longest browser
# test) runs in the SQLite pass of the suite only.
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="database-independent; crawled in the SQLite pass")
@pytest.mark.parametrize("username", ["anonymous", "alice", "gov", "parkadmin", "bank1",
                                      "verifier1", "platform"])
def test_every_page_runs_under_the_policy(page, live_server, world, username):
    if username != "anonymous":
        sign_in(page, username)
        page.wait_for_url(re.compile(r"/(me|applicants|assurance)/$"))  # banks: applicants; verifiers: work list
    firm = world["a"]
    starts = ["/", "/me/", "/search/", "/benchmark/?indicator=E-GHG-05",
              f"/enterprises/{firm.uscc}/", "/open-data/", "/api/v1/docs"]
    if username in ("gov", "platform"):
        starts += [f"/ratings/?year={YEAR}", "/dashboards/city/", "/dashboards/zones/"]
    if username == "platform":
        starts += ["/admin/"]
    if username == "anonymous":
        starts += ["/accounts/login/", "/no-such-page/"]
    seen, problems = crawl(page, live_server.url, starts)
    assert not problems, "\n".join(problems)
    assert len(seen) >= len(starts), seen


def test_api_docs_render_the_operations_without_network(page, live_server):
    """Swagger UI comes from this server (django-ninja's bundled copy), not from a CDN."""
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    response = page.goto("/api/v1/docs")
    assert response is not None and response.status == 200
    page.locator(".opblock").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/indicators" in [p.replace("\u200b", "") for p in paths]
    assert page.locator(".info .title").inner_text().startswith("czesg API")
    assert outside == [] and violations == []


def test_the_crawler_reports_an_inline_script(page, live_server):
    """The instrument itself: an inline script slipped into a page is reported as a violation."""

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</main>", "<script>document.title = 'x';</script></main>")
        route.fulfill(response=response, body=body)

    page.route(f"{live_server.url}/", inject)
    seen, problems = crawl(page, live_server.url, ["/"])
    assert any("Content Security Policy" in p and "script-src" in p for p in problems), problems
