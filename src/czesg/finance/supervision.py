"""The supervision view of green finance (government users, financial regulators): green loans
granted through the platform by bank, product, district and industry; how requests were matched
and how long the first offer took; rate discounts and granted rates by carbon-efficiency label
and green-score label.

A *green loan* is a request whose loan was granted and whose project is green: identified as a
green category of the green finance project catalogue, or, while nobody has identified it, named
with a green purpose (counted apart as *by declared purpose*). The balance is the amount granted
(the platform records no repayments). Everything is read in a fixed number of queries.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from czesg.accounts.models import Role
from czesg.accounts.permissions import is_authenticated
from czesg.engine.finance.eligibility import (
    GREEN_LABELS,
    check_discounts,
    discount_for,
    load_purposes,
)
from czesg.engine.finance.labels import load_label_methodology
from czesg.engine.kernel.errors import PermissionRefused, gettext_noop
from czesg.engine.plan import load_city_profile
from czesg.finance.models import (
    CarbonLabel,
    FinancingRequest,
    Recipient,
    RecipientState,
    RequestState,
)
from czesg.finance.queries import VALUE_NAMES
from czesg.ratings.models import GreenScore

SUPERVISORS = (Role.GOVERNMENT, Role.PLATFORM_ADMIN, Role.REGULATOR)
BREAKDOWNS = ("bank", "product", "district", "industry")


def may_supervise(user) -> bool:
    """Whether the user sees the supervision view (government, regulator, platform admin)."""
    return is_authenticated(user) and user.role in SUPERVISORS


def require_supervisor(user) -> None:
    """Refuse anyone but government users, financial regulators and platform administrators."""
    if not may_supervise(user):
        raise PermissionRefused(gettext_noop("Only government users and financial regulators "
                                             "see the supervision of green finance."))


@dataclass
class Cell:
    """A group's green loans: how many and the amount granted (10k CNY)."""

    key: str
    name: str
    count: int = 0
    balance: Decimal = Decimal("0")


@dataclass
class RateCell:
    """A group's granted loans: how many, mean granted rate (%) and mean discount (bps)."""

    key: str
    name: str
    rates: list[float] = field(default_factory=list)
    discounts: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many loans the group holds."""
        return len(self.rates)

    @property
    def mean_rate(self) -> float | None:
        """The mean granted rate in percent (None without loans)."""
        return round(statistics.fmean(self.rates), 3) if self.rates else None

    @property
    def mean_discount(self) -> float | None:
        """The mean discount in basis points the product's table gives (None without loans)."""
        return round(statistics.fmean(self.discounts), 1) if self.discounts else None


@dataclass
class Supervision:
    """Every figure of the supervision view."""

    green_count: int = 0
    green_balance: Decimal = Decimal("0")
    by_declared_purpose: int = 0
    granted_not_green: int = 0
    breakdowns: dict[str, list[Cell]] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    first_offer_days_median: float | None = None
    first_offer_days_mean: float | None = None
    by_carbon_label: list[RateCell] = field(default_factory=list)
    by_green_label: list[RateCell] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The headline figures (for the 2027 target panel and the API)."""
        return {"green_loans": self.green_count, "green_balance": str(self.green_balance),
                "requests": self.requests["total"], "matched": self.requests["matched"],
                "granted": self.requests["granted"],
                "first_offer_days_median": self.first_offer_days_median}


def _names(lang: str) -> dict[str, Any]:
    profile = load_city_profile()

    def district(code: str) -> str:
        try:
            return profile.district(code).name(lang)
        except KeyError:
            return code

    def industry(code: str) -> str:
        try:
            return f"{code} {profile.industry(code).name(lang)}"
        except (KeyError, ValueError):
            return code

    return {"district": district, "industry": industry}


def _latest(model, ids: set[int], *fields: str) -> dict[int, tuple]:
    """The latest row (by year, then newest) of each enterprise among ``ids``."""
    order = ["enterprise_id", "-year", "-pk"]
    found: dict[int, tuple] = {}
    for row in (model.objects.filter(enterprise_id__in=ids).order_by(*order)
                .values_list("enterprise_id", *fields)):
        found.setdefault(row[0], row[1:])
    return found


def supervision(lang: str = "zh-hans") -> Supervision:
    """The supervision figures over every request on the platform (six queries)."""
    purposes = load_purposes()
    result = Supervision()
    rows = list(FinancingRequest.objects.values_list(
        "pk", "state", "created_at", "purpose", "granted_amount", "granted_rate",
        "enterprise_id", "enterprise__division_code", "enterprise__industry_code",
        "identification__green"))
    answers: dict[int, list[tuple]] = defaultdict(list)
    for answer in Recipient.objects.values_list(
            "request_id", "state", "answered_at", "bank__organisation", "bank__username",
            "product__name", "product__discounts"):
        answers[answer[0]].append(answer[1:])
    granted_ids = {r[6] for r in rows if r[1] == RequestState.GRANTED}
    scores = _latest(GreenScore, granted_ids, "score", "label")
    labels = _latest(CarbonLabel, granted_ids, "label")
    names = _names(lang)
    groups: dict[str, dict[str, Cell]] = {by: {} for by in BREAKDOWNS}
    by_carbon: dict[str, RateCell] = {}
    by_green: dict[str, RateCell] = {}
    carbon_names = {b.key: b.name(lang) for b in load_label_methodology().labels}
    waits: list[float] = []
    counts = dict.fromkeys(("total", "matched", "accepted", "granted", "open", "withdrawn"), 0)
    for pk, state, created, purpose, amount, rate, enterprise, district, industry, green in rows:
        counts["total"] += 1
        counts[state if state in counts else "open"] += 1
        if state == RequestState.GRANTED:
            counts["accepted"] += 1
        offered = [a for a in answers[pk] if a[0] in (
            RecipientState.OFFERED, RecipientState.ACCEPTED, RecipientState.NOT_CHOSEN)
            and a[1] is not None]
        if offered:
            counts["matched"] += 1
            first = min(a[1] for a in offered)
            waits.append((first - created).total_seconds() / 86400)
        if state != RequestState.GRANTED:
            continue
        if green is None:
            green = purposes[purpose].green if purpose in purposes else False
            result.by_declared_purpose += int(green)
        chosen = next((a for a in answers[pk] if a[0] == RecipientState.ACCEPTED), None)
        if chosen is None:
            continue
        score, green_label = scores.get(enterprise, (None, ""))
        discount = discount_for(check_discounts(chosen[5] or []), score)
        for table, key, name in (
                (by_carbon, labels.get(enterprise, ("",))[0],
                 carbon_names.get(labels.get(enterprise, ("",))[0], "")),
                (by_green, green_label, str(VALUE_NAMES.get(green_label, green_label)))):
            cell = table.setdefault(key, RateCell(key, name))
            cell.rates.append(float(rate or 0))
            cell.discounts.append(discount)
        if not green:
            result.granted_not_green += 1
            continue
        result.green_count += 1
        result.green_balance += amount or Decimal("0")
        bank = chosen[2] or chosen[3]
        for by, key, name in (
                ("bank", bank, bank), ("product", f"{bank}: {chosen[4]}" if chosen[4] else bank,
                                      f"{bank}: {chosen[4]}" if chosen[4] else bank),
                ("district", district, names["district"](district)),
                ("industry", industry[:3], names["industry"](industry[:3]))):
            cell = groups[by].setdefault(key, Cell(key, name))
            cell.count += 1
            cell.balance += amount or Decimal("0")
    result.requests = counts
    result.breakdowns = {by: sorted(cells.values(), key=lambda c: (-c.balance, c.key))
                         for by, cells in groups.items()}
    if waits:
        result.first_offer_days_median = round(statistics.median(waits), 2)
        result.first_offer_days_mean = round(statistics.fmean(waits), 2)
    carbon_order = [*carbon_names, ""]
    green_order = [*GREEN_LABELS, ""]
    result.by_carbon_label = sorted(by_carbon.values(), key=lambda c: carbon_order.index(c.key)
                                    if c.key in carbon_order else len(carbon_order))
    result.by_green_label = sorted(by_green.values(), key=lambda c: green_order.index(c.key)
                                   if c.key in green_order else len(green_order))
    return result
