"""Pages for consent: an enterprise grants and revokes access and sees every read; a bank or
buyer sees the enterprises that consented (:func:`czesg.disclosures.views.applicants`); a user
manages API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from czesg.access import actions
from czesg.access.models import TOKEN_WRITE_ROLES, AccessLog, ApiToken, Grant, Scope, TokenScope
from czesg.accounts.models import Role, User
from czesg.accounts.permissions import can_manage_enterprise
from czesg.engine.kernel.errors import CzesgError
from czesg.enterprises.models import Enterprise
from czesg.web.problems import user_message


def _managed(request: HttpRequest, uscc: str) -> Enterprise:
    enterprise = Enterprise.objects.filter(uscc=uscc.upper()).first()
    if enterprise is None or not can_manage_enterprise(request.user, enterprise):
        raise Http404
    return enterprise


def _directory(enterprise: Enterprise):
    """The registered users an enterprise can grant access to: banks, verifiers and buyers
    (active accounts of the grantee roles that are not members of the enterprise)."""
    return User.objects.filter(role__in=actions.GRANTEE_ROLES, is_active=True).exclude(
        memberships__enterprise=enterprise
    )


@login_required
def consents(request: HttpRequest, uscc: str) -> HttpResponse:
    """An enterprise's grants, a form to make one, and the log of every read under them."""
    enterprise = _managed(request, uscc)
    error = ""
    if request.method == "POST":
        picked = request.POST.get("grantee", "").strip()
        grantee = _directory(enterprise).filter(pk=int(picked)).first() if picked.isdigit() else None
        try:
            if grantee is None:
                raise actions.CatalogueError(
                    actions.gettext_noop("Choose the bank, buyer or verifier from the list."),
                    field="grantee",
                )
            try:
                until = dt.date.fromisoformat(request.POST.get("valid_until", ""))
            except ValueError as exc:
                raise actions.CatalogueError(
                    actions.gettext_noop("Give the end date as YYYY-MM-DD."), field="valid_until"
                ) from exc
            actions.grant_access(
                enterprise, grantee, scopes=request.POST.getlist("scopes"), valid_until=until,
                purpose=request.POST.get("purpose", ""), actor=request.user,
            )
            messages.success(request, gettext("Access was granted."))
            return redirect("access:consents", uscc=enterprise.uscc)
        except CzesgError as exc:
            error = user_message(exc)
    grants = Grant.objects.filter(enterprise=enterprise).select_related("grantee")
    log = AccessLog.objects.filter(grant__enterprise=enterprise).select_related("user")[:100]
    directory = list(_directory(enterprise).order_by("organisation", "username"))
    grantees = [
        (label, [u for u in directory if u.role == role])
        for role, label in ((Role.BANK, gettext("Banks")), (Role.VERIFIER, gettext("Verifiers")),
                            (Role.ENTERPRISE, gettext("Buyers (enterprise users)")))
    ]
    return render(request, "access/consents.html", {
        "enterprise": enterprise, "grants": grants, "log": log, "error": error,
        "scopes": Scope.choices, "grantees": grantees,
        "default_until": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a grant at once."""
    grant = Grant.objects.select_related("enterprise").filter(pk=pk).first()
    if grant is None or not can_manage_enterprise(request.user, grant.enterprise):
        raise Http404
    try:
        actions.revoke_grant(grant, actor=request.user)
        messages.success(request, gettext("The consent was revoked."))
    except CzesgError as exc:
        messages.error(request, user_message(exc))
    return redirect("access:consents", uscc=grant.enterprise.uscc)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens; a new token's secret is shown once."""
    secret = ""
    error = ""
    if request.method == "POST":
        try:
            _, secret = actions.issue_token(
                request.user, name=request.POST.get("name", ""),
                scopes=request.POST.getlist("scopes") or [TokenScope.READ], actor=request.user,
            )
        except CzesgError as exc:
            error = user_message(exc)
    return render(request, "access/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user), "secret": secret, "error": error,
        "scopes": TokenScope.choices,
        "can_write": request.user.role in TOKEN_WRITE_ROLES,
    })


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    actions.revoke_token(token, actor=request.user)
    messages.success(request, gettext("The token was revoked."))
    return redirect("access:tokens")
