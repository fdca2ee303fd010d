"""The alias dictionary of the headline indicators (``data/extraction/aliases.toml``): how each is
named in a report, and which indicator a table label or a sentence names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

ALIASES_FILE = "extraction/aliases.toml"


@dataclass(frozen=True)
class IndicatorAliases:
    """The phrases naming one catalogue indicator in a report, and the words that rule it out."""

    code: str
    phrases: tuple[str, ...]
    exclude: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Match:
    """An indicator named in a text: which, by which phrase, and where the phrase ends."""

    code: str
    phrase: str
    start: int
    end: int


def fold(text: str) -> str:
    """``text`` as phrases are compared: NFKC (full-width letters and digits folded), lower case,
    Chinese brackets as ASCII ones."""
    return unicodedata.normalize("NFKC", text).lower()


_SPACE = re.compile(r"\s+")


def _squeeze(text: str) -> tuple[str, list[int]]:
    """The folded text without white space, and for each of its characters the index in ``text``."""
    folded = fold(text)
    kept: list[int] = []
    chars: list[str] = []
    for index, char in enumerate(folded):
        if not char.isspace():
            chars.append(char)
            kept.append(index)
    return "".join(chars), kept


def parse_aliases(text: str, name: str = ALIASES_FILE) -> tuple[IndicatorAliases, ...]:
    """The alias table of the TOML ``text``; refused with file, line and field when malformed."""
    top = parse_toml(text, name, confidences=[c.value for c in Confidence], by_line=True)
    top.allow("version", "indicator")
    top.text("version")
    seen = FirstSeen()
    phrases_seen = FirstSeen()
    found = []
    for table in top.array("indicator"):
        table.allow("code", "zh", "en", "codes", "exclude", "source", "confidence")
        code = table.text("code")
        seen.claim(table, "code", code)
        phrases: list[str] = []
        for key in ("zh", "en", "codes"):
            for phrase in table.texts(key, required=key != "codes"):
                folded = _SPACE.sub("", fold(phrase))
                phrases_seen.claim(table, key, folded)
                phrases.append(folded)
        exclude = tuple(_SPACE.sub("", fold(w)) for w in table.texts("exclude", required=False))
        found.append(IndicatorAliases(code, tuple(phrases), exclude, table.provenance()))
    return tuple(found)


@lru_cache(maxsize=1)
def load_aliases() -> tuple[IndicatorAliases, ...]:
    """The shipped alias table (read once)."""
    return parse_aliases(read_data_file(DATA_DIR / ALIASES_FILE, ALIASES_FILE))


@lru_cache(maxsize=1)
def _ordered() -> tuple[tuple[str, IndicatorAliases], ...]:
    """Every (phrase, indicator), longest phrase first."""
    pairs = [(phrase, entry) for entry in load_aliases() for phrase in entry.phrases]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


_CLAUSE_END = re.compile(r"[，。；;：:]|[,.]\s")


def find_indicators(text: str, breaks: tuple[int, ...] = ()) -> list[Match]:
    """Every indicator ``text`` names, by the longest phrases first and without overlaps, in the
    order they appear; a phrase whose clause carries one of its indicator's exclusion words
    (an intensity, a target, a share) names nothing. ``breaks`` are positions where a line of
    the page ended: they end a clause unless the phrase itself runs over them (a name that
    wraps). ``start``/``end`` index into ``text``."""
    squeezed, positions = _squeeze(text)
    taken: list[tuple[int, int]] = []
    found: list[Match] = []
    for phrase, entry in _ordered():
        at = squeezed.find(phrase)
        while at >= 0:
            end = at + len(phrase)
            if not any(at < e and s < end for s, e in taken) and (
                    not phrase.isascii() or _word_bounded(squeezed, at, end)):
                taken.append((at, end))
                clause = clause_of(text, positions[at], positions[end - 1] + 1, breaks)
                if not any(word in clause for word in entry.exclude):
                    found.append(Match(entry.code, phrase, positions[at],
                                       positions[end - 1] + 1))
            at = squeezed.find(phrase, end)
    return sorted(found, key=lambda m: m.start)


def find_indicator(text: str) -> Match | None:
    """The first indicator ``text`` names (see :func:`find_indicators`), or None."""
    found = find_indicators(text)
    return found[0] if found else None


def clause_of(text: str, start: int, end: int, breaks: tuple[int, ...] = ()) -> str:
    """The folded, space-free clause around ``text[start:end]`` (between clause punctuation and
    the line ``breaks`` outside the phrase)."""
    before = [m.end() for m in _CLAUSE_END.finditer(text, 0, start)]
    after = _CLAUSE_END.search(text, end)
    low = max([before[-1] if before else 0, *(b for b in breaks if b <= start)])
    high = min([after.start() if after else len(text), *(b for b in breaks if b >= end)])
    return _SPACE.sub("", fold(text[low:high]))


def _word_bounded(text: str, start: int, end: int) -> bool:
    """An English phrase must not be part of a longer word ("revenue" in "revenues" is fine,
    "scope 1" in "scope 12" is not)."""
    after = text[end:end + 1]
    before = text[start - 1:start] if start else ""
    return not (after.isdigit() or before.isalnum())
