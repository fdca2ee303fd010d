"""Partner footprints imported into a buyer's scorecard: the buyer's registered PACT partner is
asked for its ``/3/footprints``; each footprint is held to our PACT v3 JSON Schema
(``czesg/data/pact``) and to the declared units we compare footprints in. The accepted ones are
stored with their provenance (partner, fetch time, footprint id and specification version) in
one transaction with the audit entry, which names the refused ones; a failed call stores
nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema_rs
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from czesg.accounts.permissions import require_manager
from czesg.audit.recording import record
from czesg.engine.datafiles import DATA_DIR, read_data_file
from czesg.engine.kernel.errors import CzesgError, NotFound
from czesg.enterprises.models import Enterprise
from czesg.supplychain import partner_calls, sealing
from czesg.supplychain.models import DeclaredUnit, ImportedFootprint, PactPartner

SCHEMA = "pact/product-footprint.schema.json"
MAX_REASONS = 5


class PartnerFetchFailed(CzesgError):
    """The partner's footprints could not be fetched; nothing is stored."""

    code = "partner_fetch_failed"
    http_status = 502


@dataclass
class Refused:
    """A footprint the partner listed that is not imported, and why (English, for the log)."""

    pact_id: str
    reason: str
    detail: list[str] = field(default_factory=list)


@dataclass
class FetchResult:
    """What one fetch imported (new or updated) and what it refused."""

    imported: list[ImportedFootprint]
    refused: list[Refused]


@lru_cache(maxsize=1)
def _validator() -> Any:
    """Our PACT v3 product-footprint schema, compiled once."""
    schema = json.loads(read_data_file(DATA_DIR / SCHEMA, SCHEMA))
    return jsonschema_rs.validator_for(schema)


def check_footprint(document: Any) -> Refused | None:
    """Why a partner's footprint cannot be imported (schema error, incompatible declared
    unit), or None when it can."""
    pact_id = str(document.get("id", "")) if isinstance(document, dict) else ""
    errors = [f"{e.instance_path or '/'}: {e.message}"
              for e in _validator().iter_errors(document)]
    if errors:
        return Refused(pact_id, "schema error", errors[:MAX_REASONS])
    unit = document["pcf"]["declaredUnitOfMeasurement"]
    if unit not in DeclaredUnit.values:
        return Refused(pact_id, "incompatible declared unit", [unit])
    return None


def _partner_of(buyer: Enterprise, partner_pk: int) -> PactPartner:
    partner = PactPartner.objects.filter(pk=partner_pk, enterprise=buyer,
                                         revoked_at__isnull=True).first()
    if partner is None:
        raise NotFound()
    return partner


def _fetch(partner: PactPartner, params: dict[str, list[str]] | None) -> list[Any]:
    """The partner's listed footprints; a failed call raises :class:`PartnerFetchFailed`."""
    try:
        secret = sealing.unseal(partner.sealed_secret)
        if secret is None:
            raise partner_calls.PartnerCallFailed("the partner's secret cannot be unsealed")
        token = partner_calls.fetch_token(partner.base_url, partner.client_id, secret)
        return partner_calls.get_footprints(partner.base_url, token, params)
    except partner_calls.PartnerCallFailed as exc:
        raise PartnerFetchFailed(gettext_noop(
            "The footprints of %(partner)s could not be fetched: %(reason)s"),
            partner=partner.name, reason=str(exc)[:300]) from None


def import_partner_footprints(buyer: Enterprise, partner_pk: int, *, actor,
                              params: dict[str, list[str]] | None = None) -> FetchResult:
    """Fetch a registered partner's footprints into the buyer's scorecard: valid ones stored
    (a footprint fetched again is replaced), refused ones named; audited as one fetch."""
    require_manager(actor, buyer)
    partner = _partner_of(buyer, partner_pk)
    documents = _fetch(partner, params)
    fetched_at = timezone.now()
    accepted: list[dict[str, Any]] = []
    refused: list[Refused] = []
    for document in documents:
        problem = check_footprint(document)
        if problem is None:
            accepted.append(document)
        else:
            refused.append(problem)
    imported = []
    with transaction.atomic():
        for document in accepted:
            pcf = document["pcf"]
            stored, _ = ImportedFootprint.objects.update_or_create(
                buyer=buyer, partner=partner, pact_id=str(document["id"]), defaults={
                    "spec_version": document["specVersion"],
                    "created": str(document["created"])[:40],
                    "company_name": document["companyName"][:200],
                    "company_ids": document["companyIds"],
                    "product_name": document["productNameCompany"][:200],
                    "declared_unit": pcf["declaredUnitOfMeasurement"],
                    "pcf": float(pcf["pcfExcludingBiogenicUptake"]),
                    "document": document, "fetched_at": fetched_at, "fetched_by": actor})
            imported.append(stored)
        record(actor, "supplychain.partner_footprints.import", partner, buyer=buyer.uscc,
               partner=partner.name, base_url=partner.base_url,
               fetched_at=fetched_at.isoformat(),
               imported=[{"id": f.pact_id, "version": f.spec_version} for f in imported],
               refused=[{"id": r.pact_id, "reason": r.reason, "detail": r.detail}
                        for r in refused])
    return FetchResult(imported, refused)
