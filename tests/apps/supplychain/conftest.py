"""Supply-chain fixtures, all made through the actions: two enterprises, a published footprint,
a consent and PACT credentials of the buyer."""

from __future__ import annotations

import base64

import pytest

FUELS = [
    {"activity": "natural_gas", "quantity": 2.0, "unit": "万Nm3", "share": 0.5},
    {"activity": "electricity", "quantity": 100000.0, "unit": "kWh", "share": 0.5},
    {"activity": "diesel", "quantity": 1.0, "unit": "t", "share": 1.0, "stage": "transport"},
]


@pytest.fixture
def supplier(make_enterprise):
    return make_enterprise("常州测试电芯有限公司")


@pytest.fixture
def buyer(make_enterprise):
    return make_enterprise("常州测试电池包有限公司")


@pytest.fixture
def supplier_manager(supplier, member_of):
    return member_of(supplier, "cells_mgr")


@pytest.fixture
def buyer_manager(buyer, member_of):
    return member_of(buyer, "pack_mgr")


@pytest.fixture
def cell(supplier, supplier_manager):
    from czesg.supplychain.actions import create_product

    return create_product(supplier, name="LFP cell 280Ah", declared_unit="kilogram",
                          cpc_code="46410", actor=supplier_manager)


@pytest.fixture
def published(cell, supplier_manager):
    """A published footprint of the cell (the carbon-engine fuels, 1000 kg made)."""
    from czesg.supplychain.actions import compute_product_footprint, publish_footprint

    draft = compute_product_footprint(cell, year=2024, output=1000.0, fuels=FUELS,
                                      actor=supplier_manager)
    return publish_footprint(draft.pk, actor=supplier_manager)


@pytest.fixture
def consent(supplier, buyer, supplier_manager):
    from czesg.supplychain.actions import grant_footprint_consent

    return grant_footprint_consent(supplier, buyer, actor=supplier_manager)


@pytest.fixture
def buyer_credentials(buyer, buyer_manager):
    from czesg.supplychain.actions import register_pact_client

    client, secret = register_pact_client(buyer, name="ERP", actor=buyer_manager)
    return client.client_id, secret


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def bearer(client, buyer_credentials):
    """An ``Authorization`` header value with a fresh access token of the buyer's client."""
    response = client.post("/pact/auth/token", {"grant_type": "client_credentials"},
                           HTTP_AUTHORIZATION=basic(*buyer_credentials))
    assert response.status_code == 200, response.content
    return "Bearer " + response.json()["access_token"]


@pytest.fixture
def partner_server():
    """A PACT partner on loopback (see ``partner_server.py``), stopped after the test."""
    from .partner_server import start

    holder: dict = {}
    server = start(holder)
    yield holder["partner"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def partner(buyer, buyer_manager, partner_server):
    """The buyer's connection to the loopback partner (its URL is the allowed event source)."""
    from czesg.supplychain.partners import register_pact_partner

    from .partner_server import CLIENT_ID, CLIENT_SECRET

    return register_pact_partner(buyer, name="Partner ERP", base_url=partner_server.url,
                                 client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                 actor=buyer_manager)
