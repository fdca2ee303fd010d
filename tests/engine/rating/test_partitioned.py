"""Rating in partitions against a broadcast peer distribution equals rating everyone at once."""

from __future__ import annotations

import numpy as np
import pytest

from czesg.engine.rating import (
    CERTIFICATION_RECORDS,
    ENV_CREDIT_COLOURS,
    TAX_CREDIT_GRADES,
    TIERS,
    RatingInput,
    green_score,
    load_green_methodology,
    load_methodology,
    partitioned,
    rate,
)
from czesg.engine.synth import generate_disclosures, generate_enterprises


@pytest.fixture(scope="module")
def population() -> RatingInput:
    n = 1500
    enterprises = generate_enterprises(n, seed=4)
    values = generate_disclosures(enterprises, [2024], seed=4, submittable=True)
    rng = np.random.default_rng(4)
    records = {
        "env_penalty_count": rng.poisson(0.3, n).astype(float),
        "env_penalty_amount": np.round(rng.exponential(5.0, n) * (rng.random(n) < 0.2), 2),
        "fatal_accidents": rng.poisson(0.02, n).astype(float),
        "serious_accidents": rng.poisson(0.05, n).astype(float),
        "tax_credit": rng.integers(-1, len(TAX_CREDIT_GRADES), n).astype(np.int8),
        "env_credit": rng.integers(-1, len(ENV_CREDIT_COLOURS), n).astype(np.int8),
        "certifications": rng.random((n, len(CERTIFICATION_RECORDS))) < 0.2,
    }
    inputs = RatingInput.from_synthetic(values, 2024, methodology=load_methodology(),
                                        records=records)
    # Mixed tiers, and ties: a tenth of the values rounded hard, so that peers share values.
    tiers = tuple(TIERS[i] for i in rng.integers(0, len(TIERS), n).tolist())
    rounded = np.where(rng.random(inputs.values.shape) < 0.1, np.round(inputs.values, -1),
                       inputs.values)
    return inputs.replace(tiers=tiers, values=rounded)


def _partitions(inputs: RatingInput, count: int, seed: int) -> list[RatingInput]:
    owner = np.random.default_rng(seed).integers(0, count, len(inputs))
    return [inputs.take(np.flatnonzero(owner == p)[::-1]) for p in range(count)]


@pytest.mark.parametrize("count", [1, 3, 7])
def test_partitions_rate_as_the_whole_population(population, count):
    methodology, green = load_methodology(), load_green_methodology()
    parts = _partitions(population, count, seed=count)
    peers = partitioned.merge_peer_values(
        partitioned.peer_values(part, methodology, green) for part in parts)
    whole = rate(population, methodology)
    whole_green = green_score(population, green)
    ratings = [partitioned.rate_partition(part, methodology, peers, population.hash())
               for part in parts]
    greens = [partitioned.green_partition(part, green, peers, population.hash())
              for part in parts]
    stacked = partitioned.stack(ratings, population.enterprises)
    stacked_green = partitioned.stack(greens, population.enterprises)
    assert stacked.fingerprint() == whole.fingerprint()
    assert stacked.grade.tolist() == whole.grade.tolist()
    assert (stacked.peer_level == 1).any() and (stacked.peer_level == 2).any()
    for name in ("score", "total", "deductions", "label_index", "component_scores",
                 "carbon_peer_size", "carbon_peer_level"):
        assert np.array_equal(getattr(stacked_green, name), getattr(whole_green, name),
                              equal_nan=True), name
    assert stacked_green.inputs_hash == whole_green.inputs_hash
    assert stacked_green.green_category == whole_green.green_category


def test_inputs_survive_a_frame(population, tmp_path):
    frame = partitioned.inputs_frame(population)
    frame.write_parquet(tmp_path / "inputs.parquet")
    import polars as pl

    back = partitioned.inputs_from_frame(
        pl.read_parquet(tmp_path / "inputs.parquet"), year=population.year,
        codes=population.codes, group_keys=population.group_keys)
    assert back.hash() == population.hash()
    assert back.tiers == population.tiers
    assert np.array_equal(back.certifications, population.certifications)
