"""Green finance: banks' green loan products, enterprises' financing requests and the banks'
answers to them.

A request moves open → accepted (the enterprise accepted one offer) → granted (the bank recorded
the outcome), or open → withdrawn. Each bank it was sent to has a :class:`Recipient` row: pending
→ offered or declined; the accepted offer becomes accepted and the other offers not chosen. A
request reaches a bank only through a consent (``access.Grant``) the request created, scoped to
disclosures and scores and expiring with the request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    """The kinds of green loan product named by the plan (task 16)."""

    CHANGLV = "changlv", _("Changlv loan (常绿贷)")
    ENVIRONMENTAL = "environmental", _("Environmental protection loan (环保贷)")
    WATER_SAVING = "water_saving", _("Water-saving loan (节水贷)")
    WATER_RIGHTS = "water_rights", _("Water-rights loan (水权贷)")
    SUTANRONG = "sutanrong", _("Sutanrong carbon finance (苏碳融)")
    OTHER = "other", _("Other green loan")


class ProductQuerySet(models.QuerySet):
    """Products, with those on offer and those a bank user manages."""

    def on_offer(self) -> ProductQuerySet:
        """Products that are published and not withdrawn."""
        return self.filter(active=True)

    def managed_by(self, user) -> ProductQuerySet:
        """The products the user published (a bank user's own)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(bank=user)


class Product(models.Model):
    """A green loan product a bank publishes, with its eligibility rules and rate discounts."""

    bank = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="finance_products")
    bank_name = models.CharField(_("bank"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProductKind.choices)
    min_amount = models.DecimalField(_("minimum amount (10k CNY)"), max_digits=14, decimal_places=2)
    max_amount = models.DecimalField(_("maximum amount (10k CNY)"), max_digits=14, decimal_places=2)
    min_term_months = models.PositiveSmallIntegerField(_("shortest term (months)"))
    max_term_months = models.PositiveSmallIntegerField(_("longest term (months)"))
    # [{"figure": "green_score", "min": 65}, ...] (czesg.engine.finance.eligibility)
    rules = models.JSONField(_("eligibility rules"), default=list)
    # [{"min_score": 80, "bps": 30}, ...]: discount on the rate by green-score band
    discounts = models.JSONField(_("rate discounts by green score"), default=list)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("on offer"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["bank_name", "name", "pk"]
        verbose_name = _("green loan product")
        verbose_name_plural = _("green loan products")

    def __str__(self) -> str:
        return f"{self.bank_name}: {self.name}"


class RequestState(models.TextChoices):
    """Where a financing request stands."""

    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Offer accepted")
    GRANTED = "granted", _("Loan granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FinancingRequestQuerySet(models.QuerySet):
    """Financing requests scoped to who may see them."""

    def visible_to(self, user) -> FinancingRequestQuerySet:
        """An enterprise's own requests; for a bank, those sent to it under a consent in force;
        every request for government users and platform administrators."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role in ("government", "platform_admin"):
            return self.all()
        if user.role == "enterprise":
            return self.filter(enterprise__memberships__user=user)
        if user.role == "bank":
            today = timezone.localdate()
            return self.filter(recipients__bank=user, recipients__grant__revoked_at__isnull=True,
                               recipients__grant__valid_until__gte=today).distinct()
        return self.none()


class FinancingRequest(models.Model):
    """An enterprise's financing need posted to chosen banks."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                   related_name="financing_requests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    amount = models.DecimalField(_("amount (10k CNY)"), max_digits=14, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.CharField(_("purpose"), max_length=40)
    project = models.TextField(_("project"))
    valid_until = models.DateField(_("consent valid until"))
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices,
                             default=RequestState.OPEN)
    granted_amount = models.DecimalField(_("granted amount (10k CNY)"), max_digits=14,
                                         decimal_places=2, null=True, blank=True)
    granted_rate = models.DecimalField(_("granted rate (%)"), max_digits=6, decimal_places=3,
                                       null=True, blank=True)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)

    objects = FinancingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("financing request")
        verbose_name_plural = _("financing requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.enterprise_id} {self.amount}"


class RecipientState(models.TextChoices):
    """A bank's answer to a request sent to it."""

    PENDING = "pending", _("Awaiting answer")
    OFFERED = "offered", _("Offered")
    DECLINED = "declined", _("Declined")
    ACCEPTED = "accepted", _("Accepted")
    NOT_CHOSEN = "not_chosen", _("Not chosen")


class Recipient(models.Model):
    """A bank a request was sent to, the consent that lets it read, and its answer."""

    request = models.ForeignKey(FinancingRequest, on_delete=models.CASCADE,
                                related_name="recipients")
    bank = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="finance_requests_received")
    grant = models.ForeignKey("access.Grant", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("answer"), max_length=10, choices=RecipientState.choices,
                             default=RecipientState.PENDING)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="offers")
    amount = models.DecimalField(_("offered amount (10k CNY)"), max_digits=14, decimal_places=2,
                                 null=True, blank=True)
    rate = models.DecimalField(_("offered rate (%)"), max_digits=6, decimal_places=3,
                               null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    reason = models.TextField(_("reason for declining"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)

    class Meta:
        ordering = ["request_id", "pk"]
        verbose_name = _("bank of a request")
        verbose_name_plural = _("banks of requests")
        constraints = [models.UniqueConstraint(fields=["request", "bank"],
                                               name="finance_recipient_once")]

    def __str__(self) -> str:
        return f"request {self.request_id} → {self.bank_id} ({self.state})"


class CarbonLabel(models.Model):
    """An enterprise-year's carbon-efficiency label (碳效标识) with its three dimensions, computed
    from published disclosures by a versioned methodology; a re-computation replaces the year's
    labels of that methodology version."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE,
                                   related_name="carbon_labels")
    year = models.PositiveSmallIntegerField(_("year"))
    label = models.CharField(_("label"), max_length=12)
    score = models.FloatField(_("score"))
    intensity = models.FloatField(_("emission intensity (tCO2e per 10k CNY)"))
    peer_level = models.CharField(_("peers used"), max_length=20)
    peer_count = models.PositiveIntegerField(_("peers"))
    position_score = models.FloatField(_("position among industry peers"))
    share = models.FloatField(_("share of the district's emissions"))
    share_score = models.FloatField(_("share score"))
    trend = models.FloatField(_("year-on-year intensity change"), null=True, blank=True)
    trend_score = models.FloatField(_("trend score"))
    methodology_version = models.CharField(_("methodology"), max_length=20)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "enterprise_id"]
        verbose_name = _("carbon-efficiency label")
        verbose_name_plural = _("carbon-efficiency labels")
        constraints = [models.UniqueConstraint(
            fields=["enterprise", "year", "methodology_version"], name="finance_label_once")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}: {self.label}"


class Target(models.Model):
    """An enterprise's target on one indicator: base year and value, target year and value (or
    the reduction in percent it was set as), and whether it is externally validated."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE,
                                   related_name="targets")
    indicator_code = models.CharField(_("indicator"), max_length=20)
    scope = models.CharField(_("scope"), max_length=200, blank=True)
    base_year = models.PositiveSmallIntegerField(_("base year"))
    base_value = models.FloatField(_("base value"))
    target_year = models.PositiveSmallIntegerField(_("target year"))
    target_value = models.FloatField(_("target value"))
    reduction_pct = models.FloatField(_("reduction (%)"), null=True, blank=True)
    validated = models.BooleanField(_("externally validated"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise_id", "target_year", "pk"]
        verbose_name = _("enterprise target")
        verbose_name_plural = _("enterprise targets")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.indicator_code} → {self.target_year}"


class ExpectedReduction(models.Model):
    """A financed project's expected annual carbon reduction (baseline minus project), computed by
    the carbon engine from the activity data the bank entered, with the factors used."""

    request = models.OneToOneField(FinancingRequest, on_delete=models.CASCADE,
                                   related_name="reduction")
    year = models.PositiveSmallIntegerField(_("year of the factors"))
    baseline_rows = models.JSONField(_("baseline activity data"), default=list)
    project_rows = models.JSONField(_("project activity data"), default=list)
    baseline_tco2e = models.FloatField(_("baseline emissions (tCO2e/year)"))
    project_tco2e = models.FloatField(_("project emissions (tCO2e/year)"))
    reduction_tco2e = models.FloatField(_("expected reduction (tCO2e/year)"))
    factor_set = models.CharField(_("factor set"), max_length=20)
    factors = models.JSONField(_("factors used"), default=list)
    method = models.CharField(_("method"), max_length=300)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expected carbon reduction")
        verbose_name_plural = _("expected carbon reductions")

    def __str__(self) -> str:
        return f"request {self.request_id}: {self.reduction_tco2e:.1f} tCO2e/year"


class LoanBook(models.Model):
    """A bank's loan book as of a reporting year; a new import of the same year replaces its
    exposures (importing the same file twice leaves the same book)."""

    bank = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="loan_books")
    year = models.PositiveSmallIntegerField(_("year"))
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("loan book")
        verbose_name_plural = _("loan books")
        constraints = [models.UniqueConstraint(fields=["bank", "year"],
                                               name="finance_one_book_per_year")]

    def __str__(self) -> str:
        return f"{self.bank_id} {self.year}"


class Exposure(models.Model):
    """One exposure of a loan book: the borrower, the instrument and the outstanding amount."""

    book = models.ForeignKey(LoanBook, on_delete=models.CASCADE, related_name="exposures")
    reference = models.CharField(_("exposure"), max_length=60)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT,
                                   related_name="+")
    instrument = models.CharField(_("instrument"), max_length=40)
    outstanding = models.DecimalField(_("outstanding amount (CNY)"), max_digits=18,
                                      decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    as_of = models.DateField(_("as of"))
    evic = models.DecimalField(_("EVIC (CNY)"), max_digits=20, decimal_places=2, null=True,
                               blank=True)
    equity_debt = models.DecimalField(_("total equity and debt (CNY)"), max_digits=20,
                                      decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["book_id", "reference"]
        verbose_name = _("loan exposure")
        verbose_name_plural = _("loan exposures")
        constraints = [models.UniqueConstraint(fields=["book", "reference"],
                                               name="finance_exposure_once")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.outstanding})"


class GreenIdentification(models.Model):
    """The green identification of a request's project against the green finance project
    catalogue: the category, who identified it (and in what role), when and on what evidence;
    a new identification replaces it (the audit chain keeps every one)."""

    request = models.OneToOneField(FinancingRequest, on_delete=models.CASCADE,
                                   related_name="identification")
    catalogue_version = models.CharField(_("catalogue"), max_length=20)
    code = models.CharField(_("catalogue category"), max_length=40)
    green = models.BooleanField(_("green"))
    transition_category = models.CharField(_("transition-industry category"), max_length=40,
                                           blank=True)
    evidence = models.TextField(_("evidence"))
    suggested = models.JSONField(_("suggested categories"), default=list)
    identified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="+")
    identified_role = models.CharField(_("identified as"), max_length=20)
    identified_at = models.DateTimeField(_("identified at"))

    class Meta:
        verbose_name = _("green identification")
        verbose_name_plural = _("green identifications")

    def __str__(self) -> str:
        return f"request {self.request_id}: {self.code}"
