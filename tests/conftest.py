"""Shared fixtures: users of every role and enterprises, all made through the actions."""

from __future__ import annotations

import functools
import os

import pytest

os.environ.setdefault("CZESG_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in tests

from czesg.engine.kernel.identifiers import make_uscc  # noqa: E402

PASSWORD = "correct-horse-battery-staple"


def uscc_for(serial: int, division: str = "320411") -> str:
    """A valid credit code for test enterprise number ``serial`` (not the synthetic range)."""
    body = f"T{serial:08d}"
    return make_uscc("9", "1", division, body)


@functools.cache
def password_hash() -> str:
    """:data:`PASSWORD` hashed once per test process by the settings' hasher (Argon2).

    Hashing is Argon2's deliberate cost (about 100 MB and a fifth of a second on two cores):
    paid for every user of every test it was several minutes of the suite. Every test user has
    this same real Argon2 hash, so signing in with :data:`PASSWORD` verifies it as in production.
    """
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture
def make_user(db):
    from czesg.accounts.models import Role, User

    def make(username: str, role: str = Role.ENTERPRISE, **extra) -> User:
        user = User.objects.create_user(username=username, password=None, role=role, **extra)
        user.password = password_hash()
        user.save(update_fields=["password"])
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


# A small manufacturer's basic disclosure whose values agree with each other: Scope 1 + 2 equal
# the total, intensities equal their ratios, women are fewer than all employees.
BASIC_VALUES = [
    ("G-GEN-01", 5000, "万元"), ("G-GEN-03", 1, "count"),
    ("E-GHG-02", 300, "tCO2e"), ("E-GHG-03", 700, "tCO2e"), ("E-GHG-01", 1000, "tCO2e"),
    ("E-GHG-05", 0.2, "tCO2e/10k_CNY"),
    ("E-CMP-01-PEN", 0, "count"), ("E-CMP-01-FINE", 0, "万元"),
    ("E-ENG-01-ELEC", 1200, "MWh"), ("E-ENG-01-GAS", 10, "万Nm3"), ("E-ENG-01-DSL", 0, "t"),
    ("E-ENG-01-GSL", 0, "t"), ("E-ENG-01-HEAT", 0, "GJ"), ("E-ENG-01-PV", 0, "MWh"),
    ("E-ENG-01", 280, "tce"), ("E-ENG-02", 0.056, "tce/10k_CNY"),
    ("E-WAT-01", 15000, "m3"),
    ("S-EMP-01", 120, "person"), ("S-EMP-02-F", 45, "person"), ("S-EMP-03", 8.5, "%"),
    ("S-EMP-05-COV", 100, "%"), ("S-OHS-01", 0, "person"),
    ("S-TRN-04", 2400, "hour"), ("S-TRN-02", 20, "hour/person"),
    ("G-ABC-04", "yes", ""), ("G-ABC-03", "yes", ""), ("G-ABC-02", 0, "count"),
]
BASIC_NOT_APPLICABLE = [
    ("E-WST-01", "生产过程不产生危险废物"),
    ("E-WST-02", "一般固废由园区统一清运，无单独计量"),
]


@pytest.fixture
def fill_basic():
    """Fill a draft with a complete, consistent basic disclosure (through the actions)."""
    from czesg.disclosures import actions

    def fill(draft, actor):
        actions.set_values(draft, [actions.Entry(c, v, u) for c, v, u in BASIC_VALUES], actor=actor)
        for code, why in BASIC_NOT_APPLICABLE:
            actions.mark_not_applicable(draft, code, why, actor=actor)
        return draft

    return fill


# Fixtures through which a test reaches the database (directly or by the live server).
_DATABASE_FIXTURES = frozenset({
    "db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
    "live_server",
})


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that touch the database.

    The suite runs twice, once per database (scripts/run-tests). A test that uses no database
    (the engine's, the settings', the CLI's help, the benches that make their own SQLite file)
    cannot behave differently in the second pass, so it runs in the SQLite pass only; pytest-django
    refuses database access to a test without the fixture or mark, so none is dropped by mistake.
    ``CZESG_TEST_ALL_ON_PG=1`` runs everything on PostgreSQL as well.

    A test marked ``only_on("postgresql")`` or ``only_on("sqlite")`` runs in that pass alone: a
    Spark job that starts a JVM is worth running once, on the database it is about.
    """
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    this = "postgresql" if on_postgres else "sqlite"
    elsewhere = [i for i in items
                 if (m := i.get_closest_marker("only_on")) is not None and m.args[0] != this]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [i for i in items if i not in elsewhere]
    if not on_postgres:
        return
    if os.environ.get("CZESG_TEST_ALL_ON_PG") == "1":
        return
    kept, dropped = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())))
        # A browser test drives pages whose database work the view and action tests check on
        # both databases; it runs in the SQLite pass (the suite must finish in 25 minutes).
        in_browser = item.get_closest_marker("browser") is not None
        (kept if uses_database and not in_browser else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
