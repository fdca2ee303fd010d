"""The rating methodology: the published file, its grade bands, materiality groups and documents,
and the refusals of malformed files (file, key path, field and reason)."""

from __future__ import annotations

import pytest

from czesg.engine.kernel.errors import DataFileError
from czesg.engine.rating.green import load_green_methodology
from czesg.engine.rating.methodology import load_methodology, materiality_group, parse_methodology
from tests.engine.rating.cases import published_text, replace_once


def test_published_methodologies_load_with_provenance_everywhere():
    methodology = load_methodology()
    green = load_green_methodology()
    # The rating's current version is 2025.2 (tier-aware); the green score stays at 2025.1.
    assert (methodology.version, green.version) == ("2025.2", "2025.1")
    assert load_methodology("2025.1").version == "2025.1"
    assert len(methodology.indicators) == 42
    assert methodology.tiers is not None
    for item in (*methodology.tiers.rules, methodology.tiers):
        assert item.source and item.confidence
    assert all(r.max_grade_source and r.max_grade_confidence for r in methodology.tiers.rules)
    for item in (*methodology.pillars, *methodology.topics, *methodology.indicators,
                 *methodology.groups, *methodology.deductions, *methodology.bands,
                 *green.components, *green.certifications, *green.mappings, *green.labels):
        assert item.source and item.confidence
    assert all(i.data_type in ("number", "percentage", "boolean", "choice")
               for i in methodology.indicators)
    # Emissions are rated as an intensity, never as an absolute amount.
    assert "E-GHG-05" in methodology.codes and "E-GHG-01" not in methodology.codes
    assert {d.key: d.scale_confidence for d in methodology.deductions
            if d.scale_source} == {"tax_credit": "confirmed-secondary",
                                   "env_credit": "confirmed-secondary"}
    assert [b.name_zh for b in green.labels] == ["深绿", "中绿", "浅绿", "非绿"]


def test_grade_bands_of_the_published_methodology():
    methodology = load_methodology()
    expected = {100: "AAA", 90: "AAA", 89.999: "AA", 80: "AA", 70: "A", 60: "BBB", 50: "BB",
                40: "B", 30: "CCC", 20: "CC", 19.999: "C", 0: "C"}
    assert {s: methodology.grade_of(s) for s in expected} == expected
    assert [b.key for b in methodology.bands] == ["AAA", "AA", "A", "BBB", "BB", "B", "CCC",
                                                  "CC", "C"]


def test_materiality_groups_follow_the_city_lead_industries():
    assert materiality_group("C3841") == "battery"
    assert materiality_group("J66") == "finance"
    assert materiality_group("S80") == "services"        # by section, no lead industry
    assert materiality_group("not a code") == "manufacturing"


def refused(text, name="rating-2025.1.toml"):
    with pytest.raises(DataFileError) as caught:
        parse_methodology(text, name=name)
    return caught.value.params


def test_refuses_indicator_weights_not_summing_to_one():
    text = replace_once(published_text(),
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.60",
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.50")
    params = refused(text)
    assert params["file"] == "rating-2025.1.toml"
    assert params["row"] == "pillar.E.topic.climate"
    assert params["field"] == "indicator weights"
    assert "sum to 0.9" in params["reason"]


def test_refuses_topic_pillar_and_group_weights_not_summing_to_one():
    text = replace_once(published_text(), "[pillar.S.topic.employees]\nweight = 0.45",
                        "[pillar.S.topic.employees]\nweight = 0.55")
    assert refused(text)["row"] == "pillar.S"
    text = replace_once(published_text(), "weights = { E = 0.20, S = 0.35, G = 0.45 }",
                        "weights = { E = 0.20, S = 0.35, G = 0.40 }")
    params = refused(text)
    assert (params["row"], params["field"]) == ("group.finance", "weights")


def test_refuses_an_unknown_indicator_code():
    text = published_text().replace("indicator.E-GHG-05]", "indicator.E-GHG-99]")
    params = refused(text)
    assert params["row"] == "pillar.E.topic.climate.indicator.E-GHG-99"
    assert "unknown indicator code" in params["reason"]


def test_refuses_a_text_indicator():
    text = published_text().replace("indicator.G-ASR-01]", "indicator.G-GEN-04]")
    params = refused(text)
    assert params["row"] == "pillar.G.topic.general.indicator.G-GEN-04"
    assert "text indicator" in params["reason"]


def test_refuses_overlapping_bands():
    text = replace_once(published_text(), 'grade = "AA"\nmin = 80\nmax = 90',
                        'grade = "AA"\nmin = 80\nmax = 95')
    params = refused(text)
    assert (params["row"], params["field"]) == ("band.AA", "max")
    assert "overlaps band AAA" in params["reason"]


def test_refuses_a_gap_between_bands():
    text = replace_once(published_text(), 'grade = "AA"\nmin = 80',
                        'grade = "AA"\nmin = 81')
    params = refused(text)
    assert params["row"] == "band.A"
    assert "gap" in params["reason"] and "81" in params["reason"]
    text = replace_once(published_text(), 'grade = "C"\nmin = 0', 'grade = "C"\nmin = 5')
    assert "gap" in refused(text)["reason"]


def test_refuses_an_unknown_materiality_group_and_bad_direction_or_normalisation():
    text = replace_once(published_text(), "[group.finance]", "[group.fintech]")
    params = refused(text)
    assert params["row"] == "group.fintech"
    assert "unknown materiality group" in params["reason"]
    text = published_text().replace('direction = "lower_better"', 'direction = "down"', 1)
    assert refused(text)["field"] == "direction"
    text = published_text().replace('normalisation = "industry_percentile"',
                                    'normalisation = "zscore"', 1)
    assert refused(text)["field"] == "normalisation"


def test_refuses_a_missing_source_or_an_unknown_confidence():
    text = replace_once(published_text(), 'weight = 0.40\nsource = "czesg rating methodology '
                        "2025.1 (platform design choice; default pillar weight, informed",
                        'weight = 0.40\nsourc = "czesg rating methodology 2025.1 (platform '
                        "design choice; default pillar weight, informed")
    assert refused(text)["row"] == "pillar.E"
    text = published_text().replace('confidence = "methodology-choice"',
                                    'confidence = "certain"', 1)
    assert refused(text)["field"] == "confidence"


def test_refusals_without_a_field_name_the_field_as_a_dash():
    text = replace_once(published_text(), "[group.finance]", "[group.fintech]")
    assert refused(text)["field"] == "-"


def test_methodology_documents_explain_in_prose_and_copy_no_table():
    import re
    from pathlib import Path

    import czesg.engine.rating.vocabulary as rating

    for language, phrase in (("en", "generated from the methodology files"),
                             ("zh", "自动生成")):
        path = Path(rating.METHODOLOGY_DIR) / f"rating-2025.1.{language}.md"
        text = path.read_text(encoding="utf-8")
        assert phrase in text
        assert "rating-2025.1.toml" in text and "green-score-2025.1.toml" in text
        # No weight (0.xx) is copied by hand into the prose.
        assert not re.search(r"\b0\.\d+\b", text)
