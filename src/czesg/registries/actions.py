"""Every change of the registries: create, change and remove entries.

Each action checks that the actor is a government user or platform administrator (refusing with
:class:`~czesg.engine.kernel.errors.PermissionRefused`), runs in one transaction, and appends an
entry to the audit chain (:func:`czesg.audit.recording.record`) in that transaction; a refused
or invalid change writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from czesg.accounts.permissions import require_government
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CatalogueError, NotFound, gettext_noop
from czesg.registries.models import (
    GoodPracticeCase,
    KeyProject,
    ProfessionalIntake,
    RegistryEntry,
    ServiceAgency,
    Standard,
)


@dataclass(frozen=True)
class Registry:
    """One registry: its model, the fields a government user fills, and the target it feeds."""

    key: str
    model: type[RegistryEntry]
    fields: tuple[str, ...]
    target: str | None
    title: Any
    date_label: Any = _("Date")


REGISTRIES: dict[str, Registry] = {
    registry.key: registry for registry in (
        Registry("standards", Standard, ("title", "kind", "role", "date", "document", "source"),
                 "standards", _("Standards led or joined"), _("Issued on")),
        Registry("agencies", ServiceAgency, ("name", "kind", "date", "source"),
                 "service_agencies", _("ESG service agencies"), _("Registered on")),
        Registry("projects", KeyProject, ("name", "year", "date", "source"), "key_projects",
                 _("ESG key projects"), _("Signed on")),
        Registry("professionals", ProfessionalIntake, ("year", "count", "date", "source"),
                 "talent", _("ESG professionals attracted"), _("Reported on")),
        Registry("cases", GoodPracticeCase,
                 ("title", "enterprise", "year", "date", "summary", "source"), None,
                 _("Good-practice cases"), _("Published on")),
    )
}


def registry(key: str) -> Registry:
    """Return the registry with this key (NotFound if unknown)."""
    try:
        return REGISTRIES[key]
    except KeyError:
        raise NotFound() from None


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return getattr(value, "uscc", None) or str(value.pk)
    return value


def snapshot(entry: RegistryEntry, fields: tuple[str, ...]) -> dict[str, Any]:
    """The entry's filled fields as plain data (for the audit chain)."""
    return {name: _plain(getattr(entry, name)) for name in fields}


def _refuse_invalid(error: ValidationError) -> None:
    messages = getattr(error, "message_dict", None) or {"-": error.messages}
    field_name, problems = next(iter(messages.items()))
    raise CatalogueError(gettext_noop("%(field)s: %(reason)s"), field=field_name,
                         reason="; ".join(str(p) for p in problems))


def save_registry_entry(key: str, data: Mapping[str, Any], *, actor,
                        entry: RegistryEntry | None = None) -> RegistryEntry:
    """Create a registry entry, or change ``entry``, from ``data`` (government users only)."""
    require_government(actor)
    spec = registry(key)
    with transaction.atomic():
        if entry is None:
            instance = spec.model(entered_by=actor, entered_at=timezone.now())
            before = None
        else:
            instance = spec.model.objects.select_for_update().filter(pk=entry.pk).first()
            if instance is None:
                raise NotFound()
            before = snapshot(instance, spec.fields)
        for name in spec.fields:
            value = data.get(name)
            if isinstance(value, str):
                value = value.strip()
            if value is None and name not in ("enterprise",):
                value = "" if isinstance(spec.model._meta.get_field(name),
                                         models.CharField | models.TextField) else None
            setattr(instance, name, value)
        if before is not None:
            instance.updated_at = timezone.now()
        try:
            instance.full_clean(exclude=["entered_by"])
        except ValidationError as error:
            _refuse_invalid(error)
        after = snapshot(instance, spec.fields)
        if before is not None and after == before:
            return instance
        instance.save()
        if before is None:
            record(actor, f"registry.{key}.create", instance, entry=after)
        else:
            changed = {k: [before[k], after[k]] for k in spec.fields if before[k] != after[k]}
            record(actor, f"registry.{key}.update", instance, changes=changed)
    return instance


def delete_registry_entry(key: str, entry: RegistryEntry, *, actor, reason: str = "") -> None:
    """Remove a registry entry (government users only); the audit chain keeps what it said."""
    require_government(actor)
    spec = registry(key)
    with transaction.atomic():
        instance = spec.model.objects.select_for_update().filter(pk=entry.pk).first()
        if instance is None:
            raise NotFound()
        removed = snapshot(instance, spec.fields)
        record(actor, f"registry.{key}.delete", instance, entry=removed, reason=reason.strip())
        instance.delete()
