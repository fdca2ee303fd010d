"""Issue 7: the plan's task tracker: flags, who may report, posts and milestones through the page.

Expected figures are counted by hand from the fixtures (5 listed companies of which 3 published
is 60.0%; the zone scores are worked out from the methodology's weights below), never copied
from the dashboard's own output.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused
from czesg.plan import actions, queries
from czesg.plan.models import DepartmentMembership, TaskMilestone, TaskProgress

pytestmark = pytest.mark.django_db


def test_task_flags_on_the_page(gov, client_as, make_user):
    today = timezone.localdate()
    actions.assign_department(gov, "drc", actor=gov)
    assert DepartmentMembership.objects.get().department_key == "drc"
    # Task 3 (led jointly by drc): a milestone past due and not done → overdue.
    actions.add_milestone(3, "出台高新区ESG评价办法", today - timedelta(days=10), actor=gov)
    actions.post_task_progress(3, "drc", today, "评价指标体系初稿完成", actor=gov)
    # Task 2: last post 100 days ago → stalled; task 4: fresh post, milestone done → neither.
    actions.post_task_progress(2, "drc", today - timedelta(days=100), "召开产业链座谈会",
                               actor=gov)
    actions.post_task_progress(4, "drc", today - timedelta(days=5), "光伏项目开工", actor=gov,
                               link="https://example.org/report.pdf")
    done = actions.add_milestone(4, "发布新能源产业规划", today - timedelta(days=3), actor=gov)
    actions.set_milestone_done(done, today - timedelta(days=4), actor=gov)

    page = client_as(gov).get("/dashboards/tasks/").content.decode()

    def flags(number: int) -> tuple[str, str]:
        match = re.search(rf'<tr data-task="{number}" data-overdue="(\w+)" '
                          rf'data-stalled="(\w+)"', page)
        return match.group(1), match.group(2)

    assert flags(3) == ("true", "false")
    assert flags(2) == ("false", "true")
    assert flags(4) == ("false", "false")
    assert flags(7) == ("false", "true")  # no post since the plan was issued (over 90 days)
    assert re.search(r'id="overdue-count">1<', page)

    detail = client_as(gov).get("/dashboards/tasks/3/").content.decode()
    assert 'id="task-flags" data-overdue="true"' in detail
    assert "评价指标体系初稿完成" in detail


def test_only_lead_departments_report(gov, make_user, client_as, system):
    other = make_user("gov-other", Role.GOVERNMENT, organisation="市教育局")
    actions.assign_department(other, "education", actor=gov)
    with pytest.raises(PermissionRefused):
        actions.post_task_progress(3, "drc", timezone.localdate(), "x", actor=other)
    with pytest.raises(PermissionRefused):
        actions.post_task_progress(5, "drc", timezone.localdate(), "x", actor=other)
    actions.post_task_progress(5, "education", timezone.localdate(), "托育服务推进", actor=other)
    with pytest.raises(PermissionRefused):
        actions.add_milestone(3, "x", timezone.localdate(), actor=other)
    # A platform administrator may post for any lead department.
    actions.post_task_progress(3, "market_regulation", timezone.localdate(), "x", actor=system)
    with pytest.raises(CatalogueError):
        actions.post_task_progress(5, "education", timezone.localdate() + timedelta(days=2), "x",
                                   actor=other)
    page = client_as(other).get("/dashboards/tasks/3/").content.decode()
    assert 'id="not-a-lead"' in page and 'id="progress-form"' not in page
    response = client_as(other).post("/dashboards/tasks/3/", {
        "form": "progress", "department_key": "drc", "date": str(timezone.localdate()),
        "text": "x"})
    assert response.status_code == 200
    assert TaskProgress.objects.filter(task_number=3).count() == 1
    park = make_user("park-x", Role.PARK_ADMIN, park_key="wjhnd")
    with pytest.raises(PermissionRefused):
        actions.assign_department(other, "drc", actor=park)
    with pytest.raises(CatalogueError):
        actions.assign_department(park, "drc", actor=gov)


def test_task_page_posts_and_milestones(gov, client_as):
    actions.assign_department(gov, "drc", actor=gov)
    client = client_as(gov)
    today = timezone.localdate()
    assert client.post("/dashboards/tasks/11/", {
        "form": "progress", "department_key": "drc", "date": str(today),
        "text": "政企通ESG专题模块上线", "link": ""}).status_code == 302
    assert client.post("/dashboards/tasks/11/", {
        "form": "milestone", "title": "披露指南发布", "due": str(today + timedelta(days=30)),
    }).status_code == 302
    milestone = TaskMilestone.objects.get()
    assert client.post("/dashboards/tasks/11/", {"form": "done", "milestone": milestone.pk,
                                                 "done_on": str(today)}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == today
    status = queries.task_board().statuses[10]
    assert status.number == 11 and status.milestones_done == 1 and not status.stalled
    assert {"task.progress", "task.milestone.add", "task.milestone.done"} <= set(
        AuditEvent.objects.values_list("action", flat=True))
