"""Every change of an assurance engagement, from the firm's registration to the signed statement.

Each action checks its actor's permission, runs in one transaction and appends to the audit
chain. A refusal writes nothing of the change; when a signed-in user attempted it, the attempt
itself is audited (``assurance.refused``, with the action and the reason) after the rollback.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import transaction
from django.utils import timezone

from czesg.access.actions import MAX_GRANT_DAYS, grant_access
from czesg.access.models import Grant, Scope
from czesg.accounts.models import Role
from czesg.accounts.permissions import is_authenticated, require_government, require_manager
from czesg.assurance.models import (
    AssuranceFirm,
    ConclusionKind,
    ConsultingRelationship,
    Engagement,
    EngagementState,
    Finding,
    FindingKind,
    FindingState,
    FirmMember,
    Level,
    Procedure,
    ProcedureKind,
)
from czesg.assurance.queries import risk_sample
from czesg.audit.recording import record
from czesg.disclosures.actions import mark_assured
from czesg.disclosures.models import DatapointStatus, Disclosure, State
from czesg.engine.assurance.criteria import load_criteria
from czesg.engine.kernel.errors import (
    CatalogueError,
    CzesgError,
    PermissionRefused,
    StateConflict,
    gettext_noop,
)

# The engagement states in which the firm works on the data (and reads it).
WORKING = (EngagementState.ACCEPTED, EngagementState.FIELDWORK, EngagementState.CONCLUDED)


def audited_attempt(action: str):
    """Audit a refused attempt by a signed-in user (after the refused change rolled back)."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, actor, **kwargs):
            try:
                return func(*args, actor=actor, **kwargs)
            except CzesgError as exc:
                if is_authenticated(actor):
                    target = next((a for a in args if hasattr(a, "_meta")), None)
                    with transaction.atomic():
                        record(actor, "assurance.refused", target, attempt=action,
                               code=exc.code, reason=exc.render())
                raise

        return inner

    return wrap


def firm_of(user) -> AssuranceFirm | None:
    """The assurance firm the user works for, if any."""
    if not is_authenticated(user) or user.role != Role.VERIFIER:
        return None
    member = FirmMember.objects.select_related("firm").filter(user=user).first()
    return member.firm if member else None


def _require_member(actor, firm: AssuranceFirm) -> None:
    mine = firm_of(actor)
    if mine is None or mine.pk != firm.pk:
        raise PermissionRefused(gettext_noop("Only a verifier of %(firm)s can do this."),
                                firm=firm.name)


def _locked(engagement: Engagement) -> Engagement:
    return (Engagement.objects.select_for_update()
            .select_related("firm", "enterprise", "disclosure").get(pk=engagement.pk))


def _require_state(engagement: Engagement, *states: str) -> None:
    if engagement.state not in states:
        raise StateConflict(
            gettext_noop("Engagement %(reference)s is %(state)s; this step is not possible now."),
            reference=engagement.reference, state=engagement.state,
        )


def _require_in_scope(engagement: Engagement, code: str) -> None:
    if code not in engagement.scope:
        raise CatalogueError(
            gettext_noop("%(code)s is not in the scope of engagement %(reference)s."),
            code=code, reference=engagement.reference, field="indicator",
        )


def _require_independent(firm: AssuranceFirm, enterprise, year: int) -> None:
    relation = ConsultingRelationship.objects.filter(
        firm=firm, enterprise=enterprise, year=year).first()
    if relation is not None:
        raise StateConflict(
            gettext_noop("%(firm)s consulted for %(enterprise)s in %(year)s (%(service)s) and is "
                         "not independent for that year's assurance."),
            firm=firm.name, enterprise=enterprise.name, year=year, service=relation.description,
        )


# --- firms ---------------------------------------------------------------------------------------

def register_firm(*, name: str, accreditation: str, independence_declaration: str,
                  declared_at: dt.date, name_en: str = "", actor) -> AssuranceFirm:
    """Register an assurance firm active in the city (government users)."""
    require_government(actor)
    fields = {"name": name.strip(), "accreditation": accreditation.strip(),
              "independence_declaration": independence_declaration.strip()}
    for field_name, value in fields.items():
        if not value:
            raise CatalogueError(gettext_noop("%(field)s is required."), field=field_name)
    with transaction.atomic():
        if AssuranceFirm.objects.filter(name=fields["name"]).exists():
            raise StateConflict(gettext_noop("%(name)s is already registered."), name=fields["name"])
        firm = AssuranceFirm.objects.create(name_en=name_en.strip(), declared_at=declared_at,
                                            registered_by=actor, **fields)
        record(actor, "assurance.register_firm", firm, name=firm.name,
               accreditation=firm.accreditation, declared_at=declared_at.isoformat())
    return firm


def add_verifier(firm: AssuranceFirm, user, *, actor) -> FirmMember:
    """Make a verifier user a member of a firm (government users)."""
    require_government(actor)
    if user.role != Role.VERIFIER:
        raise CatalogueError(gettext_noop("%(user)s is not a verifier."), user=user.username,
                             field="user")
    with transaction.atomic():
        if FirmMember.objects.filter(user=user).exists():
            raise StateConflict(gettext_noop("%(user)s already works for a firm."),
                                user=user.username)
        member = FirmMember.objects.create(firm=firm, user=user)
        record(actor, "assurance.add_verifier", firm, user=user.username)
    return member


@audited_attempt("assurance.record_consulting")
def record_consulting(firm: AssuranceFirm, enterprise, year: int, description: str, *,
                      actor) -> ConsultingRelationship:
    """Record that a firm consulted for an enterprise in a year (government or the firm)."""
    if firm_of(actor) is None or firm_of(actor).pk != firm.pk:
        require_government(actor)
    if not description.strip():
        raise CatalogueError(gettext_noop("Describe the service."), field="description")
    with transaction.atomic():
        relation = ConsultingRelationship.objects.create(
            firm=firm, enterprise=enterprise, year=year, description=description.strip()[:300],
            recorded_by=actor)
        record(actor, "assurance.record_consulting", firm, enterprise=enterprise.uscc, year=year,
               service=relation.description)
    return relation


# --- invitation and answer -----------------------------------------------------------------------

@audited_attempt("assurance.invite")
def invite_firm(disclosure: Disclosure, firm: AssuranceFirm, *, scope: list[str], level: str,
                criteria: list[str], materiality: float, starts_on: dt.date, ends_on: dt.date,
                actor) -> Engagement:
    """The enterprise invites a firm to assure chosen indicators of a published version, and
    grants the firm's verifiers access to its disclosures and evidence until the due date."""
    enterprise = disclosure.enterprise
    require_manager(actor, enterprise)
    if disclosure.state != State.PUBLISHED:
        raise StateConflict(gettext_noop("Only a published disclosure can be assured."))
    if not firm.active:
        raise StateConflict(gettext_noop("%(firm)s is not active."), firm=firm.name)
    if level not in Level.values:
        raise CatalogueError(gettext_noop("Unknown assurance level “%(level)s”."), level=level,
                             field="level")
    codes = sorted(set(scope))
    if not codes:
        raise CatalogueError(gettext_noop("Choose the indicators to assure."), field="scope")
    reported = set(disclosure.datapoints.filter(status=DatapointStatus.REPORTED)
                   .values_list("indicator_code", flat=True))
    missing = [c for c in codes if c not in reported]
    if missing:
        raise CatalogueError(
            gettext_noop("%(code)s has no reported value in this disclosure and cannot be "
                         "assured."), code=missing[0], field="scope")
    known = load_criteria().items
    unknown = [c for c in criteria if c not in known]
    if unknown:
        raise CatalogueError(gettext_noop("Unknown criterion “%(key)s”."), key=unknown[0],
                             field="criteria")
    if not 0 < materiality <= 100:
        raise CatalogueError(gettext_noop("The materiality threshold must lie above 0 and at "
                                          "most 100 per cent."), field="materiality")
    today = timezone.localdate()
    if starts_on > ends_on or ends_on < today or ends_on > today + dt.timedelta(MAX_GRANT_DAYS):
        raise CatalogueError(gettext_noop("The statement is due after the fieldwork starts, "
                                          "from today and within %(days)s days."),
                             days=MAX_GRANT_DAYS, field="ends_on")
    _require_independent(firm, enterprise, disclosure.year)
    verifiers = [m.user for m in firm.members.select_related("user")]
    if not verifiers:
        raise StateConflict(gettext_noop("%(firm)s has no verifiers yet."), firm=firm.name)
    with transaction.atomic():
        if Engagement.objects.filter(
            firm=firm, disclosure__enterprise=enterprise, year=disclosure.year,
            state__in=(EngagementState.INVITED, *WORKING),
        ).exists():
            raise StateConflict(gettext_noop("%(firm)s already has an open engagement for "
                                             "%(year)s."), firm=firm.name, year=disclosure.year)
        engagement = Engagement.objects.create(
            enterprise=enterprise, firm=firm, disclosure=disclosure, year=disclosure.year,
            scope=codes, level=level, materiality=materiality, starts_on=starts_on,
            ends_on=ends_on, invited_by=actor,
            criteria={"catalogue": disclosure.catalogue_version, "items": sorted(set(criteria))},
        )
        purpose = f"Assurance engagement {engagement.reference}"
        grants = [
            grant_access(enterprise, user, scopes=[Scope.DISCLOSURES, Scope.EVIDENCE],
                         valid_until=ends_on, purpose=purpose, actor=actor,
                         engagement=engagement.reference)
            for user in verifiers
        ]
        engagement.grants = [g.pk for g in grants]
        engagement.save(update_fields=["grants"])
        record(actor, "assurance.invite", engagement, reference=engagement.reference,
               firm=firm.name, enterprise=enterprise.uscc, disclosure=disclosure.pk,
               version=disclosure.version, scope=codes, level=level,
               criteria=engagement.criteria, materiality=materiality,
               starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(),
               grants=engagement.grants)
    return engagement


@audited_attempt("assurance.accept")
def accept_engagement(engagement: Engagement, *, actor) -> Engagement:
    """A verifier of the invited firm accepts and leads the engagement."""
    _require_member(actor, engagement.firm)
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.INVITED)
        _require_independent(engagement.firm, engagement.enterprise, engagement.year)
        engagement.state = EngagementState.ACCEPTED
        engagement.lead = actor
        engagement.responded_at = timezone.now()
        engagement.save(update_fields=["state", "lead", "responded_at"])
        record(actor, "assurance.accept", engagement, reference=engagement.reference)
    return engagement


def _revoke_grants(engagement: Engagement) -> list[int]:
    ids = list(Grant.objects.filter(pk__in=engagement.grants, revoked_at__isnull=True)
               .values_list("pk", flat=True))
    Grant.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    return ids


@audited_attempt("assurance.decline")
def decline_engagement(engagement: Engagement, reason: str, *, actor) -> Engagement:
    """A verifier of the invited firm declines; the access the invitation granted ends."""
    _require_member(actor, engagement.firm)
    reason = (reason or "").strip()
    if not reason:
        raise CatalogueError(gettext_noop("Say why the engagement is declined."), field="reason")
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.INVITED)
        engagement.state = EngagementState.DECLINED
        engagement.decline_reason = reason[:300]
        engagement.responded_at = timezone.now()
        engagement.save(update_fields=["state", "decline_reason", "responded_at"])
        revoked = _revoke_grants(engagement)
        record(actor, "assurance.decline", engagement, reference=engagement.reference,
               reason=engagement.decline_reason, grants_revoked=revoked)
    return engagement


# --- fieldwork -----------------------------------------------------------------------------------

@audited_attempt("assurance.sample")
def choose_sample(engagement: Engagement, codes: list[str] | None = None, *, actor) -> Engagement:
    """Choose the items to test: the verifier's own choice, or (``codes=None``) the documented
    risk-based rule (warnings first, then larger values). Starts the fieldwork."""
    _require_member(actor, engagement.firm)
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.ACCEPTED, EngagementState.FIELDWORK)
        if codes is None:
            chosen, rule = risk_sample(engagement), "risk"
        else:
            chosen, rule = sorted(set(codes)), "verifier"
            if not chosen:
                raise CatalogueError(gettext_noop("Choose at least one item."), field="sample")
            for code in chosen:
                _require_in_scope(engagement, code)
        engagement.sample = chosen
        engagement.sample_rule = rule
        engagement.state = EngagementState.FIELDWORK
        engagement.save(update_fields=["sample", "sample_rule", "state"])
        record(actor, "assurance.sample", engagement, reference=engagement.reference,
               sample=chosen, rule=rule)
    return engagement


@audited_attempt("assurance.procedure")
def record_procedure(engagement: Engagement, code: str, kind: str, note: str = "", *,
                     actor) -> Procedure:
    """Record a procedure performed on an in-scope indicator."""
    _require_member(actor, engagement.firm)
    if kind not in ProcedureKind.values:
        raise CatalogueError(gettext_noop("Unknown procedure “%(kind)s”."), kind=kind,
                             field="kind")
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.FIELDWORK)
        _require_in_scope(engagement, code)
        procedure = Procedure.objects.create(engagement=engagement, indicator_code=code,
                                             kind=kind, note=note.strip()[:500],
                                             performed_by=actor)
        record(actor, "assurance.procedure", engagement, reference=engagement.reference,
               indicator=code, kind=kind, note=procedure.note)
    return procedure


@audited_attempt("assurance.raise_finding")
def raise_finding(engagement: Engagement, code: str, kind: str, description: str, *,
                  amount: float | None = None, actor) -> Finding:
    """Send a finding on an in-scope indicator to the enterprise (a misstatement names its
    amount in the indicator's canonical unit)."""
    _require_member(actor, engagement.firm)
    if kind not in FindingKind.values:
        raise CatalogueError(gettext_noop("Unknown finding “%(kind)s”."), kind=kind, field="kind")
    if kind == FindingKind.MISSTATEMENT and amount is None:
        raise CatalogueError(gettext_noop("A misstatement needs its amount."), field="amount")
    if not (description or "").strip():
        raise CatalogueError(gettext_noop("Describe the finding."), field="description")
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.FIELDWORK)
        _require_in_scope(engagement, code)
        finding = Finding.objects.create(
            engagement=engagement, indicator_code=code, kind=kind, description=description.strip(),
            amount=amount if kind == FindingKind.MISSTATEMENT else None, raised_by=actor)
        record(actor, "assurance.raise_finding", engagement, reference=engagement.reference,
               finding=finding.pk, indicator=code, kind=kind, amount=finding.amount,
               description=finding.description)
    return finding


def _locked_finding(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related(
        "engagement", "engagement__enterprise", "engagement__firm").get(pk=finding.pk)


@audited_attempt("assurance.respond")
def respond_to_finding(finding: Finding, response: str, *, actor) -> Finding:
    """The enterprise answers a finding without changing its data."""
    require_manager(actor, finding.engagement.enterprise)
    response = (response or "").strip()
    if not response:
        raise CatalogueError(gettext_noop("Write the response."), field="response")
    with transaction.atomic():
        finding = _locked_finding(finding)
        if finding.state != FindingState.OPEN:
            raise StateConflict(gettext_noop("This finding was already answered."))
        finding.state = FindingState.RESPONDED
        finding.response = response
        finding.responded_by = actor
        finding.responded_at = timezone.now()
        finding.save(update_fields=["state", "response", "responded_by", "responded_at"])
        record(actor, "assurance.respond", finding.engagement, finding=finding.pk,
               response=response)
    return finding


@audited_attempt("assurance.correct")
def correct_by_amendment(finding: Finding, *, actor) -> Finding:
    """The enterprise corrected a finding through a published amendment: the engagement moves
    to that newer version (its values are what the firm now assures)."""
    engagement = finding.engagement
    require_manager(actor, engagement.enterprise)
    with transaction.atomic():
        finding = _locked_finding(finding)
        engagement = _locked(finding.engagement)
        if finding.state != FindingState.OPEN:
            raise StateConflict(gettext_noop("This finding was already answered."))
        latest = Disclosure.objects.latest_published(
            year=engagement.year, enterprises=[engagement.enterprise_id]).first()
        if latest is None or latest.version <= engagement.disclosure.version:
            raise StateConflict(gettext_noop(
                "Publish an amendment of the %(year)s disclosure first; the engagement covers "
                "version %(version)s."), year=engagement.year,
                version=engagement.disclosure.version)
        finding.state = FindingState.CORRECTED
        finding.amendment = latest
        finding.responded_by = actor
        finding.responded_at = timezone.now()
        finding.save(update_fields=["state", "amendment", "responded_by", "responded_at"])
        previous = engagement.disclosure.version
        engagement.disclosure = latest
        engagement.save(update_fields=["disclosure"])
        record(actor, "assurance.correct", engagement, finding=finding.pk,
               amendment=latest.pk, from_version=previous, to_version=latest.version,
               reason=latest.amendment_reason)
    return finding


@audited_attempt("assurance.close_finding")
def close_finding(finding: Finding, *, actor) -> Finding:
    """The verifier closes an answered finding."""
    _require_member(actor, finding.engagement.firm)
    with transaction.atomic():
        finding = _locked_finding(finding)
        if finding.state not in (FindingState.RESPONDED, FindingState.CORRECTED):
            raise StateConflict(gettext_noop("Only an answered finding can be closed."))
        finding.state = FindingState.CLOSED
        finding.save(update_fields=["state"])
        record(actor, "assurance.close_finding", finding.engagement, finding=finding.pk)
    return finding


# --- conclusion and sign-off ---------------------------------------------------------------------

@audited_attempt("assurance.assign_reviewer")
def assign_reviewer(engagement: Engagement, reviewer, *, actor) -> Engagement:
    """Name the second verifier of the firm who will review and sign (four eyes)."""
    _require_member(actor, engagement.firm)
    if firm_of(reviewer) is None or firm_of(reviewer).pk != engagement.firm_id:
        raise PermissionRefused(gettext_noop("%(user)s is not a verifier of %(firm)s."),
                                user=reviewer.username, firm=engagement.firm.name)
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.ACCEPTED, EngagementState.FIELDWORK)
        if reviewer.pk == engagement.lead_id:
            raise StateConflict(gettext_noop("The reviewer must be another verifier than the "
                                             "lead (four eyes)."), field="reviewer")
        engagement.reviewer = reviewer
        engagement.save(update_fields=["reviewer"])
        record(actor, "assurance.assign_reviewer", engagement, reference=engagement.reference,
               reviewer=reviewer.username)
    return engagement


@audited_attempt("assurance.conclude")
def conclude_engagement(engagement: Engagement, conclusion: str, basis: str = "", *,
                        actor) -> Engagement:
    """The lead verifier draws the conclusion for the engagement's level."""
    _require_member(actor, engagement.firm)
    if conclusion not in ConclusionKind.values:
        raise CatalogueError(gettext_noop("Unknown conclusion “%(kind)s”."), kind=conclusion,
                             field="conclusion")
    basis = (basis or "").strip()
    if conclusion != ConclusionKind.UNMODIFIED and not basis:
        raise CatalogueError(gettext_noop("A modified, adverse or disclaimed conclusion needs "
                                          "its basis."), field="basis")
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.FIELDWORK)
        if engagement.lead_id != actor.pk:
            raise PermissionRefused(gettext_noop("Only the lead verifier concludes."))
        if engagement.reviewer_id is None:
            raise StateConflict(gettext_noop("Name a reviewer before concluding: the statement "
                                             "is signed by a second verifier."), field="reviewer")
        open_findings = engagement.findings.filter(state=FindingState.OPEN).count()
        if open_findings:
            raise StateConflict(gettext_noop("%(count)s finding(s) still await the enterprise's "
                                             "answer."), count=open_findings)
        untested = [c for c in engagement.sample
                    if not engagement.procedures.filter(indicator_code=c).exists()]
        if untested:
            raise StateConflict(gettext_noop("%(code)s is in the sample but has no procedure "
                                             "recorded."), code=untested[0])
        latest = Disclosure.objects.latest_published(
            year=engagement.year, enterprises=[engagement.enterprise_id]).first()
        if latest is not None and latest.pk != engagement.disclosure_id:
            raise StateConflict(gettext_noop("Version %(version)s was published since; link it "
                                             "to a finding first."), version=latest.version)
        engagement.state = EngagementState.CONCLUDED
        engagement.conclusion = conclusion
        engagement.basis = basis
        engagement.concluded_at = timezone.now()
        engagement.save(update_fields=["state", "conclusion", "basis", "concluded_at"])
        record(actor, "assurance.conclude", engagement, reference=engagement.reference,
               conclusion=conclusion, basis=basis, disclosure=engagement.disclosure_id)
    return engagement


def _assurance_detail(engagement: Engagement, signed_at) -> dict[str, Any]:
    return {"engagement": engagement.pk, "reference": engagement.reference,
            "firm": engagement.firm.name, "level": engagement.level,
            "date": timezone.localtime(signed_at).date().isoformat()}


@audited_attempt("assurance.sign")
def sign_statement(engagement: Engagement, *, actor) -> Engagement:
    """The reviewer (a second verifier) signs the statement; an unmodified or modified
    conclusion marks the assured datapoints with the engagement, level and date."""
    _require_member(actor, engagement.firm)
    with transaction.atomic():
        engagement = _locked(engagement)
        _require_state(engagement, EngagementState.CONCLUDED)
        if engagement.reviewer_id is None or engagement.reviewer_id != actor.pk:
            raise PermissionRefused(gettext_noop("Only the named reviewer signs the statement."))
        if engagement.reviewer_id == engagement.lead_id:
            raise PermissionRefused(gettext_noop("The reviewer must be another verifier than "
                                                 "the lead (four eyes)."))
        engagement.state = EngagementState.SIGNED
        engagement.signed_at = timezone.now()
        engagement.save(update_fields=["state", "signed_at"])
        marked = 0
        if engagement.conclusion in (ConclusionKind.UNMODIFIED, ConclusionKind.MODIFIED):
            marked = mark_assured(engagement.disclosure, engagement.scope, level=engagement.level,
                                  detail=_assurance_detail(engagement, engagement.signed_at),
                                  reviewer=actor, actor=actor)
        record(actor, "assurance.sign", engagement, reference=engagement.reference,
               conclusion=engagement.conclusion, level=engagement.level,
               disclosure=engagement.disclosure_id, marked=marked)
    return engagement
