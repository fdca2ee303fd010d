"""Green finance pages: the products (a bank publishes its own), an enterprise's financing page
(products it qualifies for and why not for the others, its requests and their offers), the
requests a user may see and one request's page with each role's steps."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from czesg.accounts.models import Role, User
from czesg.accounts.permissions import can_manage_enterprise
from czesg.engine.catalogue import load_catalogue
from czesg.engine.finance.eligibility import GRADES, GREEN_LABELS, SIZE_CLASSES, load_purposes
from czesg.engine.kernel.errors import CzesgError
from czesg.enterprises.models import Enterprise
from czesg.finance import actions, loanbook, queries, supervision
from czesg.finance.identification import identification_context
from czesg.finance.models import (
    FinancingRequest,
    LoanBook,
    Product,
    ProductKind,
    Recipient,
    RecipientState,
)
from czesg.web.language import language
from czesg.web.problems import problem_text, user_message


def _purposes():
    lang = language()
    return [(p.key, p.name(lang)) for p in load_purposes().values()]


def _lines(text: str) -> list[dict]:
    """Discount rows typed as ``80:30`` (minimum green score : basis points), one per line."""
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        score, _, bps = line.partition(":")
        if not bps:
            raise actions.CatalogueError(actions.gettext_noop(
                "Discount line %(line)s: write minimum score:basis points, e.g. 80:30."),
                line=n, field="discounts")
        rows.append({"min_score": score.strip(), "bps": bps.strip()})
    return rows


def _activity_rows(text: str, field: str) -> list[dict]:
    """Activity rows typed as ``activity, quantity, unit``, one per line."""
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3:
            raise actions.CatalogueError(actions.gettext_noop(
                "Line %(line)s: write activity, quantity, unit (e.g. electricity, 1000, MWh)."),
                line=n, field=field)
        rows.append({"activity": parts[0], "quantity": parts[1], "unit": parts[2]})
    return rows


def _rules_from(post) -> list[dict]:
    rules: list[dict] = []
    if post.get("min_green_score", "").strip():
        rules.append({"figure": "green_score", "min": post["min_green_score"].strip()})
    if post.get("min_green_label"):
        rules.append({"figure": "green_label", "min": post["min_green_label"]})
    if post.get("min_rating_grade"):
        rules.append({"figure": "rating_grade", "min": post["min_rating_grade"]})
    if post.get("min_carbon_label"):
        rules.append({"figure": "carbon_label", "min": post["min_carbon_label"]})
    industries = [p.strip().upper() for p in post.get("industries", "").split(",") if p.strip()]
    if industries:
        rules.append({"figure": "industry", "any_of": industries})
    if post.getlist("size_classes"):
        rules.append({"figure": "size_class", "any_of": post.getlist("size_classes")})
    if post.getlist("purposes"):
        rules.append({"figure": "purpose", "any_of": post.getlist("purposes")})
    return rules


@login_required
def products(request: HttpRequest) -> HttpResponse:
    """Every product on offer; a bank user publishes and withdraws its own here."""
    error = ""
    bank = request.user.role == Role.BANK
    if request.method == "POST":
        if not bank:
            raise Http404
        post = request.POST
        try:
            if post.get("verb") == "withdraw":
                product = Product.objects.managed_by(request.user).filter(
                    pk=post.get("product") or 0).first()
                if product is None:
                    raise Http404
                actions.withdraw_product(product, actor=request.user)
            else:
                actions.publish_product(
                    name=post.get("name", ""), name_en=post.get("name_en", ""),
                    kind=post.get("kind", ""), min_amount=post.get("min_amount", ""),
                    max_amount=post.get("max_amount", ""),
                    min_term_months=post.get("min_term_months", ""),
                    max_term_months=post.get("max_term_months", ""),
                    rules=_rules_from(post), discounts=_lines(post.get("discounts", "")),
                    description=post.get("description", ""), actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("finance:products")
    shown = list(Product.objects.on_offer().order_by("bank_name", "name", "pk")[:500])
    for product in shown:
        product.rule_texts = [queries.rule_text(rule) for rule in product.rules]
    return render(request, "finance/products.html", {
        "products": shown, "bank": bank, "error": error,
        "own": list(Product.objects.managed_by(request.user).order_by("-created_at")[:200]),
        "kinds": ProductKind.choices, "grades": GRADES,
        "green_labels": [(k, queries.VALUE_NAMES[k]) for k in GREEN_LABELS],
        "size_classes": [(k, queries.VALUE_NAMES[k]) for k in SIZE_CLASSES],
        "purposes": _purposes(), "post": request.POST if error else {},
    })


def _managed(request: HttpRequest, uscc: str) -> Enterprise:
    enterprise = Enterprise.objects.filter(uscc=uscc.upper()).first()
    if enterprise is None or not can_manage_enterprise(request.user, enterprise):
        raise Http404
    return enterprise


@login_required
def financing(request: HttpRequest, uscc: str) -> HttpResponse:
    """An enterprise's financing page: the products it qualifies for and why not for the others
    (for the purpose, amount and term it names), the request form and its requests."""
    enterprise = _managed(request, uscc)
    error = ""
    purpose = request.GET.get("purpose") or None
    if purpose not in load_purposes():
        purpose = None
    if request.method == "POST":
        post = request.POST
        banks = list(User.objects.filter(role=Role.BANK, pk__in=[
            int(b) for b in post.getlist("banks") if b.isdigit()]))
        try:
            created = actions.submit_request(
                enterprise, amount=post.get("amount", ""),
                term_months=post.get("term_months", ""), purpose=post.get("purpose", ""),
                project=post.get("project", ""), banks=banks, actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
            purpose = post.get("purpose") if post.get("purpose") in load_purposes() else None
        else:
            messages.success(request, gettext("Your request was sent to the banks you chose."))
            return redirect("finance:request", pk=created.pk)
    verdicts = queries.verdicts(enterprise, purpose=purpose)
    eligible_banks: dict[int, str] = {}
    for v in verdicts:
        if v.eligible:
            eligible_banks.setdefault(v.product.bank_id, v.product.bank_name)
    return render(request, "finance/financing.html", {
        "enterprise": enterprise, "verdicts": verdicts, "error": error,
        "purposes": _purposes(), "purpose": purpose or "", "banks": sorted(
            eligible_banks.items(), key=lambda b: b[1]),
        "requests": list(FinancingRequest.objects.filter(enterprise=enterprise)
                         .order_by("-created_at", "-pk")[:100]),
        "post": request.POST if error else {},
    })


@login_required
def requests_list(request: HttpRequest) -> HttpResponse:
    """The financing requests the user may see: a bank's inbox (under consent), an enterprise's
    own, every request for government users."""
    rows = list(queries.requests_for(request.user)[:200])
    facility = (list(queries.requests_for(request.user).filter(reduction__isnull=False)
                     .select_related("reduction", "enterprise")[:500])
                if request.user.role in (Role.BANK, Role.GOVERNMENT, Role.PLATFORM_ADMIN) else [])
    mine = {}
    if request.user.role == Role.BANK:
        mine = {r.request_id: r for r in Recipient.objects.filter(
            bank=request.user, request__in=[row.pk for row in rows])}
    return render(request, "finance/requests.html", {
        "rows": [(row, mine.get(row.pk)) for row in rows], "facility": facility,
        "managed": list(Enterprise.objects.filter(memberships__user=request.user)
                        .order_by("name")[:50]) if request.user.role == Role.ENTERPRISE else [],
        "purposes": dict(_purposes()),
    })


def _visible(request: HttpRequest, pk: int) -> FinancingRequest:
    found = queries.requests_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the enterprise sees every bank's answer and accepts an offer; a bank sees
    its own answer and answers, or records the outcome of its accepted offer."""
    financing_request = _visible(request, pk)
    manager = can_manage_enterprise(request.user, financing_request.enterprise)
    bank_row = (queries.recipient_of(financing_request, request.user)
                if request.user.role == Role.BANK else None)
    recipients = (list(financing_request.recipients.select_related("bank", "product"))
                  if manager or request.user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN)
                  else [bank_row] if bank_row else [])
    figures = queries.figures_of(financing_request.enterprise)
    shown = [(key, queries.FIGURE_NAMES[key], queries.value_text(key, figures.get(key)))
             for key in ("green_score", "green_label", "rating_grade", "carbon_label")]
    return render(request, "finance/request.html", {
        "req": financing_request, "manager": manager, "bank_row": bank_row, "figures": shown,
        "recipients": recipients, "purpose": dict(_purposes()).get(financing_request.purpose),
        "own_products": list(Product.objects.managed_by(request.user).on_offer())
        if bank_row else [], "error": request.session.pop("finance_error", ""),
        "today": dt.date.today().isoformat(), "offered": RecipientState.OFFERED,
        **identification_context(financing_request, request.user, language()),
    })


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step on a request: offer, decline, accept, outcome or withdraw."""
    financing_request = _visible(request, pk)
    post, verb, user = request.POST, request.POST.get("verb", ""), request.user
    try:
        if verb == "offer":
            product = Product.objects.managed_by(user).filter(pk=post.get("product") or 0).first()
            actions.make_offer(financing_request, amount=post.get("amount", ""),
                               rate=post.get("rate", ""), conditions=post.get("conditions", ""),
                               product=product, actor=user)
        elif verb == "decline":
            actions.decline_request(financing_request, reason=post.get("reason", ""), actor=user)
        elif verb == "accept":
            recipient = financing_request.recipients.filter(pk=post.get("recipient") or 0).first()
            if recipient is None:
                raise Http404
            actions.accept_offer(recipient, actor=user)
        elif verb == "outcome":
            try:
                day = dt.date.fromisoformat(post.get("granted_on", ""))
            except ValueError as exc:
                raise actions.CatalogueError(actions.gettext_noop("Give the date as YYYY-MM-DD."),
                                             field="granted_on") from exc
            actions.record_outcome(financing_request, granted_amount=post.get("granted_amount", ""),
                                   granted_rate=post.get("granted_rate", ""), granted_on=day,
                                   actor=user)
        elif verb == "withdraw":
            actions.withdraw_request(financing_request, actor=user)
        elif verb == "identify":
            actions.identify_project(financing_request, code=post.get("code", ""),
                                     evidence=post.get("evidence", ""), actor=user)
        elif verb == "reduction":
            actions.estimate_reduction(
                financing_request, baseline=_activity_rows(post.get("baseline", ""), "baseline"),
                project=_activity_rows(post.get("project", ""), "project"),
                year=post.get("year", ""), actor=user)
        else:
            raise Http404
    except CzesgError as exc:
        items = [problem_text(p) for p in getattr(exc, "problems", ())]
        request.session["finance_error"] = " ".join([user_message(exc), *items])
    else:
        messages.success(request, gettext("Saved."))
    if verb == "withdraw" and not request.session.get("finance_error"):
        return redirect("finance:financing", uscc=financing_request.enterprise.uscc)
    return redirect("finance:request", pk=financing_request.pk)


@login_required
def targets(request: HttpRequest, uscc: str) -> HttpResponse:
    """An enterprise's targets with their progress and the arithmetic; its managers add targets."""
    enterprise = _managed(request, uscc)
    error = ""
    if request.method == "POST":
        post = request.POST
        try:
            actions.set_target(
                enterprise, indicator_code=post.get("indicator_code", ""),
                base_year=post.get("base_year", ""), base_value=post.get("base_value", ""),
                target_year=post.get("target_year", ""),
                target_value=post.get("target_value", ""),
                reduction_pct=post.get("reduction_pct", ""), scope=post.get("scope", ""),
                validated=post.get("validated") == "on", actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("finance:targets", uscc=enterprise.uscc)
    lang = language()
    catalogue = load_catalogue()
    return render(request, "finance/targets.html", {
        "enterprise": enterprise, "error": error, "post": request.POST if error else {},
        "rows": queries.targets_with_progress(enterprise, restricted=True),
        "indicators": [(i.code, i.name(lang)) for i in catalogue.indicators if i.is_numeric],
    })


@login_required
def loan_book(request: HttpRequest) -> HttpResponse:
    """A bank's loan book: import it, and see its financed emissions, data quality, coverage and
    the exposures without data."""
    if request.user.role != Role.BANK:
        raise Http404
    error, problems = "", []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise actions.CatalogueError(actions.gettext_noop("Choose the CSV file."),
                                             field="file")
            book = loanbook.import_loan_book(upload.file, upload.name,
                                             year=_year_of(request.POST.get("year", "")),
                                             actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
            problems = [problem_text(p) for p in getattr(exc, "problems", ())][:200]
        else:
            messages.success(request, gettext("Imported."))
            return redirect(f"{request.path}?year={book.year}")
    books = list(LoanBook.objects.filter(bank=request.user).order_by("-year"))
    chosen = next((b for b in books if str(b.year) == request.GET.get("year")),
                  books[0] if books else None)
    context: dict = {"books": books, "book": chosen, "error": error, "problems": problems}
    if chosen is not None:
        result, totals = loanbook.book_emissions(chosen, request.user)
        context |= {"totals": totals, "missing": loanbook.without_data(result)[:500],
                    "by_quality": result.group_by("quality").len().sort("quality").rows()}
    return render(request, "finance/loan_book.html", context)


def _year_of(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise actions.CatalogueError(actions.gettext_noop("Give the book's year."),
                                     field="year") from None


@login_required
def supervision_page(request: HttpRequest) -> HttpResponse:
    """Green finance under supervision (government users, financial regulators): green loans by
    bank, product, district and industry, matching and time to first offer, rates by label."""
    if not supervision.may_supervise(request.user):
        raise Http404
    figures = supervision.supervision(language())
    titles = {"bank": gettext("By bank"), "product": gettext("By product"),
              "district": gettext("By district"), "industry": gettext("By industry")}
    return render(request, "finance/supervision.html", {
        "s": figures, "breakdowns": [(by, titles[by], figures.breakdowns[by])
                                     for by in supervision.BREAKDOWNS]})
