"""Public pages: search with facets, side-by-side comparison, and industry benchmarks."""

from __future__ import annotations

import numpy as np
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from czesg.disclosures.models import Datapoint, Disclosure, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.cityprofile import load_city_profile
from czesg.engine.units import label as unit_label
from czesg.enterprises.models import Enterprise

MAX_COMPARE = 5
# Indicators shown first on profiles, comparisons and benchmarks: the basis every reader asks for.
HEADLINE = ("G-GEN-01", "E-GHG-01", "E-GHG-05", "E-ENG-01", "E-ENG-02", "E-WAT-01", "S-EMP-01",
            "S-EMP-02-F", "S-OHS-01", "S-TRN-02")


def _lang() -> str:
    return get_language() or "zh-hans"


def latest_published() -> dict[int, int]:
    """For each enterprise-year, the primary key of its latest published version."""
    rows = (
        Disclosure.objects.filter(state=State.PUBLISHED)
        .values("enterprise_id", "year")
        .annotate(pk=Max("pk"))
    )
    return {r["pk"]: r["enterprise_id"] for r in rows}


def search(request: HttpRequest) -> HttpResponse:
    """Search the registry by name or credit code, narrowed by facets with their counts."""
    profile = load_city_profile()
    lang = _lang()
    from czesg.ratings.actions import latest_run
    from czesg.ratings.models import Rating

    params = {k: request.GET.get(k, "").strip() for k in
              ("q", "industry", "district", "park", "listed", "year", "grade")}
    run = latest_run()  # grades are those of the newest finished city rating
    rows = Enterprise.objects.visible_to(request.user)
    if params["q"]:
        rows = rows.filter(Q(name__icontains=params["q"]) | Q(uscc=params["q"].upper())
                           | Q(stock_code=params["q"]))
    if params["industry"]:
        rows = rows.filter(industry_code__startswith=params["industry"].upper())
    if params["district"]:
        rows = rows.filter(division_code=params["district"])
    if params["park"]:
        rows = rows.filter(park_key=params["park"])
    if params["listed"] in ("1", "0"):
        rows = rows.filter(listed=params["listed"] == "1")
    if params["grade"] and run is not None:
        rows = rows.filter(pk__in=Rating.objects.filter(run=run, grade=params["grade"])
                           .values("enterprise_id"))
    if params["year"].isdigit():
        rows = rows.filter(Exists(Disclosure.objects.filter(
            enterprise=OuterRef("pk"), year=int(params["year"]), state=State.PUBLISHED)))

    def facet(field: str, label) -> list[dict]:
        counts = rows.values(field).annotate(n=Count("pk")).order_by("-n")
        return [{"value": c[field], "label": label(c[field]), "n": c["n"]} for c in counts if c[field]]

    def district_label(code):
        try:
            return profile.district(code).name(lang)
        except KeyError:
            return code

    def park_label(key):
        try:
            return profile.park(key).name(lang)
        except KeyError:
            return key

    def section_label(letter):
        try:
            return f"{letter} {profile.industry(letter).name(lang)}"
        except KeyError:
            return letter

    sections = (
        rows.annotate(section=Substr("industry_code", 1, 1)).values("section")
        .annotate(n=Count("pk")).order_by("-n")
    )
    years = (
        Disclosure.objects.filter(state=State.PUBLISHED, enterprise__in=rows)
        .values("year").annotate(n=Count("enterprise", distinct=True)).order_by("-year")
    )
    facets = {
        "district": facet("division_code", district_label),
        "park": facet("park_key", park_label),
        "industry": [{"value": s["section"], "label": section_label(s["section"]), "n": s["n"]}
                     for s in sections],
        "year": [{"value": str(y["year"]), "label": str(y["year"]), "n": y["n"]} for y in years],
        "grade": [],
    }
    if run is not None:
        from czesg.engine.targets import GRADE_SCALE

        counts = dict(Rating.objects.filter(run=run, enterprise__in=rows).values_list("grade")
                      .annotate(n=Count("pk")).values_list("grade", "n"))
        facets["grade"] = [{"value": g, "label": g, "n": counts[g]}
                           for g in GRADE_SCALE if counts.get(g)]
    page = Paginator(rows.order_by("name", "pk"), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/search.html", {
        "page": page, "params": params, "facets": facets, "query": query.urlencode(),
        "total": page.paginator.count, "lang": lang,
    })


def _values_for(enterprises: list[Enterprise], year: int | None) -> tuple[dict, dict]:
    """Latest published values per enterprise (for a year, or each one's latest year)."""
    chosen: dict[int, Disclosure] = {}
    published = Disclosure.objects.filter(enterprise__in=enterprises, state=State.PUBLISHED)
    if year:
        published = published.filter(year=year)
    for d in published.order_by("year", "version"):
        chosen[d.enterprise_id] = d
    values: dict[int, dict[str, Datapoint]] = {}
    for p in Datapoint.objects.filter(disclosure__in=chosen.values()).select_related("disclosure"):
        values.setdefault(p.disclosure.enterprise_id, {})[p.indicator_code] = p
    return chosen, values


def compare(request: HttpRequest) -> HttpResponse:
    """Up to five enterprises side by side: every indicator any of them published."""
    codes = [c.strip().upper() for c in request.GET.getlist("e") if c.strip()][:MAX_COMPARE]
    found = {e.uscc: e for e in Enterprise.objects.visible_to(request.user).filter(uscc__in=codes)}
    enterprises = [found[c] for c in codes if c in found]
    year = request.GET.get("year", "")
    chosen, values = _values_for(enterprises, int(year) if year.isdigit() else None)
    catalogue = load_catalogue()
    lang = _lang()
    answered = {code for v in values.values() for code in v}
    order = [c for c in HEADLINE if c in answered] + [
        i.code for i in catalogue.indicators if i.code in answered and i.code not in HEADLINE
    ]
    rows = []
    for code in order:
        indicator = catalogue.get(code)
        rows.append({
            "indicator": indicator, "name": indicator.name(lang),
            "unit": unit_label(indicator.unit, lang) if indicator.unit else "",
            "cells": [values.get(e.pk, {}).get(code) for e in enterprises],
        })
    return render(request, "portal/compare.html", {
        "enterprises": enterprises, "disclosures": [chosen.get(e.pk) for e in enterprises],
        "rows": rows, "year": year, "missing": [c for c in codes if c not in found],
        "too_many": len(request.GET.getlist("e")) > MAX_COMPARE, "lang": lang,
    })


def benchmark(request: HttpRequest) -> HttpResponse:
    """An indicator's distribution among an industry's published values, and one firm's place."""
    catalogue = load_catalogue()
    lang = _lang()
    numeric = [i for i in catalogue.indicators if i.data_type in ("number", "percentage")]
    code = request.GET.get("indicator", "E-GHG-05")
    indicator = catalogue.get(code) if code in catalogue.codes else catalogue.get("E-GHG-05")
    industry = request.GET.get("industry", "").strip().upper()
    latest_year = Disclosure.objects.filter(state=State.PUBLISHED).aggregate(y=Max("year"))["y"]
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else latest_year
    focus = Enterprise.objects.filter(uscc=request.GET.get("uscc", "").upper()).first()
    if focus and not industry:
        industry = focus.industry_code[:3]
    latest = latest_published()
    points = Datapoint.objects.filter(
        disclosure_id__in=list(latest), disclosure__year=year, indicator_code=indicator.code,
        value_number__isnull=False,
    )
    if industry:
        points = points.filter(disclosure__enterprise__industry_code__startswith=industry)
    pairs = list(points.values_list("disclosure__enterprise_id", "value_number"))
    values = np.array([v for _, v in pairs], dtype=float)
    stats, histogram, position = None, None, None
    if values.size:
        q = np.percentile(values, [10, 25, 50, 75, 90])
        stats = {"n": int(values.size), "p10": q[0], "p25": q[1], "median": q[2], "p75": q[3],
                 "p90": q[4], "mean": float(values.mean())}
        counts, edges = np.histogram(values, bins=min(20, max(5, values.size // 5)))
        histogram = {"counts": counts.tolist(),
                     "labels": [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(len(counts))]}
        if focus is not None:
            own = [v for e, v in pairs if e == focus.pk]
            if own:
                position = {"value": own[0],
                            "percentile": float((values < own[0]).mean() * 100)}
                bin_index = int(np.clip(np.searchsorted(edges, own[0], side="right") - 1,
                                        0, len(counts) - 1))
                histogram["focus"] = bin_index
    years = list(Disclosure.objects.filter(state=State.PUBLISHED).values_list("year", flat=True)
                 .distinct().order_by("-year"))
    return render(request, "portal/benchmark.html", {
        "indicator": indicator, "name": indicator.name(lang), "numeric": numeric,
        "unit": unit_label(indicator.unit, lang) if indicator.unit else "",
        "industry": industry, "year": year, "years": years, "stats": stats,
        "histogram": histogram, "focus": focus, "position": position, "lang": lang,
    })

