"""Issue 5: ratings as users meet them — records, runs, the background task, pages, API, CLI.

Three battery makers (C3841) publish basic disclosures that differ in known ways; with three
reporters (fewer than the methodology's ``min_peers``) every percentile ranks against all three,
so the figures below can be worked out by hand from the methodology file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from czesg.access.models import AccessLog
from czesg.audit.models import AuditEvent
from czesg.audit.recording import verify
from czesg.engine import rating as engine
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, StateConflict
from czesg.ratings import actions
from czesg.ratings import inputs as rating_inputs
from czesg.ratings.models import GreenScore, Rating, RatingRun, RunStatus
from czesg.records import actions as record_actions
from czesg.records.models import GovernmentRecord

pytestmark = pytest.mark.django_db
YEAR = 2024
NEXT_YEAR = dt.date.today() + dt.timedelta(days=365)


# --- fixtures ---------------------------------------------------------------------------------
def publish(enterprise, manager, fill_basic, values=(), not_applicable=(), year=YEAR):
    """Fill, submit and publish a basic disclosure with extra values and not-applicable marks."""
    from czesg.disclosures import actions as d

    draft = d.start_disclosure(enterprise, year, actor=manager)
    fill_basic(draft, manager)
    if values:
        d.set_values(draft, [d.Entry(c, v, u) for c, v, u in values], actor=manager)
    for code, why in not_applicable:
        d.mark_not_applicable(draft, code, why, actor=manager)
    d.submit_disclosure(draft, actor=manager)
    return d.publish_disclosure(draft, actor=manager)


def build_city(firm_a, firm_b, alice, bob, make_enterprise, member_of, fill_basic):
    """Three published battery makers: A reports G-GOV-06 and full coverage; B answers no to
    G-ABC-04, covers 90 % and leaves E-GHG-10 missing; C covers 80 % and marks E-GHG-10 not
    applicable. firm_b is moved into the battery industry so all three are peers."""
    from czesg.enterprises.models import Enterprise

    Enterprise.objects.filter(pk=firm_b.pk).update(industry_code="C3841")
    firm_b.refresh_from_db()
    firm_c = make_enterprise("丙储能科技有限公司", industry_code="C3841", division_code="320412")
    carol = member_of(firm_c, "carol")
    publish(firm_a, alice, fill_basic, values=[("G-GOV-06", "yes", "")])
    publish(firm_b, bob, fill_basic, values=[("S-EMP-05-COV", 90, "%"), ("G-ABC-04", "no", "")])
    publish(firm_c, carol, fill_basic, values=[("S-EMP-05-COV", 80, "%")],
            not_applicable=[("E-GHG-10", "不涉及碳交易与碳市场")])
    return {"a": firm_a, "b": firm_b, "c": firm_c}


@pytest.fixture
def city(firm_a, firm_b, alice, bob, make_enterprise, member_of, fill_basic):
    return build_city(firm_a, firm_b, alice, bob, make_enterprise, member_of, fill_basic)


def rate_now(actor, year=YEAR, version=None) -> RatingRun:
    """Rate the year now; with ``version`` as a run of that methodology version would have
    been made when it was current (a 2025.1 run made before 2025.2 existed)."""
    if version is None:
        run = actions.start_rating(year, actor=actor, enqueue=False)
    else:
        run = RatingRun.objects.create(year=year, methodology_version=version,
                                       green_methodology_version="2025.1", started_by=actor)
    actions.run_rating(run.pk)
    return RatingRun.objects.get(pk=run.pk)


def long_rows(enterprises):
    """The published values as from_long rows, read independently of the action's bulk query."""
    from czesg.disclosures.models import Datapoint

    methodology = engine.load_methodology()
    rows = []
    for enterprise in enterprises:
        for p in Datapoint.objects.filter(disclosure__enterprise=enterprise,
                                          disclosure__state="published"):
            if p.indicator_code not in methodology.codes:
                continue
            if p.status == "not_applicable":
                rows.append((enterprise.uscc, p.indicator_code, None, "not_applicable"))
            else:
                value = p.value_bool if p.value_bool is not None else (
                    p.value_choice or p.value_number)
                rows.append((enterprise.uscc, p.indicator_code, value, "reported"))
    return rows


# --- the whole path ---------------------------------------------------------------------------
def test_a_city_rating_runs_as_a_background_task_and_stores_exact_scores(
        city, gov, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.start_rating(YEAR, actor=gov)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.progress == 100 and run.rated == 3
    assert run.task_id  # enqueued through django-tasks (the immediate backend in tests)
    ratings = {r.enterprise.uscc: r for r in Rating.objects.filter(run=run)
               .select_related("enterprise")}
    assert set(ratings) == {e.uscc for e in city.values()}

    # The stored scores equal the engine's on the same inputs, built independently: the
    # current methodology (2025.2) rates these basic disclosures on the basic tier.
    methodology = engine.load_methodology()
    assert run.methodology_version == methodology.version == "2025.2"
    groups = {e.uscc: engine.materiality_group(e.industry_code) for e in city.values()}
    inputs = engine.RatingInput.from_long(
        long_rows(city.values()), groups, year=YEAR, methodology=methodology,
        industries={e.uscc: e.industry_code for e in city.values()},
        tiers={e.uscc: "basic" for e in city.values()})
    expected = engine.rate(inputs, methodology)
    for uscc, rating in ratings.items():
        row = expected.row(uscc)
        assert rating.score == row["score"] and rating.grade == row["grade"]
        assert rating.tier == row["tier"] == "basic"
        assert rating.grade_capped == row["grade_capped"]
        assert rating.pillars == row["pillars"]
        assert rating.inputs_hash == expected.inputs_hash == run.inputs_hash
        assert rating.peer_group == "battery" and rating.peer_size == 3
    green = engine.green_score(inputs)
    for g in GreenScore.objects.filter(run=run).select_related("enterprise"):
        assert g.score == green.row(g.enterprise.uscc)["score"]
        assert g.label == green.row(g.enterprise.uscc)["label"]

    # Hand arithmetic. S-EMP-05-COV (higher is better) ranks among all three reporters
    # (3 < min_peers): A 100 beats two → 100; B 90 beats one → 50; C 80 → 0.
    explained = {k: actions.explanation(ratings[e.uscc]) for k, e in city.items()}
    employees = methodology.topics[[t.key for t in methodology.topics].index("employees")]
    coverage = methodology.indicator("S-EMP-05-COV")
    battery = methodology.group("battery")
    # Employees is the basic tier's only S topic; its basic indicators weigh 0.75 in all.
    basic_weight = math.fsum(i.weight for i in employees.indicators
                             if i.code in methodology.tier_codes("basic"))
    assert math.isclose(basic_weight, 0.75, rel_tol=1e-12)
    w = coverage.weight / basic_weight * battery.weight("S")  # 0.2 / 0.75 × 0.30 = 0.08
    for key, score in (("a", 100.0), ("b", 50.0), ("c", 0.0)):
        line = next(c for c in explained[key].contributions if c.code == "S-EMP-05-COV")
        assert line.score == score and line.peer_level == "all" and line.peer_size == 3
        assert math.isclose(line.weight, w, rel_tol=1e-12)
        assert math.isclose(line.points, w * score, rel_tol=1e-12, abs_tol=1e-12)
    # G-ABC-04 (absolute, yes = 100): within anti-corruption's basic indicators 0.3 / 0.7, the
    # topic 0.35 / 0.75 of G's basic topics, G 0.25 → A gets 0.2 × 0.25 × 100 = 5 points.
    anti = next(c for c in explained["a"].contributions if c.code == "G-ABC-04")
    assert math.isclose(anti.points, 0.3 / 0.7 * 0.35 / 0.75 * 0.25 * 100, rel_tol=1e-12)
    assert math.isclose(anti.points, 5.0, rel_tol=1e-12)
    assert next(c for c in explained["b"].contributions if c.code == "G-ABC-04").points == 0
    for key, e in city.items():
        points = math.fsum(c.points for c in explained[key].contributions)
        assert math.isclose(points, ratings[e.uscc].total, rel_tol=1e-12)
        assert len(explained[key].improvements) <= 3
    # C, last among its peers, is shown re-scored changes towards the peers' values.
    best = explained["c"].improvements[0]
    assert best.points > 0 and best.new_score == pytest.approx(ratings[city["c"].uscc].score
                                                               + best.points)

    # One audit entry starts the run and one records its result; the chain holds.
    assert AuditEvent.objects.filter(action="rating.start", target_id=str(run.pk)).count() == 1
    done = AuditEvent.objects.get(action="rating.run", target_id=str(run.pk))
    assert done.payload["rated"] == 3 and done.payload["inputs_hash"] == run.inputs_hash
    assert verify().ok


def test_missing_scores_zero_but_not_applicable_moves_the_weight(city, gov):
    # Under 2025.1, which rates every disclosure on every indicator (E-GHG-10 is not on the
    # basic form, so under 2025.2 it is out of these basic disclosures' tier).
    run = rate_now(gov, version="2025.1")
    methodology = engine.load_methodology("2025.1")
    b = actions.explanation(Rating.objects.get(run=run, enterprise=city["b"]))
    c = actions.explanation(Rating.objects.get(run=run, enterprise=city["c"]))
    missing = next(x for x in b.contributions if x.code == "E-GHG-10")
    na = next(x for x in c.contributions if x.code == "E-GHG-10")
    assert (missing.status, missing.score, missing.points) == ("missing", 0.0, 0.0)
    assert missing.weight > 0  # still weighs: missing data costs points
    assert (na.status, na.score, na.weight) == ("not_applicable", None, 0.0)
    # C's other climate indicators share E-GHG-10's weight: 0.6 / (0.6 + 0.25) of the topic.
    climate = methodology.topics[0]
    assert climate.key == "climate"
    e_weight = methodology.group("battery").weight("E")
    ghg_b = next(x for x in b.contributions if x.code == "E-GHG-05")
    ghg_c = next(x for x in c.contributions if x.code == "E-GHG-05")
    assert math.isclose(ghg_b.weight, 0.6 * climate.weight * e_weight, rel_tol=1e-12)
    assert math.isclose(ghg_c.weight, 0.6 / 0.85 * climate.weight * e_weight, rel_tol=1e-12)
    stored = json.loads(Rating.objects.get(run=run, enterprise=city["c"]).input_row)
    assert "E-GHG-10" in stored["not_applicable"] and "E-GHG-10" not in stored["values"]
    # The same disclosures under 2025.2: E-GHG-10 is out of the basic tier for both.
    new = rate_now(gov)
    for key in ("b", "c"):
        line = next(x for x in actions.explanation(
            Rating.objects.get(run=new, enterprise=city[key])).contributions
            if x.code == "E-GHG-10")
        assert (line.status, line.score, line.weight) == ("out_of_tier", None, 0.0)


def test_a_stored_2025_1_rating_still_reproduces_after_2025_2_exists(city, gov):
    old = rate_now(gov, version="2025.1")
    new = rate_now(gov)
    assert (old.methodology_version, new.methodology_version) == ("2025.1", "2025.2")
    for rating in Rating.objects.filter(run=old).select_related("run", "enterprise"):
        # 2025.1 rated every disclosure on the full standard set; its rows carry no tier.
        assert rating.tier == "standard" and not rating.grade_capped
        assert "tier" not in json.loads(rating.input_row)
        result = actions.reproduce_rating(rating)
        assert result["equal"], result["differences"]
        assert result["methodology_version"] == "2025.1"
    assert rating_inputs.stored_inputs(old).hash() == old.inputs_hash
    for rating in Rating.objects.filter(run=new).select_related("run", "enterprise"):
        assert rating.tier == "basic" and json.loads(rating.input_row)["tier"] == "basic"
        assert actions.reproduce_rating(rating)["equal"]
    # Rated on their own form, the same basic disclosures score higher under 2025.2.
    for e in city.values():
        assert (Rating.objects.get(run=new, enterprise=e).score
                > Rating.objects.get(run=old, enterprise=e).score)


def test_reproduce_rating_recomputes_the_stored_result_exactly(city, gov):
    run = rate_now(gov)
    for rating in Rating.objects.filter(run=run).select_related("run", "enterprise"):
        result = actions.reproduce_rating(rating)
        assert result["equal"], result["differences"]
        assert result["stored"] == result["recomputed"]
    # The stored rows are canonical JSON, and they rebuild the very inputs that were rated.
    text = Rating.objects.filter(run=run).first().input_row
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False)
    assert rating_inputs.stored_inputs(run).hash() == run.inputs_hash


def test_ratings_are_never_edited_and_a_rerating_is_a_new_run(city, gov):
    first = rate_now(gov)
    rating = Rating.objects.filter(run=first).first()
    rating.score = 99
    with pytest.raises(StateConflict):
        rating.save()
    with pytest.raises(StateConflict):
        rating.delete()
    second = rate_now(gov)
    assert second.pk != first.pk
    history = actions.history(city["a"])
    assert [r.run_id for r in history] == [second.pk, first.pk]
    assert history[0].score == history[1].score  # same inputs, same result


def test_a_year_with_nothing_published_rates_nobody(gov):
    run = rate_now(gov, year=2020)
    assert run.status == RunStatus.DONE and run.rated == 0


def test_a_failed_run_is_marked_failed_with_its_error(city, gov, monkeypatch):
    run = actions.start_rating(YEAR, actor=gov, enqueue=False)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.engine, "rate", broken)
    with pytest.raises(RuntimeError):
        actions.run_rating(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "disk full" in run.error
    assert not Rating.objects.filter(run=run).exists()


# --- government records -----------------------------------------------------------------------
RECORDS_CSV = """uscc,year,kind,value,amount,source
{b},2024,environmental_penalty,2,60,常州市生态环境局 常环罚〔2024〕12号
{b},2024,tax_credit_grade,D,,国家税务总局常州市税务局
{a},2024,certification,iso14001,,市工信局
{a},2024,environmental_credit_colour,绿色,,江苏省生态环境厅
NOPE00000000000000,2024,tax_credit_grade,A,,税务局
{b},2024,tax_credit_grade,C,,税务局
{a},1999,safety_accident,fatal,,应急管理局
{a},2024,parking_ticket,1,,交警
{a},2024,environmental_penalty,1.5,,生态环境局
{a},2024,safety_accident,minor,,应急管理局
{a},2024,environmental_credit_colour,purple,,生态环境厅
{a},2024,certification,iso14001,,重复
,,,,,
"""


def test_records_import_takes_good_rows_names_bad_ones_and_writes_all_or_nothing(city, gov):
    text = RECORDS_CSV.format(a=city["a"].uscc, b=city["b"].uscc)
    result = record_actions.import_records_csv(text.encode("utf-8"), actor=gov)
    assert result.rows == 12 and result.imported == 4
    refused = {(p.row, p.column) for p in result.problems}
    assert refused == {(6, "uscc"), (7, "kind"), (8, "year"), (9, "kind"), (10, "value"),
                       (11, "value"), (12, "value"), (13, "kind")}
    messages = {p.row: p.render() for p in result.problems}
    assert "NOPE00000000000000" in messages[6] and "purple" in messages[12]
    assert GovernmentRecord.objects.count() == 4
    penalty = GovernmentRecord.objects.get(kind="environmental_penalty")
    assert (penalty.count, penalty.amount, penalty.imported_by) == (2, 60.0, gov)
    assert GovernmentRecord.objects.get(kind="environmental_credit_colour").key == "green"
    assert AuditEvent.objects.filter(action="ratings.record").count() == 4


def test_nothing_is_half_written_when_the_write_fails(city, gov, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(record_actions, "record_many", fail)
    text = RECORDS_CSV.format(a=city["a"].uscc, b=city["b"].uscc)
    with pytest.raises(RuntimeError):
        record_actions.import_records_csv(text, actor=gov)
    assert not GovernmentRecord.objects.exists()


def test_only_government_imports_records(city, alice, gov):
    with pytest.raises(PermissionRefused):
        record_actions.import_records_csv("uscc,year,kind\n", actor=alice)
    with pytest.raises(CatalogueError):
        record_actions.import_records_csv("credit code,year\n1,2\n", actor=gov)
    record = record_actions.add_government_record(city["a"], YEAR, "safety_accident", value="serious",
                                           source="应急管理局", actor=gov)
    assert record.key == "serious"
    with pytest.raises(CatalogueError):
        record_actions.add_government_record(city["a"], YEAR, "tax_credit_grade", value="Z",
                                      source="税务局", actor=gov)


def test_government_records_deduct_the_methodologys_points(city, gov):
    before = rate_now(gov)
    b_before = Rating.objects.get(run=before, enterprise=city["b"])
    text = RECORDS_CSV.format(a=city["a"].uscc, b=city["b"].uscc)
    record_actions.import_records_csv(text, actor=gov)
    after = rate_now(gov)
    b = Rating.objects.get(run=after, enterprise=city["b"])
    # Two penalties: min(2 × 2, 6) = 4, plus 2 for a total ≥ 50 万元 → 6; tax grade D → 8.
    assert b.deduction_points == {"env_penalties": 6.0, "safety_accidents": 0.0,
                                  "tax_credit": 8.0, "env_credit": 0.0}
    assert b.deductions == 14.0 and b.total == b_before.total
    assert b.score == b_before.total - 14.0
    stored = json.loads(b.input_row)["records"]
    assert stored == {"env_penalty_count": 2.0, "env_penalty_amount": 60.0, "tax_credit": "D"}
    a_green = GreenScore.objects.get(run=after, enterprise=city["a"])
    assert a_green.components["certifications"]["score"] > 0
    assert a_green.components["env_credit"]["score"] is not None
    assert actions.reproduce_rating(b)["equal"]


# --- permissions ------------------------------------------------------------------------------
def test_only_government_and_platform_administrators_start_runs(city, alice, gov, system,
                                                                make_user):
    bank = make_user("bank", "bank")
    for user in (alice, bank):
        with pytest.raises(PermissionRefused):
            actions.start_rating(YEAR, actor=user)
    actions.start_rating(YEAR, actor=gov, enqueue=False)
    with pytest.raises(StateConflict):  # one run of a year at a time
        actions.start_rating(YEAR, actor=system, enqueue=False)
    client = Client()
    client.force_login(alice)
    assert client.post("/ratings/start/", {"year": YEAR}).status_code == 403
    assert RatingRun.objects.count() == 1


def test_grade_and_score_are_public_the_explanation_is_not(city, gov, alice, bob, make_user):
    from czesg.access import actions as access

    rate_now(gov)
    url = f"/enterprises/{city['a'].uscc}/rating/"
    anonymous = Client().get(url).content.decode()
    rating = Rating.objects.get(enterprise=city["a"])
    assert f'data-grade="{rating.grade}"' in anonymous and 'id="rating-score"' in anonymous
    # The tier beside the grade, in Chinese, on the card and in the history.
    assert 'id="rating-tier" class="tier tier-basic" data-tier="basic">基础版（中小企业）' in anonymous
    assert "按基础版表单所列的指标评级。" in anonymous
    assert '<td class="tier-cell" data-tier="basic">基础版（中小企业）</td>' in anonymous
    assert 'id="explanation"' not in anonymous and 'id="green-score"' not in anonymous
    for user, allowed in ((alice, True), (bob, False), (gov, True)):
        client = Client()
        client.force_login(user)
        page = client.get(url).content.decode()
        assert ('id="explanation"' in page) is allowed, user
        assert ('id="peer-position"' in page) is allowed

    bank = make_user("bank", "bank")
    client = Client()
    client.force_login(bank)
    assert 'id="explanation"' not in client.get(url).content.decode()
    access.grant_access(city["a"], bank, scopes=["disclosures"], valid_until=NEXT_YEAR,
                        purpose="常绿贷审批", actor=alice)
    assert 'id="explanation"' not in client.get(url).content.decode()
    assert not AccessLog.objects.exists()
    access.grant_access(city["a"], bank, scopes=["scores"], valid_until=NEXT_YEAR,
                        purpose="常绿贷审批", actor=alice)
    page = client.get(url).content.decode()
    assert 'id="explanation"' in page and 'id="green-score"' in page
    log = AccessLog.objects.get()
    assert log.user == bank and log.channel == "page" and "rating 2024" in log.resource
    api = client.get(f"/api/v1/ratings/{city['a'].uscc}").json()
    assert api["explanation"] is not None and api["green_score"] is not None
    assert AccessLog.objects.filter(channel="api").count() == 1


# --- the count at or above a grade ------------------------------------------------------------
@pytest.fixture
def graded_run(gov, make_enterprise):
    """A finished run whose ratings have known grades: 1 AAA, 2 AA, 3 A, 4 BBB."""
    run = RatingRun.objects.create(year=YEAR, methodology_version="2025.1",
                                   green_methodology_version="2025.1", started_by=gov,
                                   status=RunStatus.DONE, progress=100)
    grades = ["AAA"] + ["AA"] * 2 + ["A"] * 3 + ["BBB"] * 4
    for n, grade in enumerate(grades):
        Rating.objects.create(
            run=run, enterprise=make_enterprise(), year=YEAR, score=95 - 5 * n, grade=grade,
            total=95 - 5 * n, deductions=0, peer_group="battery", peer_rank=n + 1,
            peer_size=10, inputs_hash="0" * 64, methodology_version="2025.1", input_row="{}")
    RatingRun.objects.filter(pk=run.pk).update(
        rated=10, grade_counts={"AAA": 1, "AA": 2, "A": 3, "BBB": 4})
    run.refresh_from_db()
    return run


def test_the_count_at_or_above_a_threshold(graded_run, gov):
    assert actions.count_at_or_above(graded_run, "A") == 6
    assert actions.count_at_or_above(graded_run, "AA") == 3
    assert actions.count_at_or_above(graded_run, "aaa") == 1
    with pytest.raises(CatalogueError):
        actions.count_at_or_above(graded_run, "A+")
    client = Client()
    client.force_login(gov)
    for threshold, count in (("A", 6), ("AA", 3)):
        page = client.get(f"/ratings/?year={YEAR}&threshold={threshold}").content.decode()
        assert f'data-threshold="{threshold}" data-count="{count}"' in page
    page = client.get(f"/ratings/?year={YEAR}&threshold=Z").content.decode()
    assert 'id="threshold-error"' in page and 'data-count="6"' in page


# --- command line -----------------------------------------------------------------------------
def test_czesg_rate_prints_the_json_summary(city, capsys):
    from czesg.ratings.cli import add_arguments, run

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    for threshold in ("A", "C"):
        status = run(parser.parse_args(["--year", str(YEAR), "--threshold", threshold,
                                        "--format", "json"]))
        captured = capsys.readouterr()
        assert status == 0
        summary = json.loads(captured.out)
        assert summary["rated"] == 3 and summary["status"] == "done"
        assert sum(summary["grade_distribution"].values()) == 3
        assert summary["threshold"] == threshold
        grades = [r.grade for r in Rating.objects.filter(run_id=summary["run"])]
        top = actions.grades_at_or_above(threshold)
        assert summary["at_or_above_threshold"] == sum(g in top for g in grades)
        assert "rating [" in captured.err  # the progress bar on standard error
    assert summary["at_or_above_threshold"] == 3  # every grade is C or better
    assert run(parser.parse_args(["--year", "1990", "--quiet"])) == 1


# --- API --------------------------------------------------------------------------------------
def test_the_ratings_api(city, gov, alice):
    from czesg.access import actions as access

    uscc = city["a"].uscc
    anonymous = Client()
    assert anonymous.get(f"/api/v1/ratings/{uscc}").status_code == 404  # not rated yet
    assert anonymous.post("/api/v1/ratings/runs", data={"year": YEAR},
                          content_type="application/json").status_code == 401
    member = Client()
    member.force_login(alice)
    response = member.post("/api/v1/ratings/runs", data={"year": YEAR},
                           content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"

    _, secret = access.issue_token(gov, name="dashboard", scopes=["read", "write"], actor=gov)
    token = Client(enforce_csrf_checks=True)
    response = token.post("/api/v1/ratings/runs", data={"year": YEAR},
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 202
    run_id = response.json()["run"]
    actions.run_rating(run_id)  # the worker's part
    status = token.get(f"/api/v1/ratings/runs/{run_id}",
                       HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert status["status"] == "done" and status["rated"] == 3

    public = anonymous.get(f"/api/v1/ratings/{uscc}").json()
    rating = Rating.objects.get(enterprise=city["a"])
    assert (public["grade"], public["score"], public["run"]) == (rating.grade, rating.score,
                                                                 run_id)
    # The tier is shown beside the grade.
    assert (public["tier"], public["grade_capped"]) == ("basic", rating.grade_capped)
    assert public["explanation"] is None and public["green_score"] is None
    own = member.get(f"/api/v1/ratings/{uscc}").json()
    assert len(own["explanation"]["contributions"]) == len(engine.load_methodology().codes)
    assert len(own["explanation"]["improvements"]) <= 3
    assert own["green_score"]["label"] in {"dark_green", "mid_green", "light_green", "not_green"}

    history = anonymous.get(f"/api/v1/ratings/{uscc}/history").json()
    assert [h["run"] for h in history] == [run_id]
    assert [(h["grade"], h["tier"]) for h in history] == [(rating.grade, "basic")]
    by_industry = anonymous.get(f"/api/v1/ratings/distribution?year={YEAR}&by=industry").json()
    assert [g["key"] for g in by_industry["groups"]] == ["battery"]
    assert by_industry["groups"][0]["total"] == 3
    by_district = anonymous.get("/api/v1/ratings/distribution?by=district").json()
    assert {g["key"]: g["total"] for g in by_district["groups"]} == {"320411": 1, "320412": 2}
    assert anonymous.get("/api/v1/ratings/distribution?by=colour").status_code == 422


# --- pages ------------------------------------------------------------------------------------
def test_the_methodology_page_prints_every_weight_with_source_and_confidence(client):
    page = client.get("/ratings/methodology/").content.decode()
    methodology = engine.load_methodology()
    assert methodology.title_zh in page
    assert 'data-table="indicators"' in page and 'data-table="green-components"' in page
    assert page.count('<td class="col-confidence">') >= len(methodology.indicators)
    assert methodology.indicator("E-GHG-05").source in page
    assert "<h2>第一步：每个指标得到 0–100 分</h2>" not in page  # headings shift one level
    assert "<h3>第一步：每个指标得到 0–100 分</h3>" in page
    english = client.get("/ratings/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert methodology.title_en in english and "<h3>Inputs</h3>" in english
    # The current version, 2025.2, with its tier rule in the document and as a table.
    assert methodology.version == "2025.2" and "2025.2" in page
    assert "<h3>2025.2版的变化：按披露层级评级</h3>" in page and 'data-table="tiers"' in page
    assert "<h3>What changed in 2025.2: rating by disclosure tier</h3>" in english
    assert escape(methodology.tiers.rules[0].max_grade_source) in page


def test_the_city_overview_and_the_run_progress(city, gov, alice):
    client = Client()
    assert client.get("/ratings/").status_code == 302  # sign in first
    client.force_login(alice)
    assert client.get("/ratings/").status_code == 403
    client.force_login(gov)
    page = client.get("/ratings/").content.decode()
    assert 'id="no-run"' in page and 'id="start-rating"' in page
    run = actions.start_rating(YEAR, actor=gov, enqueue=False)
    queued = client.get(f"/ratings/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in queued.content.decode()
    assert "HX-Refresh" not in queued
    actions.run_rating(run.pk)
    done = client.get(f"/ratings/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert 'data-run-status="done"' in done.content.decode()
    assert done["HX-Refresh"] == "true"
    page = client.get(f"/ratings/?year={YEAR}").content.decode()
    assert 'id="chart-industry"' in page and 'id="chart-district"' in page
    charts = page.split('id="chart-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(charts)["industry"][0]["total"] == 3
    # Grades split by tier: all three basic disclosures in the basic row.
    by_tier = page.split('id="grade-counts-by-tier"')[1].split("</table>")[0]
    assert 'data-tier="basic"' in by_tier and 'data-tier="standard"' not in by_tier
    counts = Rating.objects.filter(run=run).values_list("grade", flat=True)
    for grade in set(counts):
        n = list(counts).count(grade)
        assert f'<td class="num" data-grade="{grade}">{n}</td>' in by_tier


def test_the_records_page_imports_a_csv(city, gov):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(gov)
    text = RECORDS_CSV.format(a=city["a"].uscc, b=city["b"].uscc)
    upload = SimpleUploadedFile("records.csv", text.encode("gb18030"), "text/csv")
    page = client.post("/ratings/records/", {"file": upload}).content.decode()
    assert 'data-imported="4"' in page and 'data-refused="8"' in page
    assert '<tr data-row="6">' in page


def test_start_from_the_page_queues_and_the_task_rates(city, gov,
                                                       django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(gov)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ratings/start/", {"year": YEAR})
    run = RatingRun.objects.get()
    assert response.status_code == 302 and f"#run-{run.pk}" in response["Location"]
    assert run.status == RunStatus.DONE and run.rated == 3


# --- self-diagnosis ---------------------------------------------------------------------------
def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "diagnosis.pdf"
    path.write_bytes(pdf)
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_self_diagnosis_from_the_draft_with_a_real_pdf(firm_a, alice, bob, draft_a, fill_basic,
                                                       tmp_path):
    fill_basic(draft_a, alice)
    url = f"/enterprises/{firm_a.uscc}/self-diagnosis/"
    client = Client()
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert 'id="diagnosis"' in page and 'id="estimate-note"' in page
    assert 'id="diagnosis-grade"' in page and 'id="plan"' in page
    assert 'data-basis="neutral"' in page  # no rated population yet
    # The draft is a basic disclosure: its tier beside the estimated grade, a plan of basic-form
    # indicators only, and the standard form named for the other 32 rated indicators.
    assert 'id="diagnosis-tier" data-tier="basic">基础版（中小企业）' in page
    basic = set(engine.load_methodology().tier_codes("basic"))
    planned = re.findall(r'<li data-code="([^"]+)">', page.split('id="plan"')[1].split("</ol>")[0])
    assert planned and set(planned) <= basic
    assert 'id="other-tier"' in page and "另有 32 个评级指标只在标准版（上市公司）表单中填报" in page
    assert "估算" in page  # the engine's note says it is an estimate, in the page's language
    printable = client.get(url + "?source=disclosure&format=print").content.decode()
    assert firm_a.name in printable and "<nav" not in printable

    response = client.get(url + "?source=disclosure&format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content, tmp_path)
    with translation.override("zh-hans"):
        estimate = translation.gettext("Estimated grade")
    assert firm_a.name in text
    assert estimate in text and "估" in text  # labelled an estimate (估算 / 估计)
    if estimate != "Estimated grade":  # once the lead's translation is in
        assert "估计" in text

    other = Client()
    other.force_login(bob)
    assert other.get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_self_diagnosis_questionnaire_ranks_against_the_rated_city(city, gov, alice):
    rate_now(gov)
    url = f"/enterprises/{city['a'].uscc}/self-diagnosis/"
    client = Client()
    client.force_login(alice)
    form = client.get(url + "?source=questionnaire").content.decode()
    assert 10 <= form.count('class="answer') <= 15
    answers = {"year": YEAR, "G-GEN-01": "8000", "E-GHG-01": "800", "E-ENG-01": "200",
               "S-EMP-05-COV": "100", "S-EMP-03": "5", "S-OHS-01": "0", "G-ABC-04": "yes",
               "G-ABC-03": "yes", "G-ABC-02": "0", "G-GOV-06": "yes"}
    page = client.post(url, answers).content.decode()
    assert 'id="diagnosis"' in page and 'data-basis="peers"' in page
    assert 'id="gaps"' in page  # the questionnaire leaves mandatory basic indicators open
    bad = client.post(url, {**answers, "S-EMP-05-COV": "140"}).content.decode()
    assert 'id="diagnosis"' not in bad and "has-error" in bad
    pdf = client.post(url, {**answers, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
