"""The supply-chain pages: an enterprise's products, computing and publishing their footprints,
and sharing them over PACT (clients whose secret is shown once, consents). Only the
enterprise's managers (and platform administrators) reach them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from czesg.accounts.models import Role
from czesg.accounts.permissions import can_manage_enterprise
from czesg.engine.carbon.activities import load_activities
from czesg.engine.footprint import FootprintInputError, load_secondary_factors
from czesg.engine.kernel.errors import CzesgError
from czesg.enterprises.models import Enterprise
from czesg.supplychain import actions, partners
from czesg.supplychain.forms import (
    FUEL_ROWS,
    MATERIAL_ROWS,
    ClientForm,
    ConsentForm,
    FootprintForm,
    PartnerForm,
    ProductForm,
)
from czesg.supplychain.models import (
    Footprint,
    FootprintConsent,
    FootprintState,
    PactClient,
    PactEvent,
    PactPartner,
    Product,
)
from czesg.web.language import language
from czesg.web.problems import problem_text, user_message

FUEL_FIELDS = ("activity", "quantity", "unit", "share", "stage")
MATERIAL_FIELDS = ("name", "quantity", "unit", "share", "footprint_id", "secondary_factor_id")


def _enterprise(request: HttpRequest, uscc: str) -> Enterprise:
    """The enterprise if the user manages it; otherwise it does not exist for them."""
    uscc = uscc.strip().upper()
    enterprise = (Enterprise.objects.filter(uscc=uscc).first()
                  if len(uscc) <= 18 and "\x00" not in uscc else None)
    user = request.user
    if enterprise is None or not (
            user.role == Role.PLATFORM_ADMIN or can_manage_enterprise(user, enterprise)):
        raise Http404
    return enterprise


@login_required
def products(request: HttpRequest, uscc: str) -> HttpResponse:
    """The enterprise's products with their latest footprint, and a form to add one."""
    enterprise = _enterprise(request, uscc)
    form = ProductForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = actions.create_product(
                enterprise, name=data["name"], declared_unit=data["declared_unit"],
                cpc_code=data["cpc_code"], hs_code=data["hs_code"],
                description=data["description"], mass_kg=data["mass_kg"], actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
        else:
            messages.success(request, gettext("Product “%(name)s” added.") % {"name": product.name})
            return redirect("supplychain:product", enterprise.uscc, product.uuid)
    rows = list(Product.objects.filter(enterprise=enterprise).order_by("name", "id"))
    latest: dict[int, Footprint] = {}
    for fp in (Footprint.objects.filter(product__enterprise=enterprise)
               .exclude(state=FootprintState.DEPRECATED).order_by("created_at", "id")):
        latest[fp.product_id] = fp
    return render(request, "supplychain/products.html", {
        "enterprise": enterprise, "form": form, "error": error,
        "rows": [{"product": p, "footprint": latest.get(p.pk)} for p in rows],
    })


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _rows(post: Any, prefix: str, fields: tuple[str, ...], count: int, key: str,
          ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The filled rows of a table of the form (a row without ``key`` is left out)."""
    rows, shown = [], []
    for i in range(count):
        raw = {f: post.get(f"{prefix}-{i}-{f}", "").strip() for f in fields}
        shown.append(raw)
        if not raw[key]:
            continue
        row: dict[str, Any] = {f: v for f, v in raw.items() if v}
        row["row"] = i + 1  # as the person sees the table
        for name in ("quantity", "share"):
            if name in row:
                row[name] = _number(row[name])
        rows.append(row)
    return rows, shown


@login_required
def product(request: HttpRequest, uscc: str, product: Any) -> HttpResponse:
    """One product: its footprints, and the form that computes a new draft footprint."""
    enterprise = _enterprise(request, uscc)
    item = Product.objects.filter(enterprise=enterprise, uuid=product).first()
    if item is None:
        raise Http404
    form = FootprintForm(request.POST or None)
    fuels, fuel_rows = _rows(request.POST, "fuel", FUEL_FIELDS, FUEL_ROWS, "activity")
    materials, material_rows = _rows(request.POST, "material", MATERIAL_FIELDS, MATERIAL_ROWS,
                                     "name")
    problems: list[dict[str, Any]] = []
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fp = actions.compute_product_footprint(
                item, year=data["year"], output=data["output"], fuels=fuels,
                materials=materials, exempted_percent=data["exempted_percent"],
                geography=data["geography"].strip().upper(), actor=request.user)
        except FootprintInputError as exc:
            error = user_message(exc)
            problems = [{"table": p.table, "row": p.row, "column": p.column,
                         "message": problem_text(p)} for p in exc.problems]
        except CzesgError as exc:
            error = user_message(exc)
        else:
            return redirect("supplychain:footprint", enterprise.uscc, fp.pk)
    shared = (Footprint.objects.entitled_to(enterprise.pk)
              .exclude(product__enterprise=enterprise).select_related("product__enterprise"))
    return render(request, "supplychain/product.html", {
        "enterprise": enterprise, "product": item, "form": form, "error": error,
        "problems": problems,
        "footprints": item.footprints.order_by("-year", "-version"),
        "fuel_rows": fuel_rows or [{}] * FUEL_ROWS,
        "material_rows": material_rows or [{}] * MATERIAL_ROWS,
        "shared": shared, "secondary": sorted(load_secondary_factors().values(),
                                              key=lambda f: f.factor_id),
    })


def _footprint(request: HttpRequest, enterprise: Enterprise, pk: Any) -> Footprint:
    found = (Footprint.objects.managed_by(request.user).select_related("product", "supersedes")
             .filter(pk=pk, product__enterprise=enterprise).first())
    if found is None:
        raise Http404
    return found


@login_required
def footprint(request: HttpRequest, uscc: str, pk: Any) -> HttpResponse:
    """One footprint: its totals per declared unit, parts by stage and the full trace."""
    enterprise = _enterprise(request, uscc)
    fp = _footprint(request, enterprise, pk)
    stage_names = {"energy": gettext("Fuels and heat in production"),
                   "electricity": gettext("Purchased electricity"),
                   "transport": gettext("Inbound transport"),
                   "materials": gettext("Purchased materials")}
    activities = load_activities()
    lang = language()
    trace = [{**e, "stage_name": stage_names.get(e.get("stage"), e.get("stage")),
              "item_name": (activities[e["name"]].name(lang)
                            if e.get("stage") != "materials" and e.get("name") in activities
                            else e.get("name"))} for e in fp.trace]
    return render(request, "supplychain/footprint.html", {
        "enterprise": enterprise, "fp": fp, "summary": fp.summary, "trace": trace,
        "stages": [(label, fp.summary["by_stage_kg"][key]) for key, label in stage_names.items()],
    })


@login_required
@require_POST
def publish(request: HttpRequest, uscc: str, pk: Any) -> HttpResponse:
    """Publish a draft footprint (PACT Active)."""
    enterprise = _enterprise(request, uscc)
    fp = _footprint(request, enterprise, pk)
    try:
        actions.publish_footprint(fp.pk, actor=request.user)
    except CzesgError as exc:
        messages.error(request, user_message(exc))
    else:
        messages.success(request, gettext("The footprint is published."))
    return redirect("supplychain:footprint", enterprise.uscc, fp.pk)


@login_required
def sharing(request: HttpRequest, uscc: str) -> HttpResponse:
    """PACT clients (a new client's secret shown once), partners (their secret never shown
    again, the requests they sent and our answers) and consents to share footprints."""
    enterprise = _enterprise(request, uscc)
    products_of = list(Product.objects.filter(enterprise=enterprise).order_by("name"))
    client_form = ClientForm(request.POST if "register" in request.POST else None)
    consent_form = ConsentForm(request.POST if "share" in request.POST else None)
    partner_form = PartnerForm(request.POST if "partner" in request.POST else None)
    consent_form.fields["product"].choices = [("", gettext("All products"))] + [
        (str(p.uuid), p.name) for p in products_of]
    secret, new_client, error = "", None, ""
    try:
        if request.method == "POST" and "register" in request.POST and client_form.is_valid():
            new_client, secret = actions.register_pact_client(
                enterprise, name=client_form.cleaned_data["name"], actor=request.user)
        elif request.method == "POST" and "partner" in request.POST and partner_form.is_valid():
            data = partner_form.cleaned_data
            partners.register_pact_partner(
                enterprise, name=data["partner_name"], base_url=data["base_url"],
                client_id=data["partner_client_id"], client_secret=data["partner_secret"],
                event_sources=data["event_sources"].splitlines(), actor=request.user)
            messages.success(request, gettext("The partner is registered."))
            return redirect("supplychain:sharing", enterprise.uscc)
        elif request.method == "POST" and "share" in request.POST and consent_form.is_valid():
            code = consent_form.cleaned_data["recipient"].strip().upper()
            recipient = Enterprise.objects.filter(uscc=code).first()
            chosen = next((p for p in products_of
                           if str(p.uuid) == consent_form.cleaned_data["product"]), None)
            if recipient is None:
                error = gettext("No enterprise has the credit code %(uscc)s.") % {"uscc": code}
            else:
                actions.grant_footprint_consent(enterprise, recipient, product=chosen,
                                                actor=request.user)
                messages.success(request, gettext("Footprints are shared with %(name)s.")
                                 % {"name": recipient.name})
                return redirect("supplychain:sharing", enterprise.uscc)
    except CzesgError as exc:
        error = user_message(exc)
    return render(request, "supplychain/sharing.html", {
        "enterprise": enterprise, "client_form": client_form, "consent_form": consent_form,
        "secret": secret, "new_client": new_client, "error": error,
        "clients": PactClient.objects.filter(enterprise=enterprise, revoked_at__isnull=True),
        "consents": FootprintConsent.objects.filter(supplier=enterprise, revoked_at__isnull=True)
        .select_related("recipient", "product"),
        "partner_form": partner_form,
        "partners": PactPartner.objects.filter(enterprise=enterprise, revoked_at__isnull=True),
        "requests": PactEvent.objects.filter(client__enterprise=enterprise, partner__isnull=False)
        .select_related("partner")[:20],
        "token_url": request.build_absolute_uri("/pact/auth/token"),
        "base_url": request.build_absolute_uri("/pact"),
    })


@login_required
@require_POST
def revoke_client(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """Revoke a PACT client of the enterprise."""
    enterprise = _enterprise(request, uscc)
    client = PactClient.objects.filter(enterprise=enterprise, pk=pk).first()
    if client is None:
        raise Http404
    actions.revoke_pact_client(client.pk, actor=request.user)
    messages.success(request, gettext("The client is revoked."))
    return redirect("supplychain:sharing", enterprise.uscc)


@login_required
@require_POST
def revoke_partner(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """Revoke a partner connection of the enterprise."""
    enterprise = _enterprise(request, uscc)
    partner = PactPartner.objects.filter(enterprise=enterprise, pk=pk).first()
    if partner is None:
        raise Http404
    partners.revoke_pact_partner(partner.pk, actor=request.user)
    messages.success(request, gettext("The partner connection is revoked."))
    return redirect("supplychain:sharing", enterprise.uscc)


@login_required
@require_POST
def revoke_consent(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """Withdraw a consent to share footprints."""
    enterprise = _enterprise(request, uscc)
    consent = FootprintConsent.objects.filter(supplier=enterprise, pk=pk).first()
    if consent is None:
        raise Http404
    actions.revoke_footprint_consent(consent.pk, actor=request.user)
    messages.success(request, gettext("The consent is withdrawn."))
    return redirect("supplychain:sharing", enterprise.uscc)
