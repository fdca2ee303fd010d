"""Every change to a disclosure: start, enter values, submit, publish, amend.

Each action checks its actor's permission, runs in one transaction, and appends to the audit
chain. A disclosure changes only while it is a draft; a published version is never changed, and
an amendment is a new version carrying its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from czesg.accounts.permissions import require_manager
from czesg.audit.recording import record
from czesg.disclosures import checks
from czesg.disclosures.derivations import recompute
from czesg.disclosures.models import (
    Assurance,
    Datapoint,
    DatapointStatus,
    Disclosure,
    Evidence,
    Method,
    State,
    Tier,
    WarningAcknowledgement,
)
from czesg.disclosures.signals import disclosure_started, disclosures_published
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.answers import pending_warnings, raise_for_errors
from czesg.engine.disclosure.evidence import ACCEPTED, checked_file_type, safe_display_name
from czesg.engine.disclosure.inspection import FileTooLarge
from czesg.engine.disclosure.values import coerce
from czesg.engine.kernel.errors import CatalogueError, StateConflict, gettext_noop
from czesg.enterprises.models import Enterprise


def _require_draft(disclosure: Disclosure) -> None:
    if disclosure.state != State.DRAFT:
        raise StateConflict(
            gettext_noop(
                "Version %(version)s of this disclosure is %(state)s and cannot change; "
                "start an amendment instead."
            ),
            version=disclosure.version,
            state=disclosure.state,
        )


def _refuse_assured(disclosure: Disclosure, codes) -> None:
    """An assured value changes only through an amendment (which drops the mark and says so)."""
    assured = list(
        disclosure.datapoints.filter(indicator_code__in=list(codes))
        .exclude(assurance=Assurance.NONE).values_list("indicator_code", flat=True)[:1]
    )
    if assured:
        raise StateConflict(
            gettext_noop("%(code)s was assured by an independent verifier and cannot be changed "
                         "directly; amend the disclosure (the amendment drops the assured mark)."),
            code=assured[0],
        )


def _locked(disclosure: Disclosure) -> Disclosure:
    """Re-read the disclosure under a row lock so that state checks see the committed truth."""
    return Disclosure.objects.select_for_update().select_related("enterprise").get(pk=disclosure.pk)


def start_disclosure(enterprise: Enterprise, year: int, *, tier: str = Tier.BASIC, actor) -> Disclosure:
    """Open a draft for a reporting year; refused if one is already open."""
    require_manager(actor, enterprise)
    if tier not in Tier.values:
        raise CatalogueError(gettext_noop("Unknown tier “%(tier)s”."), tier=tier)
    if not 2000 <= int(year) <= timezone.now().year:
        raise CatalogueError(gettext_noop("%(year)s is not a reporting year that can be disclosed."),
                             year=year)
    catalogue = load_catalogue()
    with transaction.atomic():
        if Disclosure.objects.filter(enterprise=enterprise, year=year).exists():
            raise StateConflict(
                gettext_noop("A disclosure for %(year)s already exists; amend it instead."),
                year=year,
            )
        disclosure = Disclosure.objects.create(
            enterprise=enterprise, year=year, version=1, tier=tier,
            catalogue_version=catalogue.version, created_by=actor,
        )
        record(actor, "disclosure.start", disclosure, enterprise=enterprise.uscc, year=year,
               tier=tier, catalogue=catalogue.version)
        disclosure_started.send(sender=Disclosure, disclosure=disclosure, actor=actor)
    return disclosure


@dataclass(frozen=True)
class Entry:
    """One value to set: the indicator, what was typed, its unit, and its provenance."""

    indicator: str
    value: Any
    unit: str = ""
    method: str = Method.TYPED
    evidence: str = ""


def _derivation(value) -> dict[str, Any]:
    """What a stored value keeps of how it was derived (the coefficient of a conversion)."""
    return {"conversion": value.conversion} if value.conversion else {}


def set_values(disclosure: Disclosure, entries: list[Entry], *, actor) -> list[Datapoint]:
    """Set reported values on a draft, all or nothing; each keeps who, when, how and evidence."""
    require_manager(actor, disclosure.enterprise)
    # A published or submitted version refuses every change (409) before any value is checked.
    _require_draft(disclosure)
    catalogue = load_catalogue()
    prepared = []
    for entry in entries:
        indicator = catalogue.get(entry.indicator)
        if entry.method not in Method.values:
            raise CatalogueError(gettext_noop("Unknown method “%(method)s”."), method=entry.method)
        prepared.append((entry, coerce(indicator, entry.value, entry.unit)))
    now = timezone.now()
    saved = []
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        _refuse_assured(disclosure, [e.indicator for e, _ in prepared])
        for entry, value in prepared:
            point, _ = Datapoint.objects.select_related("disclosure").update_or_create(
                disclosure=disclosure,
                indicator_code=entry.indicator,
                defaults=dict(
                    status=DatapointStatus.REPORTED, value_number=value.number,
                    value_text=value.text, value_bool=value.boolean, value_choice=value.choice,
                    unit=value.unit, entered_value=value.entered_value,
                    entered_unit=value.entered_unit, derivation=_derivation(value),
                    na_explanation="", method=entry.method,
                    evidence_ref=entry.evidence.strip(), entered_by=actor, entered_at=now,
                    assurance=Assurance.NONE, assured_by=None, assured_at=None,
                    assurance_detail={},
                ),
            )
            saved.append(point)
        conversions = {e.indicator: v.conversion for e, v in prepared if v.conversion}
        record(actor, "disclosure.set_values", disclosure,
               values={e.indicator: [v.entered_value, v.entered_unit] for e, v in prepared},
               method=sorted({e.method for e, _ in prepared}),
               **({"conversions": conversions} if conversions else {}))
        recompute(disclosure, actor=actor)
    return saved


@dataclass(frozen=True)
class Prefill:
    """A value the platform already holds, offered on a new draft with where it comes from."""

    indicator: str
    value: float
    unit: str
    method: str
    source: dict[str, Any]
    """``kind`` (``record``), ``name_zh``, ``name_en``, ``year``: shown beside the field."""


def prefill_values(disclosure: Disclosure, items: list[Prefill], *, actor) -> list[str]:
    """Offer held values on a draft's unanswered indicators; each stays unconfirmed (an error at
    review) until the enterprise confirms or changes it. Returns the codes pre-filled."""
    require_manager(actor, disclosure.enterprise)
    catalogue = load_catalogue()
    now = timezone.now()
    done: dict[str, Any] = {}
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        answered = set(disclosure.datapoints.values_list("indicator_code", flat=True))
        for item in items:
            if item.indicator in answered or item.indicator not in catalogue:
                continue
            value = coerce(catalogue.get(item.indicator), f"{item.value:.12g}", item.unit)
            Datapoint.objects.create(
                disclosure=disclosure, indicator_code=item.indicator,
                status=DatapointStatus.REPORTED, value_number=value.number, unit=value.unit,
                entered_value=value.entered_value, entered_unit=value.entered_unit,
                derivation={**_derivation(value), "prefill": {**item.source, "confirmed": False}},
                method=item.method, entered_by=actor, entered_at=now,
            )
            done[item.indicator] = [value.entered_value, value.entered_unit, item.source]
        if done:
            record(actor, "disclosure.prefill", disclosure, values=done)
            recompute(disclosure, actor=actor)
    return sorted(done)


def confirm_value(disclosure: Disclosure, indicator: str, *, actor) -> Datapoint:
    """Confirm a pre-filled or copied value as the enterprise's own answer."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        point = disclosure.datapoints.filter(indicator_code=indicator).first()
        if point is None or not (point.method == Method.COPIED
                                 or "prefill" in (point.derivation or {})):
            raise StateConflict(gettext_noop("%(code)s holds no pre-filled value to confirm."),
                                code=indicator)
        derivation = dict(point.derivation or {})
        derivation["prefill"] = {**derivation.get("prefill", {"kind": "copied"}),
                                 "confirmed": True}
        point.derivation = derivation
        point.save(update_fields=["derivation"])
        record(actor, "disclosure.confirm_value", disclosure, indicator=indicator,
               value=[point.entered_value, point.entered_unit], method=point.method)
    return point


def set_value(disclosure: Disclosure, indicator: str, value: Any, unit: str = "", *,
              method: str = Method.TYPED, evidence: str = "", actor) -> Datapoint:
    """Set one reported value on a draft."""
    return set_values(disclosure, [Entry(indicator, value, unit, method, evidence)], actor=actor)[0]


def mark_not_applicable(disclosure: Disclosure, indicator: str, explanation: str, *, actor,
                        method: str = Method.TYPED) -> Datapoint:
    """Record that an indicator does not apply, with the required explanation and its provenance
    (typed on the page, or imported from an uploaded template)."""
    require_manager(actor, disclosure.enterprise)
    load_catalogue().get(indicator)
    if method not in Method.values:
        raise CatalogueError(gettext_noop("Unknown method “%(method)s”."), method=method)
    explanation = (explanation or "").strip()
    if not explanation:
        raise CatalogueError(
            gettext_noop("%(code)s: explain why it does not apply."), code=indicator
        )
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        _refuse_assured(disclosure, [indicator])
        point, _ = Datapoint.objects.select_related("disclosure").update_or_create(
            disclosure=disclosure, indicator_code=indicator,
            defaults=dict(
                status=DatapointStatus.NOT_APPLICABLE, value_number=None, value_text="",
                value_bool=None, value_choice="", unit="", entered_value="", entered_unit="",
                derivation={},
                na_explanation=explanation, method=method, evidence_ref="",
                entered_by=actor, entered_at=timezone.now(), assurance=Assurance.NONE,
            ),
        )
        record(actor, "disclosure.not_applicable", disclosure, indicator=indicator,
               explanation=explanation, method=method)
        recompute(disclosure, actor=actor)
    return point


def clear_value(disclosure: Disclosure, indicator: str, *, actor) -> bool:
    """Remove a value from a draft, so that the indicator is missing again."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        _refuse_assured(disclosure, [indicator])
        deleted, _ = Datapoint.objects.filter(disclosure=disclosure, indicator_code=indicator).delete()
        if deleted:
            record(actor, "disclosure.clear_value", disclosure, indicator=indicator)
            recompute(disclosure, actor=actor)
    return bool(deleted)


def submit_disclosure(disclosure: Disclosure, *, actor) -> Disclosure:
    """Freeze a draft for review and publication."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        if not disclosure.datapoints.exists():
            raise StateConflict(gettext_noop("An empty disclosure cannot be submitted."))
        findings = checks.findings_for(disclosure)
        raise_for_errors(findings)
        pending = pending_warnings(findings, checks.acknowledged_keys(disclosure))
        if pending:
            raise StateConflict(
                gettext_noop("%(count)s warning(s) must be acknowledged before submission."),
                count=len(pending),
            )
        disclosure.state = State.SUBMITTED
        disclosure.submitted_at = timezone.now()
        disclosure.submitted_by = actor
        disclosure.save(update_fields=["state", "submitted_at", "submitted_by"])
        record(actor, "disclosure.submit", disclosure, datapoints=disclosure.datapoints.count())
    return disclosure


def withdraw_submission(disclosure: Disclosure, *, actor) -> Disclosure:
    """Return a submitted (not yet published) version to draft."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        if disclosure.state != State.SUBMITTED:
            raise StateConflict(gettext_noop("Only a submitted disclosure can be withdrawn."))
        disclosure.state = State.DRAFT
        disclosure.save(update_fields=["state"])
        record(actor, "disclosure.withdraw", disclosure)
    return disclosure


def publish_disclosure(disclosure: Disclosure, *, actor) -> Disclosure:
    """Make a submitted version public; from now on it never changes."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        if disclosure.state != State.SUBMITTED:
            raise StateConflict(gettext_noop("Only a submitted disclosure can be published."))
        disclosure.state = State.PUBLISHED
        disclosure.published_at = timezone.now()
        disclosure.published_by = actor
        disclosure.save(update_fields=["state", "published_at", "published_by"])
        record(actor, "disclosure.publish", disclosure, version=disclosure.version)
        disclosures_published.send(Disclosure, enterprise_ids={disclosure.enterprise_id})
    return disclosure


def amend_disclosure(disclosure: Disclosure, reason: str, *, actor) -> Disclosure:
    """Open a new draft version of a published disclosure, copying its values and provenance."""
    require_manager(actor, disclosure.enterprise)
    reason = (reason or "").strip()
    if not reason:
        raise CatalogueError(gettext_noop("An amendment needs a reason."))
    with transaction.atomic():
        disclosure = _locked(disclosure)
        if disclosure.state != State.PUBLISHED:
            raise StateConflict(gettext_noop("Only a published disclosure can be amended."))
        latest = Disclosure.objects.filter(
            enterprise=disclosure.enterprise, year=disclosure.year
        ).aggregate(v=Max("version"))["v"]
        if latest != disclosure.version:
            raise StateConflict(
                gettext_noop("Version %(version)s is not the latest; amend version %(latest)s."),
                version=disclosure.version, latest=latest,
            )
        try:
            amendment = Disclosure.objects.create(
                enterprise=disclosure.enterprise, year=disclosure.year,
                version=disclosure.version + 1, tier=disclosure.tier,
                catalogue_version=disclosure.catalogue_version, amends=disclosure,
                amendment_reason=reason, created_by=actor,
            )
        except IntegrityError as exc:
            raise StateConflict(gettext_noop("An amendment of this disclosure is already open.")) from exc
        copies = []
        dropped = []
        for point in disclosure.datapoints.all():
            point.pk = None
            point.disclosure = amendment
            if point.assurance != Assurance.NONE:
                # The new version is not what the verifier assured: the mark stays on the
                # published version only, and the amendment says which marks it dropped.
                dropped.append(point.indicator_code)
                point.assurance = Assurance.NONE
                point.assured_by = None
                point.assured_at = None
                point.assurance_detail = {}
            copies.append(point)
        Datapoint.objects.bulk_create(copies)
        record(actor, "disclosure.amend", amendment, amends=disclosure.pk,
               version=amendment.version, reason=reason,
               **({"assurance_dropped": dropped} if dropped else {}))
    amendment.assurance_dropped = dropped
    return amendment


def mark_assured(disclosure: Disclosure, codes: list[str], *, level: str, detail: dict[str, Any],
                 reviewer, actor) -> int:
    """Mark a published version's values as assured (called by the assurance sign-off, inside
    its transaction and under its permission check; the caller writes the audit entry).

    A published version never changes otherwise: only the assurance columns are written, with
    one UPDATE that does not pass through ``Datapoint.save()``."""
    if level not in (Assurance.LIMITED, Assurance.REASONABLE):
        raise CatalogueError(gettext_noop("Unknown assurance level “%(level)s”."), level=level)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("mark_assured must run inside the sign-off's transaction")
    disclosure = _locked(disclosure)
    if disclosure.state != State.PUBLISHED:
        raise StateConflict(gettext_noop("Only a published disclosure can be assured."))
    return Datapoint.objects.filter(disclosure=disclosure, indicator_code__in=codes).update(
        assurance=level, assured_by=reviewer, assured_at=timezone.now(), assurance_detail=detail,
    )


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def attach_evidence(disclosure: Disclosure, indicator: str, upload, *, actor):
    """Attach a file backing an indicator's value; the type is checked from the content."""
    import hashlib

    from django.core.files.base import ContentFile


    require_manager(actor, disclosure.enterprise)
    load_catalogue().get(indicator)
    size = getattr(upload, "size", None)
    if size is not None and size > EVIDENCE_MAX_BYTES:
        raise FileTooLarge(limit=EVIDENCE_MAX_BYTES // 2**20)
    data = upload.read(EVIDENCE_MAX_BYTES + 1)
    if len(data) > EVIDENCE_MAX_BYTES:
        raise FileTooLarge(limit=EVIDENCE_MAX_BYTES // 2**20)
    if not data:
        raise CatalogueError(gettext_noop("The file is empty."))
    kind = checked_file_type(data)  # refuses zip bombs, active PDFs, markup, broken images
    if kind is None:
        raise CatalogueError(
            gettext_noop("“%(name)s” is not a PDF, PNG, JPEG or Excel (xlsx) file."),
            name=str(getattr(upload, "name", ""))[:100],
            accepted=", ".join(k.key for k in ACCEPTED),
        )
    name = safe_display_name(getattr(upload, "name", ""), kind)
    evidence = None
    try:
        with transaction.atomic():
            disclosure = _locked(disclosure)
            _require_draft(disclosure)
            evidence = Evidence(
                disclosure=disclosure, indicator_code=indicator, original_name=name,
                content_type=kind.content_type, extension=kind.extension, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor,
            )
            evidence.file.save(name, ContentFile(data), save=False)
            evidence.save()
            record(actor, "disclosure.attach_evidence", disclosure, indicator=indicator,
                   file=name, sha256=evidence.sha256, size=len(data))
    except BaseException:
        # Nothing half-written: a stored file whose row was rolled back is removed.
        if evidence is not None and evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


def copy_forward(disclosure: Disclosure, *, actor) -> int:
    """Fill a draft's unanswered indicators with last year's published values, marked as copied."""
    require_manager(actor, disclosure.enterprise)
    previous = (
        Disclosure.objects.filter(
            enterprise=disclosure.enterprise, year=disclosure.year - 1, state=State.PUBLISHED
        )
        .order_by("-version")
        .first()
    )
    if previous is None:
        raise StateConflict(
            gettext_noop("There is no published disclosure for %(year)s to copy from."),
            year=disclosure.year - 1,
        )
    now = timezone.now()
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        answered = set(disclosure.datapoints.values_list("indicator_code", flat=True))
        copies = []
        # Calculated values are not copied: they are computed again from this year's inputs.
        for point in previous.datapoints.exclude(indicator_code__in=answered).exclude(
            method=Method.CALCULATED
        ):
            point.pk = None
            point.disclosure = disclosure
            point.method = Method.COPIED
            point.evidence_ref = f"{previous.year} v{previous.version}"
            point.entered_by = actor
            point.entered_at = now
            point.assurance = Assurance.NONE
            point.assured_by = None
            point.assured_at = None
            point.assurance_detail = {}
            copies.append(point)
        Datapoint.objects.bulk_create(copies)
        record(actor, "disclosure.copy_forward", disclosure, source=previous.pk,
               indicators=sorted(p.indicator_code for p in copies))
        recompute(disclosure, actor=actor)
    return len(copies)


def acknowledge_warnings(disclosure: Disclosure, keys: list[str], *, note: str = "", actor) -> int:
    """Record that the manager has read the given warnings and the values stand."""
    require_manager(actor, disclosure.enterprise)
    current = {f.key for f in checks.findings_for(disclosure) if not f.is_error}
    unknown = [k for k in keys if k not in current]
    if unknown:
        raise CatalogueError(gettext_noop("“%(key)s” is not a current warning."), key=unknown[0])
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        fresh = [k for k in keys if not disclosure.acknowledgements.filter(key=k).exists()]
        WarningAcknowledgement.objects.bulk_create([
            WarningAcknowledgement(disclosure=disclosure, key=k, note=note[:300], acknowledged_by=actor)
            for k in fresh
        ])
        if fresh:
            record(actor, "disclosure.acknowledge_warnings", disclosure, keys=fresh, note=note)
    return len(fresh)


def delete_draft(disclosure: Disclosure, *, actor) -> dict[str, Any]:
    """Delete a draft with its values and evidence files; a submitted or published version is
    never deleted (withdraw it first, or amend it)."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        if disclosure.state != State.DRAFT:
            raise StateConflict(
                gettext_noop("Only a draft can be deleted; version %(version)s is already "
                             "submitted or published."),
                version=disclosure.version,
            )
        summary = {
            "enterprise": disclosure.enterprise.uscc, "year": disclosure.year,
            "version": disclosure.version, "tier": disclosure.tier,
            "datapoints": disclosure.datapoints.count(),
            "evidence": list(disclosure.evidence.values_list("sha256", flat=True)),
        }
        files = [item.file.name for item in disclosure.evidence.all() if item.file]
        storage = Evidence._meta.get_field("file").storage
        record(actor, "disclosure.delete", disclosure, **summary)
        try:
            with transaction.atomic():
                disclosure.delete()
        except ProtectedError as exc:
            raise StateConflict(
                gettext_noop("A carbon calculation was applied to this draft, so it is kept; "
                             "clear the applied values instead.")
            ) from exc
        # The files go only once the rows are gone for good.
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return summary
