"""A report PDF's text with its positions: pages of lines of segments (runs of words with no wide
gap between them: a table cell, or a column's part of a line of prose), read with pdfplumber.

Refusals name what is wrong with the file: encrypted, damaged, or only images (no OCR: the
platform ships no text-recognition model, so a scanned report is said to be one).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from czesg.engine.kernel.errors import CzesgError, gettext_noop

# A gap wider than this many times the font size separates two segments (cells, columns).
SEGMENT_GAP = 1.2
# Words whose tops differ by less than this many points stand on one line.
LINE_TOLERANCE = 3.0


class UnreadablePdf(CzesgError):
    """A report PDF whose text cannot be read; the message says why."""

    code = "pdf_unreadable"
    http_status = 422
    message = gettext_noop("The PDF could not be read.")


def encrypted() -> UnreadablePdf:
    """The refusal of a password-protected PDF."""
    return UnreadablePdf(gettext_noop(
        "The PDF is encrypted (password-protected); upload an unprotected copy of the report."))


def damaged() -> UnreadablePdf:
    """The refusal of a PDF that is not a readable PDF file."""
    return UnreadablePdf(gettext_noop("The PDF is damaged and its pages cannot be read."))


def image_only(pages: int) -> UnreadablePdf:
    """The refusal of a PDF whose pages hold only images."""
    return UnreadablePdf(gettext_noop(
        "The PDF holds only images of its %(pages)s pages (a scanned report) and no text; figures "
        "are read only from text, since the platform does no text recognition (OCR). Upload "
        "the report as published (with text), or enter the figures by hand."), pages=pages)


def no_text(pages: int) -> UnreadablePdf:
    """The refusal of a PDF with neither text nor images."""
    return UnreadablePdf(gettext_noop("The PDF holds no text on its %(pages)s pages."),
                         pages=pages)


@dataclass(frozen=True)
class Segment:
    """A run of words on one line with no wide gap: its text and bounding box (PDF points, top-left
    origin: x0, top, x1, bottom)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def centre(self) -> float:
        """The horizontal middle of the segment."""
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Line:
    """The segments standing on one line of a page, left to right."""

    segments: tuple[Segment, ...]

    @property
    def top(self) -> float:
        """The top of the line's highest segment."""
        return min(s.top for s in self.segments)

    @property
    def text(self) -> str:
        """The line's text, segments joined by a tab."""
        return "\t".join(s.text for s in self.segments)


@dataclass(frozen=True)
class Page:
    """One page: its number (from 1), size in points, and lines top to bottom."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    images: int


def read_pages(data: bytes) -> Iterator[Page]:
    """The pages of the PDF ``data`` with their lines; raises :class:`UnreadablePdf`."""
    import pdfplumber  # heavy; imported where a PDF is read
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        document = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, (PDFEncryptionError, PDFPasswordIncorrect)):
            raise encrypted() from None
        raise damaged() from None
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise encrypted() from None
    except (PDFSyntaxError, ValueError, TypeError, KeyError, AssertionError):
        raise damaged() from None
    with document:
        try:
            if getattr(document.doc, "encryption", None):
                raise encrypted()
            for number, page in enumerate(document.pages, start=1):
                words = page.extract_words(keep_blank_chars=True, x_tolerance=1.5,
                                           y_tolerance=2, extra_attrs=["size"])
                yield Page(number, float(page.width), float(page.height),
                           tuple(_lines(words)), len(page.images))
        except UnreadablePdf:
            raise
        except Exception:  # pdfminer raises many kinds for a damaged content stream
            raise damaged() from None


def _lines(words: list[dict]) -> list[Line]:
    """Words grouped into lines (by their tops) and each line into segments (by the gaps)."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= LINE_TOLERANCE:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        segments: list[Segment] = []
        current: list[dict] = []
        for word in row:
            size = float(word.get("size") or 10)
            if current and word["x0"] - current[-1]["x1"] > SEGMENT_GAP * size:
                segments.append(_segment(current))
                current = []
            current.append(word)
        if current:
            segments.append(_segment(current))
        lines.append(Line(tuple(segments)))
    return lines


def _segment(words: list[dict]) -> Segment:
    text = ""
    for index, word in enumerate(words):
        if index and word["x0"] - words[index - 1]["x1"] > 0.15 * float(word.get("size") or 10):
            text += " "
        text += word["text"]
    return Segment(text.strip(), min(w["x0"] for w in words), min(w["top"] for w in words),
                   max(w["x1"] for w in words), max(w["bottom"] for w in words))
