"""The expected carbon reduction of a financed project: computed by the carbon engine, stored
with its factors, audited, refused to any bank but the accepted one, listed in the bank's table
of facility loans."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import NotFound, StateConflict
from czesg.finance import actions
from czesg.finance.models import ExpectedReduction

pytestmark = pytest.mark.django_db

PV = [{"activity": "electricity", "quantity": "1000", "unit": "MWh"}]


@pytest.fixture
def granted(sent, alice, bank_a):
    offer = actions.make_offer(sent, amount="200", rate="3.1", actor=bank_a)
    actions.accept_offer(offer, actor=alice)
    return actions.record_outcome(sent, granted_amount="200", granted_rate="3.1",
                                  granted_on=timezone.localdate(), actor=bank_a)


def test_reduction_is_computed_stored_and_audited(granted, bank_a):
    reduction = actions.estimate_reduction(granted, baseline=PV, project=[], year="2024",
                                           actor=bank_a)
    assert reduction.reduction_tco2e == pytest.approx(582.7)  # 1,000 MWh × 0.5827 kgCO2/kWh
    assert reduction.factor_set == "2025.1"
    assert [f["factor_id"] for f in reduction.factors] == ["GRID-JS-2023"]
    [event] = AuditEvent.objects.filter(action="finance.estimate_reduction")
    assert event.payload["reduction_tco2e"] == pytest.approx(582.7)
    assert event.payload["factors"] == ["GRID-JS-2023"]
    client = Client()
    client.force_login(bank_a)
    table = client.get("/finance/requests/").content.decode().split('id="facility-loans"')[1]
    assert f'data-request="{granted.pk}"' in table and "582.70" in table and "200.00" in table


def test_reduction_refused_to_other_banks_and_bad_rows(granted, bank_b, bank_a, make_user):
    from czesg.accounts.models import Role
    from czesg.engine.carbon.problems import CarbonInputError

    with pytest.raises(StateConflict):
        actions.estimate_reduction(granted, baseline=PV, project=[], year="2024", actor=bank_b)
    with pytest.raises(NotFound):
        actions.estimate_reduction(granted, baseline=PV, project=[], year="2024",
                                   actor=make_user("bank_c", Role.BANK))
    with pytest.raises(CarbonInputError):
        actions.estimate_reduction(granted, baseline=[{"activity": "electricity",
                                                       "quantity": "-5", "unit": "MWh"}],
                                   project=[], year="2024", actor=bank_a)
    assert ExpectedReduction.objects.count() == 0
    assert not AuditEvent.objects.filter(action="finance.estimate_reduction").exists()


def test_reduction_through_the_page_names_a_bad_line(granted, bank_a):
    client = Client()
    client.force_login(bank_a)
    client.post(f"/finance/requests/{granted.pk}/act/", {
        "verb": "reduction", "year": "2024", "baseline": "electricity 1000 MWh", "project": ""})
    page = client.get(f"/finance/requests/{granted.pk}/").content.decode()
    assert 'id="act-error"' in page and ExpectedReduction.objects.count() == 0
    client.post(f"/finance/requests/{granted.pk}/act/", {
        "verb": "reduction", "year": "2024", "baseline": "natural_gas, 10, 万Nm3",
        "project": "electricity, 300, MWh"})
    page = client.get(f"/finance/requests/{granted.pk}/").content.decode()
    assert 'data-reduction="41.41"' in page and "FUEL-NATURAL_GAS" in page
    # Shown once, in the page's body; the window title is the request's name alone.
    assert page.count('id="reduction"') == 1 and page.count('id="reduction-form"') == 1
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "#" in title
