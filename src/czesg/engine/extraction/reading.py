"""Finding the headline figures in a report's lines: table rows (a label, its unit, one value per
year column) and sentences of prose ("员工总数为1,234人"), each kept with where it was printed.

What is read is a :class:`Reading`: one indicator's figure for one year as printed (number,
multiplier, unit spelling), with its page, bounding box and the exact text of its line. Turning it
into the indicator's unit and checking it is :mod:`.candidates`' job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from czesg.engine.extraction.aliases import Match, clause_of, find_indicators
from czesg.engine.extraction.contents import index_code, index_page
from czesg.engine.extraction.layout import Line, Page, Segment
from czesg.engine.extraction.numbers import Figure, figures, normalise, read_unit, year_of

# How far after an indicator's name (in characters) a sentence's figure may stand.
PROSE_REACH = 24
# A value cell belongs to a year column when their boxes overlap, or their centres are this close.
COLUMN_SLACK = 12.0
_UNIT_NOTE = re.compile(r"^(?:单位|unit|units)\s*[:：]\s*(.+)$", re.IGNORECASE)
_BRACKETED = re.compile(r"[(\[]([^()\[\]]{1,40})[)\]]")
_HEADER_WORDS = re.compile(r"^\s*(?:指标|项目|类别|indicator|item|metric|kpi)s?\s*$", re.IGNORECASE)
_YEAR_NEAR = re.compile(r"(?:in|for|fy)\s?(20\d\d)|(20\d\d)\s?年", re.IGNORECASE)

COLUMN = "column"
TEXT = "text"
ASSUMED = "assumed"

# Scope 2: the catalogue's E-GHG-03 is location-based, E-GHG-03-MKT market-based; which one a
# label means is told only by these words (GHG Protocol Scope 2 Guidance, dual reporting), never
# guessed: an unlabelled Scope 2 figure is read as location-based and said to be unlabelled.
SCOPE2 = ("E-GHG-03", "E-GHG-03-MKT")
LOCATION_WORDS = ("基于位置", "基于地点", "location-based", "locationbased", "location")
MARKET_WORDS = ("基于市场", "market-based", "marketbased", "market")
LOCATION, MARKET, BOTH, UNLABELLED = "location", "market", "both", "unlabelled"


@dataclass(frozen=True)
class Reading:
    """One printed figure of an indicator: value as read, unit as printed, year and how the year
    was told (``column`` header, the sentence's ``text``, or ``assumed`` the reporting year),
    the page, bounding box (x0, top, x1, bottom in points from the top left) and exact text."""

    indicator: str
    year: int
    year_basis: str
    value: Decimal
    printed: str
    unit: str
    unit_printed: str
    context: str
    page: int
    bbox: tuple[float, float, float, float]
    text: str
    basis: str = ""
    """For Scope 2: which basis the label names (``location``, ``market``, ``both`` or
    ``unlabelled``); empty for every other indicator."""


@dataclass
class _State:
    """What a page's earlier lines said that later lines rely on (kept across pages, so that a
    table split over two pages keeps its year columns)."""

    columns: list[tuple[int, Segment]]
    unit_note: str = ""


def read_figures(pages: Iterable[Page], year: int) -> list[Reading]:
    """Every figure of a headline indicator printed in ``pages`` for any year (the reporting
    ``year`` is assumed where neither a column nor the sentence names one)."""
    state = _State(columns=[])
    found: list[Reading] = []
    for page in pages:
        if index_page(page):
            continue  # a content index names codes and pages, not figures
        lines = page.lines
        for index, line in enumerate(lines):
            if index_code(line) is not None:
                continue  # a content-index line: a code, a name and a page number
            header = [(y, s) for s in line.segments if (y := year_of(s.text)) is not None]
            if header:
                state.columns, state.unit_note = header, ""
                continue
            if len(line.segments) >= 2 and _HEADER_WORDS.search(line.segments[0].text) and \
                    not any(figures(normalise(s.text)) for s in line.segments):
                state.columns, state.unit_note = [], ""  # a new table without year columns
                continue
            if len(line.segments) == 1:
                note = _UNIT_NOTE.match(normalise(line.segments[0].text).strip())
                if note:
                    state.unit_note = note.group(1).strip()
                    continue
            for position, segment in enumerate(line.segments):
                used = _continued(lines, index, segment)
                text = _joined(used)
                for match in find_indicators(text, (len(segment.text),)):
                    if match.start < len(segment.text):  # a name that begins on this line
                        found.extend(_read(match, page, lines, index, position, state, year,
                                           used, text))
    return found


def _continued(lines: tuple[Line, ...], index: int, segment: Segment) -> list[Segment]:
    """The segment and, where its column goes on on the next line, that line's segment (a
    sentence, or a name, wraps there)."""
    if index + 1 < len(lines):
        below = [s for s in lines[index + 1].segments if abs(s.x0 - segment.x0) < 2]
        if below:
            return [segment, below[0]]
    return [segment]


def _joined(used: list[Segment]) -> str:
    text = used[0].text
    for other in used[1:]:
        joint = " " if text[-1:].isascii() and other.text[:1].isascii() else ""
        text += joint + other.text
    return text


def _read(match: Match, page: Page, lines: tuple[Line, ...], index: int, position: int,
          state: _State, year: int, used: list[Segment], text: str) -> list[Reading]:
    line = lines[index]
    segment = line.segments[position]
    basis = scope2_basis(clause_of(text, match.start, match.end, (len(segment.text),))) \
        if match.code in SCOPE2 else ""
    if basis:
        match = replace(match, code=SCOPE2[1] if basis == MARKET else SCOPE2[0])
    found: list[Reading] = []
    if match.end <= len(segment.text):
        row = _row(match, page, line, position, state, year)
        rest = _BRACKETED.sub("", normalise(segment.text[match.end:]))
        if row and not _prose_figure(rest):  # "（范围1+范围2）" qualifies the label
            found = row
    if not found:
        found = _prose(match, page, used, text, year)
    return [replace(reading, basis=basis) for reading in found]


def scope2_basis(clause: str) -> str:
    """Which Scope 2 basis a label's folded, space-free ``clause`` names: ``location``,
    ``market``, ``both`` (a label naming the two cannot say which figure it is) or
    ``unlabelled``."""
    location = any(word in clause for word in LOCATION_WORDS)
    market = any(word in clause for word in MARKET_WORDS)
    if location and market:
        return BOTH
    return LOCATION if location else MARKET if market else UNLABELLED


def _row(match: Match, page: Page, line: Line, position: int, state: _State,
         year: int) -> list[Reading]:
    """A table row: the label's segment, then an optional unit cell, then value cells."""
    label = line.segments[position]
    unit_printed, unit = _label_unit(label.text[match.end:])
    cells: list[tuple[Segment, Figure]] = []
    for segment in line.segments[position + 1:]:
        text = normalise(segment.text).strip()
        if not cells and not unit and read_unit(text) is not None:
            unit_printed, unit = text, read_unit(text) or ""
            continue
        if find_indicators(segment.text):
            break  # another label: a second table beside this one
        found = figures(text)
        if len(found) != 1 or len(found[0].printed) + len(found[0].unit) + 2 < len(text):
            continue  # a note or a footnote mark, not a value cell
        cells.append((segment, found[0]))
    if not cells:
        return []
    if not unit and state.unit_note:
        unit_printed, unit = state.unit_note, read_unit(state.unit_note) or ""
    readings: list[Reading] = []
    for segment, figure in cells:
        column_year = _column_year(segment, state.columns)
        if column_year is None and state.columns:
            continue  # a value outside every year column (a change %, a target)
        if column_year is None and readings:
            continue  # without year columns only the first value is the year's
        printed_unit = figure.unit or unit_printed
        readings.append(Reading(
            indicator=match.code, year=column_year or year,
            year_basis=COLUMN if column_year else ASSUMED, value=figure.value,
            printed=figure.printed + (figure.multiplier and f" {figure.multiplier}"),
            unit=read_unit(figure.unit) or unit if figure.unit else unit,
            unit_printed=printed_unit, context=label.text + " " + unit_printed,
            page=page.number, bbox=_union(label, segment), text=line.text.replace("\t", " | ")))
    return readings


def _prose(match: Match, page: Page, used: list[Segment], text: str, year: int) -> list[Reading]:
    """A sentence: the first figure after the indicator's name, within reach and before the
    next indicator's name, on this line or the column's next line."""
    after = _BRACKETED.sub(_blank_qualifier, normalise(text[match.end:match.end + PROSE_REACH + 16]))
    stop = next((m.start for m in find_indicators(after)), len(after))
    figure = _prose_figure(after[:stop])
    if figure is None or figure.start > PROSE_REACH:
        return []
    said = _YEAR_NEAR.search(after[figure.end:figure.end + 12]) or _YEAR_NEAR.search(
        normalise(text[:match.start]))
    told = int(said.group(1) or said.group(2)) if said else None
    box = used[0]
    for other in used[1:]:
        box = _union_segment(box, other)
    return [Reading(
        indicator=match.code, year=told or year, year_basis=TEXT if told else ASSUMED,
        value=figure.value, printed=figure.printed + (figure.multiplier and f" {figure.multiplier}"),
        unit=read_unit(figure.unit) or "" if figure.unit else "", unit_printed=figure.unit,
        context=text, page=page.number, bbox=(box.x0, box.top, box.x1, box.bottom),
        text=" ".join(s.text for s in used))]


def _blank_qualifier(bracketed: re.Match[str]) -> str:
    """A bracketed qualifier after a name ("（范围1+范围2）", "(tCO2e)") blanked, so that its
    digits are not the sentence's figure; a bracketed number (a negative) is kept."""
    if any(char.isalpha() for char in bracketed.group(1)):
        return " " * len(bracketed.group(0))
    return bracketed.group(0)


def _prose_figure(text: str) -> Figure | None:
    """The first figure of a sentence fragment that is not a year."""
    for figure in figures(text):
        if not figure.unit and not figure.multiplier and figure.value == int(figure.value) and \
                2000 <= figure.value <= 2100 and "," not in figure.printed:
            continue
        return figure
    return None


def _label_unit(text: str) -> tuple[str, str]:
    """A unit printed in brackets after a row's label: "(tCO2e)", "（万吨二氧化碳当量）"."""
    for bracketed in _BRACKETED.finditer(normalise(text)):
        spelled = bracketed.group(1).strip()
        spelled = re.sub(r"^(?:单位|unit)\s*[:：]\s*", "", spelled, flags=re.IGNORECASE)
        if read_unit(spelled) is not None:
            return spelled, read_unit(spelled) or ""
    return "", ""


def _column_year(segment: Segment, columns: list[tuple[int, Segment]]) -> int | None:
    best: tuple[float, int] | None = None
    for year, header in columns:
        overlap = min(segment.x1, header.x1) - max(segment.x0, header.x0)
        distance = abs(segment.centre - header.centre)
        if overlap > 0 or distance <= COLUMN_SLACK:
            if best is None or distance < best[0]:
                best = (distance, year)
    return best[1] if best else None


def _union(a: Segment, b: Segment) -> tuple[float, float, float, float]:
    return (min(a.x0, b.x0), min(a.top, b.top), max(a.x1, b.x1), max(a.bottom, b.bottom))


def _union_segment(a: Segment, b: Segment) -> Segment:
    x0, top, x1, bottom = _union(a, b)
    return Segment(a.text + b.text, x0, top, x1, bottom)
