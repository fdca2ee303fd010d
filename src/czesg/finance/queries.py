"""The reads of green finance that pages, the API and actions share: an enterprise's platform
figures, its verdict against every product on offer (with the reasons it does not qualify), the
requests and answers each user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from czesg.engine.catalogue import load_catalogue
from czesg.engine.finance.eligibility import (
    Failure,
    check_discounts,
    check_rules,
    discount_for,
    evaluate,
    load_purposes,
)
from czesg.engine.finance.labels import load_label_methodology
from czesg.engine.finance.targets import TargetSpec, progress
from czesg.finance.models import CarbonLabel, FinancingRequest, Product, Recipient, Target
from czesg.ratings.models import GreenScore, Rating
from czesg.records.known import known_figures
from czesg.web.language import language

FIGURE_NAMES = {
    "green_score": gettext_lazy("Green score"),
    "green_label": gettext_lazy("Green label"),
    "rating_grade": gettext_lazy("ESG rating grade"),
    "carbon_label": gettext_lazy("Carbon-efficiency label"),
    "industry": gettext_lazy("Industry"),
    "size_class": gettext_lazy("Size class"),
    "purpose": gettext_lazy("Purpose"),
}
VALUE_NAMES = {
    "dark_green": gettext_lazy("Dark green"), "mid_green": gettext_lazy("Mid green"),
    "light_green": gettext_lazy("Light green"), "not_green": gettext_lazy("Not green"),
    "yellow": gettext_lazy("Yellow"), "red": gettext_lazy("Red"),
    "large": gettext_lazy("Large"), "medium": gettext_lazy("Medium"),
    "small": gettext_lazy("Small"), "micro": gettext_lazy("Micro"),
}


def figures_of(enterprise) -> dict[str, Any]:
    """The platform's figures of an enterprise that product rules may name."""
    figures: dict[str, Any] = {"industry": enterprise.industry_code,
                               "size_class": enterprise.size_class}
    green = (GreenScore.objects.filter(enterprise=enterprise)
             .order_by("-year", "-run__finished_at", "-run_id").first())
    if green is not None:
        figures["green_score"] = green.score
        figures["green_label"] = green.label
    rating = (Rating.objects.filter(enterprise=enterprise)
              .order_by("-year", "-run__finished_at", "-run_id").first())
    if rating is not None:
        figures["rating_grade"] = rating.grade
    label = carbon_label_of(enterprise)
    if label is not None:
        figures["carbon_label"] = label.label
    return figures


def carbon_label_of(enterprise) -> CarbonLabel | None:
    """The enterprise's latest carbon-efficiency label (latest year, then latest computation)."""
    return (CarbonLabel.objects.filter(enterprise=enterprise)
            .order_by("-year", "-computed_at", "-pk").first())


def value_text(figure: str, value: Any) -> str:
    """A figure's value as a reader sees it (labels and purposes by name)."""
    if value is None or value == "":
        return gettext("not known")
    if figure == "purpose":
        purpose = load_purposes().get(str(value))
        return purpose.name(language()) if purpose else str(value)
    if figure == "carbon_label":
        bands = {b.key: b for b in load_label_methodology().labels}
        if str(value) in bands:
            return bands[str(value)].name(language())
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(VALUE_NAMES.get(str(value), value))


def rule_text(rule: dict[str, Any]) -> str:
    """A stored product rule as a reader sees it (figure and values by name)."""
    figure = str(rule.get("figure", ""))
    name = FIGURE_NAMES.get(figure, figure)
    if "any_of" in rule:
        return f"{name} ∈ " + ", ".join(value_text(figure, v) for v in rule["any_of"])
    op = "≥" if "min" in rule else "≤"
    return f"{name} {op} {value_text(figure, rule.get('min', rule.get('max')))}"


def reason_text(failure: Failure) -> str:
    """Why a rule excludes the enterprise, as one translated sentence."""
    rule = failure.rule
    params = {"figure": FIGURE_NAMES[rule.figure],
              "actual": value_text(rule.figure, failure.actual)}
    if failure.actual is None:
        return gettext("%(figure)s is not known for your enterprise yet.") % params
    if rule.op == "any_of":
        params["required"] = ", ".join(value_text(rule.figure, v) for v in rule.value)
        return gettext("%(figure)s must be one of %(required)s; yours is %(actual)s.") % params
    params["required"] = value_text(rule.figure, rule.value)
    if rule.op == "min":
        return gettext("%(figure)s must be at least %(required)s; yours is %(actual)s.") % params
    return gettext("%(figure)s must be at most %(required)s; yours is %(actual)s.") % params


@dataclass
class Verdict:
    """A product and whether the enterprise qualifies, with the reasons it does not."""

    product: Product
    reasons: list[str] = field(default_factory=list)
    discount_bps: int = 0

    @property
    def eligible(self) -> bool:
        """Whether no rule, amount or term excludes the enterprise."""
        return not self.reasons


# A product's rules and discounts, checked once per process: they never change after the
# product is published (a bank withdraws a product and publishes another), and checking them for
# every product on every page was a third of an enterprise's verdicts (`czesg bench --only
# finance`, eligibility_one_enterprise_ms). Keyed by id and publication time, so that an id
# used again (a test database rolled back) is never mistaken for the old product.
_CHECKED: dict[tuple[int, Any], tuple[list, list]] = {}


def _checked(product: Product) -> tuple[list, list]:
    key = (product.pk, product.created_at)
    found = _CHECKED.get(key)
    if found is None:
        if len(_CHECKED) > 10_000:
            _CHECKED.clear()
        found = _CHECKED[key] = (check_rules(product.rules), check_discounts(product.discounts))
    return found


def verdict(product: Product, figures: dict[str, Any], *, purpose: str | None = None,
            amount: Decimal | None = None, term_months: int | None = None) -> Verdict:
    """The enterprise's verdict on one product; a purpose rule applies once a purpose is named."""
    rules, discounts = _checked(product)
    if purpose is None:
        rules = [r for r in rules if r.figure != "purpose"]
    facts = dict(figures)
    if purpose is not None:
        facts["purpose"] = purpose
    reasons = [reason_text(f) for f in evaluate(rules, facts)]
    if amount is not None and not product.min_amount <= amount <= product.max_amount:
        reasons.append(gettext("The amount must lie between %(low)s and %(high)s (10k CNY).")
                       % {"low": product.min_amount, "high": product.max_amount})
    if term_months is not None and not (
            product.min_term_months <= term_months <= product.max_term_months):
        reasons.append(gettext("The term must lie between %(low)s and %(high)s months.")
                       % {"low": product.min_term_months, "high": product.max_term_months})
    bps = discount_for(discounts, figures.get("green_score"))
    return Verdict(product, reasons, bps)


def verdicts(enterprise, *, purpose: str | None = None, amount: Decimal | None = None,
             term_months: int | None = None) -> list[Verdict]:
    """The enterprise's verdict on every product on offer, those it qualifies for first."""
    figures = figures_of(enterprise)
    found = [verdict(p, figures, purpose=purpose, amount=amount, term_months=term_months)
             for p in Product.objects.on_offer().order_by("bank_name", "name", "pk")]
    return sorted(found, key=lambda v: not v.eligible)


def requests_for(user):
    """The financing requests the user may see, newest first, with their enterprise."""
    return (FinancingRequest.objects.visible_to(user).select_related("enterprise")
            .order_by("-created_at", "-pk"))


def recipient_of(request: FinancingRequest, bank) -> Recipient | None:
    """The bank's row on a request (None when the request did not reach it)."""
    return Recipient.objects.filter(request=request, bank=bank).first()


def label_display(enterprise) -> dict[str, Any] | None:
    """The latest carbon-efficiency label as pages show it: key, name, score and year."""
    label = carbon_label_of(enterprise)
    if label is None:
        return None
    band = load_label_methodology(label.methodology_version).band(label.label)
    return {"key": label.label, "name": band.name(language()), "score": label.score,
            "year": label.year, "version": label.methodology_version, "row": label}


def targets_with_progress(enterprise, *, restricted: bool = False) -> list[dict[str, Any]]:
    """The enterprise's targets, each with its progress from the latest figure after the base
    year (disclosed first, else records; restricted records only when ``restricted``)."""
    targets = list(Target.objects.filter(enterprise=enterprise).order_by("target_year", "pk"))
    if not targets:
        return []
    known = known_figures([enterprise.pk], codes={t.indicator_code for t in targets},
                          restricted=[enterprise.pk] if restricted else [])
    catalogue = load_catalogue()
    lang = language()
    rows = []
    for target in targets:
        figures = {year: k.number for (e, year, code), k in known.items()
                   if code == target.indicator_code and k.number is not None}
        bases = {year: k.basis for (e, year, code), k in known.items()
                 if code == target.indicator_code}
        spec = TargetSpec(target.base_year, target.base_value, target.target_year,
                          target.target_value, target.reduction_pct)
        result = progress(spec, figures)
        indicator = catalogue.get(target.indicator_code)
        rows.append({"target": target, "name": indicator.name(lang), "unit": indicator.unit,
                     "progress": result, "basis": bases.get(result.year) if result.year else None})
    return rows
