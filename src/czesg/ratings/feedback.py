"""Feedback right after an enterprise submits or publishes a disclosure: the estimated grade and
green score, what raised and lowered the score, and the next three steps.

Nothing is scored here: the grade is the self-diagnosis's estimate
(:func:`czesg.ratings.actions.self_diagnosis`, the methodology applied to the disclosure's
answers, ranked against the year's rated population where there is one) and the green score is
:func:`czesg.engine.rating.green_score` of the disclosure alone; both are labelled estimates (the
official rating comes from the next rating run).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from czesg.disclosures.checks import answers_of
from czesg.disclosures.models import Disclosure
from czesg.engine import rating as engine
from czesg.engine.disclosure.answers import Answer
from czesg.enterprises.models import Enterprise
from czesg.ratings import actions
from czesg.ratings.inputs import records_of
from czesg.ratings.views import _diagnosis_view
from czesg.web.language import language

NEXT_STEPS = 3


def _long_rows(uscc: str, answers: dict[str, Answer]) -> list[tuple[str, str, Any, str]]:
    rows = []
    for code, answer in answers.items():
        if answer.status == "not_applicable":
            rows.append((uscc, code, None, "not_applicable"))
            continue
        value: Any = answer.number
        if value is None and answer.boolean is not None:
            value = answer.boolean
        if value is None and answer.choice:
            value = answer.choice
        if value is not None:
            rows.append((uscc, code, value, "reported"))
    return rows


def green_estimate(enterprise: Enterprise, answers: dict[str, Answer], year: int
                   ) -> dict[str, Any]:
    """The green score of the answers alone (with the year's government records); a component
    ranked against peers takes the methodology's sole-reporter score."""
    methodology = engine.load_methodology()
    group = engine.materiality_group(enterprise.industry_code, methodology)
    inputs = engine.RatingInput.from_long(
        _long_rows(enterprise.uscc, answers), {enterprise.uscc: group},
        {enterprise.uscc: records_of(enterprise, year)}, year=year, methodology=methodology,
        industries={enterprise.uscc: enterprise.industry_code},
    )
    return engine.green_score(inputs).row(enterprise.uscc)


def _green_view(row: dict[str, Any]) -> dict[str, Any]:
    green = engine.load_green_methodology(row["methodology_version"])
    lang = language()
    labels = {b.key: b.name(lang) for b in green.labels}
    components = []
    for component in green.components:
        part = (row.get("components") or {}).get(component.key, {})
        components.append({"key": component.key, "name": component.name(lang),
                           "score": part.get("score"), "points": part.get("points") or 0.0})
    return {"score": row["score"], "label": row["label"],
            "label_name": labels.get(row["label"], row["label"]),
            "deductions": row.get("deductions") or 0.0, "components": components}


def _raised_and_lowered(diagnosis: engine.Diagnosis, answers: dict[str, Answer]
                        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What raised the estimated score (the pillars and rated indicators answered) and what
    lowered it (rated indicators left open, values below target, government-record
    deductions)."""
    methodology = engine.load_methodology(diagnosis.methodology_version)
    lang = language()
    en = lang.startswith("en")
    # The rated indicators of the disclosure's form (methodology 2025.2 rates a basic-tier
    # disclosure on the basic form's indicators only).
    in_tier = set(methodology.tier_codes(diagnosis.tier)) if methodology.tier_aware else None
    rated = [i for i in methodology.indicators if in_tier is None or i.code in in_tier]
    answered = [i for i in rated if i.code in answers]
    raised: list[dict[str, Any]] = []
    for pillar in sorted(methodology.pillars,
                         key=lambda p: -(diagnosis.pillar_scores.get(p.key) or 0.0)):
        score = diagnosis.pillar_scores.get(pillar.key)
        if score:
            raised.append({"kind": "pillar", "name": pillar.name(lang), "score": score})
    raised.append({"kind": "answered", "n": len(answered), "total": len(rated)})
    lowered: list[dict[str, Any]] = []
    open_rated = [g for g in diagnosis.gaps if g.rated]
    if open_rated:
        lowered.append({"kind": "open", "names": [g.name_en if en else g.name_zh
                                                  for g in open_rated]})
    weak = [a for a in diagnosis.plan if a.action != "report"]
    if weak:
        lowered.append({"kind": "weak", "names": [a.name_en if en else a.name_zh
                                                  for a in weak[:5]]})
    missing = [a for a in diagnosis.plan if a.action == "report" and a.code not in
               {g.code for g in open_rated}]
    if missing:  # the plan lists the biggest gains first
        lowered.append({"kind": "missing", "n": len(missing),
                        "names": [a.name_en if en else a.name_zh for a in missing[:5]]})
    if diagnosis.deductions:
        lowered.append({"kind": "deductions", "points": diagnosis.deductions})
    return raised, lowered


def feedback_for(disclosure: Disclosure, actor) -> dict[str, Any]:
    """The page's figures for a disclosure its manager just submitted or published."""
    answers = answers_of(disclosure)
    diagnosis = actions.self_diagnosis(disclosure.enterprise, answers, year=disclosure.year,
                                       tier=disclosure.tier, actor=actor)
    green = _green_view(green_estimate(disclosure.enterprise, answers, disclosure.year))
    raised, lowered = _raised_and_lowered(diagnosis, answers)
    view = _diagnosis_view(diagnosis)
    return {"diagnosis": view, "green": green, "raised": raised, "lowered": lowered,
            "steps": view["plan"][:NEXT_STEPS]}


@login_required
def disclosure_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The estimated grade, green score and diagnosis of a disclosure, for its managers (shown
    right after submitting and publishing)."""
    disclosure = (Disclosure.objects.editable_by(request.user).select_related("enterprise")
                  .filter(pk=pk).first())
    if disclosure is None:
        raise Http404
    context = {"disclosure": disclosure, "enterprise": disclosure.enterprise,
               "title": gettext("Your estimated result"), "lang": language(),
               **feedback_for(disclosure, request.user)}
    return render(request, "ratings/feedback.html", context)
