"""No page of any role shows a raw code in Chinese: a walk over every page each demo account can
reach by following links from its landing page, server-rendered through the Django test client."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from czesg.demo import DEMO_ACCOUNTS, load_demo

pytestmark = pytest.mark.django_db

# Words that are codes, never Chinese text: tiers, levels, confidence codes, data types, units.
CODE_WORDS = (
    "basic", "standard", "comprehensive", "mandatory", "encouraged", "where_applicable",
    "not_applicable", "methodology-choice", "confirmed-primary", "confirmed-secondary",
    r"unconfirmed-[a-z-]+", "person", "persons", "hour/person", r"[a-zA-Z0-9]+/10k_CNY", "10k_CNY",
    "number", "text", "boolean", "enum", "page/api", r"rating \d{4} \(run \d+\)",
    "Jiangsu", "zone_employment", r"[a-z]+_[a-z_]+",
)
# Unit symbols that have a Chinese display label (units.LABELS): in Chinese they must not show raw.
UNIT_SYMBOLS = ("tCO2e", "tce", "MWh", "kWh", "GJ", "m3", "CNY", "count", "hour", "day")
# Numbers as a program prints them, not as a person reads them.
RAW_NUMBERS = (r"\d\.\d+e[+-]\d+", r"\d+\.\d*?0{3,}\b", r"\d\.\d{7,}")

_PATTERN = re.compile(
    r"(?<![\w/.-])(" + "|".join(CODE_WORDS + UNIT_SYMBOLS + RAW_NUMBERS) + r")(?![\w/-]|\.[a-z])"
)

_SKIP = re.compile(
    r"^/(api/|admin/|static/|media/|i18n/|accounts/logout)|\.(xlsx|csv|pdf|json|zip)$"
    r"|/(download|export|pdf|xlsx|csv|file|evidence)(/|$)"
)
_MAX_PER_SHAPE = 2  # pages of the same shape (ids and query values aside) fetched per role


class _Visible(HTMLParser):
    """Visible text of a page (no tags, attributes, scripts or deliberately shown codes) and its links."""

    _HIDDEN = {"script", "style", "code", "template", "noscript", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden_tag = ""  # the tag that opened the hidden element we are in
        self._depth = 0  # how many of that tag are open inside it

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(attributes["href"])
        if self._hidden_tag:
            self._depth += tag == self._hidden_tag
        elif tag in self._HIDDEN or self._deliberate(tag, attributes):
            self._hidden_tag, self._depth = tag, 1

    @staticmethod
    def _deliberate(tag: str, attributes: dict) -> bool:
        """Codes shown on purpose (``code``/``mono``), text that exists only in English and says so
        (``lang="en"``, e.g. a factor's source note) and a unit picker, whose options are the
        spellings a person may choose, Latin ones included (kWh beside 千瓦时)."""
        classes = set((attributes.get("class") or "").split())
        return bool({"code", "mono"} & classes) or (attributes.get("lang") or "").startswith("en") \
            or (tag == "select" and "unit" in classes)

    def handle_endtag(self, tag):
        if self._hidden_tag and tag == self._hidden_tag:
            self._depth -= 1
            if self._depth == 0:
                self._hidden_tag = ""

    def handle_data(self, data):
        if not self._hidden_tag and data.strip():
            self.text.append(data.strip())


def _context(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 30):match.end() + 15].replace("\n", " ⏎ ")


def _in_prose(text: str, match: re.Match) -> bool:
    """Whether a plain English word (no _ or -) stands in an English sentence, such as a source's
    title quoted from a document, rather than alone where a translated term belongs."""
    if re.search(r"[_\-/]", match.group(1)):
        return False
    before = text[:match.start()].split("\n")[-1].rstrip()
    after = text[match.end():].split("\n")[0].lstrip()
    return bool(re.search(r"[A-Za-z]$", before) or re.match(r"[A-Za-z]", after))


def _shape(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/[0-9A-Z]{18}(?=/)", "/USCC", parts.path)
    path = re.sub(r"/\d+(?=/|$)", "/N", path)
    keys = sorted(re.sub(r"=[^&]*", "", parts.query).split("&")) if parts.query else []
    return path + "?" + "&".join(keys)


def _walk(client, start: list[str], follow: re.Pattern | None = None
          ) -> tuple[dict[str, list[str]], list[str]]:
    """Every page reachable from ``start`` by GET: the raw codes each one shows, and the pages.
    Links are followed unless ``_SKIP`` refuses them, or, given ``follow``, where it matches."""
    found: dict[str, list[str]] = {}
    pages: list[str] = []
    seen: set[str] = set()
    per_shape: dict[str, int] = {}
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if per_shape.get(shape, 0) >= _MAX_PER_SHAPE:
            continue
        per_shape[shape] = per_shape.get(shape, 0) + 1
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.append(url)
        parser = _Visible()
        parser.feed(response.content.decode())
        text = "\n".join(parser.text)
        hits = sorted({f"{m.group(1)!r} in “{_context(text, m)}”"
                       for m in _PATTERN.finditer(text) if not _in_prose(text, m)})
        if hits:
            found[url] = hits
        for href in parser.links:
            link, _ = urldefrag(href)
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if (not follow.search(parts.path)) if follow is not None else _SKIP.search(parts.path):
                continue
            queue.append(link)
    return found, pages


def _sme_draft() -> None:
    """The demo SME starts next year's basic disclosure, so that its draft, review and feedback
    pages (with their findings) are walked too."""
    from czesg.accounts.models import User
    from czesg.disclosures.actions import set_value, start_disclosure
    from czesg.disclosures.models import Disclosure

    user = User.objects.get(username="sme")
    enterprise = user.memberships.get().enterprise
    year = max(Disclosure.objects.filter(enterprise=enterprise).values_list("year", flat=True)) + 1
    draft = start_disclosure(enterprise, year, actor=user)
    set_value(draft, "S-EMP-01", 12, "person", actor=user)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        try:  # the demo lives outside the tests' transactions: always remove it
            summary = load_demo(enterprises=40)
            _sme_draft()
            yield summary
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("username", [account.username for account in DEMO_ACCOUNTS])
def test_no_page_of_any_role_shows_a_raw_code_in_chinese(demo, client, username):
    from czesg.accounts.models import User

    client.force_login(User.objects.get(username=username))
    client.cookies["django_language"] = "zh-hans"
    found, pages = _walk(client, ["/me/", "/"])
    print(username, len(pages), "pages:", " ".join(pages))
    assert len(pages) >= 10  # every role reaches its work list and the public pages
    assert not found, "\n".join(f"{url}: " + "; ".join(hits) for url, hits in found.items())


# The admin site a platform administrator works in: every list and change page (and their
# filters), not the sign-out, password or delete confirmations, which change state.
_ADMIN = re.compile(r"^/admin/(?!.*(logout|password|delete|jsi18n))")


def test_no_admin_page_shows_a_raw_code_in_chinese(demo, client):
    from czesg.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    client.cookies["django_language"] = "zh-hans"
    found, pages = _walk(client, ["/admin/"], follow=_ADMIN)
    print("admin", len(pages), "pages:", " ".join(pages))
    assert any(re.match(r"^/admin/disclosures/datapoint/\d+/change/", p) for p in pages)
    assert any(p.startswith("/admin/enterprises/enterprise/") for p in pages)
    assert not found, "\n".join(f"{url}: " + "; ".join(hits) for url, hits in found.items())


def _xlsx_text(data: bytes) -> list[str]:
    """The headers and labels of a workbook a person reads: each visible sheet's title and its
    header row (hidden sheets hold what the import reads back, the rows below are data)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    lines = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        lines.append(sheet.title)
        for row in sheet.iter_rows(max_row=1, values_only=True):
            lines.append("\n".join(str(v) for v in row if isinstance(v, str) and v.strip()))
    return lines


def _pdf_text(data: bytes, tmp_path) -> list[str]:
    import shutil
    import subprocess

    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF"
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [re.sub(r"\s{2,}", "\n", line.strip()) for line in text.splitlines()]


def test_the_downloads_read_in_chinese_without_raw_codes(demo, client, tmp_path):
    """Decision: the PDF downloads a person reads (city and park dashboards, the plan's tasks)
    show no raw code anywhere; the Excel downloads (the same three and a draft's template) have
    Chinese sheet names and column headers, while their data rows keep the keys, codes and unit
    tokens a program or the template's import reads back (the template's unit column included).
    The open-data files are machine-readable data with documented column names."""
    from czesg.accounts.models import User
    from czesg.disclosures.models import Disclosure, State

    found: dict[str, list[str]] = {}

    def check(url: str, user: str) -> None:
        client.force_login(User.objects.get(username=user))
        client.cookies["django_language"] = "zh-hans"
        response = client.get(url)
        assert response.status_code == 200, url
        data = b"".join(response.streaming_content) if response.streaming else response.content
        kind = response["Content-Type"]
        lines = _pdf_text(data, tmp_path) if "pdf" in kind else _xlsx_text(data)
        text = "\n".join(lines)
        assert re.search(r"[\u4e00-\u9fff]", text), url
        hits = sorted({f"{m.group(1)!r} in “{_context(text, m)}”"
                       for m in _PATTERN.finditer(text) if not _in_prose(text, m)})
        if hits:
            found[url] = hits

    for page in ("city", "zones", "tasks"):
        for fmt in ("xlsx", "pdf"):
            check(f"/dashboards/{page}/export.{fmt}", "gov")
    draft = Disclosure.objects.filter(enterprise__memberships__user__username="sme",
                                      state=State.DRAFT).first()
    check(f"/disclosures/{draft.pk}/template/", "sme")
    assert not found, "\n".join(f"{url}: " + "; ".join(hits) for url, hits in found.items())
