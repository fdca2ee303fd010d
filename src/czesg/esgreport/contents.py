"""What an enterprise's ESG report holds, gathered once for the PDF and the inline-XBRL rendering
(so that both show the same figures): profile, pillars and topics with their indicators, trend
and peer charts, the carbon calculation, assurance, methodology notes and the content indexes."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from czesg.assurance.models import Engagement, EngagementState
from czesg.carbon.models import CarbonCalculation
from czesg.disclosures.models import Datapoint, DatapointStatus, Disclosure, State
from czesg.engine.catalogue import Catalogue, Indicator, load_catalogue
from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.footprint.pact import USCC_URN_PREFIX
from czesg.engine.kernel.errors import NotFound, StateConflict, gettext_noop
from czesg.engine.kernel.numbers import format_number
from czesg.engine.plan import load_city_profile
from czesg.engine.report.charts import bar_chart, position_strip
from czesg.engine.report.layout import load_layout
from czesg.enterprises.models import Enterprise
from czesg.esgreport.indexes import disclosure_indexes
from czesg.web.display import choice_label, display_name, unit_label

FULL_DIGITS = 15
"""Figures are printed in full (15 significant digits, no rounding), in the PDF and the inline
XBRL alike, so that a tagged fact is exactly the figure a reader sees."""


def figure(value: float) -> str:
    """A stored figure as printed in the reports: full precision, thousands separators."""
    return format_number(value, FULL_DIGITS)


@dataclass
class Row:
    """One indicator of the report: its answer as printed."""

    indicator: Indicator
    name: str
    point: Datapoint | None
    shown: str = ""
    unit: str = ""
    status: str = "missing"  # value, not_applicable, missing
    assured: str = ""


@dataclass
class Report:
    """Everything one report prints; built by :func:`report_for`."""

    disclosure: Disclosure
    enterprise: Enterprise
    lang: str
    entity_uri: str  # urn:czesg:uscc:<code>, the enterprise's id in XBRL and the PACT API
    profile: list[tuple[str, str]]
    pillars: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    peers: list[dict[str, Any]]
    carbon: dict[str, Any] | None
    engagements: list[Engagement]
    methodology: list[str]
    indexes: list[dict[str, Any]]
    points: dict[str, Datapoint] = field(default_factory=dict)
    generated: Any = None


def published_for(uscc: str, year: int) -> Disclosure:
    """The latest published disclosure of an enterprise-year, refused when there is none."""
    enterprise = Enterprise.objects.filter(uscc=uscc.strip().upper()).first()
    if enterprise is None:
        raise NotFound(gettext_noop("No enterprise has the credit code %(uscc)s."), uscc=uscc)
    disclosure = (Disclosure.objects.latest_published(year=year, enterprises=[enterprise.pk])
                  .select_related("enterprise").first())
    if disclosure is None:
        raise StateConflict(gettext_noop(
            "%(uscc)s has no published disclosure for %(year)s: a report is made only of a "
            "published disclosure."), uscc=enterprise.uscc, year=year)
    return disclosure


def require_published(disclosure: Disclosure) -> None:
    """Refuse a report of a disclosure that is not published (a draft is not a report)."""
    if disclosure.state != State.PUBLISHED:
        raise StateConflict(gettext_noop(
            "Version %(version)s of the %(year)s disclosure is not published: a report is made "
            "only of a published disclosure."), version=disclosure.version, year=disclosure.year)


def _shown(indicator: Indicator, point: Datapoint) -> str:
    if point.value_number is not None:
        return figure(point.value_number)
    if point.value_bool is not None:
        return gettext("Yes") if point.value_bool else gettext("No")
    if point.value_choice:
        return choice_label(indicator.code, point.value_choice)
    return point.value_text


def _rows(disclosure: Disclosure, catalogue: Catalogue, points: dict[str, Datapoint],
          lang: str) -> list[dict[str, Any]]:
    in_tier = {i.code for i in catalogue.for_tier(disclosure.tier)}
    topics: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for topic in sorted(catalogue.topics, key=lambda t: t.order):
        topics[topic.key] = {"key": topic.key, "name": topic.name(lang), "pillar": topic.pillar,
                             "article": topic.exchange_article, "rows": []}
    for indicator in catalogue.indicators:
        if indicator.code not in in_tier and indicator.code not in points:
            continue
        point = points.get(indicator.code)
        row = Row(indicator, indicator.name(lang), point)
        if point is not None and point.status == DatapointStatus.NOT_APPLICABLE:
            row.status = "not_applicable"
        elif point is not None:
            row.status = "value"
            row.shown = _shown(indicator, point)
            row.unit = unit_label(point.unit) if point.unit else ""
            row.assured = point.get_assurance_display() if point.assurance != "none" else ""
        topics[indicator.topic]["rows"].append(row)
    names = {"E": gettext("Environment"), "S": gettext("Social"), "G": gettext("Governance")}
    pillars = []
    for pillar in ("G", "E", "S"):
        chosen = [t for t in topics.values() if t["pillar"] == pillar and t["rows"]]
        if chosen:
            pillars.append({"key": pillar, "name": names[pillar], "topics": chosen})
    return pillars


def _trends(disclosure: Disclosure, catalogue: Catalogue, lang: str) -> list[dict[str, Any]]:
    layout = load_layout()
    years = list(range(disclosure.year - layout.trend_years + 1, disclosure.year + 1))
    latest = Disclosure.objects.latest_published(enterprises=[disclosure.enterprise_id]).filter(
        year__in=years[:-1])
    values: dict[tuple[str, int], float] = {}
    for code, year, number in Datapoint.objects.filter(
            Q(disclosure__in=latest.values("pk")) | Q(disclosure=disclosure),
            indicator_code__in=layout.trend, value_number__isnull=False,
    ).values_list("indicator_code", "disclosure__year", "value_number"):
        values[(code, year)] = number
    out = []
    for code in layout.trend:
        series = [values.get((code, y)) for y in years]
        if sum(v is not None for v in series) < 1:
            continue
        indicator = catalogue.get(code)
        unit = unit_label(indicator.unit)
        out.append({"code": code, "name": indicator.name(lang), "unit": unit,
                    "svg": bar_chart([str(y) for y in years], series,
                                     ["" if v is None else format_number(v) for v in series],
                                     title=f"{indicator.name(lang)} ({unit})")})
    return out


def _peers(disclosure: Disclosure, catalogue: Catalogue, lang: str) -> list[dict[str, Any]]:
    layout = load_layout()
    prefix = disclosure.enterprise.industry_code[:layout.peer_code_length]
    latest = Disclosure.objects.latest_published(year=disclosure.year).filter(
        enterprise__industry_code__startswith=prefix)
    rows = Datapoint.objects.filter(
        disclosure__in=latest.values("pk"), indicator_code__in=layout.peers,
        value_number__isnull=False,
    ).exclude(unit__in=all_output_units()).values_list(
        "indicator_code", "disclosure__enterprise_id", "value_number")
    by_code: dict[str, dict[int, float]] = {}
    for code, enterprise_id, number in rows:
        by_code.setdefault(code, {})[enterprise_id] = number
    out = []
    for code in layout.peers:
        indicator = catalogue.get(code)
        values = by_code.get(code, {})
        own = values.get(disclosure.enterprise_id)
        item: dict[str, Any] = {"code": code, "name": indicator.name(lang),
                                "unit": unit_label(indicator.unit), "n": len(values),
                                "own": None if own is None else figure(own)}
        if own is not None and len(values) >= layout.min_peers:
            ordered = sorted(values.values())
            item["median"] = format_number(ordered[len(ordered) // 2] if len(ordered) % 2
                                           else (ordered[len(ordered) // 2 - 1]
                                                 + ordered[len(ordered) // 2]) / 2)
            item["below"] = sum(1 for v in ordered if v < own)
            item["svg"] = position_strip(ordered, own, title=indicator.name(lang))
        out.append(item)
    return out


def _carbon(disclosure: Disclosure) -> dict[str, Any] | None:
    chain = [disclosure.pk]
    current = disclosure
    while current.amends_id:
        chain.append(current.amends_id)
        current = Disclosure.objects.only("pk", "amends_id").get(pk=current.amends_id)
    calculation = (CarbonCalculation.objects.filter(applied_to_id__in=chain)
                   .order_by("-applied_at").first())
    if calculation is None:
        return None
    totals = calculation.totals_data
    labels = (("scope1_tco2e", gettext("Scope 1")),
              ("scope2_location_tco2e", gettext("Scope 2 (location-based)")),
              ("scope2_market_tco2e", gettext("Scope 2 (market-based)")),
              ("total_tco2e", gettext("Total")))
    return {"calculation": calculation, "factor_set": calculation.factor_set,
            "gwp_set": calculation.gwp_set, "inputs_hash": calculation.inputs_hash,
            "rows": [(label, figure(totals[key])) for key, label in labels
                     if totals.get(key) is not None],
            "activities": len(calculation.input_rows)}


def _join(names: list[str], lang: str) -> str:
    return (", " if lang.startswith("en") else "、").join(names)


def _methodology(disclosure: Disclosure, catalogue: Catalogue, points: dict[str, Datapoint],
                 carbon: dict[str, Any] | None, lang: str) -> list[str]:
    notes = [catalogue.description_en if lang.startswith("en") else catalogue.description_zh]
    calculated = [catalogue.get(c).name(lang) for c, p in points.items()
                  if p.derivation.get("formula") and c in catalogue]
    if calculated:
        notes.append(gettext("Calculated by the platform from the reported figures with the "
                             "catalogue's formulas: %(names)s.") % {"names": _join(calculated,
                                                                                   lang)})
    converted = [catalogue.get(c).name(lang) for c, p in points.items()
                 if c in catalogue and p.was_converted]
    if converted:
        notes.append(gettext("Entered in another unit and converted to the catalogue's unit: "
                             "%(names)s.") % {"names": _join(converted, lang)})
    if carbon is not None:
        notes.append(gettext("Greenhouse-gas figures come from the platform's calculation with "
                             "factor set %(factors)s and GWP set %(gwp)s (inputs SHA-256 "
                             "%(hash)s).") % {"factors": carbon["factor_set"],
                                              "gwp": carbon["gwp_set"] or "—",
                                              "hash": carbon["inputs_hash"][:16]})
    notes.append(gettext("Peer positions compare the same year's latest published values of "
                         "enterprises of the same industry major group; values per unit of "
                         "physical output are not ranked with values per revenue."))
    notes.append(gettext("The framework content indexes list only the requirements that the "
                         "catalogue's crosswalk maps to an indicator; the crosswalk is an "
                         "analyst's mapping, not a statement of the standards."))
    return notes


def _profile(enterprise: Enterprise, lang: str) -> list[tuple[str, str]]:
    city = load_city_profile()
    rows = [(gettext("Name"), display_name(enterprise)),
            (gettext("Unified social credit code"), enterprise.uscc),
            (gettext("Identifier in XBRL and the PACT API"), USCC_URN_PREFIX + enterprise.uscc)]
    try:
        rows.append((gettext("Industry"), f"{city.industry(enterprise.industry_code).name(lang)}"
                                          f" ({enterprise.industry_code})"))
    except KeyError:
        rows.append((gettext("Industry"), enterprise.industry_code))
    try:
        rows.append((gettext("District"), city.district(enterprise.division_code).name(lang)))
    except KeyError:
        pass
    if enterprise.park_key:
        try:
            rows.append((gettext("Park"), city.park(enterprise.park_key).name(lang)))
        except KeyError:
            pass
    rows.append((gettext("Size"), enterprise.get_size_class_display()))
    if enterprise.listed:
        rows.append((gettext("Listed"), f"{enterprise.get_exchange_display()} "
                                        f"{enterprise.stock_code}".strip()))
    return rows


def report_for(disclosure: Disclosure, lang: str) -> Report:
    """Gather a published disclosure's report (refused for any other state)."""
    require_published(disclosure)
    catalogue = load_catalogue()
    points = {p.indicator_code: p for p in disclosure.datapoints.all()}
    carbon = _carbon(disclosure)
    engagements = list(Engagement.objects.filter(disclosure=disclosure,
                                                 state=EngagementState.SIGNED)
                       .select_related("firm").order_by("signed_at"))
    enterprise = disclosure.enterprise
    return Report(
        disclosure=disclosure, enterprise=enterprise, lang=lang,
        entity_uri=USCC_URN_PREFIX + enterprise.uscc, profile=_profile(enterprise, lang),
        pillars=_rows(disclosure, catalogue, points, lang),
        trends=_trends(disclosure, catalogue, lang), peers=_peers(disclosure, catalogue, lang),
        carbon=carbon, engagements=engagements,
        methodology=_methodology(disclosure, catalogue, points, carbon, lang),
        indexes=disclosure_indexes(catalogue, points, lang), points=points,
        generated=timezone.now(),
    )
