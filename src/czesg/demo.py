"""Demo and synthetic data: the accounts of each role, and enterprises with disclosures.

Everything here goes through the actions, as any other writer does; the synthetic enterprises
are marked as synthetic in their names and in the registry.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from czesg.accounts.models import MembershipRole, Role, User
from czesg.disclosures.actions import LoadedDisclosure, bulk_load
from czesg.disclosures.models import State
from czesg.enterprises.actions import EnterpriseFacts, add_member, bulk_register
from czesg.enterprises.models import Enterprise

SYSTEM_USERNAME = "czesg-system"


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in for one role (printed at start and listed in the README)."""

    username: str
    password: str
    role: str
    organisation: str = ""
    park_key: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("admin", "czesg-admin-demo", Role.PLATFORM_ADMIN, "czesg"),
    DemoAccount("gov", "czesg-gov-demo", Role.GOVERNMENT, "常州市发展和改革委员会"),
    DemoAccount("sme", "czesg-sme-demo", Role.ENTERPRISE),
    DemoAccount("listed", "czesg-listed-demo", Role.ENTERPRISE),
    DemoAccount("verifier", "czesg-verifier-demo", Role.VERIFIER, "合成样例鉴证事务所（合成数据）"),
    DemoAccount("bank", "czesg-bank-demo", Role.BANK, "合成样例银行常州分行（合成数据）"),
    DemoAccount("park", "czesg-park-demo", Role.PARK_ADMIN, "常州国家高新区管委会", "czhnd"),
)


def system_actor() -> User:
    """The platform's own account, used by command-line loads; it cannot sign in."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": Role.PLATFORM_ADMIN, "first_name": "czesg", "last_name": "system"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def default_years(count: int, today: date | None = None) -> list[int]:
    """The last ``count`` complete reporting years before today."""
    last = (today or date.today()).year - 1
    return list(range(last - count + 1, last + 1))


def _states(n: int, final: bool, seed: int) -> list[str]:
    """Publication states: earlier years published; the latest year partly still in progress."""
    if not final:
        return [State.PUBLISHED] * n
    out = []
    for i in range(n):
        bucket = (i * 7919 + seed) % 20
        out.append(State.DRAFT if bucket < 3 else State.SUBMITTED if bucket < 6 else State.PUBLISHED)
    return out


def load_synthetic(*, enterprises: int, years: int | list[int], seed: int = 2025,
                   progress: bool = False, actor: User | None = None) -> dict:
    """Generate and load synthetic enterprises and their disclosures; returns counts."""
    from czesg.engine import synth

    actor = actor or system_actor()
    year_list = default_years(years) if isinstance(years, int) else list(years)
    generated = synth.generate_enterprises(enterprises, seed=seed)
    facts = [
        EnterpriseFacts(
            uscc=e.uscc, name=e.name, name_en=e.name_en, industry_code=e.industry_code,
            division_code=e.division_code, park_key=e.park_key, size_class=e.size_class,
            listed=e.listed, exchange=e.exchange, stock_code=e.stock_code,
            state_owned=e.state_owned, is_synthetic=True,
        )
        for e in generated
    ]
    created = bulk_register(facts, actor=actor, source=f"czesg synth (seed {seed})")
    values = synth.generate_disclosures(generated, year_list, seed=seed)
    batches: dict[tuple[str, int], LoadedDisclosure] = {}
    grouped = values.by_disclosure()
    total_points = 0
    keys = list(grouped.keys())
    states_by_year = {
        y: _states(len(generated), final=(y == year_list[-1]), seed=seed) for y in year_list
    }
    index = {e.uscc: i for i, e in enumerate(generated)}
    chunk: list[LoadedDisclosure] = []
    for n, key in enumerate(keys, start=1):
        uscc, year = key
        item = grouped[key]
        chunk.append(
            LoadedDisclosure(
                uscc=uscc, year=year, tier=item.tier, state=states_by_year[year][index[uscc]],
                values=item.values, not_applicable=item.not_applicable,
            )
        )
        if len(chunk) >= 500 or n == len(keys):
            total_points += bulk_load(
                chunk, actor=actor, method="imported", evidence=f"synthetic data, seed {seed}"
            )
            chunk = []
            if progress:
                print(f"\r  disclosures {n}/{len(keys)}", end="", file=sys.stderr, flush=True)
    if progress and keys:
        print(file=sys.stderr)
    del batches
    return {
        "enterprises_created": created,
        "disclosures": len(keys),
        "datapoints": total_points,
        "years": year_list,
    }


def ensure_demo_accounts() -> dict[str, User]:
    """Create the demo account of every role and attach the two enterprise users."""
    actor = system_actor()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "role": account.role, "organisation": account.organisation,
                "park_key": account.park_key,
                "is_staff": account.role == Role.PLATFORM_ADMIN,
                "is_superuser": account.role == Role.PLATFORM_ADMIN,
            },
        )
        if created:
            user.set_password(account.password)
            user.save(update_fields=["password"])
        users[account.username] = user
    synthetic = Enterprise.objects.filter(is_synthetic=True)
    sme = synthetic.filter(listed=False, size_class__in=["small", "micro"]).order_by("uscc").first()
    listed = synthetic.filter(listed=True).order_by("uscc").first()
    for username, enterprise in (("sme", sme), ("listed", listed)):
        if enterprise is not None and not users[username].memberships.exists():
            add_member(enterprise, users[username], role=MembershipRole.MANAGER, actor=actor)
    return users


def load_demo(*, reset: bool = False, enterprises: int = 300) -> dict:
    """Load the Changzhou demo: accounts of every role and 300 synthetic enterprises, 2 years."""
    from django.core.management import call_command

    if reset:
        call_command("flush", interactive=False, verbosity=0)
    summary = {"enterprises_created": 0, "disclosures": 0, "datapoints": 0}
    if not Enterprise.objects.filter(is_synthetic=True).exists():
        with transaction.atomic():
            summary = load_synthetic(enterprises=enterprises, years=2)
    ensure_demo_accounts()
    summary["enterprises"] = Enterprise.objects.count()
    return summary
