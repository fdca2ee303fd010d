"""Synthetic enterprises: unique synthetic USCCs and names, spread over the city, the mix."""

from __future__ import annotations

import re

import numpy as np
import pytest

from czesg.engine import synth
from czesg.engine.kernel import identifiers
from tests.engine.synth import YEARS


# --- enterprises --------------------------------------------------------------------------------
def test_n_enterprises_with_unique_valid_synthetic_usccs(enterprises):
    assert len(enterprises) == 300
    codes = [e.uscc for e in enterprises]
    assert len(set(codes)) == 300
    for enterprise in enterprises:
        assert identifiers.validate_uscc(enterprise.uscc) == enterprise.uscc
        assert identifiers.is_synthetic_uscc(enterprise.uscc)
        assert identifiers.division_code(enterprise.uscc) == enterprise.division_code


def test_names_are_unique_and_visibly_synthetic_in_both_languages(enterprises):
    assert len({e.name for e in enterprises}) == 300
    assert len({e.name_en for e in enterprises}) == 300
    for enterprise in enterprises:
        assert "合成数据" in enterprise.name and "合成样例" in enterprise.name
        assert "synthetic data" in enterprise.name_en.lower()
        assert enterprise.name_en.startswith("Synthetic Sample")


def test_every_district_usable_park_and_lead_industry_appears_at_300(enterprises, profile):
    districts = {d.code for d in profile.districts}
    assert {e.division_code for e in enterprises} == districts
    usable_parks = {p.key for p in profile.parks if p.district in districts}
    assert usable_parks <= {e.park_key for e in enterprises}
    assert {e.lead_industry for e in enterprises} == {li.key for li in profile.lead_industries}


def test_parks_lie_in_the_enterprises_district_and_industries_are_classes(enterprises, profile):
    for enterprise in enterprises:
        if enterprise.park_key:
            assert profile.park(enterprise.park_key).district == enterprise.division_code
        industry = profile.industry(enterprise.industry_code)
        assert industry.level == "class"
        assert profile.lead_industry_of(industry.code).key == enterprise.lead_industry
        assert enterprise.size_class in synth.SIZE_CLASSES


def test_population_mix_at_twenty_thousand():
    population = synth.generate_enterprises(20_000, seed=11)
    listed = [e for e in population if e.listed]
    assert 0.04 <= len(listed) / len(population) <= 0.06
    assert 0.065 <= sum(e.state_owned for e in population) / len(population) <= 0.095
    assert sum(e.size_class in ("large", "medium") for e in listed) / len(listed) >= 0.85
    industrial = {"nev", "battery", "pv", "equipment", "materials", "manufacturing"}
    assert sum(e.lead_industry in industrial for e in population) / len(population) > 0.6
    patterns = {
        "SSE": r"6\d{5}", "SZSE": r"(00|20|30)\d{4}", "BSE": r"(8\d{5}|92\d{4})", "HKEX": r"\d{5}",
    }
    for enterprise in listed:
        assert re.fullmatch(patterns[enterprise.exchange], enterprise.stock_code), enterprise
    assert len({(e.exchange, e.stock_code) for e in listed}) == len(listed)
    assert all(e.exchange == "" and e.stock_code == "" for e in population if not e.listed)
    # Twenty thousand enterprises x two years generate (speed is the benchmark's business).
    values = synth.generate_disclosures(population, YEARS, seed=11)
    assert len(values) > 20_000 * 2 * 20




def test_overflow_ranges_serve_only_populations_the_ranges_cannot_hold():
    from czesg.engine.synth.enterprises import _stock_codes

    base = {"digits": 5, "ranges": [(7500, 7999)]}
    wide = {**base, "overflow_ranges": [(8000, 9999)]}
    # A draw that fits the first ranges is the same with or without the overflow ranges.
    assert (_stock_codes(wide, 500, np.random.default_rng(3), "HKEX")
            == _stock_codes(base, 500, np.random.default_rng(3), "HKEX"))
    codes = _stock_codes(wide, 2500, np.random.default_rng(3), "HKEX")
    assert len(set(codes)) == 2500 and min(codes) == "07500" and max(codes) == "09999"
    with pytest.raises(ValueError, match="2501 listed companies on HKEX exceed the 2500"):
        _stock_codes(wide, 2501, np.random.default_rng(3), "HKEX")


def test_a_million_enterprises_get_distinct_stock_codes_on_every_exchange():
    from czesg.engine.synth.enterprises import _stock_codes, load_parameters

    exchanges = load_parameters().sections["exchange"]
    rng = np.random.default_rng(5)
    # The listed companies of a million enterprises by exchange, with room for the draw's spread.
    for exchange, count in (("SSE", 21_000), ("SZSE", 23_500), ("BSE", 4_500), ("HKEX", 4_000)):
        codes = _stock_codes(exchanges[exchange], count, rng, exchange)
        assert len(set(codes)) == count, exchange
