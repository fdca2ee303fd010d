"""The small test methodology as a fixture, parsed once per module."""

from __future__ import annotations

import pytest

from czesg.engine.rating.methodology import parse_methodology
from tests.engine.rating.cases import SMALL


@pytest.fixture(scope="module")
def small():
    return parse_methodology(SMALL, name="rating-test.toml")
