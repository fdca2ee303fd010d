"""A report's content index (GRI / ISSB / exchange-guideline index): which page it names for each
indicator's disclosure code, so that a reviewer sees whether a figure stands where the report
itself says it does, and so that index lines are never read as figures."""

from __future__ import annotations

import re
from collections.abc import Iterable

from czesg.engine.extraction.aliases import load_aliases
from czesg.engine.extraction.layout import Line, Page
from czesg.engine.extraction.numbers import normalise

_CODE = re.compile(r"^(?:gri\s*(\d{1,3}-\d{1,2})|(\d{3}-\d{1,2}))(?:\s*[a-z]\)?)?$",
                   re.IGNORECASE)
_PAGE = re.compile(r"^(?:p\.?\s*|第\s*)?(\d{1,4})(?:\s*页)?$", re.IGNORECASE)


def index_code(line: Line) -> str | None:
    """The disclosure code a content-index line starts with ("305-1", "GRI 305-1"), or None."""
    for segment in line.segments[:2]:
        found = _CODE.match(normalise(segment.text).strip())
        if found:
            return found.group(1) or found.group(2)
    return None


def content_index(pages: Iterable[Page]) -> dict[str, tuple[int, ...]]:
    """For each indicator whose code the alias dictionary lists, the pages the report's content
    index names for it (empty when the report has no index)."""
    by_code: dict[str, list[str]] = {}
    for entry in load_aliases():
        for phrase in entry.phrases:
            if phrase.startswith("gri"):
                by_code.setdefault(phrase.removeprefix("gri"), []).append(entry.code)
    named: dict[str, set[int]] = {}
    page_list = list(pages)
    for page in page_list:
        for line in page.lines:
            code = index_code(line)
            if code is None or code not in by_code or len(line.segments) < 2:
                continue
            found = _PAGE.match(normalise(line.segments[-1].text).strip())
            if found and 1 <= int(found.group(1)) <= len(page_list):
                for indicator in by_code[code]:
                    named.setdefault(indicator, set()).add(int(found.group(1)))
    return {indicator: tuple(sorted(p)) for indicator, p in named.items()}
