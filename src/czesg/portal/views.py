"""The pages people see: landing, their enterprises, an enterprise, a disclosure."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from czesg.accounts.models import Role
from czesg.accounts.permissions import can_manage_enterprise
from czesg.disclosures.models import Disclosure, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.cityprofile import load_city_profile
from czesg.engine.units import label as unit_label
from czesg.enterprises.models import Enterprise


def _lang() -> str:
    return get_language() or "zh-hans"


def home(request: HttpRequest) -> HttpResponse:
    """The public landing page: what the platform is and what it holds."""
    stats = {
        "enterprises": Enterprise.objects.count(),
        "published": Disclosure.objects.filter(state=State.PUBLISHED).count(),
        "indicators": len(load_catalogue()),
    }
    return render(request, "portal/home.html", {"stats": stats})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The signed-in user's enterprises: their own, their park's, or the city's."""
    user = request.user
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
    return render(
        request,
        "portal/dashboard.html",
        {"page": page, "query": query, "scope": scope, "park": park, "lang": _lang()},
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
    lang = _lang()
    context = {
        "enterprise": enterprise,
        "disclosures": disclosures,
        "district": profile.district(enterprise.division_code),
        "park": profile.park(enterprise.park_key) if enterprise.park_key else None,
        "industry": profile.industry(enterprise.industry_code),
        "lead_industry": profile.lead_industry_of(enterprise.industry_code),
        "can_manage": can_manage_enterprise(request.user, enterprise),
        "lang": lang,
    }
    return render(request, "portal/enterprise.html", context)


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
    catalogue = load_catalogue()
    lang = _lang()
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
            {"name": topic.name_en if lang.startswith("en") else topic.name_zh,
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
        "can_manage": can_manage_enterprise(request.user, disclosure.enterprise),
        "lang": lang,
    }
    return render(request, "portal/disclosure.html", context)
