"""The demo: 300 synthetic Changzhou enterprises, two years of disclosures, a login per role."""

from __future__ import annotations

import pytest
from django.db.models import Count

from czesg.accounts.models import Role, User
from czesg.audit.recording import verify
from czesg.demo import DEMO_ACCOUNTS, load_demo
from czesg.disclosures.models import Datapoint, Disclosure, State
from czesg.engine.plan import load_city_profile
from czesg.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        summary = load_demo()
        yield summary
        # Module-scoped data lives outside the per-test transactions: remove it afterwards.
        call_command("flush", interactive=False, verbosity=0)


def test_demo_has_300_synthetic_enterprises_across_every_district(demo):
    enterprises = Enterprise.objects.filter(is_synthetic=True)
    assert enterprises.count() == 300
    assert all("合成" in e.name for e in enterprises)
    districts = set(enterprises.values_list("division_code", flat=True))
    assert districts == {d.code for d in load_city_profile().districts}
    assert enterprises.filter(listed=True).exists()


def test_demo_has_two_years_of_disclosures(demo):
    years = Disclosure.objects.values("year").annotate(n=Count("id"))
    assert len(years) == 2 and all(row["n"] == 300 for row in years)
    assert Disclosure.objects.filter(state=State.PUBLISHED).count() > 300
    assert Datapoint.objects.count() > 300 * 2 * 15


def test_demo_has_one_account_per_role(demo):
    roles = {a.role for a in DEMO_ACCOUNTS}
    assert roles == set(Role.values)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password) and user.role == account.role
    assert User.objects.get(username="sme").memberships.get().enterprise.size_class in ("small", "micro")
    assert User.objects.get(username="listed").memberships.get().enterprise.listed


def test_demo_values_are_internally_consistent(demo):
    for disclosure in Disclosure.objects.filter(year__isnull=False)[:50]:
        values = dict(disclosure.datapoints.filter(value_number__isnull=False)
                      .values_list("indicator_code", "value_number"))
        if {"E-GHG-01", "E-GHG-02", "E-GHG-03"} <= values.keys():
            assert values["E-GHG-01"] == pytest.approx(values["E-GHG-02"] + values["E-GHG-03"])
        if {"S-EMP-01", "S-EMP-02-F"} <= values.keys():
            assert values["S-EMP-02-F"] <= values["S-EMP-01"]


def test_demo_loading_is_audited_and_the_chain_verifies(demo):
    assert verify().ok


def test_loading_the_demo_twice_adds_nothing(demo):
    before = Enterprise.objects.count(), Disclosure.objects.count()
    load_demo()
    assert (Enterprise.objects.count(), Disclosure.objects.count()) == before


def test_published_demo_disclosures_pass_validation(demo):
    from czesg.disclosures.checks import findings_for

    published = Disclosure.objects.filter(state=State.PUBLISHED).select_related("enterprise")[:40]
    for disclosure in published:
        errors = [f for f in findings_for(disclosure) if f.is_error]
        assert errors == [], (disclosure, [f.render() for f in errors][:3])


def test_demo_bank_has_consenting_applicants(demo, client):
    from czesg.access.models import Grant
    from czesg.finance.models import Recipient

    bank = User.objects.get(username="bank")
    # Two enterprises consented to the bank, and each of the five financing requests that
    # reached it made a consent of its own; the withdrawn request's consent is revoked.
    reached = list(Recipient.objects.filter(bank=bank).values_list("grant_id", flat=True))
    assert len(reached) == 5
    assert Grant.objects.for_grantee(bank).exclude(pk__in=reached).count() == 2
    assert Grant.objects.for_grantee(bank).filter(pk__in=reached).count() == 4
    client.force_login(bank)
    page = client.get("/applicants/").content.decode()
    listed = User.objects.get(username="listed").memberships.get().enterprise
    assert listed.uscc in page
    # The demo verifier lands on its work list: the listed company's signed engagement.
    client.force_login(User.objects.get(username="verifier"))
    response = client.get("/me/", follow=True)
    assert response.redirect_chain == [("/assurance/", 302)]
    assert listed.name in response.content.decode()


def test_demo_has_a_firm_with_two_verifiers_and_a_signed_engagement(demo, client):
    from czesg.assurance.models import AssuranceFirm, Engagement

    firm = AssuranceFirm.objects.get()
    assert sorted(firm.members.values_list("user__username", flat=True)) == [
        "verifier", "verifier2"]
    engagement = Engagement.objects.get()
    listed = User.objects.get(username="listed").memberships.get().enterprise
    assert engagement.enterprise == listed and engagement.state == "signed"
    assert engagement.lead.username == "verifier" and engagement.reviewer.username == "verifier2"
    assured = Datapoint.objects.filter(disclosure=engagement.disclosure).exclude(assurance="none")
    assert sorted(assured.values_list("indicator_code", flat=True)) == sorted(engagement.scope)
    assert f"/assurance/{engagement.pk}/statement-zh.pdf" in client.get(
        f"/enterprises/{listed.uscc}/").content.decode()


def test_demo_years_are_rated(demo):
    from czesg.ratings.models import Rating, RatingRun

    assert demo["rated"] > 0
    assert set(RatingRun.objects.values_list("year", "status")) == {
        (y, "done") for y in Disclosure.objects.values_list("year", flat=True).distinct()
    }
    assert Rating.objects.count() == demo["rated"]


def test_demo_buyer_asked_two_suppliers_and_reads_one_scorecard(demo, client):
    from czesg.supplychain.models import Footprint, RequestRecipient
    from czesg.supplychain.scorecards import scorecards

    listed = User.objects.get(username="listed").memberships.get().enterprise
    sme = User.objects.get(username="sme").memberships.get().enterprise
    states = dict(RequestRecipient.objects.filter(request__buyer=listed)
                  .values_list("tier", "state"))
    assert states == {1: "shared", 2: "open"}
    [card] = scorecards(listed)[0]
    assert card.supplier == sme and len(card.answers) > 0 and len(card.footprints) == 1
    footprint = card.footprints[0]
    assert Footprint.objects.entitled_to(listed.pk).filter(pk=footprint.pk).exists()
    assert listed.pact_clients.count() == 1
    client.force_login(User.objects.get(username="listed"))
    page = client.get(f"/enterprises/{listed.uscc}/suppliers/").content.decode()
    assert f'data-uscc="{sme.uscc}"' in page and "磷酸铁锂电芯 280Ah（演示）" in page


def test_demo_green_finance_has_two_banks_five_requests_and_a_loan_book(demo):
    from czesg.audit.models import AuditEvent
    from czesg.finance.models import Exposure, FinancingRequest, Product, Recipient
    from czesg.finance.supervision import supervision

    banks = {"bank", "bank2"}
    per_bank = dict(Product.objects.values_list("bank__username").annotate(n=Count("id")))
    assert per_bank == {"bank": 3, "bank2": 3}
    requests = FinancingRequest.objects.filter(project__endswith="（演示）")
    assert sorted(requests.values_list("state", flat=True)) == [
        "accepted", "granted", "open", "open", "withdrawn"]
    offered = Recipient.objects.filter(request__in=requests, state="offered")
    assert offered.count() == 1 and offered.get().bank.username in banks
    granted = requests.get(state="granted")
    assert granted.identification.code == "energy_saving"
    assert Exposure.objects.filter(book__bank__username="bank").count() == 2000
    # Made through the actions: every step is in the audit chain.
    assert AuditEvent.objects.filter(action="finance.publish_product").count() == 6
    assert AuditEvent.objects.filter(action="finance.submit_request").count() == 5
    assert AuditEvent.objects.filter(action="finance.import_loan_book").count() == 1
    figures = supervision()
    assert (figures.green_count, figures.green_balance) == (1, granted.granted_amount)
    assert figures.requests["matched"] == 3
