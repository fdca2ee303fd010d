"""The city's ESG action plan: the city profile it rests on and the progress towards its targets.

* :mod:`.profile`: the Changzhou city profile as data (districts, parks, departments, 2027
  targets, the 20 tasks of plan 常政办发〔2025〕23号, lead industries, GB/T 4754 industries);
* :mod:`.loading`: reading ``city/changzhou.toml`` into a :class:`CityProfile`;
* :mod:`.industries`: reading ``industries/gbt4754_2017.csv``;
* :mod:`.targets`: target progress, breakdowns and task status.

The profile's names are re-exported here (``from czesg.engine.plan import load_city_profile``);
the target computations are reached as :mod:`czesg.engine.plan.targets`.
"""

from __future__ import annotations

from czesg.engine.plan.industries import parse_industries
from czesg.engine.plan.loading import load_city_profile, parse_city_profile
from czesg.engine.plan.profile import (
    CITY_FILE,
    CONFIDENCES,
    INDUSTRIES_FILE,
    INDUSTRY_COLUMNS,
    INDUSTRY_LEVELS,
    CityProfile,
    Department,
    District,
    Industry,
    LeadIndustry,
    Park,
    PlanDocument,
    PlanTask,
    Target,
)

__all__ = [
    "CITY_FILE",
    "CONFIDENCES",
    "INDUSTRIES_FILE",
    "INDUSTRY_COLUMNS",
    "INDUSTRY_LEVELS",
    "CityProfile",
    "Department",
    "District",
    "Industry",
    "LeadIndustry",
    "Park",
    "PlanDocument",
    "PlanTask",
    "Target",
    "load_city_profile",
    "parse_city_profile",
    "parse_industries",
]
