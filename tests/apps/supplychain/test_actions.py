"""Products, footprints, consents and PACT clients change only through audited actions."""

from __future__ import annotations

import pytest

from czesg.audit.models import AuditEvent
from czesg.engine.footprint import FootprintInputError
from czesg.engine.kernel.errors import PermissionRefused, StateConflict
from czesg.supplychain import actions
from czesg.supplychain.models import Footprint, FootprintState, PactClient, Product

from .conftest import FUELS

pytestmark = pytest.mark.django_db

GAS = 2 * 389.31 * 0.0153 * 0.99 * 44 / 12 * 1000 * 0.5
ELECTRICITY = 100000 * 0.5777 * 0.5
DIESEL = 1 * 42.652 * 0.0202 * 0.98 * 44 / 12 * 1000


def test_published_footprint_has_exact_numbers_and_audit(published, cell):
    assert published.state == FootprintState.ACTIVE
    assert published.summary["pcf_excluding_biogenic"] == pytest.approx(
        (GAS + ELECTRICITY + DIESEL) / 1000, rel=1e-12)
    assert published.summary["primary_data_share"] == pytest.approx(100.0)
    actions_logged = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions_logged[-3:] == ["supplychain.product.create", "supplychain.footprint.compute",
                                   "supplychain.footprint.publish"]


def test_republishing_deprecates_the_earlier_footprint(published, cell, supplier_manager):
    fresh = actions.compute_product_footprint(cell, year=2024, output=500.0, fuels=FUELS,
                                              actor=supplier_manager)
    assert fresh.version == 2
    actions.publish_footprint(fresh.pk, actor=supplier_manager)
    published.refresh_from_db()
    fresh.refresh_from_db()
    assert published.state == FootprintState.DEPRECATED
    assert fresh.supersedes_id == published.pk
    with pytest.raises(StateConflict):
        actions.publish_footprint(fresh.pk, actor=supplier_manager)


def test_no_activity_data_writes_nothing(cell, supplier_manager):
    before = AuditEvent.objects.count()
    with pytest.raises(FootprintInputError) as caught:
        actions.compute_product_footprint(cell, year=2024, output=10.0, actor=supplier_manager)
    assert caught.value.problems[0].column == "-"
    assert Footprint.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_buyer_uses_a_shared_supplier_footprint_for_its_material(
        published, consent, buyer, buyer_manager):
    pack = actions.create_product(buyer, name="Pack", declared_unit="piece", mass_kg=300,
                                  actor=buyer_manager)
    footprint = actions.compute_product_footprint(
        pack, year=2024, output=10.0, actor=buyer_manager,
        materials=[{"name": "cells", "quantity": 2.0, "unit": "t",
                    "footprint_id": str(published.pk)}])
    per_kg = published.summary["pcf_excluding_biogenic"]
    assert footprint.summary["pcf_excluding_biogenic"] == pytest.approx(2000 * per_kg / 10)
    assert footprint.trace[0]["source"] == str(published.pk)


def test_unshared_supplier_footprint_is_refused(published, buyer, buyer_manager):
    pack = actions.create_product(buyer, name="Pack", declared_unit="kilogram",
                                  actor=buyer_manager)
    with pytest.raises(FootprintInputError) as caught:
        actions.compute_product_footprint(
            pack, year=2024, output=10.0, actor=buyer_manager,
            materials=[{"name": "cells", "quantity": 1.0, "unit": "kg",
                        "footprint_id": str(published.pk)}])
    assert caught.value.problems[0].column == "footprint_id"


def test_only_managers_define_products(supplier, buyer_manager):
    with pytest.raises(PermissionRefused):
        actions.create_product(supplier, name="X", declared_unit="kilogram", actor=buyer_manager)
    assert not Product.objects.exists()


def test_product_fields_are_checked(supplier, supplier_manager):
    with pytest.raises(actions.ProductInvalid) as caught:
        actions.create_product(supplier, name="X", declared_unit="piece", actor=supplier_manager)
    assert caught.value.params["field"] == "mass_kg"
    with pytest.raises(actions.ProductInvalid) as caught:
        actions.create_product(supplier, name="X", declared_unit="kilogram", hs_code="85",
                               actor=supplier_manager)
    assert caught.value.params["field"] == "hs_code"


def test_client_secret_is_kept_only_as_hash(buyer, buyer_manager):
    client, secret = actions.register_pact_client(buyer, name="ERP", actor=buyer_manager)
    stored = PactClient.objects.get(pk=client.pk)
    assert secret not in stored.secret_hash and stored.check_secret(secret)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "supplychain.pact_client.register"
    assert secret not in event.payload_json
