"""Every change of state of the supply chain: products, footprints, consents and PACT clients;
buyers' requests to suppliers (send, answer with consent, decline, withdraw, remind) and the
buyers' score weightings.

Each action checks the actor, runs in one transaction and appends an audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.accounts.permissions import require_manager, require_role
from czesg.audit.recording import record
from czesg.engine import footprint as engine
from czesg.engine import procurement
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.values import coerce
from czesg.engine.footprint.inputs import footprint_problem
from czesg.engine.kernel.errors import (
    CatalogueError,
    CzesgError,
    NotFound,
    StateConflict,
    gettext_noop,
)
from czesg.engine.kernel.identifiers import is_valid_uscc
from czesg.engine.kernel.problems import Problem
from czesg.enterprises.models import Enterprise
from czesg.supplychain.mails import request_mail
from czesg.supplychain.models import (
    DeclaredUnit,
    Footprint,
    FootprintConsent,
    FootprintState,
    PactClient,
    PactEvent,
    PactToken,
    Product,
    RequestAnswer,
    RequestRead,
    RequestRecipient,
    RequestState,
    SupplierRequest,
    SupplierWeighting,
)
from czesg.supplychain.queries import prefill

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


def receive_pact_event(client: PactClient, payload: Mapping[str, Any],
                       partner: Any = None) -> PactEvent:
    """Keep a CloudEvent a client sent (checked by the API before); a request event from an
    allow-listed partner source is kept with its answer queued."""
    with transaction.atomic():
        event = PactEvent.objects.create(
            client=client, event_id=str(payload["id"])[:200], type=str(payload["type"])[:120],
            source=str(payload["source"])[:500], payload=dict(payload), partner=partner,
            answer_state="queued" if partner is not None else "",
        )
        record(None, "supplychain.pact_event.receive", event, client_id=client.client_id,
               type=event.type, partner=getattr(partner, "pk", None))
    return event


# --------------------------------------------------------------------------------------------
# Buyers' requests to suppliers

MAX_SUPPLIERS = 200
TRUE_WORDS = {"yes", "true", "1", "是", "y"}
FALSE_WORDS = {"no", "false", "0", "否", "n"}


class RequestInvalid(CzesgError):
    """A request or an answer is not acceptable; ``params['field']`` names what."""

    code = "supplier_request_invalid"
    http_status = 422


def _check_indicators(codes: Sequence[str]) -> list[str]:
    catalogue = load_catalogue()
    chosen = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not chosen:
        raise RequestInvalid(gettext_noop("Choose at least one indicator to ask for."),
                             field="indicators")
    for code in chosen:
        if code not in catalogue or catalogue.get(code).data_type not in \
                procurement.ANSWERABLE_TYPES:
            raise RequestInvalid(gettext_noop(
                "“%(code)s” is not an indicator a supplier can answer with a figure or yes/no."),
                field="indicators", code=code)
    return chosen


def send_request(buyer: Enterprise, *, template: str, title: str, year: int,
                 indicators: Sequence[str], suppliers: Sequence[Mapping[str, Any]],
                 due_date: dt.date, products: Sequence[str] = (), include_scores: bool = True,
                 message: str = "", actor) -> SupplierRequest:
    """A buyer asks suppliers (registered, or invited by credit code and e-mail) for indicators
    of a year and footprints of named products by a due date; invitations are e-mailed."""
    require_manager(actor, buyer)
    if template not in procurement.load_questionnaires():
        raise RequestInvalid(gettext_noop("Choose a questionnaire."), field="template")
    if not title.strip():
        raise RequestInvalid(gettext_noop("Give the request a title."), field="title")
    if due_date <= timezone.localdate():
        raise RequestInvalid(gettext_noop("The due date must lie after today."), field="due_date")
    codes = _check_indicators(indicators)
    names = list(dict.fromkeys(p.strip()[:200] for p in products if p.strip()))
    if not suppliers:
        raise RequestInvalid(gettext_noop("Name at least one supplier."), field="suppliers")
    if len(suppliers) > MAX_SUPPLIERS:
        raise RequestInvalid(gettext_noop("At most %(count)s suppliers per request."),
                             field="suppliers", count=MAX_SUPPLIERS)
    rows: list[tuple[str, str, int, Enterprise | None]] = []
    for number, item in enumerate(suppliers, start=1):
        code = str(item.get("uscc", "")).strip().upper()
        email = str(item.get("email", "") or "").strip()
        tier = item.get("tier", 1) or 1
        if not is_valid_uscc(code):
            raise RequestInvalid(gettext_noop(
                "Supplier %(row)s: “%(uscc)s” is not a valid unified social credit code."),
                field="suppliers", row=number, uscc=code)
        if code == buyer.uscc or any(code == r[0] for r in rows):
            raise RequestInvalid(gettext_noop(
                "Supplier %(row)s: %(uscc)s is the buyer itself or named twice."),
                field="suppliers", row=number, uscc=code)
        if tier not in (1, 2, "1", "2"):
            raise RequestInvalid(gettext_noop("Supplier %(row)s: the tier is 1 or 2."),
                                 field="suppliers", row=number)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise RequestInvalid(gettext_noop(
                    "Supplier %(row)s: “%(email)s” is not an e-mail address."),
                    field="suppliers", row=number, email=email) from None
        found = Enterprise.objects.filter(uscc=code).first()
        if found is None and not email:
            raise RequestInvalid(gettext_noop(
                "Supplier %(row)s: %(uscc)s is not in the registry; give an e-mail address to "
                "invite it."), field="suppliers", row=number, uscc=code)
        rows.append((code, email, int(tier), found))
    with transaction.atomic():
        request = SupplierRequest.objects.create(
            buyer=buyer, template=template, title=title.strip()[:200], year=year,
            indicators=codes, products=names, include_scores=include_scores, due_date=due_date,
            message=message.strip(), created_by=actor)
        RequestRecipient.objects.bulk_create(
            RequestRecipient(request=request, supplier=found, uscc=code, email=email, tier=tier)
            for code, email, tier, found in rows)
        record(actor, "supplychain.request.send", request, buyer=buyer.uscc, year=year,
               indicators=codes, products=names, due_date=due_date.isoformat(),
               suppliers=[{"uscc": c, "tier": t, "invited": f is None} for c, _, t, f in rows])
        invited = [email for _, email, _, _ in rows if email]
        if invited:
            subject, body = request_mail("invitation", request)
            # One message per supplier: no supplier learns whom else the buyer asked.
            transaction.on_commit(lambda: [send_mail(subject, body, None, [to],
                                                     fail_silently=True) for to in invited])
    return request


def _recipient_for(recipient_id: int, supplier: Enterprise, actor) -> RequestRecipient:
    """The request addressed to the supplier, locked; the actor must manage the supplier."""
    require_manager(actor, supplier)
    recipient = (RequestRecipient.objects.select_for_update()
                 .filter(pk=recipient_id).addressed_to(supplier).first())
    if recipient is None:
        raise NotFound()
    return recipient


def _answer_value(indicator, raw: Any) -> tuple[float | None, bool | None, str]:
    """A supplier's typed answer checked against the indicator (number in its canonical unit,
    or yes/no)."""
    if indicator.data_type == "boolean":
        if isinstance(raw, bool):
            return None, raw, ""
        word = str(raw).strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return None, word in TRUE_WORDS, ""
        raise CatalogueError(gettext_noop("%(code)s: answer yes or no."), code=indicator.code)
    coerced = coerce(indicator, raw, indicator.unit or None)
    return coerced.number, None, coerced.unit


def answer_request(recipient_id: int, supplier: Enterprise, *, answers: Mapping[str, Any],
                   products: Mapping[str, str] | None = None, consent: bool,
                   actor) -> RequestRecipient:
    """The supplier answers a buyer's request and consents to share exactly what was asked:
    the answered indicators, the footprints of the products it names for the asked ones and,
    when asked, its green score (nothing is written when any answer is refused)."""
    if not consent:
        raise RequestInvalid(gettext_noop(
            "Tick the consent to share these answers with the buyer, or decline the request."),
            field="consent")
    products = products or {}
    with transaction.atomic():
        recipient = _recipient_for(recipient_id, supplier, actor)
        request = SupplierRequest.objects.select_related("buyer").get(pk=recipient.request_id)
        if recipient.state != RequestState.OPEN:
            raise StateConflict(gettext_noop("This request was already answered or declined."))
        asked = list(request.indicators)
        unknown = sorted(set(answers) - set(asked))
        if unknown:
            raise RequestInvalid(gettext_noop("%(code)s was not asked for."), field=unknown[0],
                                 code=unknown[0])
        catalogue = load_catalogue()
        known = prefill(supplier, request.year, asked)
        rows = []
        for code in asked:
            raw = answers.get(code)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue  # not answered
            number, flag, unit = _answer_value(catalogue.get(code), raw)
            held = known.get(code)
            same = held is not None and held["value"] == (flag if flag is not None else number)
            rows.append(RequestAnswer(
                recipient=recipient, indicator_code=code, value_number=number, value_bool=flag,
                unit=unit, basis=held["basis"] if same else "entered",
                source=(held["source"] if same else "")[:200],
                assurance=held["assurance"] if same else "none"))
        chosen: list[Product] = []
        for name, product_uuid in products.items():
            if name not in request.products:
                raise RequestInvalid(gettext_noop("No footprint of “%(name)s” was asked for."),
                                     field="products", name=name)
            if not product_uuid:
                continue
            try:
                wanted = uuid.UUID(str(product_uuid))
            except ValueError:
                wanted = None
            product = (Product.objects.filter(enterprise=supplier, uuid=wanted).first()
                       if wanted else None)
            if product is None or not product.footprints.filter(
                    state=FootprintState.ACTIVE).exists():
                raise RequestInvalid(gettext_noop(
                    "Choose one of your products with a published footprint for “%(name)s”."),
                    field="products", name=name)
            chosen.append(product)
        RequestAnswer.objects.bulk_create(rows)
        buyer = request.buyer
        FootprintConsent.objects.bulk_create(
            FootprintConsent(supplier=supplier, recipient=buyer, product=product,
                             request_recipient=recipient) for product in chosen)
        recipient.supplier = supplier
        recipient.state = RequestState.SHARED
        recipient.answered_at, recipient.answered_by = timezone.now(), actor
        recipient.include_scores = request.include_scores
        recipient.save(update_fields=["supplier", "state", "answered_at", "answered_by",
                                      "include_scores"])
        record(actor, "supplychain.request.answer", recipient, supplier=supplier.uscc,
               buyer=buyer.uscc, shared=[r.indicator_code for r in rows],
               products=[str(p.uuid) for p in chosen], scores=request.include_scores)
    return recipient


def decline_request(recipient_id: int, supplier: Enterprise, *, reason: str,
                    actor) -> RequestRecipient:
    """The supplier declines a buyer's request, saying why (the buyer sees the reason)."""
    if not reason.strip():
        raise RequestInvalid(gettext_noop("Say why you decline the request."), field="reason")
    with transaction.atomic():
        recipient = _recipient_for(recipient_id, supplier, actor)
        if recipient.state != RequestState.OPEN:
            raise StateConflict(gettext_noop("This request was already answered or declined."))
        recipient.supplier = supplier
        recipient.state, recipient.decline_reason = RequestState.DECLINED, reason.strip()[:2000]
        recipient.answered_at, recipient.answered_by = timezone.now(), actor
        recipient.save(update_fields=["supplier", "state", "decline_reason", "answered_at",
                                      "answered_by"])
        record(actor, "supplychain.request.decline", recipient, supplier=supplier.uscc,
               reason=recipient.decline_reason)
    return recipient


def withdraw_request_consent(recipient_id: int, supplier: Enterprise, *,
                             actor) -> RequestRecipient:
    """The supplier withdraws its consent: the buyer no longer sees the answers, and the
    footprint consents given with them are revoked."""
    with transaction.atomic():
        recipient = _recipient_for(recipient_id, supplier, actor)
        if recipient.state != RequestState.SHARED:
            raise StateConflict(gettext_noop("Only shared answers can be withdrawn."))
        now = timezone.now()
        recipient.state, recipient.withdrawn_at = RequestState.WITHDRAWN, now
        recipient.save(update_fields=["state", "withdrawn_at"])
        revoked = recipient.footprint_consents.filter(revoked_at__isnull=True).update(
            revoked_at=now)
        record(actor, "supplychain.request.withdraw", recipient, supplier=supplier.uscc,
               footprint_consents_revoked=revoked)
    return recipient


def send_due_reminders(today: dt.date | None = None, *, actor) -> list[RequestRecipient]:
    """Mark a reminder on every open request that needs one today (the rule of the
    questionnaire file), e-mail invited suppliers and audit each; returns those reminded (the
    platform's own account runs it from the command line)."""
    require_role(actor, Role.PLATFORM_ADMIN)
    day = today or timezone.localdate()
    rule = procurement.reminder_rule()
    reminded = []
    with transaction.atomic():
        candidates = (RequestRecipient.objects.select_for_update()
                      .filter(state=RequestState.OPEN,
                              request__due_date__lte=day + timedelta(days=rule.days_before))
                      .select_related("request__buyer").order_by("id"))
        for recipient in candidates:
            if not procurement.reminder_due(day, recipient.request.due_date,
                                            recipient.last_reminded_on, rule):
                continue
            recipient.reminders += 1
            recipient.last_reminded_on = day
            recipient.save(update_fields=["reminders", "last_reminded_on"])
            record(actor, "supplychain.request.remind", recipient, uscc=recipient.uscc,
                   due_date=recipient.request.due_date.isoformat(), reminder=recipient.reminders)
            reminded.append(recipient)
        mails = [(*request_mail("reminder", r.request), r.email) for r in reminded if r.email]
        if mails:
            transaction.on_commit(lambda: [send_mail(s, b, None, [to], fail_silently=True)
                                           for s, b, to in mails])
    return reminded


def note_reads(recipients: Iterable[RequestRecipient], user, what: str,
               channel: str = "page") -> None:
    """Log that the buyer's user read the shared answers of these recipients (one row each)."""
    RequestRead.objects.bulk_create(
        RequestRead(recipient=r, user=user, what=what[:200], channel=channel) for r in recipients)


def save_weighting(buyer: Enterprise, weights: Mapping[str, Any], *, note: str = "",
                   actor) -> SupplierWeighting:
    """Store a new version of the buyer's supplier-score weighting (earlier versions stay)."""
    require_manager(actor, buyer)
    checked = procurement.check_weights(weights)
    with transaction.atomic():
        latest = (SupplierWeighting.objects.select_for_update().filter(buyer=buyer)
                  .aggregate(v=Max("version"))["v"] or 0)
        weighting = SupplierWeighting.objects.create(
            buyer=buyer, version=latest + 1, weights=dict(checked), note=note.strip()[:300],
            created_by=actor)
        record(actor, "supplychain.weighting.save", weighting, buyer=buyer.uscc,
               version=weighting.version, weights=dict(checked))
    return weighting
