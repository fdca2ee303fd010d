"""Enterprise targets and their progress, with the arithmetic shown.

A target names an indicator, a base year and value, and a target year with either a target
value or a reduction in percent of the base. Progress against an actual figure of a later year
compares it with the straight line from base to target (the value the line reaches in that year):
at or better than the line is *on track*, worse is *off track*; after the target year the target
value itself is the line. The share achieved is (base − actual) / (base − target).
"""

from __future__ import annotations

from dataclasses import dataclass

from czesg.engine.kernel.errors import CatalogueError, gettext_noop

ON_TRACK = "on_track"
OFF_TRACK = "off_track"
NO_DATA = "no_data"


@dataclass(frozen=True)
class TargetSpec:
    """A checked target: base and target year and value (the value derived from a reduction)."""

    base_year: int
    base_value: float
    target_year: int
    target_value: float
    reduction_pct: float | None


def check_target(*, base_year: int, base_value: float, target_year: int,
                 target_value: float | None, reduction_pct: float | None) -> TargetSpec:
    """Check a target; the target value is derived from a reduction in percent when given."""
    if not 1990 <= base_year <= 2100:
        raise CatalogueError(gettext_noop("The base year must lie between 1990 and 2100."),
                             field="base_year")
    if target_year <= base_year:
        raise CatalogueError(gettext_noop(
            "The target year (%(target)s) must come after the base year (%(base)s)."),
            target=target_year, base=base_year, field="target_year")
    if target_year > 2100:
        raise CatalogueError(gettext_noop("The target year must be 2100 or earlier."),
                             field="target_year")
    if base_value < 0:
        raise CatalogueError(gettext_noop("The base value cannot be negative."),
                             field="base_value")
    if (target_value is None) == (reduction_pct is None):
        raise CatalogueError(gettext_noop("Give either a target value or a reduction in percent."),
                             field="target_value")
    if reduction_pct is not None:
        if not 0 < reduction_pct <= 100:
            raise CatalogueError(gettext_noop("The reduction lies between 0 and 100 %%."),
                                 field="reduction_pct")
        target_value = base_value * (1 - reduction_pct / 100)
    assert target_value is not None
    if target_value < 0:
        raise CatalogueError(gettext_noop("The target value cannot be negative."),
                             field="target_value")
    if target_value == base_value:
        raise CatalogueError(gettext_noop("The target value equals the base value."),
                             field="target_value")
    return TargetSpec(base_year, base_value, target_year, target_value, reduction_pct)


@dataclass(frozen=True)
class Progress:
    """A target's progress at one year: the figure, the line's value then, and the verdict."""

    status: str
    year: int | None = None
    actual: float | None = None
    expected: float | None = None
    achieved: float | None = None  # share of the planned change achieved (1.0 = all)


def expected_at(spec: TargetSpec, year: int) -> float:
    """The value the straight line from base to target reaches in ``year``."""
    if year >= spec.target_year:
        return spec.target_value
    if year <= spec.base_year:
        return spec.base_value
    step = (year - spec.base_year) / (spec.target_year - spec.base_year)
    return spec.base_value + (spec.target_value - spec.base_value) * step


def progress(spec: TargetSpec, figures: dict[int, float]) -> Progress:
    """Progress from the latest year after the base year with a figure (``year → value``)."""
    years = [y for y in figures if y > spec.base_year and figures[y] is not None]
    if not years:
        return Progress(NO_DATA)
    year = max(years)
    actual = float(figures[year])
    expected = expected_at(spec, year)
    reducing = spec.target_value < spec.base_value
    on_track = actual <= expected if reducing else actual >= expected
    achieved = (spec.base_value - actual) / (spec.base_value - spec.target_value)
    return Progress(ON_TRACK if on_track else OFF_TRACK, year, actual, expected, achieved)
