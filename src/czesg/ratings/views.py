"""The rating pages: methodology, an enterprise's rating, the city overview with its runs,
government records, and the enterprise's self-diagnosis (HTML, printable and PDF)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from czesg.access.actions import note_consented_read
from czesg.access.models import Scope
from czesg.accounts.permissions import (
    can_manage_enterprise,
    require_government,
    require_manager,
)
from czesg.disclosures.checks import answers_of
from czesg.disclosures.models import Datapoint, Disclosure, State, Tier
from czesg.engine import rating as engine
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.answers import Answer
from czesg.engine.disclosure.values import coerce
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.kernel.numbers import format_number
from czesg.engine.kernel.units import label as unit_label
from czesg.enterprises.models import Enterprise
from czesg.ratings import actions, queries
from czesg.ratings.methodology_page import methodology_tables
from czesg.ratings.models import GreenScore, RatingRun
from czesg.ratings.textformat import render_markdown
from czesg.records.known import known_figures, restricted_readable
from czesg.reports.downloads import pdf_download
from czesg.reports.pdf import html_to_pdf
from czesg.web import display
from czesg.web.language import language
from czesg.web.problems import user_message


def _en() -> bool:
    return language().startswith("en")


def _enterprise(uscc: str) -> Enterprise:
    enterprise = Enterprise.objects.visible_to(None).filter(uscc=uscc.upper()).first()
    if enterprise is None:
        raise Http404
    return enterprise


def _table(table: dict[str, Any]) -> dict[str, Any]:
    """A methodology table with its rows as lists in column order (for the template)."""
    keys = [c["key"] for c in table["columns"]]

    def cell(key: str, value: Any) -> Any:
        return display.confidence_label(value) if key == "confidence" else value

    return {**table, "cells": [[(k, cell(k, row.get(k, ""))) for k in keys] for row in table["rows"]]}


# --- methodology ------------------------------------------------------------------------------
def methodology(request: HttpRequest) -> HttpResponse:
    """The published methodology in the reader's language, with every table generated from the
    methodology files (each weight with its source and confidence)."""
    rating = engine.load_methodology()
    green = engine.load_green_methodology()
    lang = language()
    suffix = "en" if _en() else "zh"
    path = engine.METHODOLOGY_DIR / f"rating-{rating.version}.{suffix}.md"
    document = render_markdown(path.read_text(encoding="utf-8")) if path.is_file() else ""
    return render(request, "ratings/methodology.html", {
        "rating": rating, "green": green, "title": rating.title(lang),
        "description": rating.description_en if _en() else rating.description_zh,
        "green_title": green.title(lang), "document": document,
        "tables": [_table(t) for t in methodology_tables(rating, lang)],
        "green_tables": [_table(t) for t in methodology_tables(green, lang)],
    })


# --- an enterprise's rating -------------------------------------------------------------------
def _value_text(code: str, value: float | None, catalogue) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    indicator = catalogue.get(code)
    if indicator.data_type == "boolean":
        return gettext("yes") if value >= 0.5 else gettext("no")
    if indicator.data_type == "choice":
        index = int(value)
        if 0 <= index < len(indicator.choices):
            return indicator.choices[index].name(language())
        return ""
    return format_number(value)


def _unit(catalogue, code: str) -> str:
    unit = catalogue.get(code).unit
    return unit_label(unit, language()) if unit else ""


def _explained(expl: engine.Explanation, methodology: engine.Methodology) -> dict[str, Any]:
    """The explanation arranged for the page: topics with their indicators, deductions, plan."""
    catalogue = load_catalogue()
    lang = language()
    topics: dict[str, dict[str, Any]] = {}
    names = {f"{t.pillar}.{t.key}": t.name(lang) for t in methodology.topics}
    for c in expl.contributions:
        key = f"{c.pillar}.{c.topic}"
        topic = topics.setdefault(key, {"key": key, "pillar": c.pillar, "name": names[key],
                                        "rows": [], "points": 0.0})
        indicator = catalogue.get(c.code)
        topic["rows"].append({
            "code": c.code, "name": indicator.name(lang), "status": c.status,
            "value": _value_text(c.code, c.value, catalogue),
            "unit": unit_label(indicator.unit, lang) if indicator.unit else "",
            "score": c.score, "weight": c.weight * 100, "points": c.points,
            "normalisation": c.normalisation, "peer_level": c.peer_level,
            "peer_rank": c.peer_rank, "peer_size": c.peer_size, "recorded": c.recorded,
        })
        topic["points"] += c.points
    deductions = [{"key": d.key, "name": d.name_en if _en() else d.name_zh, "points": d.points}
                  for d in expl.deductions]
    improvements = [{
        "code": i.code, "name": i.name_en if _en() else i.name_zh, "action": i.action,
        "target": i.target, "current": _value_text(i.code, i.current_value, catalogue),
        "target_value": _value_text(i.code, i.target_value, catalogue),
        "unit": _unit(catalogue, i.code), "points": i.points, "new_score": i.new_score,
        "new_grade": i.new_grade,
    } for i in expl.improvements]
    return {"topics": list(topics.values()), "deductions": deductions,
            "adjustment": expl.adjustment, "percentile": expl.percentile, "rank": expl.rank,
            "peer_size": expl.peer_size, "improvements": improvements, "total": expl.total,
            "group": methodology.group(expl.group).name(lang)}


def _green_view(green: GreenScore | None) -> dict[str, Any] | None:
    if green is None:
        return None
    methodology = engine.load_green_methodology(green.methodology_version)
    lang = language()
    labels = {b.key: b.name(lang) for b in methodology.labels}
    components = []
    for component in methodology.components:
        part = (green.components or {}).get(component.key, {})
        components.append({"key": component.key, "name": component.name(lang),
                           "score": part.get("score"), "weight": (part.get("weight") or 0) * 100,
                           "points": part.get("points") or 0.0})
    return {"score": green.score, "label": green.label, "label_name": labels.get(green.label,
                                                                                 green.label),
            "label_capped": green.label_capped, "deductions": green.deductions,
            "components": components, "methodology_version": green.methodology_version}


def enterprise_rating(request: HttpRequest, uscc: str) -> HttpResponse:
    """An enterprise's latest rating for everybody (grade and score), and for its members,
    government and consented grantees the explanation, the green score and what would help."""
    enterprise = _enterprise(uscc)
    rating = actions.latest_rating(enterprise)
    allowed = actions.can_see_explanation(request.user, enterprise)
    context: dict[str, Any] = {
        "enterprise": enterprise, "rating": rating, "allowed": allowed,
        "can_manage": can_manage_enterprise(request.user, enterprise),
        "history": actions.history(enterprise), "lang": language(),
    }
    if rating is not None:
        methodology = engine.load_methodology(rating.methodology_version)
        context["group_name"] = methodology.group(rating.peer_group).name(language())
        context["pillar_names"] = {p.key: p.name(language()) for p in methodology.pillars}
        context["shares"] = {key: value * 100
                             for key, value in actions.weight_shares(rating).items()}
        if allowed:
            context["explanation"] = _explained(actions.explanation(rating), methodology)
            context["green"] = _green_view(
                GreenScore.objects.filter(run_id=rating.run_id, enterprise=enterprise).first())
            note_consented_read(request.user, enterprise, Scope.SCORES,
                                f"rating {rating.year} (run {rating.run_id})", "page")
    return render(request, "ratings/enterprise.html", context)


# --- the city ---------------------------------------------------------------------------------
def _default_year() -> int:
    latest = (Disclosure.objects.filter(state=State.PUBLISHED).order_by("-year")
              .values_list("year", flat=True).first())
    return latest or timezone.now().year - 1


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The city's ratings (government and platform administrators): grade distributions by
    lead industry and district, the count at or above a grade, and the rating runs."""
    require_government(request.user)
    run = None
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    if not year:
        run = actions.latest_run()
        year = run.year if run else _default_year()
    run = run or actions.latest_run(year)
    threshold = (request.GET.get("threshold") or "A").strip().upper()
    error = ""
    try:
        top = actions.grades_at_or_above(threshold)
    except CzesgError as exc:
        error = user_message(exc)
        threshold, top = "A", actions.grades_at_or_above("A")
    methodology = engine.load_methodology()
    grades = [b.key for b in methodology.bands]
    counts = (run.grade_counts if run else {}) or {}
    years = sorted(set(Disclosure.objects.filter(state=State.PUBLISHED).order_by()
                       .values_list("year", flat=True).distinct()) | {year}, reverse=True)
    context = {
        "year": year, "years": years, "run": run, "threshold": threshold, "grades": grades,
        "error": error, "top": top,
        # The enterprises whose latest rating as of the year is at the threshold or above: the
        # city dashboard's count of the plan target (one query for both, so they agree).
        "at_or_above": queries.rated_at_or_above(year, threshold) if run else 0,
        "grade_counts": [(g, int(counts.get(g, 0))) for g in grades],
        "tier_counts": actions.tier_grade_counts(run, grades) if run else [],
        "runs": list(RatingRun.objects.select_related("started_by")[:20]),
        "charts": {
            "grades": grades,
            "industry": actions.distribution(run, "industry", language()) if run else [],
            "district": actions.distribution(run, "district", language()) if run else [],
        },
    }
    return render(request, "ratings/overview.html", context)


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start re-rating the city for a year (government and platform administrators)."""
    year = request.POST.get("year") or _default_year()
    run = actions.start_rating(year, actor=request.user)
    return redirect(f"{reverse('ratings:overview')}?year={run.year}#run-{run.pk}")


@login_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's row with its progress (polled by htmx every 2 s while the run is active)."""
    require_government(request.user)
    run = RatingRun.objects.select_related("started_by").filter(pk=pk).first()
    if run is None:
        raise Http404
    response = render(request, "ratings/_run.html", {"run": run})
    if request.headers.get("HX-Request") == "true" and not run.is_active:
        response["HX-Refresh"] = "true"  # the page reloads to show the finished run's figures
    return response


# --- self-diagnosis ---------------------------------------------------------------------------
def _questions(posted: dict | None = None) -> list[dict[str, Any]]:
    lang = language()
    out = []
    for indicator in actions.questionnaire():
        out.append({
            "code": indicator.code, "name": indicator.name(lang), "what": indicator.what(lang),
            "type": indicator.data_type,
            "unit": unit_label(indicator.unit, lang) if indicator.unit else "",
            "value": (posted or {}).get(indicator.code, ""), "error": "",
        })
    return out


def _plain(number: float) -> str:
    """A number as a form field holds it: every digit, no exponent, no thousands separator."""
    return np.format_float_positional(float(number), trim="-")


def _known_answers(enterprise: Enterprise, user, years: list[int]
                   ) -> dict[int, dict[str, dict[str, Any]]]:
    """What the platform holds for the questionnaire, per year and indicator: the latest
    published disclosure's answer first, else the preferred record of a named source
    (:func:`czesg.records.known.known_figures`), with its basis and source."""
    lang = language()
    pk = enterprise.pk
    known = known_figures([pk], codes=actions.QUESTIONNAIRE, years=years,
                          restricted=restricted_readable(user, [pk]))
    booleans = dict(
        ((year, code), value) for year, code, value in Datapoint.objects.filter(
            disclosure__in=Disclosure.objects.latest_published(enterprises=[pk])
            .filter(year__in=years).values("pk"),
            indicator_code__in=actions.QUESTIONNAIRE, value_bool__isnull=False,
        ).values_list("disclosure__year", "indicator_code", "value_bool"))
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for (_, year, code), figure in known.items():
        if figure.number is not None:
            value = _plain(figure.number)
        elif (year, code) in booleans:
            value = "yes" if booleans[(year, code)] else "no"
        else:
            continue  # not applicable: nothing to fill in
        recorded = figure.recorded
        out.setdefault(year, {})[code] = {
            "value": value, "basis": figure.basis,
            "source": recorded.source_name(lang) if recorded else "",
            "document": recorded.document if recorded else "",
            "page": recorded.page if recorded else None,
        }
    return out


def _same_answer(posted: str, held: str) -> bool:
    """Whether a posted answer is the value the platform holds (numbers compared as numbers)."""
    posted = posted.strip()
    try:
        return float(posted) == float(held)
    except ValueError:
        return posted == held


def _with_known(questions: list[dict[str, Any]], held: dict[str, dict[str, Any]], *,
                fill: bool) -> list[dict[str, Any]]:
    """The questions with the held answers: filled in where ``fill`` (a fresh form), and marked
    with their basis where the field holds the held value."""
    for question in questions:
        answer = held.get(question["code"])
        if answer is None:
            continue
        if fill and not question["value"]:
            question["value"] = answer["value"]
        if _same_answer(str(question["value"]), answer["value"]):
            question["known"] = answer
    return questions


HEADCOUNT = "S-EMP-01"


def _with_registry_hint(questions: list[dict[str, Any]], enterprise: Enterprise
                        ) -> list[dict[str, Any]]:
    """The headcount question with what the enterprise registry holds: its NBS size class, as
    a hint with its source and never as a value (a size class is no headcount: the classes
    combine employees with revenue, differ by industry, and a firm missing either threshold
    drops a class, so no number follows from one)."""
    if not enterprise.size_class:
        return questions
    for question in questions:
        if question["code"] == HEADCOUNT:
            question["hint"] = {"size_class": enterprise.size_class,
                                "size": enterprise.get_size_class_display()}
    return questions


def _answers_from_form(data) -> tuple[dict[str, Answer], list[dict[str, Any]]]:
    """The questionnaire's answers (checked like disclosure values) and the questions with any
    error."""
    questions = _questions({q: data.get(q, "") for q in actions.QUESTIONNAIRE})
    catalogue = load_catalogue()
    answers: dict[str, Answer] = {}
    for question in questions:
        raw = str(question["value"]).strip()
        if not raw:
            continue
        try:
            indicator = catalogue.get(question["code"])
            # The form states each field's unit (the canonical one) beside it: not a guess.
            coerced = coerce(indicator, raw, indicator.unit or None)
        except CzesgError as exc:
            question["error"] = user_message(exc)
            continue
        answers[question["code"]] = Answer.from_coerced(question["code"], coerced)
    return actions.derive_intensities(answers), questions


PLAN_STEPS = 10  # the plan shows the steps that gain the most points


def _diagnosis_view(diagnosis: engine.Diagnosis) -> dict[str, Any]:
    en = _en()
    catalogue = load_catalogue()
    methodology = engine.load_methodology(diagnosis.methodology_version)
    return {
        "score": diagnosis.score, "grade": diagnosis.grade, "total": diagnosis.total,
        "deductions": diagnosis.deductions, "basis": diagnosis.basis,
        "basis_note": diagnosis.basis_note_en if en else diagnosis.basis_note_zh,
        "pillars": [(p.name(language()), diagnosis.pillar_scores.get(p.key))
                    for p in methodology.pillars],
        "group": methodology.group(diagnosis.group).name(language()),
        "gaps": [{"code": g.code, "name": g.name_en if en else g.name_zh,
                  "article": g.exchange_article, "rated": g.rated} for g in diagnosis.gaps],
        "plan_more": max(len(diagnosis.plan) - PLAN_STEPS, 0),
        "plan": [{"code": a.code, "name": a.name_en if en else a.name_zh, "action": a.action,
                  "target": a.target,
                  "target_value": _value_text(a.code, a.target_value, catalogue),
                  "unit": _unit(catalogue, a.code), "points": a.points,
                  "guidance": (a.guidance_en if en else a.guidance_zh).strip()}
                 for a in diagnosis.plan[:PLAN_STEPS]],
        "methodology_version": diagnosis.methodology_version,
        "tier": diagnosis.tier, "tier_name": Tier(diagnosis.tier).label,
        "grade_capped": diagnosis.grade_capped, "max_grade": diagnosis.max_grade,
        "other_tier_count": len(diagnosis.other_tier_codes),
        "other_tier_name": Tier(diagnosis.other_tier).label if diagnosis.other_tier else "",
    }


def _year(raw: str | None, years: list[int], *, default: int) -> int:
    """The reporting year asked for when it is one of ``years``, else ``default``."""
    try:
        year = int(raw or "")
    except ValueError:
        return default
    return year if year in years else default


def self_diagnosis(request: HttpRequest, uscc: str) -> HttpResponse:
    """The enterprise's self-diagnosis for its managers: from its latest disclosure (draft or
    published) or a short questionnaire, an estimated score and grade, the gaps against the
    exchange guideline and an improvement plan; as a page, a printable page or a PDF."""
    enterprise = _enterprise(uscc)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    require_manager(request.user, enterprise)
    data = request.POST if request.method == "POST" else request.GET
    output = data.get("format", "html")
    disclosure = actions.diagnosis_disclosure(enterprise)
    source = data.get("source") or ("disclosure" if disclosure else "questionnaire")
    last_year = timezone.now().year - 1
    years = list(range(last_year, last_year - 5, -1))
    held = _known_answers(enterprise, request.user, years)
    # The year asked for, else the latest year the platform holds answers of, else last year.
    year = _year(data.get("year"), years, default=max(held, default=last_year))
    questions = _with_registry_hint(_with_known(_questions(), held.get(year, {}), fill=True),
                                    enterprise)
    diagnosis = None
    if request.method == "POST":
        source = "questionnaire"
        answers, questions = _answers_from_form(request.POST)
        questions = _with_registry_hint(_with_known(questions, held.get(year, {}), fill=False),
                                        enterprise)
        if not any(q["error"] for q in questions):
            diagnosis = actions.self_diagnosis(enterprise, answers, year=year, tier=Tier.BASIC,
                                               actor=request.user)
    elif source == "disclosure" and disclosure is not None:
        year = disclosure.year
        diagnosis = actions.self_diagnosis(
            enterprise, answers_of(disclosure), year=year,
            tier=disclosure.tier, actor=request.user)
    context = {
        "enterprise": enterprise, "disclosure": disclosure if source == "disclosure" else None,
        "has_disclosure": disclosure is not None, "source": source, "questions": questions,
        "year": year, "years": years, "filled": sum(1 for q in questions if q.get("known")),
        "diagnosis": _diagnosis_view(diagnosis) if diagnosis else None,
        "generated_at": timezone.localtime(), "lang": language(),
    }
    if diagnosis is not None and output in ("print", "pdf"):
        html = render_to_string("ratings/diagnosis_print.html", context, request=request)
        if output == "print":
            return HttpResponse(html)
        pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
        stamp = dt.date.today().isoformat()
        return pdf_download(pdf, f"self-diagnosis-{enterprise.uscc}-{stamp}")
    return render(request, "ratings/self_diagnosis.html", context)
