"""Every change of green finance: products, requests, offers, acceptance and outcomes.

Each action checks its actor, runs in one transaction and appends to the audit chain; a refusal
writes nothing and names the field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from czesg.access.actions import grant_access, revoke_grant
from czesg.access.models import Scope
from czesg.accounts.models import Role
from czesg.accounts.permissions import is_authenticated, require_government, require_manager
from czesg.audit.recording import record
from czesg.disclosures.models import EnterpriseYear
from czesg.engine.catalogue import load_catalogue
from czesg.engine.finance.eligibility import (
    KINDS,
    check_discounts,
    check_rules,
    load_purposes,
)
from czesg.engine.finance.labels import INPUT_COLUMNS, label_year, load_label_methodology
from czesg.engine.finance.reduction import expected_reduction
from czesg.engine.finance.targets import check_target
from czesg.engine.kernel.errors import (  # noqa: F401 (re-exported to views)
    CatalogueError,
    NotFound,
    PermissionRefused,
    StateConflict,
    gettext_noop,
)
from czesg.finance import queries
from czesg.finance.identification import identify_project  # noqa: F401 (an action of the app)
from czesg.finance.models import (
    CarbonLabel,
    ExpectedReduction,
    FinancingRequest,
    Product,
    Recipient,
    RecipientState,
    RequestState,
    Target,
)

MAX_REQUEST_DAYS = 90
MAX_AMOUNT = Decimal("1000000")  # 10k CNY: 100 billion CNY, beyond any SME loan


def _require_bank(actor) -> None:
    if not is_authenticated(actor) or actor.role != Role.BANK:
        raise PermissionRefused(gettext_noop("Only a bank user can do this."))


def amount_of(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount in 10k CNY (two decimals), or a refusal naming the field."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CatalogueError(gettext_noop("%(field)s must be a number."), field=field) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_AMOUNT:
        raise CatalogueError(gettext_noop("%(field)s must be a positive amount in 10k CNY."),
                             field=field)
    return amount.quantize(Decimal("0.01"))


def rate_of(value: Any, field: str) -> Decimal:
    """An annual rate in percent between 0 and 36, or a refusal naming the field."""
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CatalogueError(gettext_noop("%(field)s must be a number."), field=field) from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(36):
        raise CatalogueError(gettext_noop("%(field)s must be an annual rate between 0 and 36 %%."),
                             field=field)
    return rate.quantize(Decimal("0.001"))


def months_of(value: Any, field: str) -> int:
    """A term in months between 1 and 360, or a refusal naming the field."""
    try:
        months = int(str(value).strip())
    except ValueError:
        raise CatalogueError(gettext_noop("%(field)s must be a whole number of months."),
                             field=field) from None
    if not 1 <= months <= 360:
        raise CatalogueError(gettext_noop("%(field)s must lie between 1 and 360 months."),
                             field=field)
    return months


# --- products -------------------------------------------------------------------------------

def publish_product(*, name: str, kind: str, min_amount: Any, max_amount: Any,
                    min_term_months: Any, max_term_months: Any,
                    rules: Sequence[Mapping[str, Any]], discounts: Sequence[Mapping[str, Any]],
                    description: str = "", name_en: str = "", actor) -> Product:
    """A bank user publishes a green loan product with its eligibility rules and discounts."""
    _require_bank(actor)
    if not name.strip():
        raise CatalogueError(gettext_noop("%(field)s is required."), field="name")
    if kind not in KINDS:
        raise CatalogueError(gettext_noop("Choose the kind of product."), field="kind")
    low, high = amount_of(min_amount, "min_amount"), amount_of(max_amount, "max_amount")
    if low > high:
        raise CatalogueError(gettext_noop("The minimum amount exceeds the maximum."),
                             field="min_amount")
    shortest = months_of(min_term_months, "min_term_months")
    longest = months_of(max_term_months, "max_term_months")
    if shortest > longest:
        raise CatalogueError(gettext_noop("The shortest term exceeds the longest."),
                             field="min_term_months")
    checked = [rule.as_dict() for rule in check_rules(rules)]
    table = [{"min_score": low_score, "bps": bps} for low_score, bps in check_discounts(discounts)]
    with transaction.atomic():
        product = Product.objects.create(
            bank=actor, bank_name=(actor.organisation or actor.username)[:200],
            name=name.strip()[:200], name_en=name_en.strip()[:200], kind=kind,
            min_amount=low, max_amount=high, min_term_months=shortest, max_term_months=longest,
            rules=checked, discounts=table, description=description.strip())
        record(actor, "finance.publish_product", product, name=product.name, kind=kind,
               amount=[str(low), str(high)], term=[shortest, longest], rules=checked,
               discounts=table)
    return product


def withdraw_product(product: Product, *, actor) -> Product:
    """The bank that published a product takes it off offer."""
    _require_bank(actor)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if product.bank_id != actor.pk:
            raise PermissionRefused(gettext_noop("Only the bank that published %(product)s can "
                                                 "withdraw it."), product=product.name)
        if not product.active:
            raise StateConflict(gettext_noop("%(product)s is already withdrawn."),
                                product=product.name)
        product.active = False
        product.save(update_fields=["active"])
        record(actor, "finance.withdraw_product", product, name=product.name)
    return product


# --- requests --------------------------------------------------------------------------------

def submit_request(enterprise, *, amount: Any, term_months: Any, purpose: str, project: str,
                   banks: Sequence[Any], valid_days: int = 30, actor) -> FinancingRequest:
    """An enterprise posts a financing request to chosen banks; each receives a consent limited
    to disclosures and scores, expiring with the request. Only banks with a product on offer
    the enterprise qualifies for (amount, term and purpose included) may be chosen."""
    require_manager(actor, enterprise)
    value = amount_of(amount, "amount")
    months = months_of(term_months, "term_months")
    if purpose not in load_purposes():
        raise CatalogueError(gettext_noop("Choose the purpose of the financing."),
                             field="purpose")
    if not project.strip():
        raise CatalogueError(gettext_noop("Describe the project to be financed."),
                             field="project")
    if not 1 <= int(valid_days) <= MAX_REQUEST_DAYS:
        raise CatalogueError(gettext_noop("The request stays open between 1 and %(days)s days."),
                             days=MAX_REQUEST_DAYS, field="valid_days")
    chosen = {bank.pk: bank for bank in banks}
    if not chosen:
        raise CatalogueError(gettext_noop("Choose at least one bank."), field="banks")
    eligible_banks = {v.product.bank_id for v in queries.verdicts(
        enterprise, purpose=purpose, amount=value, term_months=months) if v.eligible}
    for bank in chosen.values():
        if bank.role != Role.BANK or bank.pk not in eligible_banks:
            raise CatalogueError(gettext_noop(
                "%(bank)s has no product on offer that your enterprise qualifies for with this "
                "amount, term and purpose."), bank=bank.organisation or bank.username,
                field="banks")
    valid_until = timezone.localdate() + dt.timedelta(days=int(valid_days))
    with transaction.atomic():
        request = FinancingRequest.objects.create(
            enterprise=enterprise, created_by=actor, amount=value, term_months=months,
            purpose=purpose, project=project.strip(), valid_until=valid_until)
        for bank in sorted(chosen.values(), key=lambda b: b.pk):
            grant = grant_access(
                enterprise, bank, scopes=[Scope.DISCLOSURES, Scope.SCORES],
                valid_until=valid_until, actor=actor,
                purpose=f"融资需求 #{request.pk} / financing request #{request.pk}")
            Recipient.objects.create(request=request, bank=bank, grant=grant)
        record(actor, "finance.submit_request", request, enterprise=enterprise.uscc,
               amount=str(value), term_months=months, purpose=purpose,
               banks=sorted(b.username for b in chosen.values()),
               valid_until=valid_until.isoformat())
    return request


def _locked(request: FinancingRequest) -> FinancingRequest:
    return FinancingRequest.objects.select_for_update().select_related("enterprise").get(
        pk=request.pk)


def _reached(request: FinancingRequest, actor) -> Recipient:
    """The actor's row on the request, refused unless the request reached it under a consent
    still in force."""
    _require_bank(actor)
    recipient = (Recipient.objects.select_for_update().select_related("grant")
                 .filter(request=request, bank=actor).first())
    if recipient is None or not recipient.grant.is_active:
        raise NotFound(gettext_noop("Financing request #%(request)s did not reach your bank, or "
                                    "its consent has ended."), request=request.pk)
    return recipient


def _require_open(request: FinancingRequest) -> None:
    if request.state != RequestState.OPEN:
        raise StateConflict(gettext_noop("Financing request #%(request)s is %(state)s; it takes "
                                         "no more answers."),
                            request=request.pk, state=request.get_state_display())


def make_offer(request: FinancingRequest, *, amount: Any, rate: Any, conditions: str = "",
               product: Product | None = None, actor) -> Recipient:
    """A bank the request reached offers an amount at a rate, with conditions."""
    with transaction.atomic():
        request = _locked(request)
        recipient = _reached(request, actor)
        _require_open(request)
        if recipient.state != RecipientState.PENDING:
            raise StateConflict(gettext_noop("Your bank already answered request #%(request)s."),
                                request=request.pk)
        value = amount_of(amount, "amount")
        if value > request.amount:
            raise CatalogueError(gettext_noop("The offer exceeds the %(amount)s (10k CNY) "
                                              "requested."), amount=request.amount,
                                 field="amount")
        if product is not None and product.bank_id != actor.pk:
            raise CatalogueError(gettext_noop("Choose one of your own products."),
                                 field="product")
        recipient.state = RecipientState.OFFERED
        recipient.amount, recipient.rate = value, rate_of(rate, "rate")
        recipient.conditions, recipient.product = conditions.strip(), product
        recipient.answered_at = timezone.now()
        recipient.save()
        record(actor, "finance.offer", request, amount=str(value), rate=str(recipient.rate),
               conditions=recipient.conditions, product=product.pk if product else None)
    return recipient


def decline_request(request: FinancingRequest, *, reason: str, actor) -> Recipient:
    """A bank the request reached declines it, saying why."""
    with transaction.atomic():
        request = _locked(request)
        recipient = _reached(request, actor)
        _require_open(request)
        if recipient.state != RecipientState.PENDING:
            raise StateConflict(gettext_noop("Your bank already answered request #%(request)s."),
                                request=request.pk)
        if not reason.strip():
            raise CatalogueError(gettext_noop("Say why the request is declined."),
                                 field="reason")
        recipient.state, recipient.reason = RecipientState.DECLINED, reason.strip()
        recipient.answered_at = timezone.now()
        recipient.save(update_fields=["state", "reason", "answered_at"])
        record(actor, "finance.decline", request, reason=recipient.reason)
    return recipient


def accept_offer(recipient: Recipient, *, actor) -> FinancingRequest:
    """The enterprise accepts one offer; the other offers and pending answers are not chosen."""
    with transaction.atomic():
        request = _locked(recipient.request)
        require_manager(actor, request.enterprise)
        _require_open(request)
        recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if recipient.state != RecipientState.OFFERED:
            raise StateConflict(gettext_noop("Only an offer can be accepted; this bank's answer "
                                             "is %(state)s."),
                                state=recipient.get_state_display())
        recipient.state = RecipientState.ACCEPTED
        recipient.save(update_fields=["state"])
        (Recipient.objects.filter(request=request)
         .filter(state__in=[RecipientState.OFFERED, RecipientState.PENDING])
         .exclude(pk=recipient.pk).update(state=RecipientState.NOT_CHOSEN))
        request.state = RequestState.ACCEPTED
        request.save(update_fields=["state"])
        record(actor, "finance.accept", request, bank=recipient.bank.username,
               amount=str(recipient.amount), rate=str(recipient.rate))
    return request


def record_outcome(request: FinancingRequest, *, granted_amount: Any, granted_rate: Any,
                   granted_on: dt.date, actor) -> FinancingRequest:
    """The bank whose offer was accepted records the loan granted (amount, rate, date)."""
    with transaction.atomic():
        request = _locked(request)
        recipient = _reached(request, actor)
        if request.state != RequestState.ACCEPTED or recipient.state != RecipientState.ACCEPTED:
            raise StateConflict(gettext_noop("Only the bank whose offer was accepted records the "
                                             "outcome of request #%(request)s, once."),
                                request=request.pk)
        amount = amount_of(granted_amount, "granted_amount")
        if amount > request.amount:
            raise CatalogueError(gettext_noop("The granted amount exceeds the %(amount)s (10k "
                                              "CNY) requested."), amount=request.amount,
                                 field="granted_amount")
        if granted_on > timezone.localdate() or granted_on < request.created_at.date():
            raise CatalogueError(gettext_noop("The grant date lies between the request and "
                                              "today."), field="granted_on")
        request.granted_amount, request.granted_rate = amount, rate_of(granted_rate,
                                                                       "granted_rate")
        request.granted_on, request.state = granted_on, RequestState.GRANTED
        request.save(update_fields=["granted_amount", "granted_rate", "granted_on", "state"])
        record(actor, "finance.outcome", request, amount=str(amount),
               rate=str(request.granted_rate), granted_on=granted_on.isoformat())
    return request


def withdraw_request(request: FinancingRequest, *, actor) -> FinancingRequest:
    """The enterprise withdraws an open request; its consents end now."""
    with transaction.atomic():
        request = _locked(request)
        require_manager(actor, request.enterprise)
        _require_open(request)
        request.state = RequestState.WITHDRAWN
        request.save(update_fields=["state"])
        for recipient in request.recipients.select_related("grant"):
            if recipient.grant.revoked_at is None:
                revoke_grant(recipient.grant, actor=actor)
        record(actor, "finance.withdraw_request", request)
    return request


# --- carbon-efficiency labels ----------------------------------------------------------------

def compute_carbon_labels(year: int, *, version: str | None = None, actor) -> dict[str, int]:
    """Label every enterprise with a published disclosure of ``year`` (government users); the
    year's labels of the methodology version are replaced. Returns the count per label."""
    require_government(actor)
    methodology = load_label_methodology(version) if version else load_label_methodology()
    rows = (EnterpriseYear.objects.filter(year__in=[year - 1, year])
            .values_list("enterprise_id", "year", "enterprise__industry_code",
                         "enterprise__division_code", "emissions", "revenue"))
    frame = pl.DataFrame(list(rows), schema={
        "enterprise": pl.Int64, "year": pl.Int64, "industry": pl.Utf8, "district": pl.Utf8,
        "emissions": pl.Float64, "revenue": pl.Float64}, orient="row").select(INPUT_COLUMNS)
    result = label_year(frame, year, methodology)
    counts = {band.key: 0 for band in methodology.labels}
    with transaction.atomic():
        CarbonLabel.objects.filter(year=year, methodology_version=methodology.version).delete()
        CarbonLabel.objects.bulk_create([CarbonLabel(
            enterprise_id=row["enterprise"], year=year, label=row["label"], score=row["score"],
            intensity=row["intensity"], peer_level=row["peer_level"],
            peer_count=row["peer_count"], position_score=row["position_score"],
            share=row["share"], share_score=row["share_score"], trend=row["trend"],
            trend_score=row["trend_score"], methodology_version=methodology.version)
            for row in result.iter_rows(named=True)], batch_size=2000)
        for label in result["label"].to_list():
            counts[label] += 1
        record(actor, "finance.compute_labels", None, target_type="finance.carbonlabel",
               target_id=str(year), year=year, version=methodology.version, counts=counts)
    return counts


# --- targets ---------------------------------------------------------------------------------

def _number(value: Any, field: str) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise CatalogueError(gettext_noop("%(field)s must be a number."), field=field) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CatalogueError(gettext_noop("%(field)s must be a number."), field=field)
    return number


def _year(value: Any, field: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise CatalogueError(gettext_noop("%(field)s must be a year such as 2030."),
                             field=field) from None


def set_target(enterprise, *, indicator_code: str, base_year: Any, base_value: Any,
               target_year: Any, target_value: Any = None, reduction_pct: Any = None,
               scope: str = "", validated: bool = False, actor) -> Target:
    """An enterprise's manager records a target on a numeric indicator of the catalogue."""
    require_manager(actor, enterprise)
    catalogue = load_catalogue()
    code = indicator_code.strip().upper()
    if code not in catalogue or not catalogue.get(code).is_numeric:
        raise CatalogueError(gettext_noop("Choose a numeric indicator of the catalogue."),
                             field="indicator_code")
    base = _number(base_value, "base_value")
    if base is None:
        raise CatalogueError(gettext_noop("%(field)s is required."), field="base_value")
    spec = check_target(base_year=_year(base_year, "base_year"), base_value=base,
                        target_year=_year(target_year, "target_year"),
                        target_value=_number(target_value, "target_value"),
                        reduction_pct=_number(reduction_pct, "reduction_pct"))
    with transaction.atomic():
        target = Target.objects.create(
            enterprise=enterprise, indicator_code=code, scope=scope.strip()[:200],
            base_year=spec.base_year, base_value=spec.base_value, target_year=spec.target_year,
            target_value=spec.target_value, reduction_pct=spec.reduction_pct,
            validated=bool(validated), created_by=actor)
        record(actor, "finance.set_target", target, enterprise=enterprise.uscc, indicator=code,
               base=[spec.base_year, spec.base_value],
               goal=[spec.target_year, spec.target_value],
               reduction_pct=spec.reduction_pct, validated=bool(validated))
    return target


# --- expected carbon reduction ---------------------------------------------------------------

def estimate_reduction(request: FinancingRequest, *, baseline: list[dict[str, Any]],
                       project: list[dict[str, Any]], year: Any, actor) -> ExpectedReduction:
    """The bank whose offer was accepted records the financed project's activity data; the
    carbon engine computes the expected annual reduction (a second estimate replaces it)."""
    with transaction.atomic():
        request = _locked(request)
        recipient = _reached(request, actor)
        if recipient.state != RecipientState.ACCEPTED:
            raise StateConflict(gettext_noop("Only the bank whose offer was accepted estimates "
                                             "the reduction of request #%(request)s."),
                                request=request.pk)
        factor_year = _year(year, "year")
        if not baseline:
            raise CatalogueError(gettext_noop("Give the baseline activity data."),
                                 field="baseline")
        result = expected_reduction(baseline, project, year=factor_year)
        reduction, _ = ExpectedReduction.objects.update_or_create(request=request, defaults=dict(
            year=factor_year, baseline_rows=list(baseline), project_rows=list(project),
            baseline_tco2e=result.baseline_tco2e, project_tco2e=result.project_tco2e,
            reduction_tco2e=result.reduction_tco2e, factor_set=result.factor_set,
            factors=list(result.factors), method=result.method, computed_by=actor))
        record(actor, "finance.estimate_reduction", request, year=factor_year,
               baseline=list(baseline), project=list(project),
               reduction_tco2e=round(result.reduction_tco2e, 6), factor_set=result.factor_set,
               factors=[f["factor_id"] for f in result.factors])
    return reduction
