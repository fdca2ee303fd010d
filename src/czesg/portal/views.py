"""The pages people see: landing, their enterprises, an enterprise, a disclosure."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from czesg.access.actions import note_consented_read
from czesg.access.models import Scope
from czesg.accounts.models import Role
from czesg.accounts.permissions import can_manage_enterprise
from czesg.assurance.queries import signed_statements
from czesg.dashboards.queries import cached
from czesg.disclosures.models import Disclosure, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.diff import diff_versions
from czesg.engine.kernel.units import label as unit_label
from czesg.engine.plan import load_city_profile
from czesg.enterprises.models import Enterprise
from czesg.esgreport.indexes import disclosure_indexes
from czesg.finance import queries as finance_queries
from czesg.portal import workspace
from czesg.portal.public import HEADLINE
from czesg.ratings.actions import latest_rating
from czesg.records.known import NOT_REPORTED, known_figures, restricted_readable
from czesg.web.language import language


def home(request: HttpRequest) -> HttpResponse:
    """The public landing page: what the platform is and what it holds."""
    # Counting a city's registry and disclosures takes tens of milliseconds at 100,000
    # enterprises, on the page every visitor opens first: kept under the data version.
    stats = cached("portal-home", (), lambda: {
        "enterprises": Enterprise.objects.count(),
        "published": Disclosure.objects.filter(state=State.PUBLISHED).count(),
        "indicators": len(load_catalogue()),
    })
    return render(request, "portal/home.html", {"stats": stats})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Where a signed-in user lands: an enterprise user's to-do for this reporting year; a park's
    or the city's enterprises with the user's work lists; banks go to the
    enterprises that asked them to read their data, verifiers to their work list."""
    user = request.user
    if user.role == Role.VERIFIER:
        return redirect("assurance:work")
    if user.role == Role.BANK:
        return redirect("disclosures:applicants")
    if user.role == Role.REGULATOR:
        return redirect("finance:supervision")
    enterprises = Enterprise.objects.managed_by(user).annotate(
        n_disclosures=Count("disclosures"),
        n_published=Count("disclosures", filter=Q(disclosures__state=State.PUBLISHED)),
    )
    query = request.GET.get("q", "").strip()
    if query:
        enterprises = enterprises.filter(Q(name__icontains=query) | Q(uscc__icontains=query.upper()))
    page = Paginator(enterprises.order_by("name"), 25).get_page(request.GET.get("page"))
    profile = load_city_profile()
    scope = {
        Role.ENTERPRISE: "enterprise",
        Role.PARK_ADMIN: "park",
        Role.GOVERNMENT: "city",
        Role.PLATFORM_ADMIN: "city",
    }.get(user.role, "none")
    park = profile.park(user.park_key) if user.role == Role.PARK_ADMIN and user.park_key else None
    todo = workspace.enterprise_todo(list(page)) if scope == "enterprise" else []
    return render(
        request,
        "portal/dashboard.html",
        {"page": page, "query": query, "scope": scope, "park": park, "lang": language(),
         "todo": todo},
    )


def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    """An enterprise's registry facts and the disclosure versions the viewer may see."""
    enterprise = Enterprise.objects.visible_to(request.user).filter(uscc=uscc.upper()).first()
    if enterprise is None:
        raise Http404
    disclosures = (
        Disclosure.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .annotate(n_points=Count("datapoints"))
        .order_by("-year", "-version")
    )
    profile = load_city_profile()
    lang = language()
    context = {
        "trends": _trends(enterprise, lang, request.user),
        "enterprise": enterprise,
        "disclosures": disclosures,
        "district": profile.district(enterprise.division_code),
        "park": profile.park(enterprise.park_key) if enterprise.park_key else None,
        "industry": profile.industry(enterprise.industry_code),
        "lead_industry": profile.lead_industry_of(enterprise.industry_code),
        "can_manage": can_manage_enterprise(request.user, enterprise),
        "rating": latest_rating(enterprise),
        "carbon_label": finance_queries.label_display(enterprise),
        "targets": finance_queries.targets_with_progress(enterprise),
        "lang": lang,
        "statements": signed_statements(enterprise, lang),
    }
    return render(request, "portal/enterprise.html", context)


def _trends(enterprise: Enterprise, lang: str, user=None) -> list[dict]:
    """Headline indicators over the years (the latest published version of each year, else a
    record of a named source, restricted records only for those who may read them), for charts,
    with each year's basis."""
    known = known_figures([enterprise.pk], codes=HEADLINE,
                          restricted=restricted_readable(user, [enterprise.pk]))
    known = {key: figure for key, figure in known.items() if figure.number is not None}
    if not known:
        return []
    years = sorted({year for _, year, _ in known})
    catalogue = load_catalogue()
    trends = []
    for code in HEADLINE:
        cells = [known.get((enterprise.pk, year, code)) for year in years]
        if not any(cells):
            continue
        trends.append({
            "code": code, "name": catalogue.get(code).name(lang),
            "unit": unit_label(catalogue.get(code).unit, lang), "years": years,
            "values": [c.number if c else None for c in cells],
            "points": [{
                "year": year, "value": c.number if c else None,
                "basis": c.basis if c else NOT_REPORTED,
                "source": c.recorded.source_name(lang) if c and c.recorded else "",
                "document": c.recorded.document if c and c.recorded else "",
                "page": c.recorded.page if c and c.recorded else None,
            } for year, c in zip(years, cells, strict=True)],
        })
    return trends


def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A read-only view of one disclosure version, grouped by topic, with provenance."""
    disclosure = (
        Disclosure.objects.visible_to(request.user)
        .select_related("enterprise", "amends", "created_by")
        .filter(pk=pk)
        .first()
    )
    if disclosure is None:
        raise Http404
    if disclosure.state != State.PUBLISHED:
        note_consented_read(request.user, disclosure.enterprise, Scope.DISCLOSURES,
                            f"disclosure {disclosure.year} v{disclosure.version}", "page")
    catalogue = load_catalogue()
    lang = language()
    points = {
        p.indicator_code: p
        for p in disclosure.datapoints.select_related("entered_by", "assured_by")
    }
    topics = {t.key: t for t in catalogue.topics}
    groups: OrderedDict[str, dict] = OrderedDict()
    reported = 0
    # The tier's indicators, plus any other indicator the enterprise chose to answer.
    in_tier = {i.code for i in catalogue.for_tier(disclosure.tier)}
    indicators = [i for i in catalogue.indicators if i.code in in_tier or i.code in points]
    for indicator in indicators:
        topic = topics[indicator.topic]
        group = groups.setdefault(
            topic.key,
            {"name": topic.name(lang),
             "pillar": topic.pillar, "rows": []},
        )
        point = points.get(indicator.code)
        if point is not None and indicator.code in in_tier:
            reported += 1
        group["rows"].append(
            {
                "indicator": indicator,
                "name": indicator.name(lang),
                "unit": unit_label(indicator.unit, lang) if indicator.unit else "",
                "point": point,
            }
        )
    versions = Disclosure.objects.visible_to(request.user).filter(
        enterprise=disclosure.enterprise, year=disclosure.year
    ).order_by("version")
    context = {
        "disclosure": disclosure,
        "groups": groups.values(),
        "reported": reported,
        "total": len(in_tier),
        "versions": versions,
        "latest": versions.last(),
        "can_manage": can_manage_enterprise(request.user, disclosure.enterprise),
        "lang": lang,
        # The framework content indexes of a published report (where it answers what).
        "indexes": (disclosure_indexes(catalogue, points, lang)
                    if disclosure.state == State.PUBLISHED else []),
    }
    return render(request, "portal/disclosure.html", context)


def _comparable(disclosure: Disclosure) -> dict[str, dict]:
    rows = {}
    for p in disclosure.datapoints.select_related("entered_by"):
        if p.value_number is not None:
            value = p.value_number
        elif p.value_bool is not None:
            value = p.value_bool
        else:
            value = p.value_choice or p.value_text or None
        rows[p.indicator_code] = {
            "status": p.status, "value": value, "unit": p.unit, "entered_value": p.entered_value,
            "entered_unit": p.entered_unit, "na_explanation": p.na_explanation,
            "method": p.method, "evidence": p.evidence_ref,
            "entered_by": p.entered_by.username if p.entered_by else "",
            "assurance": p.assurance,
        }
    return rows


def disclosure_diff(request: HttpRequest, a: int, b: int) -> HttpResponse:
    """What changed between two versions of one enterprise's disclosure for a year."""
    visible = Disclosure.objects.visible_to(request.user).select_related("enterprise")
    first, second = visible.filter(pk=a).first(), visible.filter(pk=b).first()
    if first is None or second is None or (first.enterprise_id, first.year) != (
        second.enterprise_id, second.year
    ):
        raise Http404
    catalogue = load_catalogue()
    lang = language()
    changes = []
    for change in diff_versions(_comparable(first), _comparable(second)):
        indicator = catalogue.get(change.indicator)
        changes.append({"change": change, "name": indicator.name(lang),
                        "unit": unit_label(indicator.unit, lang) if indicator.unit else ""})
    return render(request, "portal/diff.html",
                  {"first": first, "second": second, "changes": changes, "lang": lang})
