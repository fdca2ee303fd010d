"""Figures as reports print them: full-width digits, thousands separators (``1,234``, ``1 234``),
万/亿 and million/billion multipliers, percentages and negatives in brackets, each followed by the
unit it is printed in (read through the platform's unit registry, never guessed)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from czesg.engine.kernel import units

# A printed number: optional sign or opening bracket, digits with separators, optional decimals.
_NUMBER = re.compile(
    r"(?P<open>[(（])?\s?(?P<sign>[-−–])?\s?"
    r"(?P<digits>\d{1,3}(?:(?:,|\u2009|\u00a0| )\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<close>[)）])?"
)
_YEAR = re.compile(r"^(?:fy\s?)?(20\d\d)\s*(?:年度?|年末|财年)?$", re.IGNORECASE)
MULTIPLIERS: dict[str, Decimal] = {
    "万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000),
    "百万": Decimal(1_000_000), "million": Decimal(1_000_000), "billion": Decimal(1_000_000_000),
    "thousand": Decimal(1_000),
}
# Spellings of the registry's units that a report prints and the registry does not list.
_UNIT_TIDY = {"tco₂e": "tCO2e", "tco2-e": "tCO2e", "tonnes co2e": "tCO2e", "t co2e": "tCO2e",
              "吨co2e": "tCO2e", "吨co₂e": "tCO2e", "m³": "m3", "tonnes": "t", "tonne": "t",
              "吨标准煤": "tce", "人次": "人次"}
_STOP = re.compile(r"[\s，。；;,:：、)）(（]")
MAX_UNIT_CHARS = 16


def normalise(text: str) -> str:
    """``text`` with full-width digits, letters and brackets folded (NFKC) and the minus sign
    made ASCII."""
    return unicodedata.normalize("NFKC", text).replace("−", "-").replace("–", "-")


@dataclass(frozen=True)
class Figure:
    """A number as printed and read: its value (multiplier applied), the printed text, where it
    sits in the text, the multiplier word and the unit spelling printed after it (may be "")."""

    value: Decimal
    printed: str
    start: int
    end: int
    multiplier: str
    unit: str


def year_of(text: str) -> int | None:
    """The year a column header names ("2024", "2024年", "FY2024"), or None."""
    found = _YEAR.match(normalise(text).strip())
    return int(found.group(1)) if found else None


def figures(text: str) -> list[Figure]:
    """Every printed number in ``text`` (already :func:`normalise`-d) with its multiplier and unit.

    A year followed by 年 and a bare number inside a longer word (``Scope 1``, ``GRI 305-1``) are
    not figures."""
    found: list[Figure] = []
    taken = 0
    for match in _NUMBER.finditer(text):
        if match.start() < taken:
            continue  # the "10,000" of a unit printed as "10,000 CNY" after a figure
        digits = match.group("digits")
        opened, closed = bool(match.group("open")), bool(match.group("close"))
        start = match.start("open") if opened else (
            match.start("sign") if match.group("sign") else match.start("digits"))
        end = match.end()
        if opened != closed:  # "(Scope 1" or "2024)" — a bracket not around the number
            start = match.start("sign") if match.group("sign") else match.start("digits")
            end = match.end("digits")
            opened = False
        before = text[start - 1:start] if start else ""
        after = text[end:end + 1]
        if (before.isalpha() and before.isascii()) or (before and before in "-/.") or (
                match.group("sign") and before.isalnum()):
            continue  # "Scope1", "305-1", "CO2"
        if (after and after in "-/") or (after.isalpha() and after.isascii() and
                                    text[end:end + 2].lower() not in ("mw", "gw", "kw", "gj", "mj",
                                                                     "tj", "m3", "m³", "ml", "kg",
                                                                     "tc", "t ", "t", "h")
                                    and not _starts_unit(text[end:])):
            continue
        try:
            value = Decimal(re.sub(r"[,\u2009\u00a0 ]", "", digits))
        except InvalidOperation:
            continue
        rest = text[end:]
        if re.match(r"\s?(年|月|日|号|岁|季度)", rest) or re.match(r"\s?[-–]\s?\d", rest):
            continue  # a date, an age or a range, not a figure
        multiplier, unit, consumed = _tail(rest)
        if match.group("sign") or (opened and closed):
            value = -value
        if multiplier:
            value *= MULTIPLIERS[multiplier.lower()]
        found.append(Figure(value, text[start:end], start, end + consumed, multiplier, unit))
        taken = end + consumed
    return found


def _starts_unit(text: str) -> bool:
    word = re.match(r"[A-Za-z₂²³]+", text)
    return word is not None and read_unit(word.group(0)) is not None


def _tail(text: str) -> tuple[str, str, int]:
    """The multiplier word and unit spelling at the start of ``text`` and the characters used."""
    index = 0
    if text[:1] == " ":
        index = 1
    lowered = text[index:index + MAX_UNIT_CHARS + 8].lower()
    for spelling in _numbered_spellings():  # "10,000 CNY", "100 million CNY": a unit's name
        after = lowered[len(spelling):len(spelling) + 1]
        if lowered.startswith(spelling) and not (after and (after.isalnum() or after in "₂²³")):
            return "", text[index:index + len(spelling)], index + len(spelling)
    multiplier = ""
    for word in ("百万", "万", "亿", "千", "million", "billion", "thousand"):
        chunk = text[index:index + len(word)]
        if chunk.lower() == word:
            if read_unit(text[index:index + MAX_UNIT_CHARS].split(" ")[0]) is not None and \
                    word in ("万", "亿", "百万", "千"):
                break  # 万吨, 亿元, 万千瓦时: the registry knows the scaled unit itself
            multiplier = word
            index += len(word)
            if text[index:index + 1] == " ":
                index += 1
            break
    if text[index:index + 1] == "%":
        return multiplier, "%", index + 1
    stop = _STOP.search(text, index)
    word = text[index:stop.start() if stop else len(text)][:MAX_UNIT_CHARS]
    for length in range(len(word), 0, -1):
        spelled = read_unit(word[:length])
        if spelled is not None:
            return multiplier, word[:length], index + length
    return multiplier, "", index


def read_unit(text: str) -> str | None:
    """The registry's spelling of a printed unit (``m³`` → ``m3``), or None when the registry does
    not know it."""
    spelled = normalise(text).strip()
    if not spelled:
        return None
    spelled = _UNIT_TIDY.get(spelled.lower(), spelled)
    return _spellings().get(spelled.lower())


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Every spelling the unit registry lists (symbols and aliases), by its lower case; pint's
    own vocabulary is not used, so that "GH" or "b" after a number is never read as a unit."""
    spelled: dict[str, str] = {}
    for spelling in units.ALIASES:
        if "_" not in spelling:
            spelled.setdefault(spelling.lower(), spelling)
    # The registry's own Chinese and English names, as czesg's report prints them ("10,000 CNY").
    for symbol, names in units.ALL_LABELS.items():
        for name in names:
            spelled.setdefault(normalise(name).lower(), symbol)
    return spelled


@lru_cache(maxsize=1)
def _numbered_spellings() -> tuple[str, ...]:
    """The registry's spellings that begin with a number ("10,000 t"), longest first."""
    return tuple(sorted((s for s in _spellings() if s[:1].isdigit()), key=len, reverse=True))
