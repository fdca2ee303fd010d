"""The platform's ESG rating and green score (常绿分): versioned methodology, vectorised scoring.

The package's modules, each with one job:

- :mod:`~czesg.engine.rating.vocabulary`: the closed vocabularies, status codes and record
  fields;
- :mod:`~czesg.engine.rating.bands` and :mod:`~czesg.engine.rating.deductions`: grade and label
  bands, and the deductions for controversies in government records (shared by the rating and
  the green score);
- :mod:`~czesg.engine.rating.methodology`: the rating methodology's types, and loading and
  checking ``rating-<version>.toml``;
- :mod:`~czesg.engine.rating.tiers`: the tier rule (from 2025.2): which indicators a disclosure
  tier is rated on and its best grade;
- :mod:`~czesg.engine.rating.inputs`: :class:`RatingInput`, the columnar inputs and their hash;
- :mod:`~czesg.engine.rating.scoring`: percentiles, aggregation, :func:`rate` and
  :func:`reproduce`;
- :mod:`~czesg.engine.rating.explain`: :func:`explain` (contributions, peers, improvements);
- :mod:`~czesg.engine.rating.diagnosis`: :func:`self_diagnose`;
- :mod:`~czesg.engine.rating.green`: the green score's methodology and :func:`green_score`;
- :mod:`~czesg.engine.rating.partitioned`: rating in partitions (a batch job, Spark) against a
  peer distribution from a first pass, equal bit for bit to rating everyone at once.

This module re-exports the public API, so that ``from czesg.engine.rating import rate`` works.
Pure Python and NumPy; no Django. The methodology page's tables are presentation and live in
:mod:`czesg.ratings.methodology_page`; the benchmark lives in :mod:`czesg.bench.rating_engine`.
"""

from czesg.engine.rating import partitioned
from czesg.engine.rating.bands import Band
from czesg.engine.rating.deductions import DeductionRule
from czesg.engine.rating.diagnosis import (
    BASIS_NOTES,
    SELF_ID,
    Action,
    Diagnosis,
    Gap,
    self_diagnose,
)
from czesg.engine.rating.explain import (
    Contribution,
    DeductionLine,
    Explanation,
    Improvement,
    explain,
)
from czesg.engine.rating.green import (
    Certification,
    GreenCategory,
    GreenComponent,
    GreenMapping,
    GreenMethodology,
    GreenScoreResult,
    green_category_of,
    green_score,
    load_green_methodology,
    parse_green_methodology,
)
from czesg.engine.rating.inputs import RatingInput
from czesg.engine.rating.methodology import (
    MaterialityGroup,
    Methodology,
    Pillar,
    RatedIndicator,
    RatedTopic,
    load_methodology,
    materiality_group,
    parse_methodology,
)
from czesg.engine.rating.scoring import BASES, RatingResult, basis_shares, rate, reproduce
from czesg.engine.rating.tiers import TierRule, TierSettings
from czesg.engine.rating.vocabulary import (
    CERTIFICATION_RECORDS,
    CONFIDENCES,
    DEDUCTION_KEYS,
    DEFAULT_TIER,
    DEFAULT_VERSION,
    DIRECTIONS,
    ENV_CREDIT_COLOURS,
    GREEN_COMPONENTS,
    GREEN_DEFAULT_VERSION,
    GREEN_KIND,
    MATERIALITY_GROUPS,
    METHODOLOGY_DIR,
    MISSING,
    NORMALISATIONS,
    NOT_APPLICABLE,
    NUMERIC_RECORDS,
    OUT_OF_TIER,
    PEER_ALL,
    PEER_FALLBACK,
    PEER_GROUP,
    PEER_LEVELS,
    PEER_NONE,
    PILLARS,
    RATED_TYPES,
    RATING_KIND,
    RECORD_FIELDS,
    REPORTED,
    STATUS_NAMES,
    TAX_CREDIT_GRADES,
    TIERS,
    UNKNOWN_HANDLING,
)

__all__ = [
    "BASES", "BASIS_NOTES", "CERTIFICATION_RECORDS", "CONFIDENCES", "DEDUCTION_KEYS", "DEFAULT_TIER",
    "DEFAULT_VERSION", "DIRECTIONS", "ENV_CREDIT_COLOURS", "GREEN_COMPONENTS",
    "GREEN_DEFAULT_VERSION", "GREEN_KIND", "MATERIALITY_GROUPS",
    "METHODOLOGY_DIR", "MISSING", "NORMALISATIONS", "NOT_APPLICABLE", "NUMERIC_RECORDS",
    "OUT_OF_TIER", "TIERS", "TierRule", "TierSettings",
    "PEER_ALL", "PEER_FALLBACK", "PEER_GROUP", "PEER_LEVELS", "PEER_NONE", "PILLARS",
    "RATED_TYPES", "RATING_KIND", "RECORD_FIELDS", "REPORTED", "SELF_ID", "STATUS_NAMES",
    "TAX_CREDIT_GRADES", "UNKNOWN_HANDLING",
    "Action", "Band", "Certification", "Contribution", "DeductionLine", "DeductionRule",
    "Diagnosis", "Explanation", "Gap", "GreenCategory", "GreenComponent", "GreenMapping",
    "GreenMethodology", "GreenScoreResult", "Improvement", "MaterialityGroup", "Methodology",
    "Pillar", "RatedIndicator", "RatedTopic", "RatingInput", "RatingResult",
    "basis_shares", "explain", "green_category_of", "green_score", "load_green_methodology", "load_methodology",
    "materiality_group", "parse_green_methodology", "partitioned", "parse_methodology", "rate", "reproduce",
    "self_diagnose",
]
