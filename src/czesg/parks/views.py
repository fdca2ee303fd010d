"""The zone evaluation's pages: the ranking of zones, a zone's report, the statistics form,
and their Excel and PDF exports.

Government users and platform administrators see every zone; a park administrator sees only the
own zone's report and statistics page (any other zone does not exist for them); everybody else
signed in gets "not found", and the public is sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from czesg.accounts.models import Role
from czesg.accounts.permissions import is_government
from czesg.dashboards.labels import labels
from czesg.dashboards.queries import cached_default_year, parse_year, year_choices
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.parks import ParkEvaluation, load_park_methodology
from czesg.engine.plan import load_city_profile
from czesg.parks import actions, exports
from czesg.parks.forms import ZoneStatisticsForm
from czesg.parks.models import ZoneStatistic
from czesg.parks.queries import ZoneFigures, cached_zone_figures
from czesg.reports.downloads import export_format, export_response
from czesg.web.language import language
from czesg.web.problems import user_message


def _government_only(request: HttpRequest) -> None:
    if not is_government(request.user):
        raise Http404


def _zone_or_404(request: HttpRequest, park_key: str):
    if not actions.may_see_zone(request.user, park_key):
        raise Http404
    try:
        return load_city_profile().park(park_key)
    except KeyError:
        raise Http404 from None


def _year(request: HttpRequest) -> int:
    return parse_year(request.GET.get("year")) or cached_default_year()


def _name(item, lang: str, short: bool = False) -> str:
    if lang.startswith("en"):
        return item.name_en
    return getattr(item, "short_zh", "") if short and getattr(item, "short_zh", "") \
        else item.name_zh


def zone_rows(figures: ZoneFigures, lang: str) -> list[dict[str, Any]]:
    """The ranking of zones: rank, total, dimension scores, completeness and enterprises."""
    profile = load_city_profile()
    rows = []
    for evaluation in figures.evaluations:
        park = profile.park(evaluation.park_key)
        rows.append({
            "key": evaluation.park_key, "name": _name(park, lang),
            "short": _name(park, lang, short=True), "rank": evaluation.rank,
            "total": evaluation.total,
            "dimensions": [d.score for d in evaluation.dimensions],
            "contributions": [d.contribution for d in evaluation.dimensions],
            "completeness": 100.0 * evaluation.completeness,
            "missing": len(evaluation.missing),
            **figures.enterprises.get(evaluation.park_key, {}),
        })
    return rows


def zones_context(figures: ZoneFigures, lang: str) -> dict[str, Any]:
    """Everything the zone ranking and its PDF show."""
    methodology = figures.methodology
    rows = zone_rows(figures, lang)
    dimensions = [_name(d, lang) for d in methodology.dimensions]
    return {
        "figures": figures, "rows": rows, "dimensions": dimensions,
        "methodology": methodology,
        "methodology_title": methodology.title_en if lang.startswith("en") else methodology.title_zh,
        "chart": {"zones": [r["short"] for r in rows], "dimensions": dimensions,
                  "contributions": [r["contributions"] for r in rows],
                  "totals": [r["total"] for r in rows]},
        "years": year_choices(figures.year), "lang": lang, "generated": timezone.localtime(),
    }


@login_required
def zones(request: HttpRequest) -> HttpResponse:
    """The ranking of the city's zones (government); a park administrator goes to the own zone."""
    user = request.user
    if not is_government(user):
        if user.role == Role.PARK_ADMIN and user.park_key:
            return redirect("parks:zone", park_key=user.park_key)
        raise Http404
    figures = cached_zone_figures(_year(request))
    return render(request, "parks/zones.html", zones_context(figures, language()))


@login_required
def zones_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The zone ranking as an Excel workbook or a PDF (government)."""
    _government_only(request)
    fmt = export_format(fmt)
    lang = language()
    figures = cached_zone_figures(_year(request))
    context = zones_context(figures, lang)
    return export_response(request, fmt, f"czesg-zones-{figures.year}",
                           workbook=lambda: exports.zones_workbook(figures, context),
                           pdf_template="parks/pdf/zones.html", context=context)


def indicator_rows(evaluation: ParkEvaluation, lang: str) -> list[dict[str, Any]]:
    """Every sub-indicator of a zone's evaluation as the report shows it, dimension by dimension."""
    names = labels()
    english = lang.startswith("en")
    rows = []
    for dimension in evaluation.dimensions:
        for result in dimension.indicators:
            rows.append({
                "dimension": dimension.key,
                "dimension_name": dimension.name_en if english else dimension.name_zh,
                "key": result.key, "name": result.name_en if english else result.name_zh,
                "value": result.value, "unit": result.unit, "source": result.source,
                "source_label": names["source"][result.source], "missing": result.missing,
                "scoring": result.scoring, "direction": result.direction,
                "benchmark": result.benchmark, "floor": result.floor, "band": result.band,
                "band_assumed": result.band_assumed,
                "benchmark_source": result.benchmark_source,
                "benchmark_confidence": result.benchmark_confidence,
                "points": result.points, "weight": result.weight,
                "contribution": result.contribution,
            })
    return rows


def zone_context(figures: ZoneFigures, park_key: str, lang: str) -> dict[str, Any]:
    """Everything a zone's report and its PDF show."""
    profile = load_city_profile()
    park = profile.park(park_key)
    evaluation = figures.of(park_key)
    methodology = figures.methodology
    english = lang.startswith("en")
    statistics = {s.key: s for s in ZoneStatistic.objects.filter(
        park_key=park_key, year=figures.year).select_related("entered_by")}
    entered = [
        {"key": s.key, "name": s.name_en if english else s.name_zh, "unit": s.unit,
         "entry": statistics.get(s.key)}
        for s in methodology.statistics
    ]
    dimensions = [
        {"key": d.key, "name": d.name_en if english else d.name_zh, "weight": d.weight,
         "score": d.score, "contribution": d.contribution}
        for d in evaluation.dimensions
    ]
    return {
        "figures": figures, "park": park, "park_name": _name(park, lang),
        "evaluation": evaluation, "dimensions": dimensions,
        "indicators": indicator_rows(evaluation, lang), "entered": entered,
        "zones": len(figures.evaluations),
        "counts": figures.enterprises.get(park_key, {}),
        "methodology": methodology,
        "methodology_title": methodology.title_en if english else methodology.title_zh,
        "chart": {"dimensions": [d["name"] for d in dimensions],
                  "scores": [d["score"] for d in dimensions]},
        "years": year_choices(figures.year), "lang": lang, "generated": timezone.localtime(),
    }


@login_required
def zone(request: HttpRequest, park_key: str) -> HttpResponse:
    """A zone's evaluation report: total, dimension scores and every sub-indicator."""
    _zone_or_404(request, park_key)
    figures = cached_zone_figures(_year(request))
    return render(request, "parks/zone.html", zone_context(figures, park_key, language()))


@login_required
def zone_export(request: HttpRequest, park_key: str, fmt: str) -> HttpResponse:
    """A zone's report as an Excel workbook or a PDF."""
    _zone_or_404(request, park_key)
    fmt = export_format(fmt)
    figures = cached_zone_figures(_year(request))
    context = zone_context(figures, park_key, language())
    return export_response(request, fmt, f"czesg-zone-{park_key}-{figures.year}",
                           workbook=lambda: exports.zone_workbook(figures, context),
                           pdf_template="parks/pdf/zone.html", context=context)


@login_required
def zone_statistics(request: HttpRequest, park_key: str) -> HttpResponse:
    """Enter the zone statistics of the park methodology for a year."""
    park = _zone_or_404(request, park_key)
    lang = language()
    methodology = load_park_methodology()
    year = parse_year(request.POST.get("year") or request.GET.get("year")) or cached_default_year()
    held = {s.key: s for s in ZoneStatistic.objects.visible_to(request.user).filter(
        park_key=park_key, year=year).select_related("entered_by")}
    initial = {}
    for key, statistic in held.items():
        initial[f"value_{key}"] = f"{statistic.value:g}"
        initial[f"source_{key}"] = statistic.source
    error = ""
    if request.method == "POST":
        form = ZoneStatisticsForm(request.POST, methodology=methodology, lang=lang)
        if form.is_valid():
            try:
                changed = actions.enter_zone_statistics(park_key, year, form.entries(),
                                                        actor=request.user,
                                                        methodology=methodology)
            except CzesgError as exc:
                error = user_message(exc)
            else:
                messages.success(request, gettext("%(n)s statistics saved.") % {"n": changed})
                return redirect(reverse("parks:zone", args=[park_key]) + f"?year={year}")
    else:
        form = ZoneStatisticsForm(initial=initial, methodology=methodology, lang=lang)
    rows = []
    for statistic in methodology.statistics:
        rows.append({
            "key": statistic.key, "unit": statistic.unit, "min": statistic.min,
            "max": statistic.max, "value": form[f"value_{statistic.key}"],
            "source": form[f"source_{statistic.key}"], "held": held.get(statistic.key),
        })
    return render(request, "parks/zone_statistics.html", {
        "park": park, "park_name": _name(park, lang), "year": year, "rows": rows,
        "form": form, "error": error, "years": year_choices(year),
        "methodology": methodology,
    })
