"""The pages of buyers' requests: the buyer sends, the supplier answers pre-filled and consents
or declines, the buyer reads the scorecards (reads logged) and exports them; others see nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from czesg.supplychain.models import RequestRead, RequestRecipient, RequestState, SupplierRequest

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send_by_page(buyer, buyer_manager, supplier, **extra):
    data = {"template": "battery", "title": "2024 电芯ESG数据", "year": "2024",
            "indicators": ["E-GHG-02", "E-WAT-01", "G-GOV-06"],
            "suppliers": f"{supplier.uscc}, 1\n", "products": "LFP cell\n",
            "due_date": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
            "include_scores": "on", "message": ""}
    data.update(extra)
    return signed_in(buyer_manager).post(f"/enterprises/{buyer.uscc}/supplier-requests/", data)


def test_request_answer_and_scorecard(buyer, buyer_manager, supplier, supplier_manager,
                                      published, fill_basic):
    from czesg.disclosures import actions as disclosures

    draft = disclosures.start_disclosure(supplier, 2024, actor=supplier_manager)
    fill_basic(draft, supplier_manager)
    disclosures.submit_disclosure(draft, actor=supplier_manager)
    disclosures.publish_disclosure(draft, actor=supplier_manager)

    response = send_by_page(buyer, buyer_manager, supplier)
    sent = SupplierRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/supplier-requests/{sent.pk}/")
    status = signed_in(buyer_manager).get(response["Location"]).content.decode()
    assert f'data-uscc="{supplier.uscc}" data-state="open"' in status

    supplier_client = signed_in(supplier_manager)
    inbox = supplier_client.get(f"/enterprises/{supplier.uscc}/buyer-requests/").content.decode()
    recipient = RequestRecipient.objects.get()
    assert f'data-recipient="{recipient.pk}" data-state="open"' in inbox
    page_url = f"/enterprises/{supplier.uscc}/buyer-requests/{recipient.pk}/"
    page = supplier_client.get(page_url).content.decode()
    assert 'name="answer-E-GHG-02" id="answer-E-GHG-02" value="300.0"' in page  # pre-filled
    assert 'name="answer-E-WAT-01" id="answer-E-WAT-01" value="15000.0"' in page

    refused = supplier_client.post(page_url, {"answer": "1", "answer-E-GHG-02": "300.0"})
    assert refused.status_code == 200 and 'id="answer-error"' in refused.content.decode()
    assert RequestRecipient.objects.get().state == RequestState.OPEN

    response = supplier_client.post(page_url, {
        "answer": "1", "answer-E-GHG-02": "300.0", "answer-E-WAT-01": "15000.0",
        "answer-G-GOV-06": "yes", "product-0": str(published.product.uuid), "consent": "on"})
    assert response.status_code == 302
    assert RequestRecipient.objects.get().state == RequestState.SHARED

    buyer_client = signed_in(buyer_manager)
    cards = buyer_client.get(f"/enterprises/{buyer.uscc}/suppliers/").content.decode()
    assert f'data-uscc="{supplier.uscc}"' in cards
    assert '<td class="num answered">3 / 3</td>' in cards
    assert "LFP cell 280Ah: " in cards
    # not rated: 0.2 * 100 (answered) + 0.15 * 100 (one product asked, shared) = 35
    assert '<td class="num score">35.00</td>' in cards
    export = buyer_client.get(f"/enterprises/{buyer.uscc}/suppliers/export.xlsx")
    book = load_workbook(io.BytesIO(export.content))
    row = [c.value for c in book["评分卡 Scorecards"][3]]
    assert row[0] == supplier.uscc and row[9] == 35
    assert [c.value for c in book["组合 Portfolio"][3]][:4] == ["1", 1, 1, 0]
    assert list(RequestRead.objects.order_by("id").values_list("channel", flat=True)) == [
        "page", "export"]
    reads = supplier_client.get(page_url).content.decode()
    # the supplier sees both reads, named (the page is in Chinese first)
    assert "供应商评分卡" in reads and "评分卡 Excel 导出" in reads
    assert 'id="withdraw-form"' in reads


def test_bad_supplier_line_is_named(buyer, buyer_manager, supplier):
    response = send_by_page(buyer, buyer_manager, supplier,
                            suppliers=f"{supplier.uscc}\n91320400ABCDEFGHIJ\n")
    assert response.status_code == 200
    assert not SupplierRequest.objects.exists()
    text = response.content.decode()
    assert 'id="request-error"' in text and "91320400ABCDEFGHIJ" in text


def test_decline_by_page(buyer, buyer_manager, supplier, supplier_manager):
    send_by_page(buyer, buyer_manager, supplier)
    recipient = RequestRecipient.objects.get()
    url = f"/enterprises/{supplier.uscc}/buyer-requests/{recipient.pk}/"
    signed_in(supplier_manager).post(url, {"decline": "1", "reason": "涉及商业秘密"})
    recipient.refresh_from_db()
    assert (recipient.state, recipient.decline_reason) == ("declined", "涉及商业秘密")
    status = signed_in(buyer_manager).get(
        f"/enterprises/{buyer.uscc}/supplier-requests/{recipient.request_id}/").content.decode()
    assert "涉及商业秘密" in status


def test_others_see_nothing(buyer, buyer_manager, supplier, supplier_manager, make_enterprise,
                            member_of):
    send_by_page(buyer, buyer_manager, supplier)
    recipient = RequestRecipient.objects.get()
    stranger = signed_in(member_of(make_enterprise("旁观者有限公司"), "stranger"))
    for url in (f"/enterprises/{buyer.uscc}/supplier-requests/",
                f"/enterprises/{buyer.uscc}/supplier-requests/{recipient.request_id}/",
                f"/enterprises/{buyer.uscc}/suppliers/",
                f"/enterprises/{buyer.uscc}/suppliers/export.xlsx",
                f"/enterprises/{buyer.uscc}/suppliers/weighting/",
                f"/enterprises/{supplier.uscc}/buyer-requests/",
                f"/enterprises/{supplier.uscc}/buyer-requests/{recipient.pk}/"):
        assert stranger.get(url).status_code == 404, url
    # the supplier cannot open the buyer's request through its own enterprise's address
    other = signed_in(supplier_manager)
    assert other.get(f"/enterprises/{buyer.uscc}/supplier-requests/").status_code == 404


def test_weighting_page_saves_versions(buyer, buyer_manager):
    client = signed_in(buyer_manager)
    url = f"/enterprises/{buyer.uscc}/suppliers/weighting/"
    bad = client.post(url, {"rating": "0.5", "green": "0.4", "data": "0", "assured": "0",
                            "footprint": "0"})
    assert 'id="weighting-error"' in bad.content.decode()
    good = client.post(url, {"rating": "0.5", "green": "0.5", "data": "0", "assured": "0",
                             "footprint": "0", "note": "采购部"})
    assert good.status_code == 302
    assert f"{buyer.uscc}/v1" in client.get(url).content.decode()
