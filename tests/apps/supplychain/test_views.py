"""The supply-chain pages: a manager adds a product, computes and publishes its footprint,
registers a PACT client (secret shown once) and shares footprints; others see nothing."""

from __future__ import annotations

import re

import pytest

from czesg.supplychain.models import Footprint, FootprintConsent, PactClient, Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, supplier_manager):
    client.force_login(supplier_manager)
    return client


def test_manager_adds_product_and_computes_and_publishes(signed_in, supplier):
    base = f"/enterprises/{supplier.uscc}/products/"
    response = signed_in.post(base, {"name": "Cell", "declared_unit": "kilogram",
                                     "cpc_code": "46410"})
    product = Product.objects.get(name="Cell")
    assert response.status_code == 302
    page = f"{base}{product.uuid}/"
    response = signed_in.post(page, {
        "year": "2024", "output": "1000", "exempted_percent": "0", "geography": "CN-JS",
        "fuel-0-activity": "electricity", "fuel-0-quantity": "100000", "fuel-0-unit": "kWh",
        "fuel-0-share": "0.5", "fuel-0-stage": "energy",
    })
    fp = Footprint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/footprints/{fp.pk}/")
    shown = signed_in.get(response["Location"]).content.decode()
    assert 'data-value="28.885"' in shown and 'id="publish"' in shown
    signed_in.post(f"/enterprises/{supplier.uscc}/footprints/{fp.pk}/publish/")
    fp.refresh_from_db()
    assert fp.state == "Active"
    listing = signed_in.get(base).content.decode()
    assert "28.885" in listing


def test_bad_rows_are_named_and_nothing_is_written(signed_in, supplier, cell):
    page = f"/enterprises/{supplier.uscc}/products/{cell.uuid}/"
    response = signed_in.post(page, {
        "year": "2024", "output": "10", "exempted_percent": "0", "geography": "CN-JS",
        "fuel-1-activity": "electricity", "fuel-1-quantity": "abc", "fuel-1-unit": "kWh",
        "material-0-name": "glue", "material-0-quantity": "1", "material-0-unit": "kg",
    }, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-table="fuels" data-row="2" data-column="quantity"' in text
    assert "needs either its supplier" in text
    assert not Footprint.objects.exists()


def test_client_secret_is_shown_once(signed_in, supplier):
    page = f"/enterprises/{supplier.uscc}/pact/"
    response = signed_in.post(page, {"register": "1", "name": "Buyer ERP"})
    text = response.content.decode()
    secret = re.search(r'id="client-secret">([^<]+)<', text).group(1)
    client_row = PactClient.objects.get()
    assert client_row.check_secret(secret)
    assert secret not in signed_in.get(page).content.decode()


def test_consent_by_credit_code(signed_in, supplier, buyer):
    page = f"/enterprises/{supplier.uscc}/pact/"
    response = signed_in.post(page, {"share": "1", "recipient": buyer.uscc, "product": ""})
    assert response.status_code == 302
    assert FootprintConsent.objects.get().recipient == buyer
    unknown = signed_in.post(page, {"share": "1", "recipient": "91320411XXXXXXXXXX"},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert "No enterprise has the credit code" in unknown.content.decode()


def test_other_users_see_nothing(client, supplier, buyer_manager, cell):
    client.force_login(buyer_manager)
    for path in (f"/enterprises/{supplier.uscc}/products/",
                 f"/enterprises/{supplier.uscc}/products/{cell.uuid}/",
                 f"/enterprises/{supplier.uscc}/pact/"):
        assert client.get(path).status_code == 404


def test_pages_are_in_chinese_first(signed_in, supplier, cell):
    text = signed_in.get(f"/enterprises/{supplier.uscc}/products/{cell.uuid}/",
                         HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "计算碳足迹（从摇篮到大门，GB/T 24067-2024）" in text
    assert "尚未录入带来源的次级原材料因子" in text
