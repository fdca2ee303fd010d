"""Reads shared by pages and the PACT API: a footprint's PACT document, the PACT filters, and
what pre-fills a supplier's answer to a buyer's request."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q

from czesg.disclosures.models import Datapoint, Disclosure
from czesg.engine import footprint as engine
from czesg.engine.footprint.pact import PRODUCT_URN_PREFIX, USCC_URN_PREFIX
from czesg.records.known import recorded_values
from czesg.supplychain.models import Footprint, FootprintQuerySet, FootprintState

VALIDITY_YEARS = 3
FILTER_NAMES = ("productId", "companyId", "geography", "classification", "validOn",
                "validAfter", "validBefore", "status")
"""The PACT v3 filters (of ``GET /3/footprints``; the criteria of a request event)."""
"""A footprint is valid from the end of its reference period for three years (PACT's default
when no validity period is given; we state it explicitly)."""


def period(year: int) -> tuple[datetime, datetime]:
    """The reference period of a year: 1 January to the next 1 January (UTC)."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def validity(year: int) -> tuple[datetime, datetime]:
    """The validity period of a footprint of ``year``."""
    start = period(year)[1]
    return start, start.replace(year=start.year + VALIDITY_YEARS)


def pact_document(footprint: Footprint) -> dict[str, Any]:
    """The PACT v3 ProductFootprint of a stored footprint (its product and enterprise loaded)."""
    product = footprint.product
    start, end = period(footprint.year)
    valid_from, valid_to = validity(footprint.year)
    return engine.product_footprint({
        "id": footprint.pk, "created": footprint.published_at or footprint.created_at,
        "status": "Deprecated" if footprint.state == FootprintState.DEPRECATED else "Active",
        "company_name": product.enterprise.name, "uscc": product.enterprise.uscc,
        "product_uuid": product.uuid, "product_name": product.name,
        "product_description": product.description, "cpc_code": product.cpc_code,
        "hs_code": product.hs_code, "mass_kg": float(product.mass_kg or 0),
        "period_start": start, "period_end": end, "validity_start": valid_from,
        "validity_end": valid_to, "geography": footprint.geography,
        "summary": footprint.summary,
        "boundary": "Cradle-to-gate: purchased materials, energy and fuel use, purchased "
                    "electricity and inbound transport.",
        "allocation": "Energy and fuel allocated to the product by the shares entered.",
        "preceding_ids": [footprint.supersedes_id] if footprint.supersedes_id else [],
        "comment": f"{engine.METHOD}; factor set {footprint.factor_set}",
    })


class FilterRefused(ValueError):
    """A PACT filter value that cannot be read (the API answers BadRequest)."""


def _after_prefix(values: Iterable[str], prefix: str) -> list[str]:
    return [v[len(prefix):] for v in values if v.lower().startswith(prefix)]


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FilterRefused(text) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _years(test) -> list[int]:
    """The reference years (1990–2100) whose validity period passes ``test``."""
    return [y for y in range(1990, 2101) if test(*validity(y))]


def apply_filters(footprints: FootprintQuerySet, filters: dict[str, list[str]]) -> FootprintQuerySet:
    """Footprints matching the PACT v3 filters (each filter's values OR-ed, filters AND-ed)."""
    qs = footprints
    if "productId" in filters:
        ids = []
        for text in _after_prefix(filters["productId"], PRODUCT_URN_PREFIX):
            try:
                ids.append(uuid.UUID(text))
            except ValueError:
                continue
        qs = qs.filter(product__uuid__in=ids)
    if "companyId" in filters:
        codes = [c.upper() for c in _after_prefix(filters["companyId"], USCC_URN_PREFIX)]
        qs = qs.filter(product__enterprise__uscc__in=codes)
    if "geography" in filters:
        wanted = filters["geography"]
        condition = Q(geography__in=wanted)
        if "CN" in wanted or "Asia" in wanted or "Eastern Asia" in wanted:
            condition = Q()
        qs = qs.filter(condition)
    if "classification" in filters:
        values = filters["classification"]
        qs = qs.filter(Q(product__cpc_code__in=_after_prefix(values, "urn:cpc:"))
                       | Q(product__hs_code__in=_after_prefix(values, "urn:czesg:hs:")))
    if "status" in filters:
        # A status other than Active or Deprecated matches nothing (like an unknown productId):
        # PACT answers an empty list, not an error (the conformance tool's case 37).
        states = {"Active": FootprintState.ACTIVE, "Deprecated": FootprintState.DEPRECATED}
        qs = qs.filter(state__in=[states[s] for s in filters["status"] if s in states])
    for name, test in (("validOn", lambda t: lambda s, e: s <= t <= e),
                       ("validAfter", lambda t: lambda s, e: s >= t),
                       ("validBefore", lambda t: lambda s, e: e <= t)):
        for text in filters.get(name, []):
            qs = qs.filter(year__in=_years(test(_moment(text))))
    return qs


def prefill(supplier, year: int, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What the platform knows of the supplier's asked indicators of a year, to pre-fill its
    answer: the latest published disclosure's value (with its assurance) first, else the
    preferred government record (the supplier reads its own restricted records)."""
    wanted = list(codes)
    found: dict[str, dict[str, Any]] = {}
    published = Disclosure.objects.latest_published(year=year, enterprises=[supplier.pk])
    for code, number, flag, unit, assurance in Datapoint.objects.filter(
            disclosure__in=published.values("pk"), indicator_code__in=wanted,
    ).values_list("indicator_code", "value_number", "value_bool", "unit", "assurance"):
        if number is None and flag is None:
            continue  # not applicable: nothing to pre-fill
        found[code] = {"value": flag if flag is not None else number, "unit": unit,
                       "basis": "disclosed", "source": "", "assurance": assurance}
    rest = [c for c in wanted if c not in found]
    if rest:
        for (_, _, code), recorded in recorded_values(
                [supplier.pk], years=[year], codes=rest, restricted=[supplier.pk]).items():
            if recorded.number is not None:
                found[code] = {"value": recorded.number, "unit": recorded.unit, "basis": "record",
                               "source": recorded.source_name_zh, "assurance": "none"}
    return found
