"""The dashboard pages: city targets and breakdowns, zone ranking and reports, the task tracker,
the registries and department memberships, and every page's Excel and PDF export.

Who sees what is decided here and again in the actions and querysets: government users and
platform administrators see everything; a park administrator sees only the own zone's report
and statistics page (any other zone does not exist for them); everybody else signed in gets
"not found", and the public is sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from czesg.accounts.models import Role
from czesg.dashboards import actions, exports
from czesg.dashboards.figures import (
    BREAKDOWNS,
    CityFigures,
    TaskBoard,
    ZoneFigures,
    breakdown_table,
    cached,
    cached_city_figures,
    cached_default_year,
    cached_zone_figures,
    parse_threshold,
    parse_year,
    plan_start,
    published_years,
    task_board,
)
from czesg.dashboards.forms import (
    DepartmentForm,
    MilestoneForm,
    ProgressForm,
    ZoneStatisticsForm,
    registry_form,
)
from czesg.dashboards.models import DepartmentMembership, TaskMilestone, ZoneStatistic
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.parks import ParkEvaluation, load_park_methodology
from czesg.engine.plan import load_city_profile
from czesg.engine.plan import targets as engine
from czesg.web.problems import user_message

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


def _lang() -> str:
    return get_language() or "zh-hans"


def _english(lang: str) -> bool:
    return lang.startswith("en")


def _government_only(request: HttpRequest) -> None:
    if not actions.is_government(request.user):
        raise Http404


def _zone_or_404(request: HttpRequest, park_key: str):
    if not actions.may_see_zone(request.user, park_key):
        raise Http404
    try:
        return load_city_profile().park(park_key)
    except KeyError:
        raise Http404 from None


def _year(request: HttpRequest) -> int:
    return parse_year(request.GET.get("year")) or cached_default_year()


def _year_choices(year: int) -> list[int]:
    this_year = timezone.localdate().year
    years = cached("published-years", (), published_years)
    return sorted(set(years) | {year} | {this_year - 1}, reverse=True)


def _fmt(fmt: str) -> str:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    return fmt


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


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Send each reader to the dashboard of their role."""
    user = request.user
    if actions.is_government(user):
        return redirect("dashboards:city")
    if user.role == Role.PARK_ADMIN and user.park_key:
        return redirect("dashboards:zone", park_key=user.park_key)
    raise Http404


# --------------------------------------------------------------------------------------------
# City dashboard


def target_cards(figures: CityFigures, lang: str) -> list[dict[str, Any]]:
    """The six plan targets as cards: name, figure, target, status, trend series."""
    english = _english(lang)
    names = labels()
    cards = []
    for target in figures.targets:
        percent = target.unit == "%"
        cards.append({
            "key": target.key,
            "name": target.name_en if english else target.name_zh,
            "value": target.value,
            "value_text": "—" if target.value is None else (
                f"{target.value:.1f}%" if percent else f"{target.value:,.0f}"),
            "target_text": (f"{target.target:.0f}%" if percent else f"{target.target:,.0f}"),
            "unit": gettext(UNIT_LABELS.get(target.unit, "")) if UNIT_LABELS.get(target.unit)
            else "",
            "comparator": target.comparator,
            "target_year": target.target_year,
            "year": target.year,
            "status": target.status,
            "status_label": names["status"][target.status],
            "share": target.share_of_target,
            "expected": target.expected,
            "trend": target.trend,
            "measured_by": target.measured_by,
            "series": [[y, v] for y, v in target.series],
            "target": target.target,
            "source": target.source,
        })
    return cards


def city_context(figures: CityFigures, lang: str) -> dict[str, Any]:
    """Everything the city page and its PDF show."""
    names = labels()
    tables = {}
    for by in BREAKDOWNS:
        table = breakdown_table(figures, by, lang)
        table["labels"] = [label or names["none"][by] for label in table["labels"]]
        table["rows"] = [
            {"key": key, "label": label,
             **{m: table["metrics"][m][i] for m in table["metrics"]},
             "grades": [table["grades"][g][i] for g in table["grades"]]}
            for i, (key, label) in enumerate(zip(table["keys"], table["labels"], strict=True))
        ]
        tables[by] = table
    cards = target_cards(figures, lang)
    chart = {
        "targets": {c["key"]: {"series": c["series"], "target": c["target"],
                               "name": c["name"]} for c in cards},
        "breakdowns": {by: {k: v for k, v in t.items() if k != "rows"}
                       for by, t in tables.items()},
        "labels": names,
        "grades": [*engine.GRADE_SCALE, engine.UNRATED],
    }
    return {
        "figures": figures, "cards": cards, "tables": tables, "chart": chart,
        "breakdown_names": [(by, names["by"][by]) for by in BREAKDOWNS],
        "grade_names": [*engine.GRADE_SCALE, names["unrated"]],
        "grade_choices": engine.GRADE_SCALE, "years": _year_choices(figures.year),
        "metric_labels": names["metric"], "lang": lang,
        "generated": timezone.localtime(),
    }


@login_required
def city(request: HttpRequest) -> HttpResponse:
    """The six 2027 targets against today, and breakdowns by district, park and industry."""
    _government_only(request)
    figures = cached_city_figures(parse_year(request.GET.get("year")),
                           parse_threshold(request.GET.get("threshold")))
    return render(request, "dashboards/city.html", city_context(figures, _lang()))


@login_required
def city_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The city dashboard as an Excel workbook or a PDF."""
    _government_only(request)
    fmt = _fmt(fmt)
    lang = _lang()
    figures = cached_city_figures(parse_year(request.GET.get("year")),
                           parse_threshold(request.GET.get("threshold")))
    name = f"czesg-city-{figures.year}"
    if fmt == "xlsx":
        return exports.xlsx_response(exports.city_workbook(figures, city_context(figures, lang)),
                                     name)
    return exports.pdf_response("dashboards/pdf/city.html", city_context(figures, lang), name,
                                request)


# --------------------------------------------------------------------------------------------
# Zones


def _name(item, lang: str, short: bool = False) -> str:
    if _english(lang):
        return item.name_en
    return getattr(item, "short_zh", "") if short and getattr(item, "short_zh", "") \
        else item.name_zh


def zone_rows(figures: ZoneFigures, lang: str) -> list[dict[str, Any]]:
    """The ranking of zones: rank, total, dimension scores, completeness and enterprises."""
    profile = load_city_profile()
    rows = []
    for evaluation in figures.evaluations:
        park = profile.park(evaluation.park_key)
        rows.append({
            "key": evaluation.park_key, "name": _name(park, lang),
            "short": _name(park, lang, short=True), "rank": evaluation.rank,
            "total": evaluation.total,
            "dimensions": [d.score for d in evaluation.dimensions],
            "contributions": [d.contribution for d in evaluation.dimensions],
            "completeness": 100.0 * evaluation.completeness,
            "missing": len(evaluation.missing),
            **figures.enterprises.get(evaluation.park_key, {}),
        })
    return rows


def zones_context(figures: ZoneFigures, lang: str) -> dict[str, Any]:
    """Everything the zone ranking and its PDF show."""
    methodology = figures.methodology
    rows = zone_rows(figures, lang)
    dimensions = [_name(d, lang) for d in methodology.dimensions]
    return {
        "figures": figures, "rows": rows, "dimensions": dimensions,
        "methodology": methodology,
        "methodology_title": methodology.title_en if _english(lang) else methodology.title_zh,
        "chart": {"zones": [r["short"] for r in rows], "dimensions": dimensions,
                  "contributions": [r["contributions"] for r in rows],
                  "totals": [r["total"] for r in rows]},
        "years": _year_choices(figures.year), "lang": lang, "generated": timezone.localtime(),
    }


@login_required
def zones(request: HttpRequest) -> HttpResponse:
    """The ranking of the city's zones (government); a park administrator goes to the own zone."""
    user = request.user
    if not actions.is_government(user):
        if user.role == Role.PARK_ADMIN and user.park_key:
            return redirect("dashboards:zone", park_key=user.park_key)
        raise Http404
    figures = cached_zone_figures(_year(request))
    return render(request, "dashboards/zones.html", zones_context(figures, _lang()))


@login_required
def zones_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The zone ranking as an Excel workbook or a PDF (government)."""
    _government_only(request)
    fmt = _fmt(fmt)
    lang = _lang()
    figures = cached_zone_figures(_year(request))
    context = zones_context(figures, lang)
    name = f"czesg-zones-{figures.year}"
    if fmt == "xlsx":
        return exports.xlsx_response(exports.zones_workbook(figures, context), name)
    return exports.pdf_response("dashboards/pdf/zones.html", context, name, request)


def indicator_rows(evaluation: ParkEvaluation, lang: str) -> list[dict[str, Any]]:
    """Every sub-indicator of a zone's evaluation as the report shows it, dimension by dimension."""
    names = labels()
    english = _english(lang)
    rows = []
    for dimension in evaluation.dimensions:
        for result in dimension.indicators:
            rows.append({
                "dimension": dimension.key,
                "dimension_name": dimension.name_en if english else dimension.name_zh,
                "key": result.key, "name": result.name_en if english else result.name_zh,
                "value": result.value, "unit": result.unit, "source": result.source,
                "source_label": names["source"][result.source], "missing": result.missing,
                "scoring": result.scoring, "direction": result.direction,
                "benchmark": result.benchmark, "floor": result.floor, "band": result.band,
                "band_assumed": result.band_assumed,
                "benchmark_source": result.benchmark_source,
                "benchmark_confidence": result.benchmark_confidence,
                "points": result.points, "weight": result.weight,
                "contribution": result.contribution,
            })
    return rows


def zone_context(figures: ZoneFigures, park_key: str, lang: str) -> dict[str, Any]:
    """Everything a zone's report and its PDF show."""
    profile = load_city_profile()
    park = profile.park(park_key)
    evaluation = figures.of(park_key)
    methodology = figures.methodology
    english = _english(lang)
    statistics = {s.key: s for s in ZoneStatistic.objects.filter(
        park_key=park_key, year=figures.year).select_related("entered_by")}
    entered = [
        {"key": s.key, "name": s.name_en if english else s.name_zh, "unit": s.unit,
         "entry": statistics.get(s.key)}
        for s in methodology.statistics
    ]
    dimensions = [
        {"key": d.key, "name": d.name_en if english else d.name_zh, "weight": d.weight,
         "score": d.score, "contribution": d.contribution}
        for d in evaluation.dimensions
    ]
    return {
        "figures": figures, "park": park, "park_name": _name(park, lang),
        "evaluation": evaluation, "dimensions": dimensions,
        "indicators": indicator_rows(evaluation, lang), "entered": entered,
        "zones": len(figures.evaluations),
        "counts": figures.enterprises.get(park_key, {}),
        "methodology": methodology,
        "methodology_title": methodology.title_en if english else methodology.title_zh,
        "chart": {"dimensions": [d["name"] for d in dimensions],
                  "scores": [d["score"] for d in dimensions]},
        "years": _year_choices(figures.year), "lang": lang, "generated": timezone.localtime(),
    }


@login_required
def zone(request: HttpRequest, park_key: str) -> HttpResponse:
    """A zone's evaluation report: total, dimension scores and every sub-indicator."""
    _zone_or_404(request, park_key)
    figures = cached_zone_figures(_year(request))
    return render(request, "dashboards/zone.html", zone_context(figures, park_key, _lang()))


@login_required
def zone_export(request: HttpRequest, park_key: str, fmt: str) -> HttpResponse:
    """A zone's report as an Excel workbook or a PDF."""
    _zone_or_404(request, park_key)
    fmt = _fmt(fmt)
    figures = cached_zone_figures(_year(request))
    context = zone_context(figures, park_key, _lang())
    name = f"czesg-zone-{park_key}-{figures.year}"
    if fmt == "xlsx":
        return exports.xlsx_response(exports.zone_workbook(figures, context), name)
    return exports.pdf_response("dashboards/pdf/zone.html", context, name, request)


@login_required
def zone_statistics(request: HttpRequest, park_key: str) -> HttpResponse:
    """Enter the zone statistics of the park methodology for a year."""
    park = _zone_or_404(request, park_key)
    lang = _lang()
    methodology = load_park_methodology()
    year = parse_year(request.POST.get("year") or request.GET.get("year")) or cached_default_year()
    held = {s.key: s for s in ZoneStatistic.objects.visible_to(request.user).filter(
        park_key=park_key, year=year).select_related("entered_by")}
    initial = {}
    for key, statistic in held.items():
        initial[f"value_{key}"] = f"{statistic.value:g}"
        initial[f"source_{key}"] = statistic.source
    error = ""
    if request.method == "POST":
        form = ZoneStatisticsForm(request.POST, methodology=methodology, lang=lang)
        if form.is_valid():
            try:
                changed = actions.enter_zone_statistics(park_key, year, form.entries(),
                                                        actor=request.user,
                                                        methodology=methodology)
            except CzesgError as exc:
                error = user_message(exc)
            else:
                messages.success(request, gettext("%(n)s statistics saved.") % {"n": changed})
                return redirect(reverse("dashboards:zone", args=[park_key]) + f"?year={year}")
    else:
        form = ZoneStatisticsForm(initial=initial, methodology=methodology, lang=lang)
    rows = []
    for statistic in methodology.statistics:
        rows.append({
            "key": statistic.key, "unit": statistic.unit, "min": statistic.min,
            "max": statistic.max, "value": form[f"value_{statistic.key}"],
            "source": form[f"source_{statistic.key}"], "held": held.get(statistic.key),
        })
    return render(request, "dashboards/zone_statistics.html", {
        "park": park, "park_name": _name(park, lang), "year": year, "rows": rows,
        "form": form, "error": error, "years": _year_choices(year),
        "methodology": methodology,
    })


# --------------------------------------------------------------------------------------------
# Tasks


def task_rows(board: TaskBoard, lang: str) -> list[dict[str, Any]]:
    """The tasks with their lead departments, posts, milestones and flags."""
    profile = load_city_profile()
    english = _english(lang)
    rows = []
    for status in board.statuses:
        task = profile.task(status.number)
        rows.append({
            "number": status.number,
            "title": status.title_en if english else status.title_zh,
            "group": task.group_en if english else task.group_zh,
            "departments": [{"key": d.key, "name": d.name_en if english else d.name_zh}
                            for d in task.lead_departments],
            "department_names": [d.name_en if english else d.name_zh
                                 for d in task.lead_departments],
            "lead_mode": task.lead_mode,
            "status": status,
            "overdue_titles": [m.title for m in board.milestones.get(status.number, [])
                               if str(m.pk) in status.overdue_milestones],
        })
    return rows


def tasks_context(board: TaskBoard, lang: str) -> dict[str, Any]:
    """Everything the task tracker and its PDF show."""
    rows = task_rows(board, lang)
    statuses = board.statuses
    return {
        "board": board, "rows": rows,
        "summary": {
            "tasks": len(statuses), "overdue": sum(s.overdue for s in statuses),
            "stalled": sum(s.stalled for s in statuses),
            "milestones": sum(s.milestones_total for s in statuses),
            "done": sum(s.milestones_done for s in statuses),
        },
        "chart": {
            "tasks": [str(s.number) for s in statuses],
            "done": [s.milestones_done for s in statuses],
            "overdue": [len(s.overdue_milestones) for s in statuses],
            "open": [s.milestones_total - s.milestones_done - len(s.overdue_milestones)
                     for s in statuses],
            "days": [s.days_since_post if s.days_since_post is not None
                     else (board.today - plan_start()).days for s in statuses],
            "stalled_after": board.stalled_after_days,
            "labels": {"done": gettext("Done"), "open": gettext("Open"),
                       "overdue": gettext("Overdue")},
        },
        "lang": lang, "generated": timezone.localtime(),
    }


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The plan's 20 tasks with lead departments, progress and overdue or stalled flags."""
    _government_only(request)
    board = task_board()
    context = tasks_context(board, _lang())
    context["my_departments"] = actions.user_departments(request.user)
    return render(request, "dashboards/tasks.html", context)


@login_required
def tasks_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The task tracker as an Excel workbook or a PDF."""
    _government_only(request)
    fmt = _fmt(fmt)
    board = task_board()
    context = tasks_context(board, _lang())
    name = f"czesg-tasks-{board.today.isoformat()}"
    if fmt == "xlsx":
        return exports.xlsx_response(exports.tasks_workbook(board, context), name)
    return exports.pdf_response("dashboards/pdf/tasks.html", context, name, request)


@login_required
def task(request: HttpRequest, number: int) -> HttpResponse:
    """One task: its posts and milestones, and the forms of its lead departments."""
    _government_only(request)
    profile = load_city_profile()
    try:
        plan_task = profile.task(number)
    except KeyError:
        raise Http404 from None
    lang = _lang()
    departments = actions.reporting_departments(request.user, number)
    progress_form = ProgressForm(departments=departments, lang=lang,
                                 initial={"date": timezone.localdate()})
    milestone_form = MilestoneForm()
    error = ""
    if request.method == "POST":
        try:
            kind = request.POST.get("form")
            if kind == "progress":
                progress_form = ProgressForm(request.POST, departments=departments, lang=lang)
                if progress_form.is_valid():
                    data = progress_form.cleaned_data
                    actions.post_task_progress(number, data["department_key"], data["date"],
                                               data["text"], link=data["link"],
                                               actor=request.user)
                    messages.success(request, gettext("Progress posted."))
                    return redirect("dashboards:task", number=number)
            elif kind == "milestone":
                milestone_form = MilestoneForm(request.POST)
                if milestone_form.is_valid():
                    actions.add_milestone(number, milestone_form.cleaned_data["title"],
                                          milestone_form.cleaned_data["due"], actor=request.user)
                    messages.success(request, gettext("Milestone added."))
                    return redirect("dashboards:task", number=number)
            elif kind == "done":
                milestone = TaskMilestone.objects.visible_to(request.user).filter(
                    pk=request.POST.get("milestone"), task_number=number).first()
                if milestone is None:
                    raise Http404
                actions.set_milestone_done(milestone, request.POST.get("done_on") or None,
                                           actor=request.user)
                return redirect("dashboards:task", number=number)
            else:
                raise Http404
        except CzesgError as exc:
            error = user_message(exc)
    board = task_board(only=number)
    row = task_rows(board, lang)[0]
    english = _english(lang)
    department_names = {d.key: (d.name_en if english else d.name_zh) for d in profile.departments}
    return render(request, "dashboards/task.html", {
        "task": plan_task, "row": row, "status": row["status"],
        "summary_text": plan_task.summary_en if english else plan_task.summary_zh,
        "posts": [{"post": p, "department": department_names.get(p.department_key,
                                                                 p.department_key)}
                  for p in board.posts.get(number, [])],
        "milestones": [{"milestone": m, "overdue": str(m.pk) in row["status"].overdue_milestones}
                       for m in board.milestones.get(number, [])],
        "may_report": bool(departments), "progress_form": progress_form,
        "milestone_form": milestone_form, "error": error, "today": board.today,
        "stalled_after": board.stalled_after_days,
    })


@login_required
def departments(request: HttpRequest) -> HttpResponse:
    """Which government users belong to which plan department (assigned by government users)."""
    _government_only(request)
    lang = _lang()
    form = DepartmentForm(lang=lang)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                membership = DepartmentMembership.objects.visible_to(request.user).filter(
                    pk=request.POST.get("remove")).first()
                if membership is None:
                    raise Http404
                actions.remove_department(membership, actor=request.user)
                return redirect("dashboards:departments")
            form = DepartmentForm(request.POST, lang=lang)
            if form.is_valid():
                actions.assign_department(form.cleaned_data["user"],
                                          form.cleaned_data["department_key"],
                                          actor=request.user)
                return redirect("dashboards:departments")
        except CzesgError as exc:
            error = user_message(exc)
    profile = load_city_profile()
    english = _english(lang)
    names = {d.key: (d.name_en if english else d.name_zh) for d in profile.departments}
    memberships = [
        {"membership": m, "department": names.get(m.department_key, m.department_key)}
        for m in DepartmentMembership.objects.visible_to(request.user).select_related("user")
    ]
    return render(request, "dashboards/departments.html", {
        "form": form, "memberships": memberships, "error": error,
    })


# --------------------------------------------------------------------------------------------
# Registries


@login_required
def registries(request: HttpRequest) -> HttpResponse:
    """The five registries with their entry counts."""
    _government_only(request)
    items = [
        {"key": spec.key, "title": spec.title, "target": spec.target,
         "count": spec.model.objects.visible_to(request.user).count()}
        for spec in actions.REGISTRIES.values()
    ]
    return render(request, "dashboards/registries.html", {"registries": items})


def _spec_or_404(key: str) -> actions.Registry:
    spec = actions.REGISTRIES.get(key)
    if spec is None:
        raise Http404
    return spec


@login_required
def registry(request: HttpRequest, key: str) -> HttpResponse:
    """One registry's entries and the form to add one."""
    _government_only(request)
    spec = _spec_or_404(key)
    form_class = registry_form(key)
    form = form_class()
    error = ""
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                actions.save_registry_entry(key, form.cleaned_data, actor=request.user)
            except CzesgError as exc:
                error = user_message(exc)
            else:
                messages.success(request, gettext("Entry added."))
                return redirect("dashboards:registry", key=key)
    entries = spec.model.objects.visible_to(request.user).select_related("entered_by")
    if "enterprise" in spec.fields:
        entries = entries.select_related("enterprise")
    columns = [spec.model._meta.get_field(name) for name in spec.fields]
    headers = [spec.date_label if c.name == "date" else c.verbose_name for c in columns]
    rows = [{"entry": e, "cells": [_cell(e, c) for c in columns]} for e in entries]
    return render(request, "dashboards/registry.html", {
        "spec": spec, "form": form, "rows": rows, "headers": headers, "error": error,
    })


def _cell(entry, field) -> Any:
    if field.choices:
        return getattr(entry, f"get_{field.name}_display")()
    value = getattr(entry, field.name)
    return "" if value is None else value


@login_required
def registry_entry(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Change or remove one registry entry."""
    _government_only(request)
    spec = _spec_or_404(key)
    entry = spec.model.objects.visible_to(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    form_class = registry_form(key)
    form = form_class(instance=entry)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                actions.delete_registry_entry(key, entry, actor=request.user,
                                              reason=request.POST.get("reason", ""))
                messages.success(request, gettext("Entry removed."))
                return redirect("dashboards:registry", key=key)
            form = form_class(request.POST, instance=entry)
            if form.is_valid():
                actions.save_registry_entry(key, form.cleaned_data, actor=request.user,
                                            entry=entry)
                messages.success(request, gettext("Entry saved."))
                return redirect("dashboards:registry", key=key)
        except CzesgError as exc:
            error = user_message(exc)
    return render(request, "dashboards/registry_entry.html", {
        "spec": spec, "entry": entry, "form": form, "error": error,
    })

