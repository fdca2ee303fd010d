"""The tables of the published methodology page, generated from the loaded methodology files.

Every weight, step, deduction and band comes from the TOML (never copied by hand); the words
around them (titles, column labels, directions, scoring rules) are translated with gettext.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext, pgettext_lazy

from czesg.engine.rating import (
    PEER_FALLBACK,
    PILLARS,
    DeductionRule,
    GreenComponent,
    GreenMethodology,
    Methodology,
    RatedIndicator,
)

_WORDS: dict[str, Promise] = {
    "higher_better": pgettext_lazy("methodology", "higher is better"),
    "lower_better": pgettext_lazy("methodology", "lower is better"),
    "industry_percentile": pgettext_lazy("methodology", "percentile among industry peers"),
    "absolute": pgettext_lazy("methodology", "absolute thresholds"),
    "yes": pgettext_lazy("methodology", "yes"),
    "no": pgettext_lazy("methodology", "no"),
    "otherwise": pgettext_lazy("methodology", "otherwise"),
    "drop": pgettext_lazy("methodology", "dropped, weight re-normalised"),
    "zero": pgettext_lazy("methodology", "scores 0"),
    "group": pgettext_lazy("methodology", "materiality group"),
    "all": pgettext_lazy("methodology", "all enterprises"),
}

_COLUMNS: dict[str, Promise] = {
    "pillar": pgettext_lazy("methodology table", "Pillar"),
    "name": pgettext_lazy("methodology table", "Name"),
    "weight": pgettext_lazy("methodology table", "Weight"),
    "group": pgettext_lazy("methodology table", "Materiality group"),
    "lead_industries": pgettext_lazy("methodology table", "Lead industries"),
    "topic": pgettext_lazy("methodology table", "Topic"),
    "code": pgettext_lazy("methodology table", "Code"),
    "indicator": pgettext_lazy("methodology table", "Indicator"),
    "direction": pgettext_lazy("methodology table", "Direction"),
    "normalisation": pgettext_lazy("methodology table", "Normalisation"),
    "scoring": pgettext_lazy("methodology table", "Scoring"),
    "not_applicable": pgettext_lazy("methodology table", "May be N/A"),
    "setting": pgettext_lazy("methodology table", "Setting"),
    "value": pgettext_lazy("methodology table", "Value"),
    "rule": pgettext_lazy("methodology table", "Rule"),
    "cap": pgettext_lazy("methodology table", "Cap (points)"),
    "grade": pgettext_lazy("methodology table", "Grade"),
    "label": pgettext_lazy("methodology table", "Label"),
    "min": pgettext_lazy("methodology table", "From (incl.)"),
    "max": pgettext_lazy("methodology table", "To (excl., except 100)"),
    "points": pgettext_lazy("methodology table", "Points"),
    "exclusive": pgettext_lazy("methodology table", "Exclusive group"),
    "industry": pgettext_lazy("methodology table", "Industry code or lead industry"),
    "category": pgettext_lazy("methodology table", "Catalogue category"),
    "unknown": pgettext_lazy("methodology table", "When unknown"),
    "colour": pgettext_lazy("methodology table", "Environmental credit colour"),
    "tier": pgettext_lazy("methodology table", "Disclosure tier"),
    "rated_indicators": pgettext_lazy("methodology table", "Rated on"),
    "max_grade": pgettext_lazy("methodology table", "Best grade"),
    "source": pgettext_lazy("methodology table", "Source"),
    "confidence": pgettext_lazy("methodology table", "Confidence"),
    "E": pgettext_lazy("methodology table", "Environmental (E)"),
    "S": pgettext_lazy("methodology table", "Social (S)"),
    "G": pgettext_lazy("methodology table", "Governance (G)"),
}

_TITLES: dict[str, Promise] = {
    "pillars": pgettext_lazy("methodology table", "Default pillar weights"),
    "groups": pgettext_lazy("methodology table", "Industry materiality groups and pillar weights"),
    "topics": pgettext_lazy("methodology table", "Topic weights within pillars"),
    "indicators": pgettext_lazy("methodology table",
                                "Rated indicators, weights within topics and scoring"),
    "settings": pgettext_lazy("methodology table", "Peer groups and other settings"),
    "deductions": pgettext_lazy("methodology table",
                                "Deductions for controversies (government records)"),
    "bands": pgettext_lazy("methodology table", "Grade bands"),
    "tiers": pgettext_lazy("methodology table", "Disclosure tiers: indicators rated and best grade"),
    "components": pgettext_lazy("methodology table", "Green score components"),
    "certifications": pgettext_lazy("methodology table", "Points for green certifications"),
    "green_industry": pgettext_lazy(
        "methodology table", "Green low-carbon transition industry mapping (analyst mapping)"),
    "labels": pgettext_lazy("methodology table", "Green score label bands"),
    "label_cap": pgettext_lazy("methodology table", "Label limits by environmental credit colour"),
}


def methodology_tables(methodology: Methodology | GreenMethodology, language: str = "zh-hans"
                       ) -> list[dict[str, Any]]:
    """The methodology's tables for the web page, generated from the loaded TOML.

    Each table is ``{"key", "title", "note", "columns": [{"key", "label"}], "rows": [dict]}``
    with rows keyed by column key; ``language`` "en…" gives English, anything else Chinese.
    """
    en = language.lower().startswith("en")
    with translation.override("en" if en else "zh-hans"):
        if isinstance(methodology, GreenMethodology):
            return _green_tables(methodology, "en" if en else "zh")
        return _rating_tables(methodology, "en" if en else "zh")


def _word(key: str) -> str:
    """A methodology keyword (a direction, a normalisation …) in words; the key when unknown."""
    word = _WORDS.get(key)
    return str(word) if word is not None else key


def _number(value: float) -> str:
    return f"{value:g}"


def _joined(parts: Sequence[str]) -> str:
    """Parts of a rule joined by the language's list separator."""
    return pgettext("methodology list separator", "; ").join(parts)


def _table(key: str, columns: Sequence[str], rows: list[dict[str, Any]], note: str = ""
           ) -> dict[str, Any]:
    return {
        "key": key, "title": str(_TITLES[key]), "note": note,
        "columns": [{"key": c, "label": str(_COLUMNS[c])} for c in columns],
        "rows": rows,
    }


def _scoring_text(indicator: RatedIndicator) -> str:
    """The scoring rule of one indicator in words."""
    if indicator.normalisation == "industry_percentile":
        return pgettext("methodology", "100 × share of peers it beats (ties count half)")
    if indicator.data_type == "choice":
        return _joined([f"{key}: {_number(score)}" for key, score in indicator.choice_scores])
    if indicator.data_type == "boolean":
        yes = indicator.absolute_scores(np.array([1.0]))[0]
        no = indicator.absolute_scores(np.array([0.0]))[0]
        return _joined([f"{_word('yes')} = {_number(yes)}", f"{_word('no')} = {_number(no)}"])
    sign = "≥" if indicator.higher_is_better else "≤"
    steps = [f"{sign} {_number(v)}: {_number(p)}" for v, p in indicator.thresholds]
    ordered = steps if not indicator.higher_is_better else list(reversed(steps))
    return _joined([*ordered, f"{_word('otherwise')}: 0"])


def _deduction_text(rule: DeductionRule) -> str:
    """The points rule of one deduction in words."""
    if rule.key == "env_penalties":
        steps = _joined([f"≥ {_number(a)}: +{_number(p)}" for a, p in rule.amount_steps])
        return _joined([
            pgettext("methodology", "%(points)s per penalty (at most %(cap)s)") % {
                "points": _number(rule.points_per_count), "cap": _number(rule.count_cap)},
            pgettext("methodology", "by total amount in 万元: %(steps)s") % {"steps": steps},
        ])
    if rule.key == "safety_accidents":
        return _joined([
            pgettext("methodology", "%(points)s per fatal accident") % {
                "points": _number(rule.points_per_fatal)},
            pgettext("methodology", "%(points)s per other serious accident") % {
                "points": _number(rule.points_per_serious)},
        ])
    return _joined([f"{key}: {_number(points)}" for key, points in rule.points])


def _component_text(component: GreenComponent) -> str:
    """The scoring rule of one green score component in words."""
    if component.key == "carbon_efficiency":
        return pgettext(
            "methodology", "percentile of %(indicator)s among industry peers (%(direction)s)"
        ) % {"indicator": component.indicator, "direction": _word(component.direction)}
    if component.key == "green_industry":
        return _joined([
            pgettext("methodology", "member: %(points)s") % {
                "points": _number(component.member_score)},
            pgettext("methodology", "non-member: %(points)s") % {
                "points": _number(component.non_member_score)},
        ])
    if component.key == "env_credit":
        return _joined([f"{key}: {_number(points)}" for key, points in component.scores])
    return pgettext("methodology", "sum of certification points, at most %(cap)s") % {
        "cap": _number(component.cap)}


def _tier_table(m: Methodology, lang: str) -> list[dict[str, Any]]:
    """The tier rule's table (none for a methodology that rates every tier alike)."""
    if m.tiers is None:
        return []
    rows = [{
        "tier": r.name(lang), "rated_indicators": ", ".join(r.indicators),
        "max_grade": r.max_grade, "source": f"{r.source} — {r.max_grade_source}",
        "confidence": f"{r.confidence} / {r.max_grade_confidence}",
    } for r in m.tiers.rules]
    rows.append({
        "tier": pgettext("methodology", "Standard"),
        "rated_indicators": pgettext("methodology", "every rated indicator"),
        "max_grade": m.bands[0].key, "source": m.tiers.source, "confidence": m.tiers.confidence,
    })
    return [_table("tiers", ("tier", "rated_indicators", "max_grade", "source", "confidence"),
                   rows, note=f"{m.tiers.source} ({m.tiers.confidence})")]


def _rating_tables(m: Methodology, lang: str) -> list[dict[str, Any]]:
    """The rating methodology's tables (in the active language; ``lang`` names the data's)."""
    return [
        _table("pillars", ("pillar", "name", "weight", "source", "confidence"), [
            {"pillar": p.key, "name": p.name(lang), "weight": p.weight,
             "source": p.source, "confidence": p.confidence} for p in m.pillars
        ]),
        _table("groups", ("group", "name", "lead_industries", *PILLARS, "source", "confidence"), [
            {"group": g.key, "name": g.name(lang),
             "lead_industries": ", ".join(g.lead_industries), **dict(g.weights),
             "source": g.source, "confidence": g.confidence} for g in m.groups
        ], note=m.materiality_source),
        _table("topics", ("pillar", "topic", "name", "weight", "source", "confidence"), [
            {"pillar": t.pillar, "topic": t.key, "name": t.name(lang),
             "weight": t.weight, "source": t.source, "confidence": t.confidence}
            for t in m.topics
        ]),
        _table("indicators", ("pillar", "topic", "code", "indicator", "weight", "direction",
                              "normalisation", "scoring", "not_applicable", "source",
                              "confidence"), [
            {"pillar": i.pillar, "topic": i.topic, "code": i.code,
             "indicator": i.name(lang), "weight": i.weight,
             "direction": _word(i.direction), "normalisation": _word(i.normalisation),
             "scoring": _scoring_text(i),
             "not_applicable": _word("yes" if i.not_applicable_allowed else "no"),
             "source": i.source, "confidence": i.confidence} for i in m.indicators
        ]),
        _table("settings", ("setting", "value", "source", "confidence"), [
            {"setting": "min_peers", "value": m.min_peers, "source": m.peers_source,
             "confidence": m.peers_confidence},
            {"setting": "fallback", "value": " → ".join(_word(x) for x in PEER_FALLBACK),
             "source": m.peers_source, "confidence": m.peers_confidence},
            {"setting": "sole_reporter_score", "value": m.sole_reporter_score,
             "source": m.peers_source, "confidence": m.peers_confidence},
            {"setting": "self_diagnosis.neutral_score", "value": m.neutral_score,
             "source": m.neutral_source, "confidence": m.neutral_confidence},
            {"setting": "deductions.cap", "value": m.deduction_cap,
             "source": m.deduction_source, "confidence": m.deduction_confidence},
        ]),
        _table("deductions", ("name", "rule", "cap", "source", "confidence"), [
            {"name": d.name(lang), "rule": _deduction_text(d), "cap": d.cap,
             "source": d.source + (f" — {d.scale_source}" if d.scale_source else ""),
             "confidence": d.confidence
             + (f" / {d.scale_confidence}" if d.scale_confidence else "")}
            for d in m.deductions
        ]),
        _table("bands", ("grade", "min", "max", "source", "confidence"), [
            {"grade": b.key, "min": b.min, "max": b.max, "source": b.source,
             "confidence": b.confidence} for b in m.bands
        ], note=f"{m.grade_scale_source} ({m.grade_scale_confidence})"),
        *_tier_table(m, lang),
    ]


def _green_tables(g: GreenMethodology, lang: str) -> list[dict[str, Any]]:
    """The green score methodology's tables (in the active language)."""
    categories = {c.key: c.name(lang) for c in g.categories}
    return [
        _table("components", ("name", "weight", "unknown", "rule", "source", "confidence"), [
            {"name": c.name(lang), "weight": c.weight, "unknown": _word(c.unknown),
             "rule": _component_text(c), "source": c.source, "confidence": c.confidence}
            for c in g.components
        ]),
        _table("certifications", ("name", "points", "exclusive", "source", "confidence"), [
            {"name": c.name(lang), "points": c.points, "exclusive": c.exclusive,
             "source": c.source, "confidence": c.confidence} for c in g.certifications
        ]),
        _table("green_industry", ("industry", "category", "source", "confidence"), [
            {"industry": m.industry or m.lead_industry, "category": categories[m.category],
             "source": m.source, "confidence": m.confidence} for m in g.mappings
        ], note=f"{g.catalogue_source} ({g.catalogue_confidence})"),
        _table("deductions", ("name", "rule", "cap", "source", "confidence"), [
            {"name": d.name(lang), "rule": _deduction_text(d), "cap": d.cap,
             "source": d.source, "confidence": d.confidence} for d in g.deductions
        ], note=f"{g.deduction_source} ({g.deduction_confidence})"),
        _table("labels", ("label", "name", "min", "max", "source", "confidence"), [
            {"label": b.key, "name": b.name(lang), "min": b.min, "max": b.max,
             "source": b.source, "confidence": b.confidence} for b in g.labels
        ], note=f"{g.names_source} ({g.names_confidence})"),
        _table("label_cap", ("colour", "label", "source", "confidence"), [
            {"colour": colour, "label": next(b.name(lang) for b in g.labels if b.key == label),
             "source": g.label_cap_source, "confidence": g.label_cap_confidence}
            for colour, label in g.label_cap
        ]),
    ]
