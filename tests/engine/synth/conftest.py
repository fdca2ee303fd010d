"""Fixtures of the synthetic-data tests: the catalogue, the parameters, 300 enterprises."""

from __future__ import annotations

import tomllib

import pytest

from czesg.engine import synth
from czesg.engine.catalogue import load_catalogue
from czesg.engine.plan import load_city_profile
from tests.engine.synth import YEARS


@pytest.fixture(scope="package")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="package")
def profile():
    return load_city_profile()


@pytest.fixture(scope="package")
def params():
    return synth.load_parameters()


@pytest.fixture(scope="package")
def factor_set(params):
    """The carbon factor set the generator reads (named in parameters.toml)."""
    return params.factor_set


@pytest.fixture(scope="package")
def raw_parameters():
    """The parameters file read directly, independent of the loader under test."""
    return tomllib.loads(synth.PARAMETERS_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="package")
def enterprises():
    return synth.generate_enterprises(300, seed=2025)


@pytest.fixture(scope="package")
def values(enterprises):
    return synth.generate_disclosures(enterprises, YEARS, seed=2025)
