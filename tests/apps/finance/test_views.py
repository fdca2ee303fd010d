"""The finance pages and API: what each person sees and the steps they take through the pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from czesg.finance.models import FinancingRequest, Product

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bank_publishes_a_product_through_the_page(bank_a):
    client = signed_in(bank_a)
    response = client.post("/finance/products/", {
        "verb": "publish", "name": "环保贷", "kind": "environmental", "min_amount": "10",
        "max_amount": "500", "min_term_months": "12", "max_term_months": "60",
        "min_green_score": "50", "min_rating_grade": "BBB", "industries": "C38, C26",
        "size_classes": ["small", "micro"], "discounts": "80:30\n65:15"})
    assert response.status_code == 302
    product = Product.objects.get()
    assert product.rules == [{"figure": "green_score", "min": 50.0},
                             {"figure": "rating_grade", "min": "BBB"},
                             {"figure": "industry", "any_of": ["C38", "C26"]},
                             {"figure": "size_class", "any_of": ["small", "micro"]}]
    assert product.discounts == [{"min_score": 80.0, "bps": 30}, {"min_score": 65.0, "bps": 15}]
    page = client.get("/finance/products/").content.decode()
    assert "环保贷" in page and "≥ 80: −30 bp" in page
    assert "常绿分 ≥ 50.0; ESG 评级等级 ≥ BBB; 行业 ∈ C38, C26; 企业规模 ∈ 小型, 微型" in page


def test_bad_product_input_is_named_on_the_page(bank_a):
    response = signed_in(bank_a).post("/finance/products/", {
        "verb": "publish", "name": "环保贷", "kind": "environmental", "min_amount": "-10",
        "max_amount": "500", "min_term_months": "12", "max_term_months": "60",
        "discounts": ""})
    assert response.status_code == 200
    assert 'id="product-error"' in response.content.decode()
    assert Product.objects.count() == 0


def test_non_banks_cannot_publish(alice):
    response = signed_in(alice).post("/finance/products/", {"verb": "publish", "name": "x"})
    assert response.status_code == 404 and Product.objects.count() == 0


def test_enterprise_sees_products_and_why_not(rated_a, alice, product, bank_b):
    product()
    product(bank=bank_b, name="节水贷", kind="water_saving",
            rules=[{"figure": "size_class", "any_of": ["large"]}])
    page = signed_in(alice).get(f"/enterprises/{rated_a.uscc}/financing/").content.decode()
    rows = dict(re.findall(r'data-product="\d+" data-eligible="(\w+)"><td>[^<]*</td><td>([^<]*)<',
                           page))
    assert rows == {"yes": "常绿贷", "no": "节水贷"}
    assert "规模" in page or "Size class" in page
    # Only banks with a qualifying product are offered in the request form.
    form = page.split('id="request-form"')[1]
    assert "甲银行常州分行" in form and "乙银行常州分行" not in form


def test_request_posted_through_the_page_reaches_only_the_chosen_bank(rated_a, alice, bank_a,
                                                                      bank_b, product):
    product()
    product(bank=bank_b, name="环保贷", kind="environmental")
    response = signed_in(alice).post(f"/enterprises/{rated_a.uscc}/financing/", {
        "amount": "300", "term_months": "12", "purpose": "clean_energy",
        "project": "分布式光伏", "banks": [str(bank_a.pk)]})
    request = FinancingRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/finance/requests/{request.pk}/"
    assert signed_in(bank_a).get("/finance/requests/").content.decode().count(
        f'data-request="{request.pk}"') == 1
    assert f'data-request="{request.pk}"' not in signed_in(bank_b).get(
        "/finance/requests/").content.decode()
    assert signed_in(bank_b).get(f"/finance/requests/{request.pk}/").status_code == 404


def test_offer_and_accept_through_the_pages(sent, alice, bank_a, bank_b):
    bank = signed_in(bank_a)
    assert 'id="offer-form"' in bank.get(f"/finance/requests/{sent.pk}/").content.decode()
    bank.post(f"/finance/requests/{sent.pk}/act/", {"verb": "offer", "amount": "150",
                                                    "rate": "3.2", "conditions": "无"})
    page = signed_in(alice).get(f"/finance/requests/{sent.pk}/").content.decode()
    offer = sent.recipients.get(bank=bank_a)
    assert f'data-recipient="{offer.pk}" data-state="offered"' in page
    signed_in(alice).post(f"/finance/requests/{sent.pk}/act/", {"verb": "accept",
                                                                "recipient": offer.pk})
    sent.refresh_from_db()
    assert sent.state == "accepted"
    # bank B's answer form is gone and its late offer is refused with a message
    late = signed_in(bank_b)
    late.post(f"/finance/requests/{sent.pk}/act/", {"verb": "offer", "amount": "100",
                                                    "rate": "3"})
    page = late.get(f"/finance/requests/{sent.pk}/").content.decode()
    assert 'id="act-error"' in page and 'id="offer-form"' not in page


def test_api_scopes_requests_and_eligibility(sent, alice, bank_a, bob, make_user):
    from czesg.accounts.models import Role

    assert [r["id"] for r in signed_in(bank_a).get("/api/v1/finance/requests").json()[
        "items"]] == [sent.pk]
    outsider = make_user("bank_c", Role.BANK)
    assert signed_in(outsider).get("/api/v1/finance/requests").json()["items"] == []
    assert signed_in(outsider).get(f"/api/v1/finance/requests/{sent.pk}").status_code == 404
    body = signed_in(alice).get(f"/api/v1/finance/enterprises/{sent.enterprise.uscc}/"
                                "eligibility").json()
    assert [v["eligible"] for v in body["items"]] == [True, True]
    assert signed_in(bob).get(f"/api/v1/finance/enterprises/{sent.enterprise.uscc}/"
                              "eligibility").status_code == 404
    products = signed_in(bob).get("/api/v1/finance/products").json()["items"]
    assert [p["name"] for p in products] == ["环保贷", "常绿贷"]  # 乙 sorts before 甲
