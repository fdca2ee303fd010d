"""Products, their carbon footprints, consents to share them and PACT v3 clients.

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


class PactEvent(models.Model):
    """A CloudEvent a PACT client sent to ``/3/events``, kept as received."""

    client = models.ForeignKey(PactClient, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=200)
    type = models.CharField(max_length=120)
    source = models.CharField(max_length=500)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "id"]
        verbose_name = _("PACT event")
        verbose_name_plural = _("PACT events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    def data(self) -> dict[str, Any]:
        """The event's ``data`` member."""
        return dict(self.payload.get("data") or {})
