"""A small, safe renderer for the methodology documents' Markdown subset (no Markdown library is
installed): headings, paragraphs, bullet lists, **bold** and `code`. Everything is escaped first.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_BULLET = re.compile(r"^\s*[*-]\s+")


def _inline(text: str) -> str:
    text = escape(text)
    text = _CODE.sub(r"<code>\1</code>", text)
    return _BOLD.sub(r"<strong>\1</strong>", text)


def render_markdown(text: str, *, skip_title: bool = True) -> SafeString:
    """HTML for the Markdown subset the methodology documents use (the first ``#`` title is
    left out when ``skip_title``, since the page prints its own heading)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(' '.join(i))}</li>" for i in items)
                       + "</ul>")
            items.clear()

    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,4})\s+(.*)$", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1))
            if level == 1 and skip_title:
                continue
            out.append(f"<h{level + 1}>{_inline(heading.group(2))}</h{level + 1}>")
        elif _BULLET.match(line):
            if paragraph:
                flush()
            items.append([_BULLET.sub("", line).strip()])
        elif items and line.startswith((" ", "\t")):
            items[-1].append(stripped)
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return mark_safe("\n".join(out))  # noqa: S308 (every piece of text was escaped above)
