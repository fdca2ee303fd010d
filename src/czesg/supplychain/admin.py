"""Read-only admin of products, footprints, consents, PACT clients and partners, buyers' requests and
weightings: they change only through the actions (pages)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from czesg.disclosures.admin import ReadOnlyAdmin
from czesg.engine.kernel.numbers import format_number
from czesg.supplychain.models import (
    Footprint,
    FootprintConsent,
    PactClient,
    PactEvent,
    PactPartner,
    Product,
    RequestRecipient,
    SupplierRequest,
    SupplierWeighting,
)


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    """Products with their enterprise and classification."""

    list_display = ("name", "enterprise", "declared_unit", "cpc_code", "hs_code", "created_at")
    search_fields = ("name", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise",)


@admin.register(Footprint)
class FootprintAdmin(ReadOnlyAdmin):
    """Footprints with their state and version."""

    list_display = ("id", "product", "year", "version", "state", "factor_set", "created_at",
                    "published_at")
    list_filter = ("state", "year")
    list_select_related = ("product",)
    # The activity data, summary and trace are JSON of codes: the enterprise's footprint page
    # shows them by name; here the figure alone.
    exclude = ("inputs", "summary", "trace")
    readonly_fields = ("footprint_per_unit",)

    @admin.display(description=_("kgCO2e per declared unit"))
    def footprint_per_unit(self, footprint: Footprint) -> str:
        """The footprint excluding biogenic uptake, as a person reads it."""
        return format_number(footprint.pcf)


@admin.register(FootprintConsent)
class FootprintConsentAdmin(ReadOnlyAdmin):
    """Who shares footprints with whom."""

    list_display = ("supplier", "recipient", "product", "granted_at", "revoked_at")
    list_select_related = ("supplier", "recipient", "product")


@admin.register(PactClient)
class PactClientAdmin(ReadOnlyAdmin):
    """PACT clients (the secret is never shown: only its hash is kept)."""

    list_display = ("name", "enterprise", "client_id", "created_at", "revoked_at")
    exclude = ("secret_hash",)
    list_select_related = ("enterprise",)


@admin.register(PactPartner)
class PactPartnerAdmin(ReadOnlyAdmin):
    """Partners' PACT endpoints (the sealed secret is never shown)."""

    list_display = ("name", "enterprise", "base_url", "client_id", "created_at", "revoked_at")
    exclude = ("sealed_secret",)
    list_select_related = ("enterprise",)


@admin.register(PactEvent)
class PactEventAdmin(ReadOnlyAdmin):
    """CloudEvents received at /pact/3/events, with the answer posted to a request."""

    list_display = ("type", "event_id", "source", "client", "received_at", "answer_state")
    list_filter = ("type", "answer_state")
    list_select_related = ("client",)


@admin.register(SupplierRequest)
class SupplierRequestAdmin(ReadOnlyAdmin):
    """Buyers' requests to their suppliers."""

    list_display = ("title", "buyer", "year", "template", "due_date", "created_at")
    list_select_related = ("buyer",)


@admin.register(RequestRecipient)
class RequestRecipientAdmin(ReadOnlyAdmin):
    """Each supplier asked, with its state (the answers are shown to the buyer only)."""

    list_display = ("request", "uscc", "supplier", "tier", "state", "reminders", "answered_at")
    list_filter = ("state", "tier")
    list_select_related = ("request", "supplier")


@admin.register(SupplierWeighting)
class SupplierWeightingAdmin(ReadOnlyAdmin):
    """Versions of buyers' weightings of the supplier score."""

    list_display = ("buyer", "version", "note", "created_at")
    list_select_related = ("buyer",)
