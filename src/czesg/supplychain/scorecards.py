"""Supplier scorecards and the portfolio view of a buyer: what its suppliers shared under
consent (answers, assured values, footprints), their public rating, their green score when
shared, and a score by the buyer's own weighting (its latest version, else the default).

Only answers in force are read: a supplier's latest shared, not withdrawn answer to any of the
buyer's requests. Pages and the Excel export read this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from czesg.engine import procurement
from czesg.engine.catalogue import load_catalogue
from czesg.engine.rating.green import load_green_methodology
from czesg.enterprises.models import Enterprise
from czesg.ratings.models import GreenScore, Rating
from czesg.ratings.queries import latest_runs
from czesg.supplychain.models import (
    Footprint,
    FootprintConsent,
    FootprintState,
    RequestAnswer,
    RequestRecipient,
    RequestState,
    SupplierWeighting,
)
from czesg.web.language import language


@dataclass
class Scorecard:
    """One supplier's card: what it shared, its rating and green score, and its score."""

    recipient: RequestRecipient
    supplier: Enterprise
    tier: int
    asked: int
    answers: list[RequestAnswer]
    grade: str = ""
    rating_score: float | None = None
    green_score: float | None = None
    green_label: str = ""
    footprints: list[Footprint] = field(default_factory=list)
    products_asked: int = 0
    result: procurement.ScoreResult | None = None

    @property
    def assured(self) -> list[RequestAnswer]:
        """The answers whose disclosed value an independent verifier assured."""
        return [a for a in self.answers if a.is_assured]

    def components(self) -> dict[str, float | None]:
        """Each score component on 0-100 (None without data)."""
        return {
            "rating": self.rating_score,
            "green": self.green_score,
            "data": 100.0 * len(self.answers) / self.asked if self.asked else None,
            "assured": (100.0 * len(self.assured) / len(self.answers)) if self.answers else None,
            "footprint": (100.0 * len(self.footprints) / self.products_asked
                          if self.products_asked else None),
        }


def weighting_of(buyer: Enterprise) -> tuple[procurement.Weighting, SupplierWeighting | None]:
    """The weighting the buyer scores with: its latest stored version, else the default."""
    stored = SupplierWeighting.objects.filter(buyer=buyer).order_by("-version").first()
    if stored is None:
        return procurement.default_weighting(), None
    default = procurement.default_weighting()
    return procurement.Weighting(
        version=f"{buyer.uscc}/v{stored.version}",
        weights=tuple((name, float(stored.weights.get(name, 0.0)))
                      for name in procurement.COMPONENTS),
        provenance=default.provenance._replace(source=stored.note or "buyer's own weighting",
                                               confidence="buyer-choice"),
    ), stored


def shared_recipients(buyer: Enterprise) -> list[RequestRecipient]:
    """Each supplier's latest answer in force to the buyer's requests."""
    latest: dict[int, RequestRecipient] = {}
    for recipient in (RequestRecipient.objects
                      .filter(request__buyer=buyer, state=RequestState.SHARED)
                      .select_related("request", "supplier").order_by("answered_at", "id")):
        latest[recipient.supplier_id] = recipient
    return sorted(latest.values(), key=lambda r: (r.tier, r.supplier.name))


def scorecards(buyer: Enterprise) -> tuple[list[Scorecard], procurement.Weighting]:
    """The buyer's supplier scorecards, best score first, and the weighting used."""
    weighting, _ = weighting_of(buyer)
    recipients = shared_recipients(buyer)
    ids = [r.supplier_id for r in recipients]
    answers: dict[int, list[RequestAnswer]] = defaultdict(list)
    for answer in RequestAnswer.objects.filter(recipient__in=recipients).order_by("id"):
        answers[answer.recipient_id].append(answer)
    runs = list(latest_runs().values())
    ratings: dict[int, Rating] = {}
    for rating in Rating.objects.filter(run_id__in=runs, enterprise_id__in=ids).order_by(
            "year", "run_id"):
        ratings[rating.enterprise_id] = rating
    greens: dict[int, GreenScore] = {}
    for green in GreenScore.objects.filter(run_id__in=runs, enterprise_id__in=ids).order_by(
            "year", "run_id"):
        greens[green.enterprise_id] = green
    products: dict[int, list[int]] = defaultdict(list)  # product -> recipients
    for recipient_id, product_id in FootprintConsent.objects.filter(
            request_recipient__in=recipients, revoked_at__isnull=True,
    ).values_list("request_recipient_id", "product_id"):
        products[product_id].append(recipient_id)
    footprints: dict[int, list[Footprint]] = defaultdict(list)
    seen: set[int] = set()
    for fp in (Footprint.objects.filter(state=FootprintState.ACTIVE, product_id__in=products)
               .select_related("product").order_by("product_id", "-year", "-created_at")):
        if fp.product_id in seen:
            continue  # the product's latest published footprint only
        seen.add(fp.product_id)
        for recipient_id in products[fp.product_id]:
            footprints[recipient_id].append(fp)
    cards = []
    for recipient in recipients:
        card = Scorecard(recipient=recipient, supplier=recipient.supplier, tier=recipient.tier,
                         asked=len(recipient.request.indicators),
                         answers=answers.get(recipient.pk, []),
                         products_asked=len(recipient.request.products),
                         footprints=footprints.get(recipient.pk, []))
        rating = ratings.get(recipient.supplier_id)
        if rating is not None:
            card.grade, card.rating_score = rating.grade, rating.score
        green = greens.get(recipient.supplier_id)
        if green is not None and recipient.include_scores:
            labels = {b.key: b for b in load_green_methodology(green.methodology_version).labels}
            named = labels.get(green.label)
            card.green_score = green.score
            card.green_label = named.name(language()) if named else green.label
        card.result = procurement.score_supplier(card.components(), weighting)
        cards.append(card)
    cards.sort(key=lambda c: (-(c.result.score if c.result else 0), c.supplier.name))
    return cards, weighting


@dataclass(frozen=True)
class Portfolio:
    """Shares of the buyer's suppliers with data and with assured data, overall and per tier."""

    rows: tuple[tuple[str, int, int, int], ...]
    """``(tier label "1", "2" or "all", suppliers asked, with data, with assured data)``."""

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        """``part`` as a percentage of ``whole`` (None when nobody was asked)."""
        return round(100.0 * part / whole, 1) if whole else None


def portfolio(buyer: Enterprise, cards: list[Scorecard]) -> Portfolio:
    """The portfolio of every supplier the buyer asked (by credit code, at its latest tier)."""
    tiers: dict[str, int] = {}
    for uscc, tier in (RequestRecipient.objects.filter(request__buyer=buyer)
                       .order_by("request__created_at", "id").values_list("uscc", "tier")):
        tiers[uscc] = tier
    with_data = {c.supplier.uscc for c in cards if c.answers}
    assured = {c.supplier.uscc for c in cards if c.assured}
    rows = []
    for label, members in (("1", [u for u, t in tiers.items() if t == 1]),
                           ("2", [u for u, t in tiers.items() if t == 2]),
                           ("all", list(tiers))):
        rows.append((label, len(members), len(with_data & set(members)),
                     len(assured & set(members))))
    return Portfolio(tuple(rows))


def answer_rows(cards: list[Scorecard], language: str) -> list[dict[str, Any]]:
    """The shared answers of every card, with the indicator's name in the language."""
    catalogue = load_catalogue()
    rows = []
    for card in cards:
        for answer in card.answers:
            indicator = catalogue.get(answer.indicator_code)
            rows.append({"card": card, "answer": answer, "name": indicator.name(language),
                         "value": answer.value_bool if answer.value_bool is not None
                         else answer.value_number})
    return rows
