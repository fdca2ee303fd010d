"""Partner footprints imported into a buyer's scorecard: fetched over real HTTP from a PACT
partner on loopback (two pages), held to our v3 schema and declared units, stored with their
provenance, refused ones named in the audit entry; a failed fetch stores nothing."""

from __future__ import annotations

import copy

import pytest

from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import CzesgError, NotFound
from czesg.supplychain.imports import PartnerFetchFailed, import_partner_footprints
from czesg.supplychain.models import ImportedFootprint
from czesg.supplychain.queries import pact_document

pytestmark = pytest.mark.django_db

WRONG_UNIT_ID = "0b6f8a52-9a0e-4d36-9d5e-3c0c9f2d7a11"
BROKEN_ID = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"


@pytest.fixture
def served(published, partner_server):
    """The partner lists one valid footprint, one in a unit we cannot compare, one broken."""
    valid = pact_document(published)
    wrong_unit = copy.deepcopy(valid) | {"id": WRONG_UNIT_ID}
    wrong_unit["pcf"]["declaredUnitOfMeasurement"] = "megabit second"
    broken = copy.deepcopy(valid) | {"id": BROKEN_ID}
    broken["pcf"]["pcfExcludingBiogenicUptake"] = "a lot"
    partner_server.footprints = [valid, wrong_unit, broken]
    return valid


def test_valid_footprints_are_stored_with_provenance_and_refused_ones_named(
        served, partner, partner_server, buyer, buyer_manager, published):
    result = import_partner_footprints(buyer, partner.pk, actor=buyer_manager)

    calls = [(c["method"], c["path"]) for c in partner_server.received]
    assert calls == [("POST", "/auth/token")] + [("GET", "/3/footprints")] * 3  # three pages
    [stored] = ImportedFootprint.objects.all()
    assert [f.pk for f in result.imported] == [stored.pk]
    assert (stored.buyer, stored.partner, stored.pact_id, stored.spec_version) == (
        buyer, partner, str(published.pk), served["specVersion"])
    assert (stored.product_name, stored.declared_unit, stored.pcf) == (
        "LFP cell 280Ah", "kilogram", float(served["pcf"]["pcfExcludingBiogenicUptake"]))
    assert stored.pcf == round(published.pcf, 6)  # as the partner wrote it (six decimals)
    assert stored.fetched_by == buyer_manager and stored.document == served
    assert [(r.pact_id, r.reason) for r in result.refused] == [
        (WRONG_UNIT_ID, "incompatible declared unit"), (BROKEN_ID, "schema error")]

    entry = AuditEvent.objects.get(action="supplychain.partner_footprints.import")
    assert entry.actor_id == buyer_manager.pk
    assert entry.payload["imported"] == [{"id": str(published.pk),
                                          "version": served["specVersion"]}]
    assert [(r["id"], r["reason"]) for r in entry.payload["refused"]] == [
        (WRONG_UNIT_ID, "incompatible declared unit"), (BROKEN_ID, "schema error")]
    assert entry.payload["refused"][0]["detail"] == ["megabit second"]
    assert entry.payload["fetched_at"] == stored.fetched_at.isoformat()

    # fetched again: the same footprint is replaced, not doubled
    import_partner_footprints(buyer, partner.pk, actor=buyer_manager)
    assert ImportedFootprint.objects.count() == 1
    assert AuditEvent.objects.filter(action="supplychain.partner_footprints.import").count() == 2


def test_a_failed_fetch_stores_nothing(served, partner, partner_server, buyer, buyer_manager):
    from czesg.supplychain import sealing

    partner.sealed_secret = sealing.seal("wrong-secret")
    partner.save(update_fields=["sealed_secret"])
    audit_before = AuditEvent.objects.count()
    with pytest.raises(PartnerFetchFailed) as refused:
        import_partner_footprints(buyer, partner.pk, actor=buyer_manager)
    assert refused.value.params["partner"] == "Partner ERP"
    assert "401" in refused.value.params["reason"]
    assert not ImportedFootprint.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_only_the_buyers_managers_import_from_its_own_partners(
        served, partner, buyer, supplier, supplier_manager, buyer_manager):
    with pytest.raises(CzesgError):
        import_partner_footprints(buyer, partner.pk, actor=supplier_manager)
    with pytest.raises(NotFound):
        import_partner_footprints(buyer, partner.pk + 1, actor=buyer_manager)
    with pytest.raises(CzesgError):
        import_partner_footprints(supplier, partner.pk, actor=supplier_manager)
    assert not ImportedFootprint.objects.exists()


def test_the_scorecard_page_fetches_and_shows_partner_footprints(
        served, partner, buyer, buyer_manager, supplier_manager, published, client):
    from django.utils import translation

    client.force_login(supplier_manager)
    url = f"/enterprises/{buyer.uscc}/suppliers/"
    assert client.post(url, {"import": "1", "partner": str(partner.pk)}).status_code == 404
    assert not ImportedFootprint.objects.exists()

    client.force_login(buyer_manager)
    with translation.override("en"):
        page = client.post(url, {"import": "1", "partner": str(partner.pk)}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert ImportedFootprint.objects.get().pact_id == str(published.pk)
    assert f'data-id="{published.pk}"' in html and "LFP cell 280Ah" in html
    assert f'{float(served["pcf"]["pcfExcludingBiogenicUptake"]):.3f}' in html
    assert WRONG_UNIT_ID in html and BROKEN_ID in html  # the refused ones are named


def test_the_api_fetches_partner_footprints_for_the_buyers_managers(
        served, partner, buyer, buyer_manager, supplier_manager, published, client):
    url = f"/api/v1/supplychain/buyers/{buyer.uscc}/partners/{partner.pk}/fetch"
    client.force_login(supplier_manager)
    assert client.post(url).status_code == 404
    assert not ImportedFootprint.objects.exists()

    client.force_login(buyer_manager)
    response = client.post(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(f["id"], f["partner"], f["declared_unit"], f["pcf"]) for f in body["imported"]] == [
        (str(published.pk), "Partner ERP", "kilogram",
         float(served["pcf"]["pcfExcludingBiogenicUptake"]))]
    assert [(r["id"], r["reason"]) for r in body["refused"]] == [
        (WRONG_UNIT_ID, "incompatible declared unit"), (BROKEN_ID, "schema error")]
    assert ImportedFootprint.objects.get().pact_id == str(published.pk)

    partner.sealed_secret = "not sealed"
    partner.save(update_fields=["sealed_secret"])
    failed = client.post(url)
    assert failed.status_code == 502 and failed.json()["code"] == "partner_fetch_failed"
    assert failed["Content-Type"].startswith("application/problem+json")
