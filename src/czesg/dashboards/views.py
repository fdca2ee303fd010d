"""The city dashboard's pages: the entry page that sends each reader to the dashboard of their
role, the six plan targets with the breakdowns, and their Excel and PDF export.

Who sees what is decided here and again in the actions and querysets: government users and
platform administrators see everything; a park administrator sees only the own zone's report
and statistics page (:mod:`czesg.parks.views`); everybody else signed in gets "not found", and
the public is sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from czesg.accounts.models import Role
from czesg.accounts.permissions import is_government
from czesg.assurance.queries import assured_breakdown
from czesg.dashboards import exports
from czesg.dashboards.figures import BREAKDOWNS, CityFigures, breakdown_table, cached_city_figures
from czesg.dashboards.labels import UNIT_LABELS, labels
from czesg.dashboards.queries import (
    cached,
    grades_by_tier,
    name_of,
    parse_threshold,
    parse_year,
    year_choices,
)
from czesg.disclosures.models import Tier
from czesg.engine.plan import load_city_profile
from czesg.engine.plan import targets as engine
from czesg.engine.rating import load_methodology
from czesg.finance import supervision as finance_supervision
from czesg.reports.downloads import export_format, export_response
from czesg.web.language import language


def _government_only(request: HttpRequest) -> None:
    if not is_government(request.user):
        raise Http404


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Send each reader to the dashboard of their role."""
    user = request.user
    if is_government(user):
        return redirect("dashboards:city")
    if user.role == Role.PARK_ADMIN and user.park_key:
        return redirect("parks:zone", park_key=user.park_key)
    raise Http404


# --------------------------------------------------------------------------------------------
# City dashboard


def target_cards(figures: CityFigures, lang: str) -> list[dict[str, Any]]:
    """The six plan targets as cards: name, figure, target, status, trend series."""
    english = lang.startswith("en")
    names = labels()
    cards = []
    for target in figures.targets:
        percent = target.unit == "%"
        cards.append({
            "key": target.key,
            "name": target.name_en if english else target.name_zh,
            "value": target.value,
            "value_text": "—" if target.value is None else (
                f"{target.value:.1f}%" if percent else f"{target.value:,.0f}"),
            "target_text": (f"{target.target:.0f}%" if percent else f"{target.target:,.0f}"),
            "unit": gettext(UNIT_LABELS.get(target.unit, "")) if UNIT_LABELS.get(target.unit)
            else "",
            "comparator": target.comparator,
            "target_year": target.target_year,
            "year": target.year,
            "status": target.status,
            "status_label": names["status"][target.status],
            "share": target.share_of_target,
            "expected": target.expected,
            "trend": target.trend,
            "measured_by": target.measured_by,
            "series": [[y, v] for y, v in target.series],
            "target": target.target,
            "source": target.source,
        })
    return cards


def city_context(figures: CityFigures, lang: str) -> dict[str, Any]:
    """Everything the city page and its PDF show."""
    names = labels()
    tables = {}
    for by in BREAKDOWNS:
        table = breakdown_table(figures, by, lang)
        table["labels"] = [label or names["none"][by] for label in table["labels"]]
        table["rows"] = [
            {"key": key, "label": label,
             **{m: table["metrics"][m][i] for m in table["metrics"]},
             "grades": [table["grades"][g][i] for g in table["grades"]]}
            for i, (key, label) in enumerate(zip(table["keys"], table["labels"], strict=True))
        ]
        tables[by] = table
    cards = target_cards(figures, lang)
    by_tier = grades_by_tier(figures.year)
    tier_grades = [{"tier": tier, "name": str(name),
                    "counts": [(g, by_tier[tier].get(g, 0)) for g in engine.GRADE_SCALE],
                    "total": sum(by_tier[tier].values())}
                   for tier, name in Tier.choices if tier in by_tier]
    chart = {
        "targets": {c["key"]: {"series": c["series"], "target": c["target"],
                               "name": c["name"]} for c in cards},
        "breakdowns": {by: {k: v for k, v in t.items() if k != "rows"}
                       for by, t in tables.items()},
        "labels": names,
        "grades": [*engine.GRADE_SCALE, engine.UNRATED],
    }
    return {
        "figures": figures, "cards": cards, "tables": tables, "chart": chart,
        "breakdown_names": [(by, names["by"][by]) for by in BREAKDOWNS],
        "grade_names": [*engine.GRADE_SCALE, names["unrated"]],
        "grade_choices": engine.GRADE_SCALE, "years": year_choices(figures.year),
        "metric_labels": names["metric"], "lang": lang, "tier_grades": tier_grades,
        "basic_max_grade": load_methodology().max_grade(Tier.BASIC),
        "generated": timezone.localtime(),
    }


@login_required
def city(request: HttpRequest) -> HttpResponse:
    """The six 2027 targets against today, and breakdowns by district, park and industry."""
    _government_only(request)
    figures = cached_city_figures(parse_year(request.GET.get("year")),
                           parse_threshold(request.GET.get("threshold")))
    context = city_context(figures, language())
    context["assurance"] = _assurance(figures.year, context["lang"])
    context["green_finance"] = finance_supervision.supervision(context["lang"])
    return render(request, "dashboards/city.html", context)


def _assurance(year: int, lang: str) -> dict[str, Any]:
    """Assured enterprises and values of the year, by district, park and lead industry."""
    profile = load_city_profile()
    names = labels()
    # Kept under the data version as the other city-wide figures (a join of every assured
    # value: 226 ms at 20,000 enterprises, seconds at a million).
    data = dict(cached("assured-breakdown", [year], lambda: assured_breakdown(year)))
    data["tables"] = [
        (names["by"][by], [(name_of(profile, by, key, lang) or names["none"][by], cell)
                           for key, cell in data["groups"][by]])
        for by in ("district", "park", "industry")
    ]
    return data


@login_required
def city_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The city dashboard as an Excel workbook or a PDF."""
    _government_only(request)
    fmt = export_format(fmt)
    lang = language()
    figures = cached_city_figures(parse_year(request.GET.get("year")),
                           parse_threshold(request.GET.get("threshold")))
    context = city_context(figures, lang)
    return export_response(request, fmt, f"czesg-city-{figures.year}",
                           workbook=lambda: exports.city_workbook(figures, context),
                           pdf_template="dashboards/pdf/city.html", context=context)
