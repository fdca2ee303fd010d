"""Every change of state of the supply chain: products, footprints, consents and PACT clients.

Each action checks the actor, runs in one transaction and appends an audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from czesg.accounts.permissions import require_manager
from czesg.audit.recording import record
from czesg.engine import footprint as engine
from czesg.engine.footprint.inputs import footprint_problem
from czesg.engine.kernel.errors import CzesgError, NotFound, StateConflict, gettext_noop
from czesg.engine.kernel.problems import Problem
from czesg.enterprises.models import Enterprise
from czesg.supplychain.models import (
    DeclaredUnit,
    Footprint,
    FootprintConsent,
    FootprintState,
    PactClient,
    PactEvent,
    PactToken,
    Product,
)

TOKEN_LIFETIME = timedelta(hours=1)
CPC_RE = re.compile(r"^\d{1,5}$")
HS_RE = re.compile(r"^\d{6,10}$")
GEOGRAPHY_RE = re.compile(r"^CN-[A-Z0-9]{1,3}$")


class ProductInvalid(CzesgError):
    """A product's field is not acceptable; ``params['field']`` names it."""

    code = "product_invalid"
    http_status = 422


def create_product(enterprise: Enterprise, *, name: str, declared_unit: str, actor,
                   cpc_code: str = "", hs_code: str = "", description: str = "",
                   mass_kg: float | None = None) -> Product:
    """Define a product of an enterprise (its ESG managers)."""
    require_manager(actor, enterprise)
    name, cpc_code, hs_code = name.strip(), cpc_code.strip(), hs_code.strip()
    if not name:
        raise ProductInvalid(gettext_noop("Enter the product's name."), field="name")
    if declared_unit not in DeclaredUnit.values:
        raise ProductInvalid(gettext_noop("Choose a declared unit."), field="declared_unit")
    if cpc_code and not CPC_RE.fullmatch(cpc_code):
        raise ProductInvalid(gettext_noop("A CPC code has one to five digits, not “%(value)s”."),
                             field="cpc_code", value=cpc_code)
    if hs_code and not HS_RE.fullmatch(hs_code):
        raise ProductInvalid(gettext_noop("An HS code has six to ten digits, not “%(value)s”."),
                             field="hs_code", value=hs_code)
    if declared_unit == DeclaredUnit.PIECE and not mass_kg:
        raise ProductInvalid(gettext_noop(
            "A product declared per piece needs its mass per piece."), field="mass_kg")
    with transaction.atomic():
        if Product.objects.filter(enterprise=enterprise, name=name).exists():
            raise ProductInvalid(gettext_noop("%(enterprise)s already has a product “%(name)s”."),
                                 field="name", enterprise=enterprise.name, name=name)
        product = Product.objects.create(
            enterprise=enterprise, name=name, declared_unit=declared_unit, cpc_code=cpc_code,
            hs_code=hs_code, description=description.strip(), mass_kg=mass_kg,
        )
        record(actor, "supplychain.product.create", product, enterprise=enterprise.uscc,
               name=name, declared_unit=declared_unit)
    return product


def _supplier_footprint(item: Mapping[str, Any], enterprise: Enterprise,
                        problems: list[Problem], row: int) -> engine.SupplierFootprint | None:
    """The supplier footprint a material names by id, if the enterprise is entitled to it."""
    found = (Footprint.objects.entitled_to(enterprise.pk)
             .filter(pk=item["footprint_id"]).select_related("product").first())
    if found is None:
        problems.append(footprint_problem(
            table="materials", row=row, column="footprint_id", message=gettext_noop(
                "Footprint %(id)s is not published or not shared with %(enterprise)s."),
            params={"id": item["footprint_id"], "enterprise": enterprise.name}))
        return None
    s = found.summary
    return engine.SupplierFootprint(
        declared_unit=found.product.declared_unit, declared_amount=1.0,
        pcf_excluding_biogenic=s["pcf_excluding_biogenic"],
        pcf_including_biogenic=s["pcf_including_biogenic"], fossil=s["fossil"],
        primary_data_share=s["primary_data_share"], reference=str(found.pk),
    )


def _row_number(item: Mapping[str, Any], index: int) -> int:
    """The row a person sees (``row`` when the page gave it), else the position (from 1)."""
    given = item.get("row")
    return given if isinstance(given, int) and not isinstance(given, bool) else index


def _inputs(product: Product, year: int, output: float, fuels: Sequence[Mapping[str, Any]],
            materials: Sequence[Mapping[str, Any]], exempted_percent: float,
            ) -> engine.FootprintInputs:
    problems: list[Problem] = []
    made = []
    for index, item in enumerate(materials, start=1):
        row = _row_number(item, index)
        supplier = None
        if item.get("footprint_id"):
            supplier = _supplier_footprint(item, product.enterprise, problems, row)
            if supplier is None:
                continue
        made.append(engine.MaterialUse(
            name=str(item.get("name", "")), quantity=item.get("quantity"),
            unit=str(item.get("unit", "")), supplier=supplier,
            secondary_factor_id=str(item.get("secondary_factor_id") or ""),
            share=item.get("share", 1.0), row=row))
    if problems:
        raise engine.FootprintInputError(problems)
    return engine.FootprintInputs(
        uscc=product.enterprise.uscc, year=year, declared_unit=product.declared_unit,
        output=output, exempted_percent=exempted_percent, materials=tuple(made),
        fuels=tuple(engine.FuelUse(
            activity=str(f.get("activity", "")), quantity=f.get("quantity"),
            unit=str(f.get("unit", "")), share=f.get("share", 1.0),
            stage=str(f.get("stage") or "energy"), row=_row_number(f, index))
            for index, f in enumerate(fuels, start=1)),
    )


def compute_product_footprint(
    product: Product, *, year: int, output: float, fuels: Sequence[Mapping[str, Any]] = (),
    materials: Sequence[Mapping[str, Any]] = (), exempted_percent: float = 0.0,
    geography: str = "CN-JS", actor,
) -> Footprint:
    """Compute a draft footprint of a product from its activity data (nothing is written when
    the engine refuses the input)."""
    require_manager(actor, product.enterprise)
    if not GEOGRAPHY_RE.fullmatch(geography):
        raise ProductInvalid(gettext_noop("“%(value)s” is not a Chinese province code (CN-JS)."),
                             field="geography", value=geography)
    inputs = _inputs(product, year, output, fuels, materials, exempted_percent)
    result = engine.compute_footprint(inputs)
    with transaction.atomic():
        latest = product.footprints.filter(year=year).aggregate(v=Max("version"))["v"] or 0
        footprint = Footprint.objects.create(
            product=product, year=year, version=latest + 1, geography=geography,
            factor_set=result.factor_set, summary=result.summary(), trace=list(result.trace),
            inputs={"output": output, "fuels": list(fuels), "materials": list(materials),
                    "exempted_percent": exempted_percent},
            created_by=actor,
        )
        record(actor, "supplychain.footprint.compute", footprint,
               product=str(product.uuid), year=year, version=footprint.version,
               pcf=result.pcf_excluding_biogenic)
    return footprint


def publish_footprint(footprint_id, *, actor) -> Footprint:
    """Publish a draft footprint (PACT ``Active``); the product's earlier active footprint of
    the year becomes ``Deprecated`` and is named as preceding."""
    with transaction.atomic():
        footprint = (Footprint.objects.select_for_update().select_related("product__enterprise")
                     .filter(pk=footprint_id).first())
        if footprint is None:
            raise NotFound()
        require_manager(actor, footprint.product.enterprise)
        if footprint.state != FootprintState.DRAFT:
            raise StateConflict(gettext_noop("Only a draft footprint can be published."))
        now = timezone.now()
        previous = (Footprint.objects.select_for_update()
                    .filter(product=footprint.product, year=footprint.year,
                            state=FootprintState.ACTIVE).first())
        if previous is not None:
            previous.state, previous.deprecated_at = FootprintState.DEPRECATED, now
            previous.save(update_fields=["state", "deprecated_at"])
            footprint.supersedes = previous
        footprint.state, footprint.published_at = FootprintState.ACTIVE, now
        footprint.save(update_fields=["state", "published_at", "supersedes"])
        record(actor, "supplychain.footprint.publish", footprint,
               deprecated=str(previous.pk) if previous else "")
    return footprint


def grant_footprint_consent(supplier: Enterprise, recipient: Enterprise, *, actor,
                            product: Product | None = None) -> FootprintConsent:
    """A supplier lets a recipient organisation read its published footprints over PACT
    (of one product, or all of them)."""
    require_manager(actor, supplier)
    if product is not None and product.enterprise_id != supplier.pk:
        raise NotFound()
    if recipient.pk == supplier.pk:
        raise StateConflict(gettext_noop("An enterprise always reads its own footprints."))
    with transaction.atomic():
        consent = FootprintConsent.objects.create(supplier=supplier, recipient=recipient,
                                                  product=product)
        record(actor, "supplychain.consent.grant", consent, supplier=supplier.uscc,
               recipient=recipient.uscc, product=str(product.uuid) if product else "")
    return consent


def revoke_footprint_consent(consent_id: int, *, actor) -> FootprintConsent:
    """Withdraw a consent; the recipient's clients stop seeing the footprints at once."""
    with transaction.atomic():
        consent = FootprintConsent.objects.select_for_update().filter(pk=consent_id).first()
        if consent is None:
            raise NotFound()
        require_manager(actor, consent.supplier)
        if consent.revoked_at is None:
            consent.revoked_at = timezone.now()
            consent.save(update_fields=["revoked_at"])
            record(actor, "supplychain.consent.revoke", consent)
    return consent


def register_pact_client(enterprise: Enterprise, *, name: str, actor) -> tuple[PactClient, str]:
    """Register PACT client credentials for an enterprise; returns the client and its secret,
    which is shown this once and kept only as a hash."""
    require_manager(actor, enterprise)
    name = name.strip()
    if not name:
        raise ProductInvalid(gettext_noop("Enter a name for the client."), field="name")
    secret = PactClient.new_secret()
    with transaction.atomic():
        client = PactClient.objects.create(
            enterprise=enterprise, name=name[:80], client_id="czesg-" + PactClient.new_secret()[:24],
            secret_hash=PactClient.digest(secret),
        )
        record(actor, "supplychain.pact_client.register", client, enterprise=enterprise.uscc,
               client_id=client.client_id)
    return client, secret


def revoke_pact_client(client_pk: int, *, actor) -> PactClient:
    """Revoke a PACT client; its tokens stop working at once."""
    with transaction.atomic():
        client = PactClient.objects.select_for_update().filter(pk=client_pk).first()
        if client is None:
            raise NotFound()
        require_manager(actor, client.enterprise)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            client.tokens.all().delete()
            record(actor, "supplychain.pact_client.revoke", client)
    return client


def issue_pact_token(client: PactClient) -> tuple[str, int]:
    """Issue an access token to an authenticated client; returns it and its lifetime (s)."""
    token = PactClient.new_secret()
    with transaction.atomic():
        PactToken.objects.filter(client=client, expires_at__lt=timezone.now()).delete()
        PactToken.objects.create(client=client, token_hash=PactClient.digest(token),
                                 expires_at=timezone.now() + TOKEN_LIFETIME)
        record(None, "supplychain.pact_token.issue", client, client_id=client.client_id)
    return token, int(TOKEN_LIFETIME.total_seconds())


def receive_pact_event(client: PactClient, payload: Mapping[str, Any]) -> PactEvent:
    """Keep a CloudEvent a client sent (checked by the API before)."""
    with transaction.atomic():
        event = PactEvent.objects.create(
            client=client, event_id=str(payload["id"])[:200], type=str(payload["type"])[:120],
            source=str(payload["source"])[:500], payload=dict(payload),
        )
        record(None, "supplychain.pact_event.receive", event, client_id=client.client_id,
               type=event.type)
    return event
