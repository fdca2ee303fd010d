"""Self-diagnosis: an enterprise checks itself before it discloses.

From its own answers the enterprise gets an estimated score and grade (ranked against a given
population of peers, or with the methodology's neutral score for industry-relative indicators),
the mandatory indicators of the exchange guideline it leaves open, and an improvement plan whose
points are found by re-scoring.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.rating.explain import Rescorer, best_per_indicator, improvement_of
from czesg.engine.rating.inputs import RatingInput, encode_value, records_arrays
from czesg.engine.rating.methodology import Methodology, load_methodology, materiality_group
from czesg.engine.rating.scoring import finish, float_or_none
from czesg.engine.rating.vocabulary import (
    ARRAY_RECORDS,
    DEFAULT_TIER,
    MISSING,
    NOT_APPLICABLE,
    REPORTED,
)

SELF_ID = "(self-diagnosis)"
BASIS_NOTES: dict[str, tuple[str, str]] = {
    "peers": (
        "估算：行业相对指标按所给同行群体（同一重要性分组，不足最少同行数时为全部企业）计算百分位。",
        "Estimate: industry-relative indicators are ranked against the peers supplied (the same "
        "materiality group, or all enterprises when the group has too few reporters).",
    ),
    "neutral": (
        "估算：未提供同行数据，已填报的行业相对指标按方法文件中的中性分计分，绝对指标按其阈值计分。",
        "Estimate: without peer data, each reported industry-relative indicator takes the "
        "methodology's neutral score; absolute indicators score by their thresholds.",
    ),
}


@dataclass(frozen=True)
class Gap:
    """A mandatory indicator of the exchange guideline that the answers leave open."""

    code: str
    name_zh: str
    name_en: str
    exchange_article: str
    rated: bool


@dataclass(frozen=True)
class Action:
    """One step of an improvement plan, with the catalogue's guidance and the points it gains."""

    code: str
    name_zh: str
    name_en: str
    action: str
    target: str
    target_value: float | None
    points: float
    guidance_zh: str
    guidance_en: str


@dataclass(frozen=True)
class Diagnosis:
    """A self-diagnosis: an estimated score and grade, the disclosure gaps and a plan.

    The plan holds only indicators that the enterprise's tier (its disclosure form) asks for;
    ``other_tier_codes`` are the rated indicators that only ``other_tier`` asks for (empty
    when the tier already asks for every rated indicator). ``grade_capped`` says whether the
    grade was held at the tier's best grade, ``max_grade``.
    """

    industry_code: str
    group: str
    methodology_version: str
    estimate: bool
    basis: str
    basis_note_zh: str
    basis_note_en: str
    score: float
    grade: str
    total: float
    deductions: float
    pillar_scores: dict[str, float | None]
    gaps: tuple[Gap, ...]
    plan: tuple[Action, ...]
    tier: str = DEFAULT_TIER
    grade_capped: bool = False
    max_grade: str = ""
    other_tier: str = ""
    other_tier_codes: tuple[str, ...] = ()


def _answer_cell(answer: Any, code: str, methodology: Methodology) -> tuple[int, float]:
    """(status, value) of one answer: an Answer or a bare number."""
    indicator = methodology.indicator(code)
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        value = float(answer)
        return (REPORTED, value) if math.isfinite(value) else (MISSING, math.nan)
    status = getattr(answer, "status", "reported")
    if status == "not_applicable":
        return (NOT_APPLICABLE if answer.na_explanation.strip() else MISSING), math.nan
    if indicator.data_type == "choice":
        value = answer.choice
    elif indicator.data_type == "boolean":
        value = answer.boolean
    else:
        value = answer.number
    if value is None or value == "":
        return MISSING, math.nan
    return REPORTED, encode_value(value, indicator.data_type, indicator.choices, code)


def _answered(answer: Any) -> bool:
    """Whether an answer counts as given (a value, or a not-applicable with its explanation)."""
    if answer is None:
        return False
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return math.isfinite(float(answer))
    if getattr(answer, "status", "reported") == "not_applicable":
        return bool(answer.na_explanation.strip())
    return (answer.number is not None or answer.boolean is not None or bool(answer.choice)
            or bool(answer.text.strip()))


def _aligned(inputs: RatingInput, codes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The input's values and statuses in the column order of ``codes`` (absent = missing)."""
    n = len(inputs)
    values = np.full((n, len(codes)), np.nan)
    status = np.zeros((n, len(codes)), np.int8)
    position = {code: column for column, code in enumerate(inputs.codes)}
    for column, code in enumerate(codes):
        if code in position:
            values[:, column] = inputs.values[:, position[code]]
            status[:, column] = inputs.status[:, position[code]]
    return values, status


def _concat(first: RatingInput, second: RatingInput, codes: Sequence[str]) -> RatingInput:
    """Two inputs of the same year as one, aligned to ``codes``."""
    keys = tuple(sorted(set(first.group_keys) | set(second.group_keys)))
    remap = [np.array([keys.index(k) for k in part.group_keys], np.int64)
             for part in (first, second)]
    v1, s1 = _aligned(first, codes)
    v2, s2 = _aligned(second, codes)
    return RatingInput(
        enterprises=first.enterprises + second.enterprises, year=first.year, group_keys=keys,
        group_index=np.concatenate([remap[0][first.group_index],
                                    remap[1][second.group_index]]),
        codes=tuple(codes), values=np.vstack([v1, v2]), status=np.vstack([s1, s2]),
        industry_codes=first.industry_codes + second.industry_codes,
        green_category=first.green_category + second.green_category,
        tiers=first.tiers + second.tiers,
        **{name: np.concatenate([getattr(first, name), getattr(second, name)])
           for name in ARRAY_RECORDS},
    )


def self_diagnose(
    answers: Mapping[str, Any], industry_code: str, methodology: Methodology | None = None,
    catalogue: Catalogue | None = None, peers: RatingInput | None = None, *,
    tier: str = "standard", records: Mapping[str, Any] | None = None,
) -> Diagnosis:
    """Estimate an enterprise's score and grade from its own answers, list the mandatory gaps
    against the exchange guideline and plan the improvements that gain the most points.

    ``answers`` maps indicator codes to :class:`czesg.engine.disclosure.answers.Answer` objects or bare
    numbers. With ``peers`` (a rated population of the same year) industry-relative indicators
    are ranked against them; without, a reported industry-relative indicator takes the
    methodology's ``[self_diagnosis] neutral_score``. Both are labelled estimates. ``tier`` is
    the enterprise's disclosure form: a tier-aware methodology rates it on that tier's
    indicators, and the plan never suggests an indicator the form does not offer (those are
    listed in ``other_tier_codes`` with the tier that offers them).
    """
    methodology = methodology or load_methodology()
    catalogue = catalogue or load_catalogue()
    group = materiality_group(industry_code, methodology)
    codes = methodology.codes
    values = np.full((1, len(codes)), np.nan)
    status = np.zeros((1, len(codes)), np.int8)
    for code, answer in answers.items():
        if methodology.rates(code):
            column = methodology.column(code)
            status[0, column], values[0, column] = _answer_cell(answer, code, methodology)
    arrays = records_arrays((SELF_ID,), {SELF_ID: records} if records else {})
    own = RatingInput(
        enterprises=(SELF_ID,), year=peers.year if peers is not None else 0,
        group_keys=(group,), group_index=np.zeros(1, np.int64), codes=codes, values=values,
        status=status, industry_codes=(industry_code,), tiers=(tier,), **arrays,
    )
    if peers is not None:
        if SELF_ID in peers.enterprises:
            raise ValueError(f"the peers must not contain the reserved id {SELF_ID!r}")
        population = _concat(peers, own, codes)
        basis = "peers"
    else:
        population = own
        basis = "neutral"
    neutral = peers is None
    rescorer = Rescorer(population, methodology, neutral=neutral)
    result = finish(rescorer.prepared, methodology, rescorer.parts, "")
    e = len(population) - 1
    base = float(result.score[e])
    plan = []
    for item in best_per_indicator(rescorer.candidates(e, base, best_step=True)):
        indicator = catalogue.get(methodology.indicators[item[0]].code)
        if not indicator.in_tier(tier):
            continue
        improvement = improvement_of(methodology, item, tier)
        plan.append(Action(
            code=improvement.code, name_zh=indicator.name_zh, name_en=indicator.name_en,
            action=improvement.action, target=improvement.target,
            target_value=None if math.isnan(improvement.target_value)
            else improvement.target_value,
            points=improvement.points,
            guidance_zh=f"{indicator.what_zh}\n{indicator.how_zh}",
            guidance_en=f"{indicator.what_en}\n{indicator.how_en}",
        ))
    rated = set(codes)
    gaps = tuple(
        Gap(code=i.code, name_zh=i.name_zh, name_en=i.name_en,
            exchange_article=i.exchange_article, rated=i.code in rated)
        for i in catalogue.for_tier(tier)
        if i.disclosure_level == "mandatory" and not _answered(answers.get(i.code))
    )
    other_codes = tuple(code for code in codes if not catalogue.get(code).in_tier(tier))
    note_zh, note_en = BASIS_NOTES[basis]
    return Diagnosis(
        industry_code=industry_code, group=group, methodology_version=methodology.version,
        estimate=True, basis=basis, basis_note_zh=note_zh, basis_note_en=note_en, score=base,
        grade=result.grades[result.grade_index[e]], total=float(result.total[e]),
        deductions=float(result.deductions[e]),
        pillar_scores={p: float_or_none(result.pillar_scores[e, n])
                       for n, p in enumerate(result.pillar_keys)},
        gaps=gaps, plan=tuple(plan), tier=tier, grade_capped=bool(result.grade_capped[e]),
        max_grade=methodology.max_grade(tier),
        other_tier="standard" if other_codes else "", other_tier_codes=other_codes,
    )
