"""The ratings REST API (mounted at /api/v1/ratings): an enterprise's latest rating and its
history are public (grade and score); the explanation and the green score are served to the
enterprise's members, government users and grantees of the "scores" scope (reads logged);
starting a run needs a government or platform-administrator session or a write token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from czesg.access.actions import note_consented_read
from czesg.access.models import Scope
from czesg.accounts.permissions import require_government
from czesg.engine import rating as engine
from czesg.engine.kernel.errors import CatalogueError, NotFound, gettext_noop
from czesg.enterprises.models import Enterprise
from czesg.ratings import actions
from czesg.ratings.models import GreenScore, Rating, RatingRun
from czesg.web.auth import READ_AUTH, WRITE_AUTH
from czesg.web.language import language

router = Router(tags=["ratings"])


class PillarsOut(Schema):
    """Pillar scores 0–100 (None where a pillar had nothing applicable)."""

    E: float | None
    S: float | None
    G: float | None


class ContributionOut(Schema):
    """One indicator's part in the score: its value, score, effective weight and points."""

    code: str
    pillar: str
    topic: str
    name: str
    status: str
    value: float | None
    score: float | None
    weight: float
    points: float
    peer_level: str
    peer_rank: int | None
    peer_size: int | None


class DeductionOut(Schema):
    """Points deducted for one kind of controversy in government records."""

    key: str
    name: str
    points: float


class ImprovementOut(Schema):
    """A change that raises the score, with the points it gains (re-scored, not guessed)."""

    code: str
    name: str
    action: str
    target: str
    current_value: float | None
    target_value: float
    points: float
    new_score: float
    new_grade: str


class ExplanationOut(Schema):
    """Why the enterprise has its score: contributions, deductions, peers and improvements."""

    group: str
    total: float
    percentile: float
    rank: int
    peer_size: int
    adjustment: float
    contributions: list[ContributionOut]
    deductions: list[DeductionOut]
    improvements: list[ImprovementOut]


class GreenComponentOut(Schema):
    """One green-score component's score, weight and points."""

    score: float | None
    weight: float
    points: float


class GreenOut(Schema):
    """The green score (常绿分) and its label, with its components."""

    score: float
    label: str
    label_capped: bool
    total: float
    deductions: float
    components: dict[str, GreenComponentOut]
    methodology_version: str


class RatingOut(Schema):
    """An enterprise's rating in one run; the explanation and green score only for those allowed."""

    enterprise: str
    name: str
    year: int
    run: int
    rated_at: datetime | None
    score: float
    grade: str
    tier: str = Field(description="The disclosure tier the rating was computed on (basic or "
                      "standard; every rating of methodology 2025.1 used the standard set).")
    grade_capped: bool = Field(description="Whether the grade was held at the best grade of "
                               "its tier (methodology 2025.2: AA for the basic tier).")
    pillars: PillarsOut
    total: float
    deductions: float
    peer_group: str
    peer_rank: int
    peer_size: int
    methodology_version: str
    inputs_hash: str
    explanation: ExplanationOut | None = None
    green_score: GreenOut | None = None


class HistoryOut(Schema):
    """One rating of an enterprise in its history."""

    year: int
    run: int
    rated_at: datetime | None
    score: float
    grade: str
    tier: str
    grade_capped: bool
    methodology_version: str


class DistributionRow(Schema):
    """Enterprises per grade in one lead industry or district."""

    key: str
    name: str
    counts: dict[str, int]
    total: int


class DistributionOut(Schema):
    """The grade distribution of a run by lead industry or district."""

    year: int
    run: int | None
    by: str
    grades: list[str]
    groups: list[DistributionRow]


class RunIn(Schema):
    """The year to rate."""

    year: int


class RunOut(Schema):
    """A rating run's status, progress and counts."""

    run: int
    year: int
    status: str
    progress: int
    rated: int
    grade_distribution: dict[str, int]
    threshold: str
    at_or_above_threshold: int
    methodology_version: str
    green_methodology_version: str
    started_at: datetime
    finished_at: datetime | None
    error: str


class DistributionFilter(Schema):
    """Which year's latest run, grouped by what."""

    year: int | None = None
    by: str = "industry"


def _enterprise(uscc: str) -> Enterprise:
    enterprise = Enterprise.objects.filter(uscc=uscc.upper()).first()
    if enterprise is None:
        raise NotFound()
    return enterprise


def _rating_out(rating: Rating) -> dict[str, Any]:
    return {
        "enterprise": rating.enterprise.uscc, "name": rating.enterprise.name, "year": rating.year,
        "run": rating.run_id, "rated_at": rating.run.finished_at, "score": rating.score,
        "grade": rating.grade, "tier": rating.tier, "grade_capped": rating.grade_capped,
        "pillars": rating.pillars, "total": rating.total,
        "deductions": rating.deductions, "peer_group": rating.peer_group,
        "peer_rank": rating.peer_rank, "peer_size": rating.peer_size,
        "methodology_version": rating.methodology_version, "inputs_hash": rating.inputs_hash,
    }


def _explanation_out(expl: engine.Explanation) -> dict[str, Any]:
    en = language().startswith("en")
    return {
        "group": expl.group, "total": expl.total, "percentile": expl.percentile,
        "rank": expl.rank, "peer_size": expl.peer_size, "adjustment": expl.adjustment,
        "contributions": [{
            "code": c.code, "pillar": c.pillar, "topic": c.topic,
            "name": c.name_en if en else c.name_zh, "status": c.status, "value": c.value,
            "score": c.score, "weight": c.weight, "points": c.points, "peer_level": c.peer_level,
            "peer_rank": c.peer_rank, "peer_size": c.peer_size,
        } for c in expl.contributions],
        "deductions": [{"key": d.key, "name": d.name_en if en else d.name_zh, "points": d.points}
                       for d in expl.deductions],
        "improvements": [{
            "code": i.code, "name": i.name_en if en else i.name_zh, "action": i.action,
            "target": i.target, "current_value": i.current_value, "target_value": i.target_value,
            "points": i.points, "new_score": i.new_score, "new_grade": i.new_grade,
        } for i in expl.improvements],
    }


@router.get("/distribution", response=DistributionOut)
def distribution(request: HttpRequest, filters: Query[DistributionFilter]):
    """Enterprises per grade in the latest finished run of a year (the newest year by default),
    by lead industry (``by=industry``) or district (``by=district``)."""
    if filters.by not in ("industry", "district"):
        raise CatalogueError(gettext_noop("Group by “industry” or “district”."), field="by")
    run = actions.latest_run(filters.year)
    methodology = engine.load_methodology(run.methodology_version if run else None)
    groups = actions.distribution(run, filters.by, language()) if run else []
    return {"year": run.year if run else (filters.year or 0), "run": run.pk if run else None,
            "by": filters.by, "grades": [b.key for b in methodology.bands], "groups": groups}


@router.post("/runs", response={202: RunOut}, auth=WRITE_AUTH)
def start_run(request: HttpRequest, body: RunIn):
    """Re-rate the city for a year in the background (government and platform administrators);
    poll ``GET /runs/{id}`` for its progress."""
    run = actions.start_rating(body.year, actor=request.user)
    run.refresh_from_db()
    return Status(202, actions.run_summary(run))


@router.get("/runs/{run_id}", response=RunOut, auth=READ_AUTH)
def get_run(request: HttpRequest, run_id: int):
    """A rating run's status, progress and counts (government and platform administrators)."""
    require_government(request.user)
    run = RatingRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return actions.run_summary(run)


@router.get("/{uscc}", response=RatingOut)
def latest(request: HttpRequest, uscc: str):
    """An enterprise's latest rating: grade and score for everybody; the explanation and the
    green score for its members, government users and grantees of the "scores" scope."""
    enterprise = _enterprise(uscc)
    rating = actions.latest_rating(enterprise)
    if rating is None:
        raise NotFound()
    out = _rating_out(rating)
    if actions.can_see_explanation(request.user, enterprise):
        out["explanation"] = _explanation_out(actions.explanation(rating))
        green = GreenScore.objects.filter(run_id=rating.run_id, enterprise=enterprise).first()
        if green is not None:
            out["green_score"] = {
                "score": green.score, "label": green.label, "label_capped": green.label_capped,
                "total": green.total, "deductions": green.deductions,
                "components": green.components, "methodology_version": green.methodology_version,
            }
        note_consented_read(request.user, enterprise, Scope.SCORES,
                            f"rating {rating.year} (run {rating.run_id})", "api")
    return out


@router.get("/{uscc}/history", response=list[HistoryOut])
def rating_history(request: HttpRequest, uscc: str):
    """Every rating of an enterprise across runs, newest first (grades and scores are public)."""
    enterprise = _enterprise(uscc)
    return [{"year": r.year, "run": r.run_id, "rated_at": r.run.finished_at, "score": r.score,
             "grade": r.grade, "tier": r.tier, "grade_capped": r.grade_capped,
             "methodology_version": r.methodology_version}
            for r in actions.history(enterprise)]
