"""Tests of the synthetic-data generator package, one module per engine module; shared helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from czesg.engine import synth

YEARS = [2022, 2023]
REFERENCE = Path("/work/shared/reference/emission_factors_and_conversions.csv")
FUELS = ("E-ENG-01-GAS", "E-ENG-01-COAL", "E-ENG-01-DSL", "E-ENG-01-GSL", "E-ENG-01-LPG",
         "E-ENG-01-FO")


def factor(factor_set, factor_id: str) -> float:
    """The value of ``factor_id`` in the carbon factor set that the generator reads."""
    assert factor_id in factor_set, f"{factor_id} is not in factor set {factor_set.version}"
    return factor_set.get(factor_id).value


def fuel_parameters(factor) -> float:
    """A fuel's tCO2 per unit from its GB/T 32151 parameters: NCV x carbon x oxidation x 44/12."""
    return factor.ncv * factor.carbon_content_tC_per_GJ * factor.oxidation_rate * 44 / 12


def disclosed(values, code):
    """The values of ``code`` as an (enterprises x years) array, NaN where not disclosed."""
    return values.numbers(code)


def catalogue_type(values, code):
    """The data type of ``code`` as the generated values record it."""
    return values.data_types[values.codes.index(code)]


def as_zero(array):
    """Carriers not disclosed (not applicable, or not in the tier) count as zero."""
    return np.nan_to_num(array, nan=0.0)


def edited(old: str, new: str) -> str:
    """The shipped parameters text with the first ``old`` replaced by ``new``."""
    text = synth.PARAMETERS_PATH.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)
