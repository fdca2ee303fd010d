"""The closed vocabularies of the rating and green score methodologies and their inputs.

Where the methodology files live, the file kinds, the pillars, directions and normalisations
the engine implements, the confidence levels every weight must carry, the scales of the
government records, the status codes of the values matrix and the peer levels of a percentile.
"""

from __future__ import annotations

from czesg.engine.datafiles import DATA_DIR

METHODOLOGY_DIR = DATA_DIR / "methodology"
# The current rating methodology (new ratings use it; a stored rating keeps its own version).
DEFAULT_VERSION = "2025.2"
# The current green score methodology (versioned separately from the rating).
GREEN_DEFAULT_VERSION = "2025.1"
RATING_KIND = "esg-rating"
GREEN_KIND = "green-score"

PILLARS: tuple[str, ...] = ("E", "S", "G")
DIRECTIONS: tuple[str, ...] = ("higher_better", "lower_better")
NORMALISATIONS: tuple[str, ...] = ("industry_percentile", "absolute")
RATED_TYPES: tuple[str, ...] = ("number", "percentage", "boolean", "choice")
MATERIALITY_GROUPS: tuple[str, ...] = (
    "battery", "pv", "nev", "equipment", "materials", "manufacturing", "services", "finance",
)
PEER_FALLBACK: tuple[str, ...] = ("group", "all")
CONFIDENCES: tuple[str, ...] = (
    "methodology-choice", "confirmed-secondary", "confirmed-secondary-code", "analyst-mapping",
)
TAX_CREDIT_GRADES: tuple[str, ...] = ("A", "B", "M", "C", "D")
ENV_CREDIT_COLOURS: tuple[str, ...] = ("green", "blue", "yellow", "red", "black")
DEDUCTION_KEYS: tuple[str, ...] = ("env_penalties", "safety_accidents", "tax_credit", "env_credit")
GREEN_COMPONENTS: tuple[str, ...] = (
    "carbon_efficiency", "green_industry", "env_credit", "certifications",
)
UNKNOWN_HANDLING: tuple[str, ...] = ("zero", "drop")
# Disclosure tiers (the catalogue's): the basic SME form is part of the standard form.
TIERS: tuple[str, ...] = ("basic", "standard")
DEFAULT_TIER = "standard"

# Status codes of the status matrix.
MISSING = 0
REPORTED = 1
NOT_APPLICABLE = 2
# Only in results: an indicator that the enterprise's tier does not ask for (weight removed).
OUT_OF_TIER = 3
STATUS_NAMES: tuple[str, ...] = ("missing", "reported", "not_applicable", "out_of_tier")

# Peer levels recorded per enterprise and indicator.
PEER_NONE = 0
PEER_GROUP = 1
PEER_ALL = 2
PEER_LEVELS: tuple[str, ...] = ("", "group", "all")

# Government-record fields that :meth:`RatingInput.from_long` reads (per enterprise and year).
NUMERIC_RECORDS: tuple[str, ...] = (
    "env_penalty_count", "env_penalty_amount", "fatal_accidents", "serious_accidents",
)
CERTIFICATION_RECORDS: tuple[str, ...] = (
    "cert_green_factory_national", "cert_green_factory_provincial", "cert_iso14001",
    "cert_iso50001", "cert_green_supply_chain", "cert_zero_carbon_factory",
)
RECORD_FIELDS: tuple[str, ...] = (
    *NUMERIC_RECORDS, "tax_credit", "env_credit", *CERTIFICATION_RECORDS,
    "green_catalogue_category",
)

# The record columns that :class:`RatingInput` holds as arrays (one entry per enterprise).
ARRAY_RECORDS: tuple[str, ...] = (*NUMERIC_RECORDS, "tax_credit", "env_credit", "certifications")
