"""What the enterprise database knows of an enterprise's year, indicator by indicator (mounted
at /api/v1/ by :mod:`czesg.api`): disclosed first, else a record of a named source, else not
reported, with the tier's completeness. Restricted records only for those who may read them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from czesg.access.actions import note_consented_read
from czesg.access.models import Scope
from czesg.disclosures.models import Disclosure
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import NotFound
from czesg.enterprises.models import Enterprise
from czesg.records.known import DISCLOSED, NOT_REPORTED, known_figures, restricted_readable
from czesg.web.language import language

router = Router(tags=["enterprises"])

Basis = Literal["disclosed", "record", "not_reported"]


class FigureOut(Schema):
    """One indicator's known figure and on what basis it is known."""

    indicator: str
    name: str
    in_tier: bool = Field(description="Whether the indicator belongs to the year's tier.")
    basis: Basis = Field(description="disclosed by the enterprise's latest published "
                         "disclosure, a record of a named source (only where no disclosure "
                         "holds it), or not reported (the tier's indicators only).")
    value: float | None = Field(description="The figure in the indicator's canonical unit "
                                "(null for a yes/no, choice, text or not-applicable answer).")
    unit: str
    source: str | None = Field(description="A record's source code.")
    source_name: str | None = None
    document: str | None = Field(description="A record's document (e.g. the report's title).")
    page: int | None = None


class CompletenessOut(Schema):
    """How much of the tier's indicator set is known."""

    answered: int = Field(description="The tier's indicators disclosed or recorded.")
    disclosed: int
    recorded: int
    total: int = Field(description="The indicators of the tier.")


class FiguresOut(Schema):
    """An enterprise-year's figures: the tier's indicators first, in catalogue order."""

    enterprise: str
    year: int
    tier: str = Field(description="The tier of the year's latest published disclosure (basic "
                      "when there is none).")
    disclosure_version: int | None = Field(description="The published version the disclosed "
                                           "figures come from.")
    completeness: CompletenessOut
    figures: list[FigureOut]


@router.get("/enterprises/{uscc}/figures", response=FiguresOut)
def enterprise_figures(request: HttpRequest, uscc: str, year: int | None = None):
    """Each indicator's known figure for a year (by default the latest year with any): disclosed,
    else a record (restricted records only for the enterprise's members, government users and
    grantees of its records), else not reported; with the tier's completeness."""
    enterprise = Enterprise.objects.filter(uscc=uscc.upper()).first()
    if enterprise is None:
        raise NotFound()
    catalogue = load_catalogue()
    restricted = restricted_readable(request.user, [enterprise.pk])
    known = known_figures([enterprise.pk], codes=[i.code for i in catalogue.indicators],
                          years=None if year is None else [year], restricted=restricted)
    if year is None:
        year = max((y for _, y, _ in known), default=dt.date.today().year - 1)
    latest = (Disclosure.objects.latest_published(year=year, enterprises=[enterprise.pk])
              .values_list("tier", "version").first())
    tier, version = latest or ("basic", None)
    lang = language()
    tier_codes = [i.code for i in catalogue.for_tier(tier)]
    in_tier = set(tier_codes)
    others = sorted(code for e, y, code in known if y == year and code not in in_tier)
    figures, counts = [], {DISCLOSED: 0, "record": 0}
    for code in [*tier_codes, *others]:
        indicator = catalogue.get(code)
        figure = known.get((enterprise.pk, year, code))
        recorded = figure.recorded if figure is not None else None
        if figure is not None and code in in_tier:
            counts[figure.basis] += 1
        figures.append({
            "indicator": code, "name": indicator.name(lang), "in_tier": code in in_tier,
            "basis": figure.basis if figure is not None else NOT_REPORTED,
            "value": figure.number if figure is not None else None,
            "unit": (figure.unit if figure is not None and figure.unit else indicator.unit),
            "source": recorded.source if recorded else None,
            "source_name": recorded.source_name(lang) if recorded else None,
            "document": (recorded.document or None) if recorded else None,
            "page": recorded.page if recorded else None,
        })
    if restricted:
        note_consented_read(request.user, enterprise, Scope.RECORDS,
                            f"figures {year}", "api")
    return {
        "enterprise": enterprise.uscc, "year": year, "tier": tier, "disclosure_version": version,
        "completeness": {"answered": counts[DISCLOSED] + counts["record"],
                         "disclosed": counts[DISCLOSED], "recorded": counts["record"],
                         "total": len(tier_codes)},
        "figures": figures,
    }
