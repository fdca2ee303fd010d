"""The translated labels of the dashboard pages: target statuses, value sources, metrics,
breakdowns and units."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

STATUS_LABELS = {
    "met": gettext_noop("Met"),
    "on_track": gettext_noop("On track"),
    "behind": gettext_noop("Behind"),
    "no_data": gettext_noop("No data"),
}
SOURCE_LABELS = {
    "statistic": gettext_noop("Zone statistic"),
    "aggregate": gettext_noop("Aggregated from enterprises"),
    "missing": gettext_noop("Missing"),
}
METRIC_LABELS = {
    "enterprises": gettext_noop("Enterprises"),
    "disclosure_coverage": gettext_noop("Disclosure coverage (%)"),
    "grade_distribution": gettext_noop("Grade distribution"),
    "total_emissions": gettext_noop("Total emissions (tCO2e)"),
    "emissions_intensity": gettext_noop("Emission intensity (tCO2e per 10,000 CNY)"),
    "energy": gettext_noop("Energy use (tce)"),
}
BREAKDOWN_LABELS = {
    "district": gettext_noop("District"),
    "park": gettext_noop("Park"),
    "industry": gettext_noop("Lead industry"),
}
UNIT_LABELS = {
    "%": "", "count": "", "count/year": gettext_noop("per year"),
    "persons/year": gettext_noop("persons a year"),
}


def labels() -> dict[str, Any]:
    """The translated labels of statuses, value sources, metrics and breakdowns."""
    return {
        "status": {k: gettext(v) for k, v in STATUS_LABELS.items()},
        "source": {k: gettext(v) for k, v in SOURCE_LABELS.items()},
        "metric": {k: gettext(v) for k, v in METRIC_LABELS.items()},
        "by": {k: gettext(v) for k, v in BREAKDOWN_LABELS.items()},
        "unrated": gettext("Unrated"),
        "none": {"district": gettext("Unknown district"), "park": gettext("Not in a park"),
                 "industry": gettext("Other industries")},
        "target": gettext("Target"),
        "value": gettext("Value"),
    }
