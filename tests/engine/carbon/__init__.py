"""Tests of the carbon engine package, one module per engine module; shared rows and helpers."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl

from czesg.engine import carbon

REFERENCE = Path("/work/shared/reference/emission_factors_and_conversions.csv")
FACTOR_SET = "2025.1"
"""The factor set whose numbers these tests assert; named, so that a newer version breaks none."""
FACTORS_DIR = carbon.FACTORS_ROOT / FACTOR_SET
C = 44 / 12
USCC = "91320400MA1XXXXX1A"
RENAMED = {"TCE-ELECTRICITY": "TCE-ELECTRICITY-CALORIFIC", "TCE-HEAT": "TCE-HEAT-CALORIFIC"}


def calculate(inputs, **options):
    """``carbon.calculate`` with :data:`FACTOR_SET` unless the test names another set."""
    options.setdefault("factor_set", FACTOR_SET)
    return carbon.calculate(inputs, **options)


def row(activity, quantity, unit, year=2023, uscc=USCC, **extra):
    """An activity row of the test enterprise (2023 unless told)."""
    return {"uscc": uscc, "year": year, "activity": activity, "quantity": quantity,
            "unit": unit, **extra}


def totals(result, uscc=USCC, year=2023):
    """The totals of one enterprise-year as a dict (exactly one must exist)."""
    found = result.totals.filter((pl.col("uscc") == uscc) & (pl.col("year") == year))
    assert found.height == 1
    return found.row(0, named=True)


def entries(result, basis, activity=None):
    """The trace entries of ``basis`` (and ``activity``, when given)."""
    return [e for e in result.trace
            if e["basis"] == basis and (activity is None or e["activity"] == activity)]


def problems_of(excinfo):
    """The (row, column, message) of every problem of a raised CarbonInputError."""
    return [(p.row, p.column, p.message) for p in excinfo.value.problems]


def copy_factor_set(root: Path, version: str, supersedes: str = "") -> Path:
    """A copy of the shipped set under ``root`` and a new version beside it (same factors)."""
    shutil.copytree(FACTORS_DIR, root / "2025.1", dirs_exist_ok=True)
    target = root / version
    target.mkdir(exist_ok=True)
    toml = (FACTORS_DIR / "factorset.toml").read_text(encoding="utf-8")
    toml = toml.replace('version = "2025.1"', f'version = "{version}"').replace(
        'supersedes = ""', f'supersedes = "{supersedes}"')
    (target / "factorset.toml").write_text(toml, encoding="utf-8")
    return target


def io_csv(lines):
    """CSV text of ``lines`` (lists of cells)."""
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    return buffer.getvalue()

