"""A report's content index (GRI / IFRS S2 / SSE-SZSE guideline / HKEX index): which page it names
for each indicator's framework reference, so that a reviewer sees whether a figure stands where
the report itself says it does, and so that index lines and index pages are never read as
figures.

The references are the catalogue's own framework columns (``gri``, ``ifrs_s2``,
``exchange_article``, ``hkex`` in ``data/catalogue/indicators.csv``) and the alias dictionary's
``codes``: a line whose first cell is one of them names that indicator, and its last cell, when
it is a page number, the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from czesg.engine.catalogue import load_catalogue
from czesg.engine.extraction.aliases import load_aliases
from czesg.engine.extraction.layout import Line, Page
from czesg.engine.extraction.numbers import normalise

# Any framework reference a content index starts its lines with (also those the catalogue does
# not map): GRI "305-1", IFRS S2 "para 29(a)", the exchanges' guideline "第二十四条" /
# "Article 24", HKEX "A1.2" / "KPI B1.1".
_CODE = re.compile(
    r"^(?:(?:gri\s*)?\d{1,3}-\d{1,2}(?:\s*[a-z]\)?)?"
    r"|(?:ifrs\s*s2\s*)?(?:paras?\.?\s*)?\d{1,3}\s*\([a-z]{1,4}\).*"
    r"|(?:ifrs\s*s2\s*)?paras?\.?\s*\d{1,3}.*"
    r"|第[一二三四五六七八九十百零〇\d]{1,6}条.*"
    r"|article\s*\d{1,3}.*"
    r"|(?:hkex\s*)?(?:kpi\s*)?[ab]\d{1,2}(?:\.\d{1,2})?(?:\s*\(.*)?)$",
    re.IGNORECASE)
_PAGE = re.compile(r"^(?:p\.?\s*|第\s*)?(\d{1,4})(?:\s*页)?$", re.IGNORECASE)
# A page with this many content-index lines is an index page: none of its lines is a figure.
INDEX_LINES = 3
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}


def index_code(line: Line) -> str | None:
    """The framework reference a content-index line starts with, folded (``305-1``,
    ``29(a)``, ``article 24``, ``a1.2``), or None."""
    for segment in line.segments[:2]:
        text = normalise(segment.text).strip()
        if _CODE.match(text):
            return fold_reference(text)
    return None


def index_page(page: Page) -> bool:
    """Whether ``page`` is a page of a content index (several lines start with a reference)."""
    return sum(1 for line in page.lines if index_code(line) is not None) >= INDEX_LINES


def fold_reference(text: str) -> str:
    """A framework reference as compared: lower case, no spaces, no framework prefix ("GRI",
    "IFRS S2", "para", "HKEX", "KPI"), a guideline article as ``article N``, and the IFRS
    paragraph without the catalogue's description ("29(a) Scope 1" → ``29(a)``)."""
    text = re.sub(r"\s+", "", normalise(text).lower())
    text = re.sub(r"^(?:gri|ifrss2|hkex)", "", text)
    text = re.sub(r"^(?:paras?\.?|kpi)", "", text)
    article = re.match(r"^第([一二三四五六七八九十百零〇\d]{1,6})条", text) or re.match(
        r"^article(\d{1,3})", text)
    if article:
        return f"article{_number(article.group(1))}"
    paragraph = re.match(r"^(\d{1,3}\([a-z]{1,4}\))", text)
    if paragraph:
        return paragraph.group(1)
    hkex = re.match(r"^([ab]\d{1,2}(?:\.\d{1,2})?)(?:\(|$)", text)
    if hkex:
        return hkex.group(1)
    gri = re.match(r"^(\d{1,3}-\d{1,2})", text)
    return gri.group(1) if gri else text


def _number(chinese: str) -> int:
    """二十四 → 24, 五十五 → 55, 一百零二 → 102, 24 → 24."""
    if chinese.isdigit():
        return int(chinese)
    total, current = 0, 0
    for char in chinese:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[char]
    return total + current


@lru_cache(maxsize=1)
def references() -> dict[str, tuple[str, ...]]:
    """For each folded framework reference, the indicators of the alias dictionary it names."""
    read = {entry.code: entry for entry in load_aliases()}
    catalogue = load_catalogue()
    named: dict[str, list[str]] = {}
    for code, entry in read.items():
        texts = [p for p in entry.phrases if p.startswith("gri")]
        if code in catalogue:
            indicator = catalogue.get(code)
            texts += indicator.gri.split("/") + [indicator.ifrs_s2, indicator.exchange_article,
                                                 *indicator.hkex.split("/")]
        for text in texts:
            if text.strip():
                folded = fold_reference(text)
                if code not in named.setdefault(folded, []):
                    named[folded].append(code)
    return {reference: tuple(codes) for reference, codes in named.items()}


def content_index(pages: Iterable[Page]) -> dict[str, tuple[int, ...]]:
    """For each indicator a framework reference of the index names, the pages the report's
    content index gives for it (empty when the report has no index with page numbers)."""
    by_reference = references()
    named: dict[str, set[int]] = {}
    page_list = list(pages)
    for page in page_list:
        for line in page.lines:
            reference = index_code(line)
            if reference is None or reference not in by_reference or len(line.segments) < 2:
                continue
            found = _PAGE.match(normalise(line.segments[-1].text).strip())
            if found and 1 <= int(found.group(1)) <= len(page_list):
                for indicator in by_reference[reference]:
                    named.setdefault(indicator, set()).add(int(found.group(1)))
    return {indicator: tuple(sorted(p)) for indicator, p in named.items()}
