"""The rating engine's own benchmark: the compute step alone on synthetic enterprises.

No database: the inputs come from :mod:`czesg.engine.synth`; :func:`benchmark` times
:func:`~czesg.engine.rating.rate` (with the inputs hash), the green score and one explanation,
and compares the rating with one plain NumPy pass over the same values.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from czesg.engine.rating import (
    CERTIFICATION_RECORDS,
    ENV_CREDIT_COLOURS,
    TAX_CREDIT_GRADES,
    RatingInput,
    explain,
    green_score,
    load_green_methodology,
    load_methodology,
    rate,
)
from czesg.engine.synth import generate_disclosures, generate_enterprises


def median_time(function: Callable[[], Any], repeat: int) -> float:
    """The median wall time in seconds of ``repeat`` calls of ``function``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def benchmark(n: int = 100_000, seed: int = 0, repeat: int = 3) -> dict[str, Any]:
    """Time the rating's compute step on ``n`` synthetic enterprises × all rated indicators.

    The inputs come from :mod:`czesg.engine.synth` (realistic completeness and not-applicable
    answers); the government-record columns are random draws that only give the arrays their
    shape and are no statistic. ``rating_100k_compute_s`` is the median time of :func:`rate`
    (including the inputs hash) and ``rating_compute_vs_numpy_floor`` divides it by one plain
    NumPy pass over the same values (``np.nansum(values, axis=1)``).
    """
    methodology = load_methodology()
    green = load_green_methodology()
    enterprises = generate_enterprises(n, seed=seed)
    values = generate_disclosures(enterprises, [2024], seed=seed, submittable=True)
    rng = np.random.default_rng([seed, 7])
    records = {
        "env_penalty_count": rng.poisson(0.05, n).astype(float),
        "env_penalty_amount": np.round(rng.exponential(5.0, n) * (rng.random(n) < 0.05), 2),
        "fatal_accidents": rng.poisson(0.002, n).astype(float),
        "serious_accidents": rng.poisson(0.01, n).astype(float),
        "tax_credit": rng.integers(-1, len(TAX_CREDIT_GRADES), n).astype(np.int8),
        "env_credit": rng.integers(-1, len(ENV_CREDIT_COLOURS), n).astype(np.int8),
        "certifications": rng.random((n, len(CERTIFICATION_RECORDS))) < 0.1,
    }
    inputs = RatingInput.from_synthetic(values, 2024, methodology=methodology, records=records)

    hash_s = median_time(lambda: inputs.replace().hash(), repeat)
    compute_s = median_time(lambda: rate(inputs.replace(), methodology), repeat)
    result = rate(inputs, methodology)
    floor_s = median_time(lambda: np.nansum(inputs.values, axis=1), max(repeat, 5))
    green_s = median_time(lambda: green_score(inputs.replace(), green), repeat)
    explain_s = median_time(
        lambda: explain(result, inputs, methodology, inputs.enterprises[0]), 1
    )
    return {
        "rating_enterprises": n,
        "rating_indicators": len(methodology.indicators),
        "rating_100k_compute_s": round(compute_s, 4),
        "rating_inputs_hash_s": round(hash_s, 4),
        "rating_numpy_floor_s": round(floor_s, 5),
        "rating_compute_vs_numpy_floor": round(compute_s / floor_s, 1) if floor_s else None,
        "green_score_100k_compute_s": round(green_s, 4),
        "rating_explain_one_s": round(explain_s, 4),
    }
