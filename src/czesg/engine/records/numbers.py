"""Numbers as printed: what a report, a register or a utility file writes, turned into a float.

Real files print "1,234.5", "１２３４", "1.2万", "3.4亿元", "(120)", "约 1,200", "12.5%", and for
no figure "—", "N/A", "Not Reported", "Excluded" or "未披露". :func:`parse_printed` reads each,
returning the number and the scale it carried, or raising :class:`NotAFigure` (the cell says there
is no figure) or :class:`UnreadableNumber` (the cell is not a number at all), so that a reader can
name the row and say which it was.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from czesg.engine.kernel.errors import CatalogueError, gettext_noop

# Cells that say "there is no figure" rather than giving a wrong one (compared case-folded,
# without spaces and punctuation at the ends).
NO_FIGURE_MARKS: frozenset[str] = frozenset({
    "", "-", "--", "—", "——", "–", "/", "n/a", "na", "n.a.", "n.a", "nil", "none", "null",
    "notreported", "not reported", "notapplicable", "not applicable", "excluded", "notdisclosed",
    "not disclosed", "nd", "不适用", "未披露", "未报告", "无", "暂无", "不涉及", "空",
})

# Scale words a number may carry after it (largest first, so 百万 wins over 万).
SCALES: tuple[tuple[str, float], ...] = (
    ("百万", 1e6), ("千万", 1e7), ("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3),
)
_APPROXIMATE = ("约", "近", "逾", "超过", "~", "≈", "about", "approx.", "approximately")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([,\u2009\u202f ']\d{3})+(\.\d+)?$")


class NotAFigure(CatalogueError):
    """The cell says there is no figure ("—", "N/A", "Not Reported", "未披露" …)."""

    code = "not_a_figure"


class UnreadableNumber(CatalogueError):
    """The cell is neither a number nor a mark of no figure."""

    code = "unreadable_number"


@dataclass(frozen=True)
class Printed:
    """A printed number read: its value (scale applied), the scale word and whether it was
    marked approximate ("约")."""

    value: float
    scale: str = ""
    approximate: bool = False


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def is_no_figure(text: str) -> bool:
    """Whether a cell's text says that there is no figure."""
    return _plain(text).casefold().strip(" .。") in NO_FIGURE_MARKS


def parse_printed(raw: object) -> Printed:
    """A printed number as a float, with its scale word applied; refused with a reason otherwise."""
    if isinstance(raw, bool):
        raise UnreadableNumber(gettext_noop("“%(value)s” is not a number."), value=raw)
    if isinstance(raw, (int, float)):
        if not math.isfinite(float(raw)):
            raise UnreadableNumber(gettext_noop("“%(value)s” is not a finite number."), value=raw)
        return Printed(float(raw))
    text = _plain(str(raw if raw is not None else ""))
    if is_no_figure(text):
        raise NotAFigure(gettext_noop("“%(value)s” says that there is no figure."), value=text)
    approximate = False
    lowered = text.casefold()
    for word in _APPROXIMATE:
        if lowered.startswith(word):
            text, approximate = text[len(word):].strip(), True
            break
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1].strip()
    scale, factor = "", 1.0
    for word, multiplier in SCALES:
        if text.endswith(word):
            text, scale, factor = text[: -len(word)].strip(), word, multiplier
            break
    text = text.replace("，", ",")
    if _GROUPED.match(text):
        text = re.sub(r"[,\u2009\u202f ']", "", text)
    elif "," in text:
        raise UnreadableNumber(
            gettext_noop("“%(value)s” is not a number: its thousands separators are misplaced."),
            value=raw)
    if not _NUMBER.fullmatch(text):
        raise UnreadableNumber(gettext_noop("“%(value)s” is not a number."), value=raw)
    value = float(text) * factor
    if not math.isfinite(value):
        raise UnreadableNumber(gettext_noop("“%(value)s” is not a finite number."), value=raw)
    return Printed(-value if negative else value, scale, approximate)
