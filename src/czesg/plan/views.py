"""The task tracker's pages: the plan's 20 tasks, one task with its posts and milestones, the
department memberships, and the tracker's Excel and PDF export (government users and platform
administrators; everybody else signed in gets "not found", the public is sent to sign in).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from czesg.accounts.permissions import is_government
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.plan import load_city_profile
from czesg.plan import actions, exports
from czesg.plan.forms import DepartmentForm, MilestoneForm, ProgressForm
from czesg.plan.models import DepartmentMembership, TaskMilestone
from czesg.plan.queries import TaskBoard, plan_start, task_board
from czesg.reports.downloads import export_format, export_response
from czesg.web.language import language
from czesg.web.problems import user_message


def _government_only(request: HttpRequest) -> None:
    if not is_government(request.user):
        raise Http404


def task_rows(board: TaskBoard, lang: str) -> list[dict[str, Any]]:
    """The tasks with their lead departments, posts, milestones and flags."""
    profile = load_city_profile()
    english = lang.startswith("en")
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
    context = tasks_context(board, language())
    context["my_departments"] = actions.user_departments(request.user)
    return render(request, "plan/tasks.html", context)


@login_required
def tasks_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The task tracker as an Excel workbook or a PDF."""
    _government_only(request)
    fmt = export_format(fmt)
    board = task_board()
    context = tasks_context(board, language())
    return export_response(request, fmt, f"czesg-tasks-{board.today.isoformat()}",
                           workbook=lambda: exports.tasks_workbook(board, context),
                           pdf_template="plan/pdf/tasks.html", context=context)


@login_required
def task(request: HttpRequest, number: int) -> HttpResponse:
    """One task: its posts and milestones, and the forms of its lead departments."""
    _government_only(request)
    profile = load_city_profile()
    try:
        plan_task = profile.task(number)
    except KeyError:
        raise Http404 from None
    lang = language()
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
                    return redirect("plan:task", number=number)
            elif kind == "milestone":
                milestone_form = MilestoneForm(request.POST)
                if milestone_form.is_valid():
                    actions.add_milestone(number, milestone_form.cleaned_data["title"],
                                          milestone_form.cleaned_data["due"], actor=request.user)
                    messages.success(request, gettext("Milestone added."))
                    return redirect("plan:task", number=number)
            elif kind == "done":
                milestone = TaskMilestone.objects.visible_to(request.user).filter(
                    pk=request.POST.get("milestone"), task_number=number).first()
                if milestone is None:
                    raise Http404
                actions.set_milestone_done(milestone, request.POST.get("done_on") or None,
                                           actor=request.user)
                return redirect("plan:task", number=number)
            else:
                raise Http404
        except CzesgError as exc:
            error = user_message(exc)
    board = task_board(only=number)
    row = task_rows(board, lang)[0]
    english = lang.startswith("en")
    department_names = {d.key: (d.name_en if english else d.name_zh) for d in profile.departments}
    return render(request, "plan/task.html", {
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
    lang = language()
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
                return redirect("plan:departments")
            form = DepartmentForm(request.POST, lang=lang)
            if form.is_valid():
                actions.assign_department(form.cleaned_data["user"],
                                          form.cleaned_data["department_key"],
                                          actor=request.user)
                return redirect("plan:departments")
        except CzesgError as exc:
            error = user_message(exc)
    profile = load_city_profile()
    english = lang.startswith("en")
    names = {d.key: (d.name_en if english else d.name_zh) for d in profile.departments}
    memberships = [
        {"membership": m, "department": names.get(m.department_key, m.department_key)}
        for m in DepartmentMembership.objects.visible_to(request.user).select_related("user")
    ]
    return render(request, "plan/departments.html", {
        "form": form, "memberships": memberships, "error": error,
    })
