"""The reads of assurance that pages, the API, the dashboards and the statement share."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from czesg.access.actions import log_accesses
from czesg.access.models import Grant
from czesg.accounts.models import Role
from czesg.assurance.models import (
    AssuranceFirm,
    Engagement,
    EngagementState,
    FirmMember,
)
from czesg.carbon import display as carbon_display
from czesg.carbon.models import CarbonCalculation
from czesg.disclosures import checks
from czesg.disclosures.models import Assurance, Datapoint, Disclosure, Evidence
from czesg.engine.assurance.sampling import Candidate, default_sample, load_rule
from czesg.engine.catalogue import load_catalogue
from czesg.engine.plan import load_city_profile

# GHG indicators whose carbon calculation trace the work page shows.
CARBON_CODES = ("E-GHG-01", "E-GHG-02", "E-GHG-03")


def work_list(user) -> QuerySet[Engagement]:
    """The engagements a verifier's firm has, open ones first."""
    return (Engagement.objects.visible_to(user).select_related("enterprise", "firm", "disclosure")
            .order_by("state", "-invited_at"))


def firm_colleagues(user) -> list:
    """The other verifiers of the user's firm (candidates for reviewer)."""
    member = FirmMember.objects.filter(user=user).first()
    if member is None:
        return []
    return [m.user for m in FirmMember.objects.filter(firm_id=member.firm_id)
            .exclude(user=user).select_related("user").order_by("user__username")]


def _warnings_by_code(disclosure: Disclosure) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in checks.findings_for(disclosure):
        if finding.is_error:
            continue
        for code in (finding.indicator, *finding.related):
            counts[code] = counts.get(code, 0) + 1
    return counts


def risk_sample(engagement: Engagement) -> list[str]:
    """The documented risk-based default sample of the engagement's scope."""
    points = {p.indicator_code: p for p in engagement.disclosure.datapoints.filter(
        indicator_code__in=engagement.scope)}
    warnings = _warnings_by_code(engagement.disclosure)
    candidates = [
        Candidate(code=code,
                  magnitude=abs(points[code].value_number)
                  if code in points and points[code].value_number is not None else None,
                  warnings=warnings.get(code, 0))
        for code in engagement.scope
    ]
    return default_sample(candidates, engagement.level)


def sampling_rule() -> dict[str, Any]:
    """The rule as the work page documents it (sizes and their provenance)."""
    rule = load_rule()
    return {"version": rule.version, "order": rule.order, "source": rule.order_provenance.source,
            "confidence": rule.order_provenance.confidence,
            "sizes": {level: {"fraction": s.fraction, "minimum": s.minimum,
                              "confidence": s.provenance.confidence}
                      for level, s in rule.sizes.items()}}


def _applied_calculation(disclosure: Disclosure) -> CarbonCalculation | None:
    chain = [disclosure.pk]
    current = disclosure
    while current.amends_id:
        chain.append(current.amends_id)
        current = Disclosure.objects.only("pk", "amends_id").get(pk=current.amends_id)
    return (CarbonCalculation.objects.filter(applied_to_id__in=chain)
            .order_by("-applied_at").first())


def _trace(calculation: CarbonCalculation | None) -> list[dict[str, Any]]:
    if calculation is None:
        return []
    return [{"activity": e.get("activity", ""), "basis": e.get("basis", ""),
             "factor_id": e.get("factor_id") or "", "factor": carbon_display.factor_text(e),
             "quantity": carbon_display.number(e.get("quantity")), "unit": e.get("unit") or "",
             "result": carbon_display.number(e.get("result")),
             "result_unit": e.get("result_unit") or ""}
            for e in calculation.trace_data]


def engagement_rows(engagement: Engagement, user, *, channel: str = "page") -> list[dict[str, Any]]:
    """Each in-scope indicator with its value, provenance, evidence, warnings, derivation inputs
    and carbon trace; a read by the firm is logged under the grants the invitation made."""
    disclosure = engagement.disclosure
    points = {p.indicator_code: p for p in Datapoint.objects.filter(
        disclosure=disclosure, indicator_code__in=engagement.scope).select_related("entered_by")}
    evidence: dict[str, list[Evidence]] = {}
    for item in Evidence.objects.filter(
            disclosure__enterprise_id=engagement.enterprise_id, disclosure__year=engagement.year,
            indicator_code__in=engagement.scope):
        evidence.setdefault(item.indicator_code, []).append(item)
    warnings = _warnings_by_code(disclosure)
    procedures: dict[str, list] = {}
    for procedure in engagement.procedures.select_related("performed_by"):
        procedures.setdefault(procedure.indicator_code, []).append(procedure)
    findings: dict[str, list] = {}
    for finding in engagement.findings.all():
        findings.setdefault(finding.indicator_code, []).append(finding)
    trace = _trace(_applied_calculation(disclosure)) if any(
        c in CARBON_CODES for c in engagement.scope) else []
    rows = []
    for code in engagement.scope:
        point = points.get(code)
        rows.append({
            "code": code, "point": point, "sampled": code in engagement.sample,
            "warnings": warnings.get(code, 0), "evidence": evidence.get(code, []),
            "derivation": (point.derivation or {}) if point else {},
            "trace": trace if code in CARBON_CODES else [],
            "procedures": procedures.get(code, []), "findings": findings.get(code, []),
        })
    if getattr(user, "role", None) == Role.VERIFIER:
        grants = list(Grant.objects.active().filter(pk__in=engagement.grants, grantee=user))
        if grants:
            log_accesses(grants, user, f"assurance {engagement.reference}: "
                         f"{disclosure.year} v{disclosure.version} {','.join(engagement.scope)}",
                         channel)
    return rows


def firm_register() -> QuerySet[AssuranceFirm]:
    """The register of assurance firms with their verifiers and signed engagements."""
    return AssuranceFirm.objects.annotate(
        verifiers=Count("members", distinct=True),
        signed=Count("engagements", filter=Q(engagements__state=EngagementState.SIGNED),
                     distinct=True),
    ).order_by("name")


def assured_breakdown(year: int) -> dict[str, Any]:
    """Enterprises with assured values in their latest published disclosure of a year, and the
    values assured: the city's totals and the counts by district, park and lead industry
    (group keys; the dashboards name them). One query."""
    latest = Disclosure.objects.latest_published(year=year)
    rows = (Datapoint.objects.filter(disclosure__in=latest).exclude(assurance=Assurance.NONE)
            .values_list("disclosure__enterprise_id", "disclosure__enterprise__division_code",
                         "disclosure__enterprise__park_key",
                         "disclosure__enterprise__industry_code")
            .annotate(n=Count("pk")).order_by())
    profile = load_city_profile()
    groups: dict[str, dict[str, dict[str, int]]] = {"district": {}, "park": {}, "industry": {}}
    totals = {"enterprises": 0, "values": 0}
    for _, division, park, industry, n in rows:
        totals["enterprises"] += 1
        totals["values"] += n
        try:
            lead = profile.lead_industry_of(industry)
        except KeyError:
            lead = None
        for by, key in (("district", division), ("park", park or ""),
                        ("industry", lead.key if lead else "")):
            cell = groups[by].setdefault(key, {"enterprises": 0, "values": 0})
            cell["enterprises"] += 1
            cell["values"] += n
    return {"year": year, **totals,
            "groups": {by: sorted(cells.items()) for by, cells in groups.items()}}


def signed_statements(enterprise, lang: str) -> list[dict[str, Any]]:
    """An enterprise's signed engagements with their values, newest first (public: a signed
    statement is published with the values it covers)."""
    catalogue = load_catalogue()
    out = []
    for engagement in (Engagement.objects.filter(enterprise=enterprise,
                                                 state=EngagementState.SIGNED)
                       .select_related("firm", "disclosure").order_by("-signed_at")[:20]):
        points = {p.indicator_code: p for p in engagement.disclosure.datapoints.filter(
            indicator_code__in=engagement.scope)}
        values = [{"code": code, "name": catalogue.get(code).name(lang) if code in catalogue
                   else "", "point": points.get(code),
                   "unit": points[code].unit if code in points else "",
                   "assured": code in points and points[code].assurance != Assurance.NONE}
                  for code in engagement.scope]
        out.append({"engagement": engagement, "values": values,
                    "signed_on": engagement.signed_at})
    return out
