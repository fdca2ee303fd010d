"""Products, their carbon footprints, consents to share them and PACT v3 clients; buyers'
requests to their suppliers, the answers shared under consent and the buyers' score weightings.

A footprint is computed from the product's activity data (``inputs``) by the engine and keeps its
summary and trace. It starts as a draft; publishing makes it ``Active`` in PACT terms and
immutable. A newer footprint of the same product deprecates the one it supersedes. A footprint
is served over PACT only to clients of an organisation the owner consented to share with.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import MembershipRole, Role
from czesg.engine.footprint import DECLARED_UNITS


class DeclaredUnit(models.TextChoices):
    """The PACT v3 declared units a product may be declared in."""

    KILOGRAM = "kilogram", _("kilogram")
    LITER = "liter", _("litre")
    CUBIC_METER = "cubic meter", _("cubic metre")
    KILOWATT_HOUR = "kilowatt hour", _("kilowatt hour")
    MEGAJOULE = "megajoule", _("megajoule")
    TON_KILOMETER = "ton kilometer", _("tonne kilometre")
    SQUARE_METER = "square meter", _("square metre")
    PIECE = "piece", _("piece")
    HOUR = "hour", _("hour")


assert {c.value for c in DeclaredUnit} == set(DECLARED_UNITS)


class ManagedQuerySet(models.QuerySet):
    """Rows of enterprises the user manages (all of them for platform administrators)."""

    enterprise_path = "enterprise"

    def managed_by(self, user) -> ManagedQuerySet:
        """The rows of the enterprises the user is an ESG manager of."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.PLATFORM_ADMIN:
            return self.all()
        if user.role != Role.ENTERPRISE:
            return self.none()
        path = self.enterprise_path
        return self.filter(**{
            f"{path}__memberships__user": user,
            f"{path}__memberships__role": MembershipRole.MANAGER,
        }).distinct()


class FootprintQuerySet(ManagedQuerySet):
    """Footprints; ``entitled_to`` scopes them to what a PACT client's organisation may read."""

    enterprise_path = "product__enterprise"

    def entitled_to(self, enterprise_id: int) -> FootprintQuerySet:
        """Published footprints of the organisation itself or shared with it by consent."""
        consented = FootprintConsent.objects.filter(
            recipient_id=enterprise_id, revoked_at__isnull=True,
        )
        return self.exclude(state=FootprintState.DRAFT).filter(
            models.Q(product__enterprise_id=enterprise_id)
            | models.Q(product__enterprise__in=consented.filter(product__isnull=True)
                       .values("supplier"))
            | models.Q(product__in=consented.filter(product__isnull=False).values("product"))
        )


class ConsentQuerySet(ManagedQuerySet):
    """Consents, scoped to the suppliers a user manages."""

    enterprise_path = "supplier"


class Product(models.Model):
    """A product an enterprise makes, with its classification and PACT declared unit."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("product name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cpc_code = models.CharField(_("CPC code"), max_length=10, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    declared_unit = models.CharField(_("declared unit"), max_length=20,
                                     choices=DeclaredUnit.choices)
    mass_kg = models.DecimalField(_("mass per declared unit (kg)"), max_digits=14,
                                  decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ManagedQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"],
                                               name="supplychain_product_unique_name")]

    def __str__(self) -> str:
        return self.name


class FootprintState(models.TextChoices):
    """Where a footprint stands: a draft, published (PACT ``Active``) or ``Deprecated``."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "Active", _("Published")
    DEPRECATED = "Deprecated", _("Deprecated")


class Footprint(models.Model):
    """A product carbon footprint of a reference year: inputs, summary and trace (PACT v3)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="footprints")
    year = models.PositiveSmallIntegerField(_("reference year"))
    version = models.PositiveIntegerField(_("version"), default=1)
    state = models.CharField(_("status"), max_length=12, choices=FootprintState.choices,
                             default=FootprintState.DRAFT)
    geography = models.CharField(_("geography (ISO 3166-2)"), max_length=6, default="CN-JS")
    factor_set = models.CharField(_("factor set"), max_length=20)
    inputs = models.JSONField(_("activity data"))
    summary = models.JSONField(_("summary"))
    trace = models.JSONField(_("trace"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    deprecated_at = models.DateTimeField(_("deprecated"), null=True, blank=True)
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="successors")

    objects = FootprintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("product footprint")
        verbose_name_plural = _("product footprints")
        indexes = [models.Index(fields=["state", "created_at"], name="supplychain_fp_state")]

    def __str__(self) -> str:
        return f"{self.product} {self.year} v{self.version}"

    @property
    def pcf(self) -> float:
        """kgCO2e per declared unit, biogenic uptake left out."""
        return float(self.summary["pcf_excluding_biogenic"])


class FootprintConsent(models.Model):
    """A supplier's consent that a recipient organisation may read its published footprints
    (of one product, or of all its products when ``product`` is empty) over PACT."""

    supplier = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                 related_name="footprint_consents_given")
    recipient = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                  related_name="footprint_consents_received")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="consents")
    # The buyer's request this consent answers (empty for a consent given on the sharing page).
    request_recipient = models.ForeignKey("RequestRecipient", on_delete=models.PROTECT,
                                          null=True, blank=True,
                                          related_name="footprint_consents")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "id"]
        verbose_name = _("footprint consent")
        verbose_name_plural = _("footprint consents")

    def __str__(self) -> str:
        return f"{self.supplier_id} -> {self.recipient_id} ({self.product_id or '*'})"


class PactClient(models.Model):
    """OAuth2 client credentials of an organisation reading footprints over PACT v3; only the
    secret's hash is kept (the secret is shown once)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                   related_name="pact_clients")
    name = models.CharField(_("name"), max_length=80)
    client_id = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ManagedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("PACT client")
        verbose_name_plural = _("PACT clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @staticmethod
    def digest(secret: str) -> str:
        """The SHA-256 of a secret (secrets are random, 256 bits: no slow hash is needed)."""
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        """A fresh random secret."""
        return secrets.token_urlsafe(32)

    def check_secret(self, secret: str) -> bool:
        """Whether ``secret`` is this client's (constant-time)."""
        return secrets.compare_digest(self.digest(secret), self.secret_hash)


class PactToken(models.Model):
    """An access token issued to a PACT client (hash only), valid until ``expires_at``."""

    client = models.ForeignKey(PactClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("PACT access token")
        verbose_name_plural = _("PACT access tokens")

    def __str__(self) -> str:
        return f"token of {self.client_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class PactPartner(models.Model):
    """A partner's PACT endpoint an enterprise calls (token, events, footprints): its base URL,
    the client credentials it gave us (the secret sealed, never shown again) and the event
    sources it may send requests from."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                   related_name="pact_partners")
    name = models.CharField(_("name"), max_length=80)
    base_url = models.CharField(_("base URL"), max_length=300)
    client_id = models.CharField(_("client id"), max_length=200)
    sealed_secret = models.TextField()
    event_sources = models.JSONField(_("event sources"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ManagedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("PACT partner")
        verbose_name_plural = _("PACT partners")

    def __str__(self) -> str:
        return f"{self.name} ({self.base_url})"


class AnswerState(models.TextChoices):
    """Where the answer to a received request event stands."""

    NONE = "", _("no answer needed")
    QUEUED = "queued", _("answer queued")
    SENT = "sent", _("answer sent")
    FAILED = "failed", _("answer failed")


class PactEvent(models.Model):
    """A CloudEvent a PACT client sent to ``/3/events``, kept as received; a request event
    also keeps the answer czesg posted back to the requester."""

    client = models.ForeignKey(PactClient, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=200)
    type = models.CharField(max_length=120)
    source = models.CharField(max_length=500)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    partner = models.ForeignKey(PactPartner, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="events")
    answer_state = models.CharField(max_length=8, choices=AnswerState.choices, blank=True,
                                    default=AnswerState.NONE)
    answer = models.JSONField(null=True, blank=True)
    answer_attempts = models.PositiveSmallIntegerField(default=0)
    answer_error = models.CharField(max_length=500, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "id"]
        verbose_name = _("PACT event")
        verbose_name_plural = _("PACT events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    def data(self) -> dict[str, Any]:
        """The event's ``data`` member."""
        return dict(self.payload.get("data") or {})


class RequestState(models.TextChoices):
    """Where a supplier stands with a buyer's request."""

    OPEN = "open", _("Awaiting an answer")
    SHARED = "shared", _("Answered and shared")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class AnswerBasis(models.TextChoices):
    """Where an answer's figure comes from."""

    DISCLOSED = "disclosed", _("Published disclosure")
    RECORD = "record", _("Government record")
    ENTERED = "entered", _("Entered for this request")


class RequestQuerySet(ManagedQuerySet):
    """Buyers' requests, scoped to the buyers a user manages."""

    enterprise_path = "buyer"


class SupplierRequest(models.Model):
    """A buyer's request to its suppliers: the asked indicators of a reporting year (from a
    questionnaire template), footprints of named products, and a due date."""

    buyer = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                              related_name="supplier_requests")
    template = models.CharField(_("questionnaire"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("reporting year"))
    indicators = models.JSONField(_("indicators asked"), default=list)
    products = models.JSONField(_("products whose footprints are asked"), default=list)
    include_scores = models.BooleanField(_("rating explanation and green score asked"),
                                         default=True)
    due_date = models.DateField(_("due date"))
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request to suppliers")
        verbose_name_plural = _("requests to suppliers")

    def __str__(self) -> str:
        return self.title


class RecipientQuerySet(models.QuerySet):
    """The suppliers asked by requests; ``addressed_to`` finds an enterprise's, invitations by
    its credit code included."""

    def addressed_to(self, enterprise) -> RecipientQuerySet:
        """The requests addressed to the enterprise (registered, or invited by its code)."""
        return self.filter(models.Q(supplier=enterprise)
                           | models.Q(supplier__isnull=True, uscc=enterprise.uscc))


class RequestRecipient(models.Model):
    """One supplier asked by a request (registered, or invited by credit code and e-mail):
    its state, tier, reminders, and when it answered and consented."""

    request = models.ForeignKey(SupplierRequest, on_delete=models.PROTECT,
                                related_name="recipients")
    supplier = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="buyer_requests")
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    email = models.EmailField(_("e-mail of the invitation"), blank=True)
    tier = models.PositiveSmallIntegerField(_("tier"), default=1)
    state = models.CharField(_("status"), max_length=10, choices=RequestState.choices,
                             default=RequestState.OPEN)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    withdrawn_at = models.DateTimeField(_("consent withdrawn"), null=True, blank=True)
    include_scores = models.BooleanField(_("green score shared"), default=False)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_on = models.DateField(_("last reminded"), null=True, blank=True)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        ordering = ["request_id", "uscc"]
        verbose_name = _("supplier asked")
        verbose_name_plural = _("suppliers asked")
        constraints = [models.UniqueConstraint(fields=["request", "uscc"],
                                               name="supplychain_recipient_once")]
        indexes = [models.Index(fields=["uscc"], name="supplychain_recipient_uscc")]

    def __str__(self) -> str:
        return f"{self.request_id} -> {self.uscc}"

    @property
    def is_overdue(self) -> bool:
        """Whether the request is still open after its due date."""
        return self.state == RequestState.OPEN and self.request.due_date < timezone.localdate()


class RequestAnswer(models.Model):
    """One indicator's answer a supplier shared with a request, with its basis and assurance."""

    recipient = models.ForeignKey(RequestRecipient, on_delete=models.PROTECT,
                                  related_name="answers")
    indicator_code = models.CharField(_("indicator"), max_length=24)
    value_number = models.FloatField(_("value (canonical unit)"), null=True, blank=True)
    value_bool = models.BooleanField(_("yes/no value"), null=True, blank=True)
    unit = models.CharField(_("canonical unit"), max_length=24, blank=True)
    basis = models.CharField(_("basis"), max_length=10, choices=AnswerBasis.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    assurance = models.CharField(_("assurance"), max_length=12, default="none")

    class Meta:
        ordering = ["recipient_id", "id"]
        verbose_name = _("shared answer")
        verbose_name_plural = _("shared answers")
        constraints = [models.UniqueConstraint(fields=["recipient", "indicator_code"],
                                               name="supplychain_answer_once")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.indicator_code}"

    @property
    def is_assured(self) -> bool:
        """Whether an independent verifier assured the disclosed value."""
        return self.assurance in ("limited", "reasonable")


class RequestRead(models.Model):
    """One read of a supplier's shared answers by the buyer (the supplier sees every one)."""

    recipient = models.ForeignKey(RequestRecipient, on_delete=models.CASCADE,
                                  related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("read at"), auto_now_add=True)
    what = models.CharField(_("what was read"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("read of shared answers")
        verbose_name_plural = _("reads of shared answers")

    def __str__(self) -> str:
        return f"{self.user_id} read {self.what}"


class WeightingQuerySet(ManagedQuerySet):
    """Buyers' weightings, scoped to the buyers a user manages."""

    enterprise_path = "buyer"


class SupplierWeighting(models.Model):
    """A version of a buyer's own weighting of the supplier score (versions are never edited)."""

    buyer = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                              related_name="supplier_weightings")
    version = models.PositiveIntegerField(_("version"))
    weights = models.JSONField(_("weights"))
    note = models.CharField(_("why"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    objects = WeightingQuerySet.as_manager()

    class Meta:
        ordering = ["buyer_id", "-version"]
        verbose_name = _("supplier score weighting")
        verbose_name_plural = _("supplier score weightings")
        constraints = [models.UniqueConstraint(fields=["buyer", "version"],
                                               name="supplychain_weighting_version")]

    def __str__(self) -> str:
        return f"{self.buyer_id} v{self.version}"


class ImportedFootprint(models.Model):
    """A product footprint a buyer fetched from a registered partner's PACT ``/3/footprints``,
    held to our v3 JSON Schema, with its provenance (partner, fetch time, id and version)."""

    buyer = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                              related_name="imported_footprints")
    partner = models.ForeignKey(PactPartner, on_delete=models.PROTECT, related_name="imports")
    pact_id = models.CharField(_("footprint id"), max_length=64)
    spec_version = models.CharField(_("specification version"), max_length=20)
    created = models.CharField(_("created (as the partner states)"), max_length=40)
    company_name = models.CharField(_("company"), max_length=200)
    company_ids = models.JSONField(_("company ids"), default=list)
    product_name = models.CharField(_("product"), max_length=200)
    declared_unit = models.CharField(_("declared unit"), max_length=20,
                                     choices=DeclaredUnit.choices)
    pcf = models.FloatField(_("kgCO2e per declared unit, biogenic uptake left out"))
    document = models.JSONField(_("footprint as fetched"))
    fetched_at = models.DateTimeField(_("fetched"))
    fetched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["company_name", "product_name", "id"]
        verbose_name = _("imported partner footprint")
        verbose_name_plural = _("imported partner footprints")
        constraints = [models.UniqueConstraint(fields=["buyer", "partner", "pact_id"],
                                               name="supplychain_import_once")]

    def __str__(self) -> str:
        return f"{self.product_name} ({self.pact_id})"
