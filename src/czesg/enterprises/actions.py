"""Changes to the enterprise registry; each checks permission and writes the audit chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from czesg.accounts.models import Membership, MembershipRole, Role
from czesg.accounts.permissions import require_government, require_role
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CatalogueError, CzesgError, StateConflict, gettext_noop
from czesg.engine.kernel.identifiers import validate_uscc
from czesg.engine.plan import load_city_profile
from czesg.enterprises.models import Enterprise, Exchange, SizeClass
from czesg.enterprises.signals import enterprises_changed
from czesg.storage.bulk import create_objects


class RegistryError(CzesgError):
    """A registry entry is refused: a field holds a value the city profile does not know."""

    code = "registry_invalid"
    http_status = 422


@dataclass(frozen=True)
class EnterpriseFacts:
    """The facts needed to register an enterprise, as plain data."""

    uscc: str
    name: str
    industry_code: str
    division_code: str
    size_class: str
    name_en: str = ""
    park_key: str = ""
    listed: bool = False
    exchange: str = ""
    stock_code: str = ""
    state_owned: bool = False
    is_synthetic: bool = False


#: The registry facts' names, the fields a registration or an update may set.
FACT_FIELDS = tuple(EnterpriseFacts.__dataclass_fields__)


def _require_known(look_up: Callable[[str], object], value: str, field: str,
                   message: str) -> None:
    """Raise a registry error on ``field`` unless the city profile's ``look_up`` knows ``value``."""
    try:
        look_up(value)
    except (KeyError, CzesgError) as exc:
        raise RegistryError(message, field=field, value=value) from exc


def check_facts(facts: EnterpriseFacts) -> EnterpriseFacts:
    """Validate registry facts against the USCC rules and the city profile; return them cleaned."""
    profile = load_city_profile()
    uscc = validate_uscc(facts.uscc)
    if not facts.name.strip():
        raise RegistryError(gettext_noop("The enterprise name is required."), field="name")
    _require_known(profile.industry, facts.industry_code, "industry_code",
                   gettext_noop("Unknown industry code “%(value)s” (GB/T 4754-2017)."))
    _require_known(profile.district, facts.division_code, "division_code",
                   gettext_noop("“%(value)s” is not an administrative division of Changzhou."))
    if facts.park_key:
        _require_known(profile.park, facts.park_key, "park_key",
                       gettext_noop("Unknown park “%(value)s”."))
    if facts.size_class not in SizeClass.values:
        raise RegistryError(
            gettext_noop("Unknown size class “%(value)s”."), field="size_class", value=facts.size_class
        )
    if facts.listed and (facts.exchange not in Exchange.values or not facts.stock_code.strip()):
        raise RegistryError(
            gettext_noop("A listed enterprise needs its exchange and stock code."),
            field="stock_code",
        )
    return EnterpriseFacts(
        **{**facts.__dict__, "uscc": uscc, "name": facts.name.strip(),
           "exchange": facts.exchange if facts.listed else "",
           "stock_code": facts.stock_code.strip() if facts.listed else ""}
    )


def register_enterprise(facts: EnterpriseFacts, *, actor) -> Enterprise:
    """Add an enterprise to the registry (government and platform administrators)."""
    require_government(actor)
    facts = check_facts(facts)
    with transaction.atomic():
        if Enterprise.objects.filter(uscc=facts.uscc).exists():
            raise StateConflict(
                gettext_noop("An enterprise with credit code %(uscc)s is already registered."),
                uscc=facts.uscc,
            )
        enterprise = Enterprise.objects.create(**facts.__dict__)
        record(actor, "enterprise.register", enterprise, uscc=enterprise.uscc, name=enterprise.name)
        enterprises_changed.send(Enterprise, enterprise_ids={enterprise.pk})
    return enterprise


def add_member(enterprise: Enterprise, user, *, role: str = MembershipRole.MANAGER, actor) -> Membership:
    """Make an enterprise user a member of an enterprise (government or platform admin)."""
    require_government(actor)
    if user.role != Role.ENTERPRISE:
        raise CatalogueError(gettext_noop("Only enterprise users can be members of an enterprise."))
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(
            user=user, enterprise=enterprise, defaults={"role": role}
        )
        record(
            actor, "enterprise.add_member", enterprise, user=user.username, role=role,
            created=created,
        )
    return membership


def bulk_register(facts_list: list[EnterpriseFacts], *, actor, source: str) -> int:
    """Register many enterprises in one transaction with one audit entry (imports, synthetic data)."""
    require_role(actor, Role.PLATFORM_ADMIN, Role.GOVERNMENT)
    checked = [check_facts(f) for f in facts_list]
    with transaction.atomic():
        existing = set(
            Enterprise.objects.filter(uscc__in=[f.uscc for f in checked]).values_list("uscc", flat=True)
        )
        fresh = [Enterprise(**f.__dict__) for f in checked if f.uscc not in existing]
        create_objects(fresh)  # COPY on PostgreSQL; both paths set the new primary keys
        enterprises_changed.send(Enterprise, enterprise_ids={e.pk for e in fresh})
        record(actor, "enterprise.bulk_register", target_type="enterprises.enterprise",
               source=source, created=len(fresh), skipped=len(existing))
    return len(fresh)


def facts_of(enterprise: Enterprise) -> EnterpriseFacts:
    """An enterprise's registry facts as plain data."""
    return EnterpriseFacts(**{name: getattr(enterprise, name) for name in FACT_FIELDS})


def update_enterprise(enterprise: Enterprise, facts: EnterpriseFacts, *, actor) -> Enterprise:
    """Change an enterprise's registry facts (government and platform administrators), with the
    same checks as a registration; the audit entry names every changed field before and after."""
    require_government(actor)
    facts = check_facts(facts)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if Enterprise.objects.filter(uscc=facts.uscc).exclude(pk=enterprise.pk).exists():
            raise StateConflict(
                gettext_noop("An enterprise with credit code %(uscc)s is already registered."),
                uscc=facts.uscc,
            )
        before = facts_of(enterprise).__dict__
        changes = {k: [before[k], v] for k, v in facts.__dict__.items() if before[k] != v}
        if changes:
            for name, value in facts.__dict__.items():
                setattr(enterprise, name, value)
            enterprise.save()
            record(actor, "enterprise.update", enterprise, changes=changes)
            enterprises_changed.send(Enterprise, enterprise_ids={enterprise.pk})
    return enterprise


def remove_member(enterprise: Enterprise, user, *, actor) -> bool:
    """End a user's membership of an enterprise (government or platform admin); audited."""
    require_government(actor)
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(user=user, enterprise=enterprise).delete()
        if deleted:
            record(actor, "enterprise.remove_member", enterprise, user=user.username)
    return bool(deleted)
