"""The green score (常绿分): labels at band edges, the label cap, unknown data, the industry
mapping, and the refusals of malformed green methodology files."""

from __future__ import annotations

import math

import pytest

from czesg.engine.kernel.errors import DataFileError
from czesg.engine.rating.green import green_score, load_green_methodology, parse_green_methodology
from czesg.engine.rating.inputs import RatingInput


def green_small():
    """The published green methodology with binary-fraction weights (½, ⅛, ⅛, ¼)."""
    text = load_green_methodology().text
    for old, new in (("weight = 0.40", "weight = 0.50"), ("weight = 0.15", "weight = 0.125"),
                     ("weight = 0.20", "weight = 0.125")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return parse_green_methodology(text, name="green-test.toml")


def green_case(records, industry="C3415", carbon=("best",)):
    """One enterprise "x" and a carbon peer "y" (better or worse), or x alone."""
    rows = [("x", "E-GHG-05", 1.0, "reported")]
    groups = {"x": "equipment"}
    if carbon == ("best",):
        rows.append(("y", "E-GHG-05", 2.0, "reported"))
        groups["y"] = "equipment"
    elif carbon == ("worst",):
        rows.append(("y", "E-GHG-05", 0.5, "reported"))
        groups["y"] = "equipment"
    inputs = RatingInput.from_long(rows, groups, {"x": records}, industries={"x": industry})
    result = green_score(inputs, green_small())
    return result, result.index("x")


@pytest.mark.parametrize(("records", "industry", "carbon", "score", "label"), [
    # carbon best of 2 = 100 → 50; member (C3415 → energy transition) 100 → 12.5; green 100 →
    # 12.5; ISO 14001 = 20 → ¼ × 20 = 5: 80 opens 深绿.
    ({"env_credit": "green", "cert_iso14001": True}, "C3415", ("best",), 80.0, "dark_green"),
    # non-member (finance) 0; yellow 40 → 5; provincial green factory + ISO 14001 = 40 → 10:
    # 50 + 0 + 5 + 10 = 65 opens 中绿.
    ({"env_credit": "yellow", "cert_green_factory_provincial": True, "cert_iso14001": True},
     "J66", ("best",), 65.0, "mid_green"),
    # carbon worst = 0; member 12.5; green 12.5; all certifications (national factory counts,
    # the provincial one is exclusive with it) 35+20+15+15+15 = 100 → 25: 50 opens 浅绿.
    ({"env_credit": "green", **{k: True for k in (
        "cert_green_factory_national", "cert_green_factory_provincial", "cert_iso14001",
        "cert_iso50001", "cert_green_supply_chain", "cert_zero_carbon_factory")}},
     "C3415", ("worst",), 50.0, "light_green"),
    # the same with one environmental penalty (5 points) → 45: 非绿.
    ({"env_credit": "green", "env_penalty_count": 1, **{k: True for k in (
        "cert_green_factory_national", "cert_iso14001", "cert_iso50001",
        "cert_green_supply_chain", "cert_zero_carbon_factory")}},
     "C3415", ("worst",), 45.0, "not_green"),
])
def test_green_labels_at_band_edges(records, industry, carbon, score, label):
    result, x = green_case(records, industry, carbon)
    assert result.score[x] == score
    assert result.label[x] == label
    assert result.contributions[x].sum() - result.deductions[x] == pytest.approx(score)


def test_green_label_is_capped_by_a_red_or_black_credit_colour():
    # As the 80-point case but red (10 → 1.25): 68.75 would be 中绿, capped to 浅绿.
    result, x = green_case({"env_credit": "red", "cert_iso14001": True})
    assert result.score[x] == 68.75
    assert result.label[x] == "light_green" and result.label_capped[x]
    result, x = green_case({"env_credit": "black", "cert_iso14001": True})
    assert result.score[x] == 67.5 and result.label[x] == "not_green"


def test_green_unknown_credit_colour_drops_its_weight_and_sole_reporter_is_neutral():
    result, x = green_case({"cert_iso14001": True}, carbon=())
    # carbon sole reporter = 50; weights without env_credit: ½, ⅛, ¼ over ⅞.
    expected = (0.5 * 50 + 0.125 * 100 + 0.25 * 20) / 0.875
    assert result.score[x] == pytest.approx(expected)
    assert math.isnan(result.component_scores[x, 2])
    assert result.component_weights[x].sum() == pytest.approx(1.0)


def test_green_industry_membership_is_an_analyst_mapping_unless_recorded():
    result, x = green_case({}, industry="C3841")  # battery lead industry
    assert (result.green_category[x], result.green_category_basis[x]) == (
        "energy_transition", "lead_industry")
    result, x = green_case({}, industry="C3591")
    assert result.green_category_basis[x] == "industry"
    result, x = green_case({"green_catalogue_category": "green_services"}, industry="J66")
    assert (result.green_category[x], result.green_category_basis[x]) == (
        "green_services", "record")
    green = load_green_methodology()
    assert all(m.confidence == "analyst-mapping" for m in green.mappings)


def test_green_refuses_components_not_summing_to_one():
    text = load_green_methodology().text.replace("weight = 0.40", "weight = 0.30")
    with pytest.raises(DataFileError) as caught:
        parse_green_methodology(text, name="green-score-2025.1.toml")
    assert (caught.value.params["row"], caught.value.params["field"]) == ("component", "weight")


def green_refused(text):
    with pytest.raises(DataFileError) as caught:
        parse_green_methodology(text, name="green-score-2025.1.toml")
    return caught.value.params


def test_green_names_array_entries_by_full_path_counted_from_one():
    text = load_green_methodology().text
    params = green_refused(text.replace('[[green_industry.category]]\nkey = "resource_recycling"',
                                        '[[green_industry.category]]\nkee = "resource_recycling"'))
    assert (params["row"], params["field"]) == ("green_industry.category[3]", "kee")
    params = green_refused(text.replace('industry = "C3591"\n', 'industry = "C3591"\nnote = 1\n'))
    assert (params["row"], params["field"]) == ("green_industry.map[2]", "note")
    params = green_refused(text.replace('[[certification]]\nkey = "green_factory_national"',
                                        '[[certification]]', 1))
    assert (params["row"], params["field"]) == ("certification[1]", "key")
