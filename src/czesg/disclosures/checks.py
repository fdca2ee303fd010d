"""Fetching a disclosure's answers, last year's values and peer ranges, then validating them."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.utils.translation import gettext

from czesg.disclosures.models import Datapoint, DatapointStatus, Disclosure, State
from czesg.disclosures.signals import extra_findings
from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.disclosure import plausibility
from czesg.engine.disclosure.answers import Answer, Finding, error_finding
from czesg.engine.disclosure.validation import validate
from czesg.engine.kernel.errors import gettext_noop

# Peers' range for the outlier warning: the 1st and 99th percentile of at least MIN_PEERS
# published values in the same GB/T 4754 division and year (a platform choice, not a statistic).
MIN_PEERS = 10
PEER_PERCENTILES = (1.0, 99.0)


def answers_of(disclosure: Disclosure) -> dict[str, Answer]:
    """The disclosure's datapoints as the validation engine's plain answers."""
    answers = {}
    for p in disclosure.datapoints.all():
        if p.status == DatapointStatus.NOT_APPLICABLE:
            answers[p.indicator_code] = Answer.not_applicable(p.indicator_code, p.na_explanation)
        else:
            answers[p.indicator_code] = Answer(
                code=p.indicator_code, number=p.value_number, boolean=p.value_bool,
                choice=p.value_choice, text=p.value_text, evidence=p.evidence_ref,
                unit=p.unit if p.unit in all_output_units() else "",
            )
    return answers


def previous_numbers(disclosure: Disclosure) -> dict[str, float]:
    """Last year's published numbers (latest version) of the same enterprise."""
    previous = (
        Disclosure.objects.filter(
            enterprise_id=disclosure.enterprise_id, year=disclosure.year - 1,
            state=State.PUBLISHED,
        )
        .order_by("-version")
        .first()
    )
    if previous is None:
        return {}
    # A value per unit of physical output (per MW…) is never compared with a per-revenue one.
    return dict(
        previous.datapoints.filter(value_number__isnull=False)
        .exclude(unit__in=all_output_units())
        .values_list("indicator_code", "value_number")
    )


def industry_ranges(disclosure: Disclosure, codes: list[str]) -> dict[str, tuple[float, float]]:
    """Peers' 1st–99th percentile range per indicator, where enough peers published it."""
    division = disclosure.enterprise.industry_code[:3]
    rows = (
        Datapoint.objects.filter(
            disclosure__state=State.PUBLISHED,
            disclosure__year=disclosure.year,
            disclosure__enterprise__industry_code__startswith=division,
            indicator_code__in=codes,
            value_number__isnull=False,
        )
        .exclude(disclosure__enterprise_id=disclosure.enterprise_id)
        .exclude(unit__in=all_output_units())  # per-output values are not per-revenue peers
        .values_list("indicator_code", "value_number")
    )
    by_code: dict[str, list[float]] = defaultdict(list)
    for code, value in rows.iterator(chunk_size=10000):
        by_code[code].append(value)
    ranges = {}
    for code, values in by_code.items():
        if len(values) >= MIN_PEERS:
            low, high = np.percentile(np.asarray(values), PEER_PERCENTILES)
            ranges[code] = (float(low), float(high))
    return ranges


def findings_for(disclosure: Disclosure) -> list[Finding]:
    """Every error and warning of the disclosure as it stands."""
    answers = answers_of(disclosure)
    numeric = [c for c, a in answers.items() if a.number is not None]
    catalogue = load_catalogue()
    findings = validate(
        answers,
        catalogue,
        tier=disclosure.tier,
        previous=previous_numbers(disclosure),
        industry_ranges=industry_ranges(disclosure, numeric) if numeric else None,
    )
    enterprise = disclosure.enterprise
    numbers = {c: float(a.number) for c, a in answers.items()
               if a.number is not None and c in catalogue
               and a.unit not in all_output_units()}
    extra = plausibility.check(numbers, catalogue, size_class=enterprise.size_class,
                               industry_code=enterprise.industry_code)
    extra += _unconfirmed(disclosure)
    for _receiver, found in extra_findings.send(sender=Disclosure, disclosure=disclosure,
                                                numbers=numbers):
        extra += list(found or [])
    order = {code: index for index, code in enumerate(catalogue.codes)}
    return sorted(findings + extra,
                  key=lambda f: (not f.is_error, order.get(f.indicator, len(order)), f.rule))


def _unconfirmed(disclosure: Disclosure) -> list[Finding]:
    """An error for each value pre-filled from a record that the enterprise has not confirmed."""
    found = []
    for code, derivation in disclosure.datapoints.filter(
            derivation__has_key="prefill").values_list("indicator_code", "derivation"):
        prefill = derivation.get("prefill", {})
        if prefill.get("kind") == "record" and not prefill.get("confirmed"):
            found.append(error_finding(
                "prefill_unconfirmed", code,
                gettext_noop("%(code)s was pre-filled from %(source)s; confirm it or correct "
                             "it."),
                code=code, source=prefill.get("name_zh", ""),
            ))
    return found


def inline_texts(findings: list[Finding], lang: str) -> list[dict]:
    """Findings as shown beside a field: ``{"text", "error"}``, each indicator code in the
    sentence replaced by the field's name in ``lang``."""
    catalogue = load_catalogue()
    shown = []
    for finding in findings:
        params = {k: catalogue.get(v).name(lang) if isinstance(v, str) and v in catalogue else v
                  for k, v in finding.params.items()}
        try:
            text = gettext(finding.message) % params
        except (KeyError, TypeError, ValueError):
            text = finding.render()
        shown.append({"text": text, "error": finding.is_error})
    return shown


# Rules that concern the whole form rather than the field being typed, left to the review page.
_NOT_INLINE = frozenset({"required"})


def findings_near(disclosure: Disclosure, code: str) -> list[Finding]:
    """The findings about one indicator and its relatives (parts, totals, formula inputs), as
    shown beside the field right after it is saved."""
    return [
        f for f in findings_for(disclosure)
        if f.rule not in _NOT_INLINE and (f.indicator == code or code in f.related)
    ]


def acknowledged_keys(disclosure: Disclosure) -> set[str]:
    return set(disclosure.acknowledgements.values_list("key", flat=True))
