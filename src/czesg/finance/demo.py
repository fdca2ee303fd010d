"""Green finance in the demo: two banks with three products each, five financing requests in
different states and a loan book of 2,000 exposures over the synthetic enterprises, all made
through the finance actions, once (a second load adds nothing)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
from django.utils import timezone

from czesg.disclosures.models import Disclosure, State
from czesg.enterprises.models import Enterprise
from czesg.finance import actions, queries
from czesg.finance.loanbook import import_loan_book
from czesg.finance.models import FinancingRequest, LoanBook, Product

DEMO_EXPOSURES = 2000
DISCOUNTS = [{"min_score": 80, "bps": 30}, {"min_score": 60, "bps": 20},
             {"min_score": 40, "bps": 10}]
# Per bank: name, English name, kind, amount range (10k CNY), term range (months), rules.
PRODUCTS: dict[str, list[tuple[str, str, str, tuple[int, int], tuple[int, int], list]]] = {
    "bank": [
        ("常绿贷（演示）", "Changlv loan (demo)", "changlv", (50, 2000), (6, 36), []),
        ("环保贷（演示）", "Environmental loan (demo)", "environmental", (50, 3000), (12, 60),
         [{"figure": "purpose", "any_of": ["environmental_protection", "resource_recycling"]}]),
        ("苏碳融（演示）", "Sutanrong (demo)", "sutanrong", (100, 5000), (12, 60),
         [{"figure": "purpose", "any_of": ["energy_saving", "clean_energy"]}]),
    ],
    "bank2": [
        ("节水贷（演示）", "Water-saving loan (demo)", "water_saving", (30, 1000), (6, 36),
         [{"figure": "purpose", "any_of": ["environmental_protection", "ecological"]}]),
        ("水权贷（演示）", "Water-rights loan (demo)", "water_rights", (30, 800), (6, 36),
         [{"figure": "size_class", "any_of": ["medium", "small", "micro"]}]),
        ("常绿贷·科创（演示）", "Changlv loan for innovators (demo)", "changlv", (10, 1500),
         (3, 60), []),
    ],
}
# The five requests: who asks, amount, term, purpose, project, and how far it goes.
REQUESTS = [
    ("sme", "200", "24", "energy_saving", "空压机变频节能改造（演示）", "granted"),
    ("listed", "1500", "36", "clean_energy", "厂房屋顶分布式光伏 5 MW（演示）", "accepted"),
    ("sme", "100", "12", "environmental_protection", "废水处理设施升级（演示）", "offered"),
    ("listed", "500", "24", "resource_recycling", "废旧电池回收产线（演示）", "open"),
    ("sme", "80", "12", "other", "流动资金周转（演示）", "withdrawn"),
]


def load_finance_demo(users: dict[str, Any]) -> dict[str, int]:
    """Products, requests and the loan book of the demo banks (once); the counts made."""
    made = {"products": 0, "requests": 0, "exposures": 0}
    if "bank" not in users or "bank2" not in users:
        return made
    if not Product.objects.filter(bank=users["bank"]).exists():
        for bank in ("bank", "bank2"):
            for name, name_en, kind, amounts, terms, rules in PRODUCTS[bank]:
                actions.publish_product(
                    name=name, name_en=name_en, kind=kind, min_amount=amounts[0],
                    max_amount=amounts[1], min_term_months=terms[0], max_term_months=terms[1],
                    rules=rules, discounts=DISCOUNTS, actor=users[bank],
                    description="演示产品（合成数据）")
                made["products"] += 1
    if not FinancingRequest.objects.filter(project__endswith="（演示）").exists():
        made["requests"] = sum(_request(users, *spec) for spec in REQUESTS)
    made["exposures"] = _loan_book(users["bank"])
    return made


def _request(users: dict[str, Any], who: str, amount: str, term: str, purpose: str,
             project: str, fate: str) -> int:
    membership = users[who].memberships.first() if who in users else None
    if membership is None:
        return 0
    enterprise = membership.enterprise
    verdicts = [v for v in queries.verdicts(enterprise, purpose=purpose, amount=int(amount),
                                            term_months=int(term)) if v.eligible]
    banks = [users[b] for b in ("bank", "bank2")
             if any(v.product.bank_id == users[b].pk for v in verdicts)]
    if not banks:
        return 0
    request = actions.submit_request(enterprise, amount=amount, term_months=term,
                                     purpose=purpose, project=project, banks=banks,
                                     actor=users[who])
    if fate == "withdrawn":
        actions.withdraw_request(request, actor=users[who])
        return 1
    if fate == "open":
        return 1
    lender = banks[0]
    product = next(v.product for v in verdicts if v.product.bank_id == lender.pk)
    offer = actions.make_offer(request, amount=amount, rate="3.15", product=product,
                               conditions="演示：按月付息，到期还本", actor=lender)
    if len(banks) > 1:
        actions.decline_request(request, reason="演示：额度已用满", actor=banks[1])
    if fate == "offered":
        return 1
    actions.accept_offer(offer, actor=users[who])
    if fate == "granted":
        actions.record_outcome(request, granted_amount=amount, granted_rate="3.15",
                               granted_on=timezone.localdate(), actor=lender)
        actions.identify_project(request, code=purpose, actor=lender,
                                 evidence="演示：可行性研究报告与设备采购合同")
    return 1


def _loan_book(bank) -> int:
    """The demo bank's loan book of the latest published year: 2,000 exposures spread over the
    synthetic enterprises (seeded amounts), imported as a CSV through the loan-book action."""
    year = (Disclosure.objects.filter(state=State.PUBLISHED).order_by("-year")
            .values_list("year", flat=True).first())
    if year is None or LoanBook.objects.filter(bank=bank, year=year).exists():
        return 0
    codes = list(Enterprise.objects.filter(is_synthetic=True).order_by("uscc")
                 .values_list("uscc", flat=True))
    if not codes:
        return 0
    rng = np.random.default_rng(2026)
    amounts = np.round(rng.lognormal(mean=15.5, sigma=1.0, size=DEMO_EXPOSURES), 2)
    instruments = ("流动资金贷款", "项目贷款", "固定资产贷款", "贸易融资")
    as_of = dt.date(year, 12, 31).isoformat()
    lines = ["exposure,uscc,instrument,outstanding,currency,as_of"]
    for index in range(DEMO_EXPOSURES):
        lines.append(f"DEMO-{year}-{index + 1:05d},{codes[index % len(codes)]},"
                     f"{instruments[index % len(instruments)]},{amounts[index]:.2f},CNY,{as_of}")
    book = import_loan_book(io.BytesIO(("\n".join(lines) + "\n").encode()),
                            f"demo-loan-book-{year}.csv", year=year, actor=bank)
    return book.exposures.count()
