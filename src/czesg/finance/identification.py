"""Green identification of a financing request's project against the green finance project
catalogue (《绿色金融支持项目目录（2025年版）》): a keyword suggestion, and the action by which a
person (the enterprise's manager, a bank the request reached, or a government user) confirms it
with the evidence."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.accounts.permissions import can_manage_enterprise, is_authenticated
from czesg.audit.recording import record
from czesg.engine.finance.green_catalogue import load_green_catalogue, suggest
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, gettext_noop
from czesg.engine.rating.green import load_green_methodology
from czesg.finance.models import FinancingRequest, GreenIdentification, Recipient

MAX_EVIDENCE = 4000


def suggestions_for(request: FinancingRequest) -> list[str]:
    """The catalogue categories suggested for the request's project (keywords), the request's
    own purpose first when it is a catalogue category and nothing matched."""
    found = [s.key for s in suggest(request.project)]
    if not found and request.purpose in load_green_catalogue():
        found = [request.purpose]
    return found


def _role_of(request: FinancingRequest, actor) -> str:
    """The role in which the actor may identify the project, or a refusal."""
    if not is_authenticated(actor):
        raise PermissionRefused(gettext_noop("Sign in to identify a project."))
    if actor.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN):
        return actor.role
    if actor.role == Role.BANK:
        recipient = (Recipient.objects.select_related("grant")
                     .filter(request=request, bank=actor).first())
        if recipient is not None and recipient.grant.is_active:
            return actor.role
    elif can_manage_enterprise(actor, request.enterprise):
        return "enterprise"
    raise PermissionRefused(gettext_noop(
        "Only the enterprise, a bank the request reached or a government user can identify the "
        "project of request #%(request)s."), request=request.pk)


def identify_project(request: FinancingRequest, *, code: str, evidence: str,
                     actor) -> GreenIdentification:
    """A person classifies the request's project against the catalogue, saying on what evidence;
    an unknown category or missing evidence is refused naming the field."""
    catalogue = load_green_catalogue()
    with transaction.atomic():
        request = (FinancingRequest.objects.select_for_update().select_related("enterprise")
                   .get(pk=request.pk))
        role = _role_of(request, actor)
        key = (code or "").strip()
        if key not in catalogue:
            raise CatalogueError(gettext_noop("%(code)s is not a category of the green finance "
                                              "project catalogue."), code=key[:40] or "—",
                                 field="code")
        text = (evidence or "").strip()
        if not text:
            raise CatalogueError(gettext_noop("Say on what evidence the project is identified."),
                                 field="evidence")
        if len(text) > MAX_EVIDENCE:
            raise CatalogueError(gettext_noop("The evidence is limited to %(limit)s characters."),
                                 limit=MAX_EVIDENCE, field="evidence")
        entry = catalogue.get(key)
        suggested = suggestions_for(request)
        identification, _ = GreenIdentification.objects.update_or_create(
            request=request, defaults=dict(
                catalogue_version=catalogue.version, code=key, green=entry.green,
                transition_category=entry.transition_category, evidence=text,
                suggested=suggested, identified_by=actor, identified_role=role,
                identified_at=timezone.now()))
        record(actor, "finance.identify_project", request, code=key, green=entry.green,
               catalogue=catalogue.version, transition_category=entry.transition_category,
               evidence=text, role=role, suggested=suggested)
    return identification


def _transition_name(key: str, lang: str) -> str:
    """The name of a transition-industry catalogue category (the green score's methodology)."""
    if not key:
        return ""
    try:
        return load_green_methodology().category(key).name(lang)
    except KeyError:
        return key


def identification_context(request: FinancingRequest, user, lang: str) -> dict:
    """What the request page shows of the identification: the current one with its category,
    the catalogue's entries (marked unconfirmed where so), the suggestions, and whether the
    user may identify."""
    catalogue = load_green_catalogue()
    current = GreenIdentification.objects.filter(request=request).select_related(
        "identified_by").first()
    try:
        _role_of(request, user)
        may = request.state != "withdrawn"
    except PermissionRefused:
        may = False
    suggested = suggestions_for(request)
    entry = catalogue.entries.get(current.code) if current else None
    return {
        "identification": current,
        "identified_entry": entry,
        "identified_name": entry.name(lang) if entry else (current.code if current else ""),
        "identified_role_name": str(dict(Role.choices).get(current.identified_role,
                                                           current.identified_role))
        if current else "",
        "transition_name": _transition_name(current.transition_category, lang) if current else "",
        "green_entries": [(e.key, e.name(lang), e.confirmed) for e in catalogue.entries.values()],
        "green_suggested": [(key, catalogue.get(key).name(lang)) for key in suggested],
        "green_default": current.code if current else (suggested[0] if suggested else ""),
        "may_identify": may,
        "catalogue_title": catalogue.title_en if lang.startswith("en") else catalogue.title_zh,
    }
