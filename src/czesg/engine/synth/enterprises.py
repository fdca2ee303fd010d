"""Synthetic Changzhou enterprises: names, USCCs, districts, parks, industries, listings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from czesg.engine.kernel import identifiers
from czesg.engine.plan import CityProfile, load_city_profile
from czesg.engine.synth.draws import ENTERPRISE_STREAM, normalised_weights, random_stream
from czesg.engine.synth.parameters import (
    EXCHANGES,
    PARAMETERS_NAME,
    SIZE_CLASSES,
    SynthParameters,
    load_parameters,
)


@dataclass(frozen=True)
class SyntheticEnterprise:
    """A made-up Changzhou enterprise; its names and USCC say that it is synthetic."""

    uscc: str
    name: str
    name_en: str
    industry_code: str
    division_code: str
    park_key: str
    size_class: str
    listed: bool
    exchange: str
    stock_code: str
    state_owned: bool
    lead_industry: str

    @property
    def tier(self) -> str:
        """The disclosure tier: standard for a listed company, basic otherwise."""
        return "standard" if self.listed else "basic"



def generate_enterprises(
    n: int, *, seed: int = 2025, profile: CityProfile | None = None,
    parameters: SynthParameters | None = None,
) -> list[SyntheticEnterprise]:
    """Make ``n`` synthetic enterprises spread over the city's districts, parks and industries."""
    if n < 0:
        raise ValueError(f"n must not be negative, not {n}")
    profile = profile or load_city_profile()
    params = parameters or load_parameters()
    population = params.sections["population"]
    leads = params.sections["lead_industry"]

    districts = [district.code for district in profile.districts]
    parks = [park for park in profile.parks if park.district in districts]
    parks_by_district = {code: [p.key for p in parks if p.district == code] for code in districts}
    classes: dict[str, list[str]] = {}
    for industry in profile.industries:
        if industry.level != "class":
            continue
        lead = profile.lead_industry_of(industry.code)
        if lead is not None:
            classes.setdefault(lead.key, []).append(industry.code)
    lead_keys = [li.key for li in profile.lead_industries if li.key in classes]
    if not lead_keys:
        raise ValueError("the city profile tags no industry class with a lead industry")

    rng = random_stream(seed, ENTERPRISE_STREAM, "enterprises")
    district_weights = normalised_weights([
        population["district_weight"].get(code, population["default_district_weight"])
        for code in districts
    ])
    lead_weights = normalised_weights(
        [leads.get(key, leads["default"])["weight"] for key in lead_keys]
    )
    district_index = rng.choice(len(districts), size=n, p=district_weights)
    lead_index = rng.choice(len(lead_keys), size=n, p=lead_weights)
    in_park = rng.random(n) < population["in_park_share"]
    park_draw = rng.random(n)
    class_draw = rng.random(n)
    word_draw = rng.random(n)

    # A prefix of the population covers every park, every district and every lead industry, so
    # that even a small demo shows all of them.
    prefix = [(districts.index(park.district), park.key) for park in parks
              if park.district is not None]
    prefix += [(index, "") for index in range(len(districts))]
    prefix_length = min(n, max(len(prefix), len(lead_keys)))
    park_keys = [""] * n
    for position in range(prefix_length):
        district, park = prefix[position % len(prefix)]
        district_index[position] = district
        park_keys[position] = park
        lead_index[position] = position % len(lead_keys)
    for position in range(prefix_length, n):
        options = parks_by_district[districts[district_index[position]]]
        if options and in_park[position]:
            park_keys[position] = options[int(park_draw[position] * len(options))]

    listed = rng.random(n) < population["listed_share"]
    sizes = params.sections["size_class"]
    size_listed = normalised_weights([sizes[s]["share_listed"] for s in SIZE_CLASSES])
    size_unlisted = normalised_weights([sizes[s]["share_unlisted"] for s in SIZE_CLASSES])
    size_index = np.where(
        listed,
        rng.choice(len(SIZE_CLASSES), size=n, p=size_listed),
        rng.choice(len(SIZE_CLASSES), size=n, p=size_unlisted),
    )
    state_owned = rng.random(n) < np.where(
        listed, population["state_owned_share_listed"], population["state_owned_share_unlisted"]
    )
    exchanges = params.sections["exchange"]
    exchange_index = rng.choice(
        len(EXCHANGES), size=n, p=normalised_weights([exchanges[e]["weight"] for e in EXCHANGES])
    )
    stock_codes = [""] * n
    for number, exchange in enumerate(EXCHANGES):
        holders = np.flatnonzero(listed & (exchange_index == number))
        for holder, code in zip(
            holders, _stock_codes(exchanges[exchange], len(holders), rng, exchange), strict=True
        ):
            stock_codes[int(holder)] = code

    width = max(6, len(str(n)))
    enterprises = []
    for position in range(n):
        lead_key = lead_keys[lead_index[position]]
        lead = leads.get(lead_key, leads["default"])
        options = classes[lead_key]
        industry_code = options[int(class_draw[position] * len(options))]
        word = int(word_draw[position] * len(lead["words_zh"]))
        is_listed = bool(listed[position])
        serial = f"{position + 1:0{width}d}"
        company_zh = population["listed_company_zh" if is_listed else "company_zh"]
        company_en = population["listed_company_en" if is_listed else "company_en"]
        division = districts[district_index[position]]
        enterprises.append(SyntheticEnterprise(
            uscc=identifiers.synthetic_uscc(division, position),
            name=(f"{population['name_prefix_zh']}{serial}{lead['words_zh'][word]}"
                  f"{company_zh}{population['name_suffix_zh']}"),
            name_en=(f"{population['name_prefix_en']} {serial} {lead['words_en'][word]} "
                     f"{company_en} {population['name_suffix_en']}"),
            industry_code=industry_code,
            division_code=division,
            park_key=park_keys[position],
            size_class=SIZE_CLASSES[size_index[position]],
            listed=is_listed,
            exchange=EXCHANGES[exchange_index[position]] if is_listed else "",
            stock_code=stock_codes[position],
            state_owned=bool(state_owned[position]),
            lead_industry=lead_key,
        ))
    return enterprises


def _stock_codes(
    spec: Mapping[str, Any], count: int, rng: np.random.Generator, exchange: str
) -> list[str]:
    """Draw ``count`` distinct codes from the exchange's synthetic ranges."""
    if count == 0:
        return []
    ranges = list(spec["ranges"])
    if count > sum(last - first + 1 for first, last in ranges):
        # Populations beyond a city's (the scale bench) draw from the overflow ranges as well;
        # a draw that fits the first ranges is unchanged by them.
        ranges += spec.get("overflow_ranges", [])
    sizes = [last - first + 1 for first, last in ranges]
    capacity = sum(sizes)
    if count > capacity:
        raise ValueError(f"{count} listed companies on {exchange} exceed the {capacity} synthetic "
                         f"stock codes of its ranges in {PARAMETERS_NAME}")
    picks = rng.choice(capacity, size=count, replace=False)
    starts = np.cumsum([0, *sizes[:-1]])
    which = np.searchsorted(starts, picks, side="right") - 1
    firsts = np.array([first for first, _ in ranges])
    numbers = firsts[which] + (picks - starts[which])
    return [f"{int(number):0{spec['digits']}d}" for number in numbers]


