"""Fixtures of the assurance tests, all made through the actions."""

from __future__ import annotations

import datetime as dt

import pytest

SCOPE = ["E-GHG-01", "E-GHG-02", "E-GHG-03", "E-ENG-01", "S-EMP-01"]


@pytest.fixture
def published_a(draft_a, alice, fill_basic):
    """Alpha's published 2024 disclosure."""
    from czesg.disclosures import actions

    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    return actions.publish_disclosure(draft_a, actor=alice)


@pytest.fixture
def assurance_firm(gov, make_user):
    """A registered firm with two verifiers, lead ``vera`` and reviewer ``rex``."""
    from czesg.accounts.models import Role
    from czesg.assurance import actions

    firm = actions.register_firm(
        name="常州鉴信认证有限公司", name_en="Changzhou Jianxin Assurance Co.",
        accreditation="CNCA 认证机构批准书 CNCA-R-2020-000 (test)",
        independence_declaration="本机构及鉴证人员与被鉴证企业不存在影响独立性的关系。",
        declared_at=dt.date(2026, 1, 15), actor=gov)
    for name in ("vera", "rex"):
        actions.add_verifier(firm, make_user(name, Role.VERIFIER, organisation=firm.name),
                             actor=gov)
    return firm


@pytest.fixture
def vera(assurance_firm):
    return assurance_firm.members.get(user__username="vera").user


@pytest.fixture
def rex(assurance_firm):
    return assurance_firm.members.get(user__username="rex").user


@pytest.fixture
def invite(published_a, assurance_firm, alice):
    """Invite the firm to assure Alpha's 2024 values (limited assurance)."""
    from czesg.assurance import actions

    def make(**overrides):
        today = dt.date.today()
        kwargs = dict(scope=SCOPE, level="limited", criteria=["gbt-32150", "sse-guideline-14"],
                      materiality=5.0, starts_on=today, ends_on=today + dt.timedelta(days=60),
                      actor=alice)
        kwargs.update(overrides)
        return actions.invite_firm(published_a, assurance_firm, **kwargs)

    return make


@pytest.fixture
def fieldwork(invite, vera, rex):
    """An accepted engagement in fieldwork with its risk-based sample and a reviewer named."""
    from czesg.assurance import actions

    engagement = actions.accept_engagement(invite(), actor=vera)
    engagement = actions.choose_sample(engagement, actor=vera)
    return actions.assign_reviewer(engagement, rex, actor=vera)


@pytest.fixture
def signed(fieldwork, vera, rex):
    """A signed engagement with an unmodified conclusion (the sample tested, no finding)."""
    from czesg.assurance import actions

    for code in fieldwork.sample:
        actions.record_procedure(fieldwork, code, "recalculated", actor=vera)
    actions.conclude_engagement(fieldwork, "unmodified", actor=vera)
    return actions.sign_statement(fieldwork, actor=rex)


def audit_actions(since: int = 0) -> list[str]:
    """The actions of the audit entries after sequence number ``since``."""
    from czesg.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(seq__gt=since).order_by("seq")
                .values_list("action", flat=True))


def last_seq() -> int:
    from czesg.audit.models import AuditEvent

    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
