"""Every step of an assurance engagement and every refusal: database state and audit entries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from czesg.access.models import Grant
from czesg.assurance import actions
from czesg.assurance.models import Engagement, EngagementState, FindingState
from czesg.audit.models import AuditEvent
from czesg.disclosures import actions as disclosures
from czesg.disclosures.models import Datapoint
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, StateConflict
from tests.apps.assurance.conftest import SCOPE, audit_actions, last_seq

pytestmark = pytest.mark.django_db


def _refusal(seq: int) -> dict:
    event = AuditEvent.objects.filter(seq__gt=seq, action="assurance.refused").get()
    return json.loads(event.payload_json)


def test_government_registers_a_firm_and_its_verifiers(assurance_firm, gov, alice):
    assert assurance_firm.members.count() == 2
    assert [a for a in audit_actions() if a.startswith("assurance.")] == [
        "assurance.register_firm", "assurance.add_verifier", "assurance.add_verifier"]
    with pytest.raises(PermissionRefused):
        actions.register_firm(name="X", accreditation="A", independence_declaration="I",
                              declared_at=dt.date(2026, 1, 1), actor=alice)


def test_invitation_records_the_terms_and_grants_exactly_the_firms_verifiers(
        invite, published_a, vera, rex):
    seq = last_seq()
    engagement = invite()
    assert engagement.state == EngagementState.INVITED
    assert engagement.scope == sorted(SCOPE)
    assert engagement.level == "limited" and engagement.materiality == 5.0
    assert engagement.criteria == {"catalogue": published_a.catalogue_version,
                                   "items": ["gbt-32150", "sse-guideline-14"]}
    grants = Grant.objects.filter(pk__in=engagement.grants)
    assert sorted(g.grantee.username for g in grants) == ["rex", "vera"]
    for grant in grants:
        assert grant.scopes == ["disclosures", "evidence"]
        assert grant.valid_until == engagement.ends_on
        assert grant.purpose == f"Assurance engagement {engagement.reference}"
    assert audit_actions(seq) == ["access.grant", "access.grant", "assurance.invite"]


def test_a_firm_that_consulted_the_same_year_is_refused_and_nothing_is_written(
        invite, assurance_firm, firm_a, gov):
    actions.record_consulting(assurance_firm, firm_a, 2024, "碳盘查咨询", actor=gov)
    seq = last_seq()
    with pytest.raises(StateConflict, match="not independent"):
        invite()
    assert not Engagement.objects.exists() and not Grant.objects.exists()
    assert audit_actions(seq) == ["assurance.refused"]
    assert _refusal(seq)["attempt"] == "assurance.invite"


def test_consulting_in_another_year_does_not_conflict(invite, assurance_firm, firm_a, gov):
    actions.record_consulting(assurance_firm, firm_a, 2023, "碳盘查咨询", actor=gov)
    assert invite().state == EngagementState.INVITED


def test_a_value_that_was_not_reported_cannot_be_in_scope(invite):
    with pytest.raises(CatalogueError, match="E-WST-01"):
        invite(scope=["E-GHG-01", "E-WST-01"])  # not applicable in the basic fill
    assert not Engagement.objects.exists()


def test_only_the_enterprises_manager_invites(invite, bob):
    seq = last_seq()
    with pytest.raises(PermissionRefused):
        invite(actor=bob)
    assert not Engagement.objects.exists()
    assert _refusal(seq)["code"] == "permission_denied"


def test_accepting_outside_ones_firm_is_refused_and_audited(invite, make_user, gov):
    other = actions.register_firm(name="别家鉴证", accreditation="A", independence_declaration="I",
                                  declared_at=dt.date(2026, 1, 1), actor=gov)
    outsider = make_user("otto", "verifier")
    actions.add_verifier(other, outsider, actor=gov)
    engagement = invite()
    seq = last_seq()
    with pytest.raises(PermissionRefused, match="Only a verifier of"):
        actions.accept_engagement(engagement, actor=outsider)
    engagement.refresh_from_db()
    assert engagement.state == EngagementState.INVITED and engagement.lead is None
    assert audit_actions(seq) == ["assurance.refused"]
    assert _refusal(seq) == {"attempt": "assurance.accept", "code": "permission_denied",
                             "reason": "Only a verifier of 常州鉴信认证有限公司 can do this."}


def test_accept_sets_the_lead_and_an_accepted_engagement_cannot_be_declined(invite, vera):
    accepted = actions.accept_engagement(invite(), actor=vera)
    assert accepted.state == EngagementState.ACCEPTED and accepted.lead == vera
    with pytest.raises(StateConflict):
        actions.decline_engagement(accepted, "no capacity", actor=vera)
    assert Engagement.objects.get().state == EngagementState.ACCEPTED
    assert Grant.objects.active().count() == 2


def test_declining_revokes_the_grants(invite, vera):
    engagement = invite()
    seq = last_seq()
    declined = actions.decline_engagement(engagement, "与项目排期冲突", actor=vera)
    assert declined.state == EngagementState.DECLINED
    assert declined.decline_reason == "与项目排期冲突"
    assert Grant.objects.active().count() == 0
    assert audit_actions(seq) == ["assurance.decline"]


def test_the_risk_based_sample_takes_the_larger_values_first(invite, vera):
    engagement = actions.accept_engagement(invite(), actor=vera)
    seq = last_seq()
    engagement = actions.choose_sample(engagement, actor=vera)
    # Limited: max(3, ceil(0.3 * 5)) = 3 items; no warnings in the basic fill, so by size:
    # E-GHG-01 1000 tCO2e, E-GHG-03 700 tCO2e, E-GHG-02 300 tCO2e (E-ENG-01 280, S-EMP-01 120).
    assert engagement.sample == ["E-GHG-01", "E-GHG-03", "E-GHG-02"]
    assert engagement.sample_rule == "risk" and engagement.state == EngagementState.FIELDWORK
    assert audit_actions(seq) == ["assurance.sample"]


def test_out_of_scope_items_are_refused(fieldwork, vera):
    for attempt in (
        lambda: actions.choose_sample(fieldwork, ["E-WAT-01"], actor=vera),
        lambda: actions.record_procedure(fieldwork, "E-WAT-01", "inspected", actor=vera),
        lambda: actions.raise_finding(fieldwork, "E-WAT-01", "missing_evidence", "无水表读数",
                                      actor=vera),
    ):
        seq = last_seq()
        with pytest.raises(CatalogueError, match="E-WAT-01 is not in the scope"):
            attempt()
        assert audit_actions(seq) == ["assurance.refused"]
    assert not fieldwork.procedures.exists() and not fieldwork.findings.exists()


def test_a_misstatement_needs_its_amount(fieldwork, vera):
    with pytest.raises(CatalogueError, match="amount"):
        actions.raise_finding(fieldwork, "S-EMP-01", "misstatement", "人数不符", actor=vera)
    finding = actions.raise_finding(fieldwork, "S-EMP-01", "misstatement", "花名册为130人",
                                    amount=10, actor=vera)
    assert finding.state == FindingState.OPEN and finding.amount == 10


def test_concluding_needs_a_reviewer(invite, vera):
    engagement = actions.choose_sample(actions.accept_engagement(invite(), actor=vera),
                                       ["S-EMP-01"], actor=vera)
    actions.record_procedure(engagement, "S-EMP-01", "inspected", "花名册", actor=vera)
    seq = last_seq()
    with pytest.raises(StateConflict, match="Name a reviewer"):
        actions.conclude_engagement(engagement, "unmodified", actor=vera)
    engagement.refresh_from_db()
    assert engagement.state == EngagementState.FIELDWORK and engagement.conclusion == ""
    assert _refusal(seq)["attempt"] == "assurance.conclude"


def test_the_lead_cannot_review_himself(fieldwork, vera):
    with pytest.raises(StateConflict, match="four eyes"):
        actions.assign_reviewer(fieldwork, vera, actor=vera)


def _test_sample(engagement, actor):
    for code in engagement.sample:
        actions.record_procedure(engagement, code, "recalculated", actor=actor)


def test_the_whole_engagement_marks_the_assured_values(fieldwork, vera, rex, alice):
    """Finding → amendment → conclusion → sign-off by the second verifier."""
    finding = actions.raise_finding(fieldwork, "S-EMP-01", "misstatement", "花名册为130人",
                                    amount=10, actor=vera)
    _test_sample(fieldwork, vera)
    with pytest.raises(StateConflict, match="await"):
        actions.conclude_engagement(fieldwork, "unmodified", actor=vera)
    with pytest.raises(StateConflict, match="Publish an amendment"):
        actions.correct_by_amendment(finding, actor=alice)
    v1 = fieldwork.disclosure
    amendment = disclosures.amend_disclosure(v1, "按鉴证发现更正员工人数", actor=alice)
    disclosures.set_value(amendment, "S-EMP-01", 130, "person", actor=alice)
    disclosures.set_value(amendment, "S-TRN-02", 2400 / 130, "hour/person", actor=alice)
    disclosures.submit_disclosure(amendment, actor=alice)
    disclosures.publish_disclosure(amendment, actor=alice)
    seq = last_seq()
    finding = actions.correct_by_amendment(finding, actor=alice)
    fieldwork.refresh_from_db()
    assert finding.state == FindingState.CORRECTED and finding.amendment == amendment
    assert fieldwork.disclosure == amendment
    actions.close_finding(finding, actor=vera)
    actions.conclude_engagement(fieldwork, "unmodified", actor=vera)
    with pytest.raises(PermissionRefused, match="named reviewer"):
        actions.sign_statement(fieldwork, actor=vera)
    signed = actions.sign_statement(fieldwork, actor=rex)
    assert signed.state == EngagementState.SIGNED
    marked = Datapoint.objects.filter(disclosure=amendment).exclude(assurance="none")
    assert sorted(marked.values_list("indicator_code", flat=True)) == sorted(SCOPE)
    employees = marked.get(indicator_code="S-EMP-01")
    assert employees.value_number == 130 and employees.assured_by == rex
    assert employees.assurance_detail == {
        "engagement": signed.pk, "reference": f"ASR-2024-{signed.pk:05d}",
        "firm": "常州鉴信认证有限公司", "level": "limited",
        "date": timezone.localtime(signed.signed_at).date().isoformat()}
    assert not Datapoint.objects.filter(disclosure=v1).exclude(assurance="none").exists()
    assert [a for a in audit_actions(seq) if a != "assurance.refused"] == [
        "assurance.correct", "assurance.close_finding", "assurance.conclude", "assurance.sign"]


def test_an_assured_value_changes_only_through_an_amendment_which_drops_the_mark(signed, alice):
    published = signed.disclosure
    with pytest.raises(StateConflict):
        disclosures.set_value(published, "S-EMP-01", 121, "person", actor=alice)
    assert Datapoint.objects.get(disclosure=published, indicator_code="S-EMP-01").value_number == 120
    seq = last_seq()
    amendment = disclosures.amend_disclosure(published, "更正", actor=alice)
    assert amendment.assurance_dropped == sorted(SCOPE)
    assert not amendment.datapoints.exclude(assurance="none").exists()
    event = AuditEvent.objects.get(seq__gt=seq, action="disclosure.amend")
    assert json.loads(event.payload_json)["assurance_dropped"] == sorted(SCOPE)
    # The published version keeps what the verifier assured.
    assert published.datapoints.exclude(assurance="none").count() == len(SCOPE)
    disclosures.set_value(amendment, "S-EMP-01", 121, "person", actor=alice)


def test_an_adverse_conclusion_marks_nothing(fieldwork, vera, rex):
    _test_sample(fieldwork, vera)
    actions.conclude_engagement(fieldwork, "adverse", "排放数据无法追溯", actor=vera)
    actions.sign_statement(fieldwork, actor=rex)
    assert not Datapoint.objects.exclude(assurance="none").exists()


def test_an_enterprise_cannot_grant_a_verifier_access_beyond_an_engagement(
        published_a, vera, alice):
    from czesg.access.actions import grant_access

    seq = last_seq()
    with pytest.raises(PermissionRefused, match="only through an assurance engagement"):
        grant_access(published_a.enterprise, vera, scopes=["disclosures", "evidence"],
                     valid_until=dt.date.today() + dt.timedelta(days=30), purpose="鉴证",
                     actor=alice)
    assert not Grant.objects.exists()
    assert audit_actions(seq) == ["access.refused"]
