"""The one translated display layer: how codes (units, tiers, disclosure levels, data types,
confidence codes, provinces, log entries) and numbers are shown to a person in the active
language. It imports no app; templates reach it through the filters in :mod:`czesg.web.display_tags`."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from czesg.engine.kernel import units

# Django's gettext_noop reads the settings when called: the tables below are built at import,
# before a command has set Django up, so they are marked with the engine's plain marker.
from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.numbers import format_number, round_number
from czesg.web.language import language

TIERS: dict[str, str] = {
    "basic": gettext_noop("Basic (SMEs)"),
    "standard": gettext_noop("Standard (listed companies)"),
    "comprehensive": gettext_noop("Comprehensive"),
}

LEVELS: dict[str, str] = {
    "mandatory": gettext_noop("Mandatory"),
    "encouraged": gettext_noop("Encouraged"),
    "where_applicable": gettext_noop("Where applicable"),
    "not_applicable": gettext_noop("Not applicable"),
}

DATA_TYPES: dict[str, str] = {
    "number": gettext_noop("Number"),
    "text": gettext_noop("Text"),
    "boolean": gettext_noop("Yes/no"),
    "enum": gettext_noop("Choice from a list"),
    "date": gettext_noop("Date"),
}

CONFIDENCE: dict[str, str] = {
    "confirmed-primary": gettext_noop("Confirmed (primary source)"),
    "confirmed-secondary": gettext_noop("Confirmed (secondary source)"),
    "confirmed-secondary-code": gettext_noop("Confirmed (secondary source, code list)"),
    "methodology-choice": gettext_noop("Methodology choice"),
    "analyst-mapping": gettext_noop("Analyst's mapping between frameworks"),
}

# What an unconfirmed figure is missing, after "unconfirmed-".
UNCONFIRMED: dict[str, str] = {
    "single-secondary": gettext_noop("a single secondary source"),
    "single-source": gettext_noop("a single source"),
    "platform-assumption-from-exchange-guideline": gettext_noop(
        "platform assumption from the exchange guideline"),
    "format-of-a-real-register-not-yet-received-from-the-city": gettext_noop(
        "format of a real register not yet received from the city"),
}

PROVINCES: dict[str, str] = {
    "Jiangsu": gettext_noop("Jiangsu"), "Zhejiang": gettext_noop("Zhejiang"),
    "Shanghai": gettext_noop("Shanghai"), "Anhui": gettext_noop("Anhui"),
    "East China": gettext_noop("East China"), "China": gettext_noop("China"),
}

# Where an audited access came through.
CHANNELS: dict[str, str] = {
    "page": gettext_noop("web page"),
    "api": gettext_noop("API"),
}

_RUN = re.compile(r"^rating (\d{4}) \(run (\d+)\)$")
_VERSION = re.compile(r"^disclosure (\d{4}) v(\d+)$")
_EVIDENCE = re.compile(r"^evidence ([A-Z0-9-]+): (.*)$", re.S)


def _lookup(table: dict[str, str], code: Any) -> str:
    text = "" if code is None else str(code)
    return gettext(table[text]) if text in table else text


def unit_label(unit: Any) -> str:
    """A unit token (canonical or compound such as ``tCO2e/10k_CNY``) in the active language."""
    text = "" if unit is None else str(unit)
    if not text:
        return ""
    lang = language()
    if text in units.LABELS:
        return units.label(text, lang)
    if "/" in text and text.isascii():
        parts = [unit_label(part) for part in text.split("/")]
        joiner = " per " if lang.startswith("en") else "/"
        return joiner.join(parts)
    if text == "10k_CNY":
        return units.label("万元", lang)
    return text


def park_label(key: Any) -> str:
    """A park of the city profile (its key, e.g. ``cn_israel_park``) by its name in the active
    language; the key itself when the profile does not know it."""
    from czesg.engine.plan import load_city_profile  # the profile is cached after first load

    text = "" if key is None else str(key)
    if not text:
        return ""
    try:
        return load_city_profile().park(text).name(language())
    except KeyError:
        return text


def tier_label(tier: Any) -> str:
    """A disclosure tier (basic, standard…) in the active language."""
    return _lookup(TIERS, tier)


def level_label(level: Any) -> str:
    """A disclosure level (mandatory, encouraged, where_applicable) in the active language."""
    return _lookup(LEVELS, level)


def data_type_label(data_type: Any) -> str:
    """An indicator's data type (number, text, boolean, enum) in the active language."""
    return _lookup(DATA_TYPES, data_type)


def confidence_label(code: Any) -> str:
    """A confidence code in the active language; ``unconfirmed-…`` reads "unconfirmed: …"."""
    text = "" if code is None else str(code)
    if " / " in text:
        return " / ".join(confidence_label(part) for part in text.split(" / "))
    if text in CONFIDENCE:
        return gettext(CONFIDENCE[text])
    if text.startswith("unconfirmed"):
        rest = text[len("unconfirmed"):].lstrip("-")
        what = gettext(UNCONFIRMED[rest]) if rest in UNCONFIRMED else rest.replace("-", " ")
        return gettext("Unconfirmed: %(what)s") % {"what": what} if what else gettext("Unconfirmed")
    return text


def province_label(name: Any) -> str:
    """A province or region name as the factor set spells it, in the active language."""
    return _lookup(PROVINCES, name)


def channel_label(channel: Any) -> str:
    """The channel of an audited access ("page", "api", "page/api") in the active language."""
    text = "" if channel is None else str(channel)
    return "/".join(_lookup(CHANNELS, part) for part in text.split("/")) if text else ""


def log_label(entry: Any) -> str:
    """A log entry written in English by the platform (e.g. "rating 2025 (run 2)"), translated."""
    text = "" if entry is None else str(entry)
    match = _RUN.match(text)
    if match:
        return gettext("rating %(year)s (run %(run)s)") % {"year": match[1], "run": match[2]}
    match = _VERSION.match(text)
    if match:
        return gettext("disclosure %(year)s, version %(version)s") % {
            "year": match[1], "version": match[2]}
    match = _EVIDENCE.match(text)
    if match:
        return gettext("evidence for %(indicator)s: %(file)s") % {
            "indicator": indicator_name(match[1]), "file": match[2]}
    return channel_label(text) if text in {"page", "api", "page/api", "api/page"} else text


_CODE = re.compile(r"^[A-Z]-[A-Z]{2,4}-\d{2}[A-Z0-9-]*$")


def indicator_name(code: Any) -> str:
    """An indicator's name in the active language with its code, e.g. "员工总数（S-EMP-01）";
    the code alone when the catalogue does not know it."""
    from czesg.engine.catalogue import load_catalogue  # the catalogue is cached after first load

    text = "" if code is None else str(code)
    if not _CODE.match(text) or text not in load_catalogue():
        return text
    indicator = load_catalogue().get(text)
    if language().startswith("en"):
        return f"{indicator.name_en} ({text})"
    return f"{indicator.name_zh}（{text}）"


def localise_params(params: Any) -> dict[str, Any]:
    """A message's parameters as a person reads them: an indicator ``code`` by its name, a
    ``unit`` by its label, a ``field`` by its ``field_zh``/``field_en`` name, figures formatted."""
    shown = dict(params or {})
    if "code" in shown:
        shown["code"] = indicator_name(shown["code"])
    if "unit" in shown:
        shown["unit"] = unit_label(shown["unit"])
    names = ("field_en", "field_zh") if language().startswith("en") else ("field_zh", "field_en")
    for name in names:
        if shown.get(name):
            shown["field"] = shown[name]
            break
    for key in ("min", "max", "value", "limit"):
        if isinstance(shown.get(key), (int, float)) and not isinstance(shown.get(key), bool):
            shown[key] = format_number(shown[key])
    return shown


def choice_label(code: Any, key: Any) -> str:
    """The answer ``key`` of choice indicator ``code`` by its name in the active language."""
    from czesg.engine.catalogue import load_catalogue

    catalogue = load_catalogue()
    text = "" if key is None else str(key)
    if str(code) not in catalogue:
        return text
    for item in catalogue.get(str(code)).choices:
        if item.key == text:
            return item.name_en if language().startswith("en") else item.name_zh
    return text


def display_name(obj: Any) -> str:
    """An organisation's name in the active language: its English name in English mode where it
    has one (``name_en``), its Chinese name otherwise."""
    if obj is None:
        return ""
    get = obj.get if isinstance(obj, dict) else lambda key, default: getattr(obj, key, default)
    name = str(get("name", "") or "")
    english = get("name_en", "") or ""
    return str(english) if english and language().startswith("en") else name


# Significant digits by the unit of an indicator: whole people and counts, shares to 3 digits.
_DIGITS_BY_UNIT = {"person": 0, "count": 0, "%": 3}


def indicator_number(value: Any, code: Any) -> str:
    """A figure of indicator ``code`` with the digits its unit calls for (12 persons, 37.5 %,
    otherwise 4 significant digits)."""
    from czesg.engine.catalogue import load_catalogue

    catalogue = load_catalogue()
    unit = catalogue.get(str(code)).unit if str(code) in catalogue else ""
    digits = _DIGITS_BY_UNIT.get(unit)
    if digits == 0:  # whole units: no decimals, however large
        rounded = round_number(value, 1)
        return format_number(value) if rounded is None else format_number(round(rounded), 18)
    return format_number(value, digits or 4)


def basis_label(basis: Any, source: Any = "", document: Any = "", page: Any = "") -> SafeString:
    """The tag that says where a shown value comes from: a record of a named source (with its
    document and page), the enterprise's disclosure, or not reported. Written here rather than
    as an included template because the comparison page shows one per cell: with an include
    per cell the page took 31.8 ms of CPU for five published enterprises, with this 23.9 ms
    (at 100,000 enterprises on PostgreSQL, the median of 15 requests)."""
    if basis == "record":
        # As {% blocktranslate %} does: the translated text as written, the values escaped.
        inner = gettext("Record: %(source)s") % {"source": conditional_escape(source)}
        if page:
            inner += ' <span class="basis-page">%s</span>' % (
                gettext("p. %(page)s") % {"page": conditional_escape(page)})
        if document:
            title = format_html(' title="{}{}"', document, f" p. {page}" if page else "")
        else:
            title = ""
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<span class="tag basis basis-record" data-basis="record"{title}>{inner}</span>')
    if basis == "disclosed":
        return format_html('<span class="tag basis basis-disclosed" data-basis="disclosed">{}'
                           '</span>', pgettext("basis", "Disclosed"))
    return format_html('<span class="tag basis basis-not-reported" data-basis="not_reported">'
                       '{}</span>', pgettext("basis", "Not reported"))
