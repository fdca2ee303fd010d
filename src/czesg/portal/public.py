"""Public pages: search with facets, side-by-side comparison, and industry benchmarks."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from czesg.dashboards.queries import cached
from czesg.disclosures.models import Datapoint, Disclosure, EnterpriseYear, State, Tier
from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.kernel.numbers import number_range
from czesg.engine.kernel.units import label as unit_label
from czesg.engine.plan import load_city_profile
from czesg.engine.plan.targets import GRADE_SCALE
from czesg.enterprises.models import Enterprise
from czesg.ratings.actions import latest_run
from czesg.ratings.models import Rating
from czesg.records.known import (
    DISCLOSED,
    NOT_REPORTED,
    RECORD,
    Recorded,
    recorded_values,
    restricted_readable,
)
from czesg.records.models import Record
from czesg.web.language import language
from czesg.web.ratelimit import costs

MAX_COMPARE = 5
# Indicators shown first on profiles, comparisons and benchmarks: the basis every reader asks for.
HEADLINE = ("G-GEN-01", "E-GHG-01", "E-GHG-02", "E-GHG-05", "E-ENG-01", "E-ENG-02", "E-WAT-01", "S-EMP-01",
            "S-EMP-02-F", "S-OHS-01", "S-TRN-02")




FACETS = ("district", "park", "industry", "year", "grade", "total")


def facet_counts(rows, run_id: int | None) -> dict[str, list[tuple[str, int]]]:
    """Every facet's counts over the matching enterprises, most frequent first, in one statement:
    the matches are found once (a scan of the registry when searching by name) and counted by
    district, park, industry section, published year (from the disclosures' enterprise-year
    table) and grade in the given rating run, instead of one scan per facet."""
    sql, params = rows.order_by().values_list(
        "id", "division_code", "park_key", "industry_code").query.sql_with_params()
    parts = [
        "SELECT 'district', m.division_code, COUNT(*) FROM m GROUP BY m.division_code",
        "SELECT 'park', m.park_key, COUNT(*) FROM m GROUP BY m.park_key",
        "SELECT 'industry', SUBSTR(m.industry_code, 1, 1), COUNT(*) FROM m "
        "GROUP BY SUBSTR(m.industry_code, 1, 1)",
        f"SELECT 'year', CAST(f.year AS TEXT), COUNT(*) FROM m "
        f"JOIN {EnterpriseYear._meta.db_table} f ON f.enterprise_id = m.id GROUP BY f.year",
        "SELECT 'total', '', COUNT(*) FROM m",
    ]
    extra: list = []
    if run_id is not None:
        parts.append(f"SELECT 'grade', r.grade, COUNT(*) FROM m JOIN {Rating._meta.db_table} r "
                     f"ON r.enterprise_id = m.id AND r.run_id = %s GROUP BY r.grade")
        extra.append(run_id)
    counts: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m (id, division_code, park_key, industry_code) AS MATERIALIZED ({sql}) "
            + " UNION ALL ".join(parts), [*params, *extra],
        )
        for facet, value, n in cursor.fetchall():
            counts[facet].append((value, int(n)))
    for values in counts.values():
        values.sort(key=lambda c: (-c[1], str(c[0])))
    return counts


@costs(2)  # facet counts over the registry
def search(request: HttpRequest) -> HttpResponse:
    """Search the registry by name or credit code, narrowed by facets with their counts."""
    profile = load_city_profile()
    lang = language()
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

    run_pk = run.pk if run is not None else None
    if request.user.is_authenticated or params["q"]:
        # What a signed-in user may see depends on who they are; a text query's counts are
        # those of few enterprises (served by the name index) and would only crowd the cache.
        counts = facet_counts(rows, run_pk)
    else:  # every visitor sees the same counts (kept under the data version, as the dashboards)
        asked = hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()[:24]
        counts = cached("portal-facets", (asked, run_pk), lambda: facet_counts(rows, run_pk))
    facets = {
        "district": [{"value": v, "label": district_label(v), "n": n}
                     for v, n in counts["district"] if v],
        "park": [{"value": v, "label": park_label(v), "n": n} for v, n in counts["park"] if v],
        "industry": [{"value": v, "label": section_label(v), "n": n}
                     for v, n in counts["industry"]],
        "year": [{"value": v, "label": v, "n": n}
                 for v, n in sorted(counts["year"], key=lambda c: c[0], reverse=True)],
        "grade": [{"value": g, "label": g, "n": dict(counts["grade"])[g]}
                  for g in GRADE_SCALE if dict(counts["grade"]).get(g)],
    }
    total = sum(n for _, n in counts["total"])
    listed = rows.order_by("name", "pk")
    if run is not None:  # each row's grade and tier in the newest run, in the page's query
        rated = Rating.objects.filter(run=run, enterprise=OuterRef("pk"))
        listed = listed.annotate(rated_grade=Subquery(rated.values("grade")[:1]),
                                 rated_tier=Subquery(rated.values("tier")[:1]),
                                 rated_capped=Subquery(rated.values("grade_capped")[:1]))
    paginator = Paginator(listed, 25)
    paginator.count = total  # counted with the facets, so the page needs no second count
    page = paginator.get_page(request.GET.get("page"))
    tier_names = dict(Tier.choices)
    for enterprise in page:
        enterprise.tier_name = tier_names.get(getattr(enterprise, "rated_tier", None) or "", "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/search.html", {
        "page": page, "params": params, "facets": facets, "query": query.urlencode(),
        "total": page.paginator.count, "lang": lang,
    })


def _values_for(enterprises: list[Enterprise], year: int | None) -> tuple[dict, dict]:
    """Latest published values per enterprise (for a year, or each one's latest year)."""
    chosen: dict[int, Disclosure] = {}
    published = Disclosure.objects.latest_published(
        year=year or None, enterprises=[e.pk for e in enterprises])
    for d in published.order_by("year"):
        chosen[d.enterprise_id] = d
    enterprise_of = {d.pk: enterprise_id for enterprise_id, d in chosen.items()}
    values: dict[int, dict[str, Datapoint]] = {}
    # Only what the comparison shows: a page holds up to five disclosures' values.
    for p in Datapoint.objects.filter(disclosure__in=chosen.values()).only(
            "disclosure_id", "indicator_code", "status", "value_number", "value_text",
            "value_bool", "value_choice", "na_explanation", "assurance"):
        values.setdefault(enterprise_of[p.disclosure_id], {})[p.indicator_code] = p
    return chosen, values


def _records_for(user, enterprises: list[Enterprise], chosen: dict[int, Disclosure],
                 year: int | None) -> dict[int, dict[str, Recorded]]:
    """Each enterprise's preferred records of the year compared (its disclosure's year, else the
    chosen year, else its latest year with records), in one query; restricted records only
    where the viewer may read them."""
    ids = [e.pk for e in enterprises]
    if not ids:
        return {}
    found = recorded_values(ids, years=None if year is None else [year],
                            restricted=restricted_readable(user, ids))
    latest: dict[int, int] = {}
    for enterprise_id, record_year, _ in found:
        latest[enterprise_id] = max(record_year, latest.get(enterprise_id, record_year))
    out: dict[int, dict[str, Recorded]] = {}
    for (enterprise_id, record_year, code), recorded in found.items():
        disclosure = chosen.get(enterprise_id)
        wanted = disclosure.year if disclosure is not None else latest[enterprise_id]
        if record_year == wanted:
            out.setdefault(enterprise_id, {})[code] = recorded
    return out


def _cell(point: Datapoint | None, recorded: Recorded | None, lang: str) -> dict[str, Any]:
    """A compared value: the disclosed datapoint first, else a record, else not reported."""
    if point is not None:
        return {"basis": DISCLOSED, "point": point}
    if recorded is not None:
        return {"basis": RECORD, "number": recorded.number,
                "source": recorded.source_name(lang), "document": recorded.document,
                "page": recorded.page}
    return {"basis": NOT_REPORTED}


@costs(5)  # every published value of up to five enterprises
def compare(request: HttpRequest) -> HttpResponse:
    """Up to five enterprises side by side: every indicator any of them published."""
    codes = [c.strip().upper() for c in request.GET.getlist("e") if c.strip()][:MAX_COMPARE]
    found = {e.uscc: e for e in Enterprise.objects.visible_to(request.user).filter(uscc__in=codes)}
    enterprises = [found[c] for c in codes if c in found]
    year = request.GET.get("year", "")
    chosen, values = _values_for(enterprises, int(year) if year.isdigit() else None)
    records = _records_for(request.user, enterprises, chosen, int(year) if year.isdigit() else None)
    catalogue = load_catalogue()
    lang = language()
    answered = {code for v in values.values() for code in v} | {
        code for v in records.values() for code in v}
    order = [c for c in HEADLINE if c in answered] + [
        i.code for i in catalogue.indicators if i.code in answered and i.code not in HEADLINE
    ]
    rows = []
    for code in order:
        indicator = catalogue.get(code)
        rows.append({
            "indicator": indicator, "name": indicator.name(lang),
            "unit": unit_label(indicator.unit, lang) if indicator.unit else "",
            "cells": [_cell(values.get(e.pk, {}).get(code), records.get(e.pk, {}).get(code), lang)
                      for e in enterprises],
        })
    return render(request, "portal/compare.html", {
        "enterprises": enterprises, "disclosures": [chosen.get(e.pk) for e in enterprises],
        "rows": rows, "year": year, "missing": [c for c in codes if c not in found],
        "too_many": len(request.GET.getlist("e")) > MAX_COMPARE, "lang": lang,
    })


def _benchmark_records(code: str, year: int | None, industry: str, disclosed: set[int]
                       ) -> dict[int, Recorded]:
    """The industry's preferred public records of the indicator and year, of the enterprises
    whose published disclosure lacks it (two queries; a benchmark is a public statistic, so
    restricted records never enter it)."""
    if year is None:
        return {}
    rows = Record.objects.filter(current=True, year=year, indicator_code=code,
                                 value_number__isnull=False)
    if industry:
        rows = rows.filter(enterprise__industry_code__startswith=industry)
    ids = set(rows.order_by().values_list("enterprise_id", flat=True).distinct()) - disclosed
    found = recorded_values(ids, years=[year], codes=[code]) if ids else {}
    return {e: r for (e, _, _), r in found.items() if r.number is not None}


def _benchmark_values(code: str, year: int | None, industry: str
                      ) -> tuple[np.ndarray, np.ndarray, dict[int, Recorded], int]:
    """An indicator's distribution: the enterprises and their values (two arrays in the same
    order), the records among them and the number of values per unit of output left out."""
    points = Datapoint.objects.filter(
        disclosure__in=Disclosure.objects.latest_published(year=year).values("pk"),
        disclosure__year=year, indicator_code=code,
        value_number__isnull=False,
    )
    if industry:
        points = points.filter(disclosure__enterprise__industry_code__startswith=industry)
    # Values per unit of physical output (per MW…) are counted apart, never ranked per revenue.
    rows = list(points.values_list("disclosure__enterprise_id", "value_number", "unit"))
    pairs = [(e, v) for e, v, u in rows if u not in all_output_units()]
    per_output = len(rows) - len(pairs)
    disclosed = {e for e, _ in pairs}
    recorded = _benchmark_records(code, year, industry, disclosed)
    pairs += [(e, r.number) for e, r in recorded.items()]
    ids = np.array([e for e, _ in pairs], dtype=np.int64)
    return ids, np.array([v for _, v in pairs], dtype=float), recorded, per_output


def published_years() -> list[int]:
    """The years with a published disclosure, newest first."""
    return list(Disclosure.objects.filter(state=State.PUBLISHED).values_list("year", flat=True)
                .distinct().order_by("-year"))


@costs(5)  # an indicator's values across an industry
def benchmark(request: HttpRequest) -> HttpResponse:
    """An indicator's distribution among an industry's published values, and one firm's place."""
    catalogue = load_catalogue()
    lang = language()
    numeric = [i for i in catalogue.indicators if i.data_type in ("number", "percentage")]
    code = request.GET.get("indicator", "E-GHG-05")
    indicator = catalogue.get(code) if code in catalogue.codes else catalogue.get("E-GHG-05")
    industry = request.GET.get("industry", "").strip().upper()
    years = cached("portal-published-years", (), published_years)
    latest_year = years[0] if years else None
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else latest_year
    focus = Enterprise.objects.filter(uscc=request.GET.get("uscc", "").upper()).first()
    if focus and not industry:
        industry = focus.industry_code[:3]
    # The city's distribution is the same for every visitor until data changes: it is kept in
    # the dashboards' cache, under the audit chain's head (at 100,000 enterprises it reads
    # 100,000 values), as arrays, so that a request only places the focus firm in it.
    ids, values, recorded, per_output = cached(
        "portal-benchmark", (indicator.code, year, industry),
        lambda: _benchmark_values(indicator.code, year, industry))
    stats, histogram, position = None, None, None
    if values.size:
        q = np.percentile(values, [10, 25, 50, 75, 90])
        stats = {"n": int(values.size), "p10": q[0], "p25": q[1], "median": q[2], "p75": q[3],
                 "p90": q[4], "mean": float(values.mean()), "recorded": len(recorded)}
        counts, edges = np.histogram(values, bins=min(20, max(5, values.size // 5)))
        histogram = {"counts": counts.tolist(),
                     "labels": [number_range(edges[i], edges[i + 1], 3) for i in range(len(counts))]}
        if focus is not None:
            own = values[ids == focus.pk]
            if own.size:
                own_value = float(own[0])
                own_record = recorded.get(focus.pk)
                position = {"value": own_value,
                            "percentile": float((values < own_value).mean() * 100),
                            "basis": RECORD if own_record else DISCLOSED,
                            "source": own_record.source_name(lang) if own_record else "",
                            "document": own_record.document if own_record else "",
                            "page": own_record.page if own_record else None}
                bin_index = int(np.clip(np.searchsorted(edges, own_value, side="right") - 1,
                                        0, len(counts) - 1))
                histogram["focus"] = bin_index
    return render(request, "portal/benchmark.html", {
        "indicator": indicator, "name": indicator.name(lang), "numeric": numeric,
        "unit": unit_label(indicator.unit, lang) if indicator.unit else "",
        "industry": industry, "year": year, "years": years, "stats": stats,
        "histogram": histogram, "focus": focus, "position": position, "lang": lang,
        "per_output": per_output,
    })

