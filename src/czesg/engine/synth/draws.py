"""Seeded random streams of the generator: each (seed, stream, label) draws on its own."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

# The generator's stream numbers: enterprises and disclosures never share random numbers.
ENTERPRISE_STREAM = 1
DISCLOSURE_STREAM = 2


def random_stream(seed: int, stream: int, *labels: str) -> np.random.Generator:
    """A generator of its own for each (seed, stream, label) so that draws never shift."""
    label = zlib.crc32("|".join(labels).encode("utf-8"))
    return np.random.default_rng([seed, stream, label])


def normalised_weights(weights: Sequence[float]) -> np.ndarray:
    """The weights scaled to sum to one; all-zero weights are refused."""
    array = np.asarray(weights, dtype=float)
    total = array.sum()
    if total <= 0:
        raise ValueError("the weights must not all be zero")
    return array / total




def uniform_between(rng: np.random.Generator, bounds: Sequence[float],
                    size: int | tuple[int, ...]) -> np.ndarray:
    """``size`` draws from ``rng``, uniform between the ``[low, high]`` of ``bounds``."""
    low, high = bounds
    return rng.uniform(low, high, size=size)
