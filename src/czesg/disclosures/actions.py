"""Every change to a disclosure: start, enter values, submit, publish, amend.

Each action checks its actor's permission, runs in one transaction, and appends to the audit
chain. A disclosure changes only while it is a draft; a published version is never changed, and
an amendment is a new version carrying its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from czesg.accounts.permissions import require_manager
from czesg.audit.recording import record
from czesg.disclosures.models import (
    Datapoint,
    DatapointStatus,
    Disclosure,
    Method,
    State,
    Tier,
)
from czesg.engine.catalogue import load_catalogue
from czesg.engine.errors import CatalogueError, StateConflict, gettext_noop
from czesg.engine.values import coerce
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
    return disclosure


@dataclass(frozen=True)
class Entry:
    """One value to set: the indicator, what was typed, its unit, and its provenance."""

    indicator: str
    value: Any
    unit: str = ""
    method: str = Method.TYPED
    evidence: str = ""


def set_values(disclosure: Disclosure, entries: list[Entry], *, actor) -> list[Datapoint]:
    """Set reported values on a draft, all or nothing; each keeps who, when, how and evidence."""
    require_manager(actor, disclosure.enterprise)
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
        for entry, value in prepared:
            point, _ = Datapoint.objects.select_related("disclosure").update_or_create(
                disclosure=disclosure,
                indicator_code=entry.indicator,
                defaults=dict(
                    status=DatapointStatus.REPORTED, value_number=value.number,
                    value_text=value.text, value_bool=value.boolean, value_choice=value.choice,
                    unit=value.unit, entered_value=value.entered_value,
                    entered_unit=value.entered_unit, na_explanation="", method=entry.method,
                    evidence_ref=entry.evidence.strip(), entered_by=actor, entered_at=now,
                    assurance="none", assured_by=None, assured_at=None,
                ),
            )
            saved.append(point)
        record(actor, "disclosure.set_values", disclosure,
               values={e.indicator: [v.entered_value, v.entered_unit] for e, v in prepared},
               method=sorted({e.method for e, _ in prepared}))
    return saved


def set_value(disclosure: Disclosure, indicator: str, value: Any, unit: str = "", *,
              method: str = Method.TYPED, evidence: str = "", actor) -> Datapoint:
    """Set one reported value on a draft."""
    return set_values(disclosure, [Entry(indicator, value, unit, method, evidence)], actor=actor)[0]


def mark_not_applicable(disclosure: Disclosure, indicator: str, explanation: str, *, actor) -> Datapoint:
    """Record that an indicator does not apply, with the required explanation."""
    require_manager(actor, disclosure.enterprise)
    load_catalogue().get(indicator)
    explanation = (explanation or "").strip()
    if not explanation:
        raise CatalogueError(
            gettext_noop("%(code)s: explain why it does not apply."), code=indicator
        )
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        point, _ = Datapoint.objects.select_related("disclosure").update_or_create(
            disclosure=disclosure, indicator_code=indicator,
            defaults=dict(
                status=DatapointStatus.NOT_APPLICABLE, value_number=None, value_text="",
                value_bool=None, value_choice="", unit="", entered_value="", entered_unit="",
                na_explanation=explanation, method=Method.TYPED, evidence_ref="",
                entered_by=actor, entered_at=timezone.now(), assurance="none",
            ),
        )
        record(actor, "disclosure.not_applicable", disclosure, indicator=indicator,
               explanation=explanation)
    return point


def clear_value(disclosure: Disclosure, indicator: str, *, actor) -> bool:
    """Remove a value from a draft, so that the indicator is missing again."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        deleted, _ = Datapoint.objects.filter(disclosure=disclosure, indicator_code=indicator).delete()
        if deleted:
            record(actor, "disclosure.clear_value", disclosure, indicator=indicator)
    return bool(deleted)


def submit_disclosure(disclosure: Disclosure, *, actor) -> Disclosure:
    """Freeze a draft for review and publication."""
    require_manager(actor, disclosure.enterprise)
    with transaction.atomic():
        disclosure = _locked(disclosure)
        _require_draft(disclosure)
        if not disclosure.datapoints.exists():
            raise StateConflict(gettext_noop("An empty disclosure cannot be submitted."))
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
        for point in disclosure.datapoints.all():
            point.pk = None
            point.disclosure = amendment
            copies.append(point)
        Datapoint.objects.bulk_create(copies)
        record(actor, "disclosure.amend", amendment, amends=disclosure.pk,
               version=amendment.version, reason=reason)
    return amendment


@dataclass(frozen=True)
class LoadedDisclosure:
    """A whole disclosure to load in bulk: its values, not-applicable answers and final state."""

    uscc: str
    year: int
    tier: str
    state: str
    values: list[tuple[str, Any, str]]
    not_applicable: list[tuple[str, str]] = ()  # type: ignore[assignment]


def bulk_load(batch: list[LoadedDisclosure], *, actor, method: str, evidence: str) -> int:
    """Load whole disclosures for many enterprises at once (platform administrators only).

    Each value is checked against the catalogue exactly as a typed one is; the batch is written
    in one transaction with one audit entry per disclosure.
    """
    from czesg.accounts.models import Role
    from czesg.accounts.permissions import require_role
    from czesg.audit.recording import record_many

    require_role(actor, Role.PLATFORM_ADMIN)
    catalogue = load_catalogue()
    enterprises = dict(
        Enterprise.objects.filter(uscc__in={d.uscc for d in batch}).values_list("uscc", "pk")
    )
    now = timezone.now()
    with transaction.atomic():
        heads = []
        for item in batch:
            if item.uscc not in enterprises:
                raise CatalogueError(gettext_noop("Unknown enterprise %(uscc)s."), uscc=item.uscc)
            heads.append(
                Disclosure(
                    enterprise_id=enterprises[item.uscc], year=item.year, version=1, tier=item.tier,
                    state=item.state, catalogue_version=catalogue.version, created_by=actor,
                    submitted_at=now if item.state != State.DRAFT else None,
                    submitted_by=actor if item.state != State.DRAFT else None,
                    published_at=now if item.state == State.PUBLISHED else None,
                    published_by=actor if item.state == State.PUBLISHED else None,
                )
            )
        # PostgreSQL and SQLite >= 3.35 return the new primary keys from bulk inserts.
        Disclosure.objects.bulk_create(heads, batch_size=2000)
        points = []
        events = []
        for item, head in zip(batch, heads, strict=True):
            for code, raw, unit in item.values:
                value = coerce(catalogue.get(code), raw, unit)
                points.append(Datapoint(
                    disclosure_id=head.pk, indicator_code=code, status=DatapointStatus.REPORTED,
                    value_number=value.number, value_text=value.text, value_bool=value.boolean,
                    value_choice=value.choice, unit=value.unit, entered_value=value.entered_value,
                    entered_unit=value.entered_unit, method=method, evidence_ref=evidence,
                    entered_by=actor, entered_at=now,
                ))
            for code, explanation in item.not_applicable:
                catalogue.get(code)
                points.append(Datapoint(
                    disclosure_id=head.pk, indicator_code=code,
                    status=DatapointStatus.NOT_APPLICABLE, na_explanation=explanation,
                    method=method, evidence_ref=evidence, entered_by=actor, entered_at=now,
                ))
            events.append((
                "disclosure.bulk_load", "disclosures.disclosure", str(head.pk),
                {"enterprise": item.uscc, "year": item.year, "state": item.state,
                 "values": len(item.values), "not_applicable": len(item.not_applicable),
                 "method": method, "evidence": evidence},
            ))
        Datapoint.objects.bulk_create(points, batch_size=5000)
        record_many(actor, events)
    return len(points)
