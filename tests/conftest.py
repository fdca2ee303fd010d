"""Shared fixtures: users of every role and enterprises, all made through the actions."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("CZESG_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in tests

from czesg.engine.identifiers import make_uscc  # noqa: E402

PASSWORD = "correct-horse-battery-staple"


def uscc_for(serial: int, division: str = "320411") -> str:
    """A valid credit code for test enterprise number ``serial`` (not the synthetic range)."""
    body = f"T{serial:08d}"
    return make_uscc("9", "1", division, body)


@pytest.fixture
def make_user(db):
    from czesg.accounts.models import Role, User

    def make(username: str, role: str = Role.ENTERPRISE, **extra) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
        return user

    return make


@pytest.fixture
def system(make_user):
    from czesg.accounts.models import Role

    return make_user("platform", Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def gov(make_user):
    from czesg.accounts.models import Role

    return make_user("gov", Role.GOVERNMENT, organisation="市发改委")


@pytest.fixture
def make_enterprise(gov):
    from czesg.enterprises.actions import EnterpriseFacts, register_enterprise

    counter = {"n": 0}

    def make(name: str | None = None, **overrides):
        counter["n"] += 1
        n = counter["n"]
        facts = dict(
            uscc=uscc_for(n, overrides.get("division_code", "320411")),
            name=name or f"测试企业{n}有限公司",
            industry_code="C3841",
            division_code="320411",
            size_class="small",
        )
        facts.update(overrides)
        return register_enterprise(EnterpriseFacts(**facts), actor=gov)

    return make


@pytest.fixture
def member_of(gov, make_user):
    """An enterprise user who manages the given enterprise."""
    from czesg.enterprises.actions import add_member

    def make(enterprise, username: str):
        user = make_user(username)
        add_member(enterprise, user, actor=gov)
        return user

    return make


@pytest.fixture
def firm_a(make_enterprise):
    return make_enterprise("甲新能源科技有限公司", name_en="Alpha New Energy Co.")


@pytest.fixture
def firm_b(make_enterprise):
    return make_enterprise("乙光伏材料有限公司", industry_code="C3825", division_code="320412")


@pytest.fixture
def alice(firm_a, member_of):
    return member_of(firm_a, "alice")


@pytest.fixture
def bob(firm_b, member_of):
    return member_of(firm_b, "bob")


@pytest.fixture
def draft_a(firm_a, alice):
    from czesg.disclosures.actions import start_disclosure

    return start_disclosure(firm_a, 2024, actor=alice)


@pytest.fixture
def draft_b(firm_b, bob):
    from czesg.disclosures.actions import set_value, start_disclosure

    draft = start_disclosure(firm_b, 2024, actor=bob)
    set_value(draft, "S-EMP-01", 120, "人", actor=bob)
    return draft
