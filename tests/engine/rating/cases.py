"""The cases the rating tests share: a small test methodology and its hand-computed population.

The small methodology's weights are binary fractions (0.5, 0.25, 0.125 …), so that every expected
score is exact in floating point and a score that lands on a band edge really is on it.
"""

from __future__ import annotations

from czesg.engine.rating.inputs import RatingInput
from czesg.engine.rating.methodology import load_methodology

GROUPS = ("battery", "pv", "nev", "equipment", "materials", "manufacturing", "services", "finance")


def _group_tables() -> str:
    out = []
    for key in GROUPS:
        weights = "{ E = 0.25, S = 0.25, G = 0.5 }" if key == "finance" else \
            "{ E = 0.5, S = 0.25, G = 0.25 }"
        out.append(f"""
[group.{key}]
name_zh = "{key}"
name_en = "{key}"
lead_industries = ["{key}"]
weights = {weights}
source = "test"
confidence = "methodology-choice"
""")
    return "".join(out)


def _bands() -> str:
    edges = [("AAA", 90, 100), ("AA", 80, 90), ("A", 70, 80), ("BBB", 60, 70), ("BB", 50, 60),
             ("B", 40, 50), ("CCC", 30, 40), ("CC", 20, 30), ("C", 0, 20)]
    return "".join(f"""
[[band]]
grade = "{grade}"
min = {low}
max = {high}
source = "test"
confidence = "methodology-choice"
""" for grade, low, high in edges)


SMALL = f"""
version = "test-1"
kind = "esg-rating"
title_zh = "测试方法"
title_en = "Test methodology"
catalogue_version = "2025.1"
description_zh = "测试"
description_en = "Test"

[peers]
min_peers = 3
fallback = ["group", "all"]
sole_reporter_score = 50
source = "test"
confidence = "methodology-choice"

[self_diagnosis]
neutral_score = 50
source = "test"
confidence = "methodology-choice"

[materiality]
default_group = "manufacturing"
default_by_section = {{ C = "manufacturing", J = "finance" }}
source = "test"
confidence = "analyst-mapping"
{_group_tables()}
[pillar.E]
name_zh = "环境"
name_en = "Environmental"
weight = 0.5
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.climate]
weight = 0.75
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.climate.indicator.E-GHG-05]
weight = 0.5
direction = "lower_better"
normalisation = "industry_percentile"
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.climate.indicator.E-GHG-10]
weight = 0.5
direction = "higher_better"
normalisation = "absolute"
thresholds = [[1, 100]]
not_applicable_allowed = true
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.energy]
weight = 0.25
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.energy.indicator.E-ENG-02]
weight = 1.0
direction = "lower_better"
normalisation = "industry_percentile"
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.S]
name_zh = "社会"
name_en = "Social"
weight = 0.25
source = "test"
confidence = "methodology-choice"

[pillar.S.topic.employees]
weight = 1.0
source = "test"
confidence = "methodology-choice"

[pillar.S.topic.employees.indicator.S-OHS-01]
weight = 0.5
direction = "lower_better"
normalisation = "absolute"
thresholds = [[0, 100], [1, 40]]
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.S.topic.employees.indicator.S-EMP-05-COV]
weight = 0.5
direction = "higher_better"
normalisation = "industry_percentile"
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.G]
name_zh = "治理"
name_en = "Governance"
weight = 0.25
source = "test"
confidence = "methodology-choice"

[pillar.G.topic.governance]
weight = 1.0
source = "test"
confidence = "methodology-choice"

[pillar.G.topic.governance.indicator.G-GOV-06]
weight = 1.0
direction = "higher_better"
normalisation = "absolute"
thresholds = [[1, 100]]
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[deductions]
cap = 25
source = "test"
confidence = "methodology-choice"

[deductions.env_penalties]
name_zh = "环境行政处罚"
name_en = "Environmental penalties"
points_per_count = 2
count_cap = 6
amount_steps = [[10, 1], [50, 2], [100, 4]]
cap = 10
source = "test"
confidence = "methodology-choice"

[deductions.safety_accidents]
name_zh = "生产安全事故"
name_en = "Work-safety accidents"
points_per_fatal = 6
points_per_serious = 3
cap = 12
source = "test"
confidence = "methodology-choice"

[deductions.tax_credit]
name_zh = "纳税信用级别"
name_en = "Tax credit grade"
points = {{ A = 0, B = 0, M = 0, C = 3, D = 8 }}
cap = 8
scale_source = "test"
scale_confidence = "confirmed-secondary"
source = "test"
confidence = "methodology-choice"

[deductions.env_credit]
name_zh = "企业环保信用评价"
name_en = "Environmental credit colour"
points = {{ green = 0, blue = 0, yellow = 2, red = 6, black = 10 }}
cap = 10
scale_source = "test"
scale_confidence = "confirmed-secondary"
source = "test"
confidence = "methodology-choice"

[grades]
scale_source = "test"
scale_confidence = "confirmed-secondary"
{_bands()}
"""


# The population of the hand-computed cases. a, b and c are in "manufacturing" (3 reporters of
# E-GHG-05 and S-EMP-05-COV: the group is used, min_peers = 3); only a and b of the group report
# E-ENG-02, so that indicator falls back to all enterprises, where d (services) also reports it.
ROWS = [
    ("a", "E-GHG-05", 1.0, "reported"), ("a", "E-GHG-10", True, "reported"),
    ("a", "E-ENG-02", 0.5, "reported"), ("a", "S-OHS-01", 0, "reported"),
    ("a", "S-EMP-05-COV", 99.0, "reported"), ("a", "G-GOV-06", True, "reported"),
    ("b", "E-GHG-05", 2.0, "reported"), ("b", "E-GHG-10", None, "not_applicable"),
    ("b", "E-ENG-02", 0.7, "reported"), ("b", "S-OHS-01", 1, "reported"),
    ("b", "S-EMP-05-COV", 95.0, "reported"), ("b", "G-GOV-06", False, "reported"),
    ("c", "E-GHG-05", 3.0, "reported"), ("c", "S-OHS-01", 2, "reported"),
    ("c", "S-EMP-05-COV", 80.0, "reported"), ("c", "G-GOV-06", True, "reported"),
    ("d", "E-ENG-02", 0.6, "reported"),
]


POPULATION_GROUPS = {"a": "manufacturing", "b": "manufacturing", "c": "manufacturing",
                     "d": "services"}


def population(small, records=None, rows=ROWS):
    return RatingInput.from_long(rows, POPULATION_GROUPS, records, year=2024,
                                 methodology=small)


def score_of(result, enterprise):
    return float(result.score[result.index(enterprise)])


def published_text(version="2025.1"):
    return load_methodology(version).text


def replace_once(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)
