"""The dashboard computations: plan targets, grade counts, breakdowns and task status."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from czesg.engine.plan import Target, load_city_profile
from czesg.engine.plan.targets import (
    GRADE_SCALE,
    STALLED_AFTER_DAYS,
    Milestone,
    ProgressPost,
    breakdown,
    expected_on_path,
    listed_disclosure_rate,
    rated_a_or_above,
    target_progress,
    task_status,
)

# --------------------------------------------------------------------------------------------
# Listed disclosure rate and A-rated enterprises


def test_listed_disclosure_rate_three_of_five_is_sixty_percent():
    listed = ["L1", "L2", "L3", "L4", "L5"]
    disclosed = ["L1", "L3", "L5", "U1", "U2"]  # U1, U2 are unlisted and do not count
    assert listed_disclosure_rate(listed, disclosed) == 60.0


def test_listed_disclosure_rate_edges():
    assert listed_disclosure_rate([], ["L1"]) is None
    assert listed_disclosure_rate(["L1", "L1", "L2"], ["L1", "L1"]) == 50.0  # sets, not lists
    assert listed_disclosure_rate(["L1"], []) == 0.0


GRADES = {"e1": "AAA", "e2": "AA", "e3": "A", "e4": "BBB", "e5": None, "e6": "C", "e7": "A"}


@pytest.mark.parametrize("threshold, expected", [
    ("A", 4),     # AAA, AA, A, A
    ("AA", 2),    # AAA, AA
    ("AAA", 1),
    ("BBB", 5),
    ("C", 6),     # every rated enterprise; e5 is not rated
])
def test_rated_a_or_above_counts_by_threshold(threshold, expected):
    assert rated_a_or_above(GRADES, threshold) == expected


def test_rated_a_or_above_uses_each_enterprises_latest_grade():
    rows = [
        ("x", 2024, "A"), ("x", 2025, "BB"),     # fell to BB: not counted
        ("y", 2024, "BBB"), ("y", 2025, "AA"),   # rose to AA: counted
        ("z", 2024, "A"), ("z", 2025, None),     # latest non-empty grade A: counted
        ("w", 2025, None),
    ]
    assert rated_a_or_above(rows) == 2
    assert rated_a_or_above(list(reversed(rows))) == 2


def test_rated_a_or_above_refuses_unknown_grades():
    with pytest.raises(ValueError, match="unknown grade"):
        rated_a_or_above({"e": "A+"})
    with pytest.raises(ValueError, match="unknown grade"):
        rated_a_or_above(GRADES, "A-")
    assert GRADE_SCALE[0] == "AAA" and GRADE_SCALE[-1] == "C" and len(GRADE_SCALE) == 9


# --------------------------------------------------------------------------------------------
# Target progress


@pytest.fixture(scope="module")
def targets():
    return load_city_profile().targets


def progress(targets, key, value, *, year=2025, history=None):
    rows = target_progress(targets, {key: value}, {key: history or []}, year=year)
    return next(row for row in rows if row.key == key)


def test_expected_path_is_linear_from_2024_to_2027():
    # baseline 30 % in 2024, target 60 % in 2027: 40 in 2025, 50 in 2026, 60 in 2027.
    assert expected_on_path(30, 60, 2025, target_year=2027) == pytest.approx(40)
    assert expected_on_path(30, 60, 2026, target_year=2027) == pytest.approx(50)
    assert expected_on_path(30, 60, 2027, target_year=2027) == 60
    assert expected_on_path(30, 60, 2030, target_year=2027) == 60  # clamped
    assert expected_on_path(30, 60, 2023, target_year=2027) == 30


@pytest.mark.parametrize("value, status", [
    (40.0, "on_track"),   # exactly on the line in 2025
    (39.99, "behind"),
    (59.9, "on_track"),
    (60.0, "met"),        # ≥ 60 meets the target
    (75.0, "met"),
    (None, "no_data"),
])
def test_status_of_the_listed_disclosure_rate_in_2025(targets, value, status):
    row = progress(targets, "listed_disclosure_rate", value, history=[(2024, 30.0)])
    assert row.status == status
    if value is not None:
        assert row.expected == pytest.approx(40.0)
        assert row.share_of_target == pytest.approx(100 * value / 60)


def test_status_in_2026_and_after_the_target_year(targets):
    history = [(2024, 30.0)]
    assert progress(targets, "listed_disclosure_rate", 50.0, year=2026,
                    history=history).status == "on_track"
    assert progress(targets, "listed_disclosure_rate", 49.0, year=2026,
                    history=history).status == "behind"
    assert progress(targets, "listed_disclosure_rate", 59.0, year=2027,
                    history=history).status == "behind"
    # in the baseline year the line starts at the baseline itself
    assert progress(targets, "listed_disclosure_rate", 30.0, year=2024,
                    history=history).status == "on_track"


def test_unmet_target_without_a_baseline_is_behind(targets):
    row = progress(targets, "a_rated_enterprises", 25, history=[(2025, 20)])
    assert row.status == "behind" and row.baseline is None and row.expected is None
    assert row.value == 25  # the measured value replaces the history entry of its year
    assert row.series == ((2025, 25.0),)


def test_trend_and_series(targets):
    row = progress(targets, "a_rated_enterprises", 18,
                   history=[(2024, 12), (2023, 5)])
    assert row.series == ((2023, 5.0), (2024, 12.0), (2025, 18.0))
    assert (row.trend, row.change) == ("improving", 6.0)
    # path: 12 + (40 − 12) × 1/3 = 21.33 in 2025 → 18 is behind
    assert row.expected == pytest.approx(12 + 28 / 3)
    assert row.status == "behind"
    falling = progress(targets, "a_rated_enterprises", 10, history=[(2024, 12)])
    assert falling.trend == "worsening"
    flat = progress(targets, "a_rated_enterprises", 12, history=[(2024, 12)])
    assert flat.trend == "flat"
    alone = progress(targets, "a_rated_enterprises", 12)
    assert alone.trend is None and alone.change is None


def test_year_defaults_to_the_latest_history_year(targets):
    rows = target_progress(targets, {}, {"standards": [(2024, 6), (2026, 20)]})
    row = next(r for r in rows if r.key == "standards")
    # 2026 value 20 from history, path 6 + (30 − 6) × 2/3 = 22 → behind
    assert (row.year, row.value, row.expected, row.status) == (2026, 20.0, 22.0, "behind")
    others = [r for r in rows if r.key != "standards"]
    assert all(r.status == "no_data" for r in others)


def test_every_profile_target_is_reported_with_its_provenance(targets):
    rows = target_progress(targets, {}, {}, year=2025)
    assert [r.key for r in rows] == [t.key for t in targets]
    assert all(r.source and r.confidence for r in rows)
    assert {r.measured_by for r in rows} == {"platform", "registry"}


def test_a_lower_is_better_target():
    cap = Target(key="cap", name_zh="上限", name_en="Cap", value=10, unit="count",
                 comparator="<=", year=2027, measured_by="registry", source="test",
                 confidence="analyst-judgement")
    # baseline 40 in 2024 → 30 in 2025; 30 is on the line, 31 behind, 10 met.
    result = {v: target_progress([cap], {"cap": v}, {"cap": [(2024, 40)]}, year=2025)[0]
              for v in (30, 31, 10)}
    assert result[30].status == "on_track"
    assert result[31].status == "behind"
    assert result[10].status == "met"
    assert result[30].trend == "improving"
    assert result[30].share_of_target == pytest.approx(100 * 10 / 30)


# --------------------------------------------------------------------------------------------
# Breakdowns


def enterprises() -> pl.DataFrame:
    return pl.DataFrame({
        "uscc": ["1", "2", "3", "4", "5"],
        "district": ["320411", "320411", "320411", "320412", None],
        "park_key": ["czhnd", "czhnd", None, "wjhnd", "wjhnd"],
        "industry": ["battery", "pv", "battery", "battery", "pv"],
        "disclosed": [True, True, False, True, False],
        "grade": ["AAA", "A", None, "BB", None],
        "E-GHG-01": [100.0, 300.0, None, 50.0, None],
        "G-GEN-01": [1000.0, 1000.0, 500.0, None, None],
        "E-ENG-01": [40.0, 60.0, None, 10.0, None],
    })


def value(rows, group, metric, category=None):
    matches = [r for r in rows if r["group"] == group and r["metric"] == metric
               and r["category"] == category]
    assert len(matches) == 1, (group, metric, category)
    return matches[0]


def test_breakdown_by_district_exact_numbers():
    rows = breakdown(enterprises(), "district")
    assert [g for g in dict.fromkeys(r["group"] for r in rows)] == ["320411", "320412", None]
    # Xinbei: 3 enterprises, 2 disclosed → 66.67 %; emissions 100 + 300 = 400 tCO2e;
    # intensity over the two reporting both: 400 / 2000 = 0.2; energy 40 + 60 = 100 tce.
    assert value(rows, "320411", "enterprises")["value"] == 3
    assert value(rows, "320411", "disclosure_coverage")["value"] == pytest.approx(200 / 3)
    assert value(rows, "320411", "total_emissions")["value"] == 400.0
    assert value(rows, "320411", "total_emissions")["n"] == 2
    intensity = value(rows, "320411", "emissions_intensity")
    assert (intensity["value"], intensity["n"], intensity["unit"]) == (0.2, 2, "tCO2e/10k_CNY")
    assert value(rows, "320411", "energy")["value"] == 100.0
    assert value(rows, "320411", "grade_distribution", "AAA")["value"] == 1
    assert value(rows, "320411", "grade_distribution", "A")["value"] == 1
    assert value(rows, "320411", "grade_distribution", "BBB")["value"] == 0
    assert value(rows, "320411", "grade_distribution", "unrated")["value"] == 1
    # Wujin: one enterprise with emissions 50 but no revenue → no intensity
    assert value(rows, "320412", "total_emissions")["value"] == 50.0
    assert value(rows, "320412", "emissions_intensity")["value"] is None
    assert value(rows, "320412", "emissions_intensity")["n"] == 0
    # unknown district: nothing reported → sums are None, not 0
    assert value(rows, None, "total_emissions")["value"] is None
    assert value(rows, None, "energy")["value"] is None
    assert value(rows, None, "disclosure_coverage")["value"] == 0.0
    grade_rows = [r for r in rows if r["group"] == "320411" and r["metric"] ==
                  "grade_distribution"]
    assert [r["category"] for r in grade_rows] == [*GRADE_SCALE, "unrated"]


def test_breakdown_intensity_is_sum_over_sum():
    # battery: enterprise 1 100/1000 = 0.1; enterprise 3 has revenue but no emissions (left out);
    # enterprise 4 has emissions but no revenue (left out) → 100 / 1000 = 0.1.
    # pv: enterprise 2 300/1000 = 0.3; enterprise 5 nothing.
    rows = breakdown(enterprises(), "industry", ["emissions_intensity", "total_emissions"])
    assert value(rows, "battery", "emissions_intensity")["value"] == pytest.approx(0.1)
    assert value(rows, "battery", "total_emissions")["value"] == 150.0
    assert value(rows, "pv", "emissions_intensity")["value"] == pytest.approx(0.3)
    # czhnd holds enterprises 1 and 2: (100 + 300) / (1000 + 1000) = 0.2.
    parks = breakdown(enterprises(), "park", ["emissions_intensity"])
    assert value(parks, "czhnd", "emissions_intensity")["value"] == pytest.approx(0.2)
    assert {r["metric"] for r in rows} == {"emissions_intensity", "total_emissions"}


def test_breakdown_sum_over_sum_differs_from_mean_of_ratios():
    frame = pl.DataFrame({
        "uscc": ["a", "b"], "district": ["d", "d"], "disclosed": [True, True],
        "grade": [None, None], "E-GHG-01": [10.0, 990.0], "G-GEN-01": [100.0, 900.0],
        "E-ENG-01": [1.0, 1.0],
    }, schema_overrides={"grade": pl.Utf8})
    rows = breakdown(frame, "district", ["emissions_intensity"])
    # (10 + 990) / (100 + 900) = 1.0, while the mean of 0.1 and 1.1 would be 0.6
    assert rows[0]["value"] == pytest.approx(1.0)


def test_breakdown_refusals():
    with pytest.raises(ValueError, match="unknown breakdown"):
        breakdown(enterprises(), "province")
    with pytest.raises(ValueError, match="unknown metric"):
        breakdown(enterprises(), "district", ["happiness"])
    with pytest.raises(ValueError, match="twice"):
        breakdown(pl.concat([enterprises(), enterprises()]), "district")
    with pytest.raises(ValueError, match="unknown grade"):
        breakdown(enterprises().with_columns(pl.lit("A+").alias("grade")), "district")
    with pytest.raises(ValueError, match="no column"):
        breakdown(enterprises().drop("industry"), "industry")


def test_breakdown_is_independent_of_row_order():
    frame = enterprises()
    assert breakdown(frame, "park") == breakdown(frame.reverse(), "park")


# --------------------------------------------------------------------------------------------
# Task status


TODAY = date(2026, 3, 31)


@pytest.fixture(scope="module")
def tasks():
    return load_city_profile().tasks


def status_of(results, number):
    return next(r for r in results if r.number == number)


def test_every_task_is_reported_with_its_leads(tasks):
    results = task_status(tasks, [], TODAY, started=TODAY)
    assert [r.number for r in results] == list(range(1, 21))
    assert status_of(results, 7).lead_departments == ("czhnd_committee",)
    assert all(r.last_post is None and r.completion is None for r in results)
    assert not any(r.stalled for r in results)  # the plan started today


def test_stalled_edge_at_n_days(tasks):
    assert STALLED_AFTER_DAYS == 90
    posts = [
        ProgressPost(task=1, posted=TODAY - timedelta(days=89)),
        ProgressPost(task=2, posted=TODAY - timedelta(days=90)),
        ProgressPost(task=3, posted=TODAY - timedelta(days=200)),
        ProgressPost(task=3, posted=TODAY - timedelta(days=10)),
        {"task": 4, "posted": TODAY + timedelta(days=1)},  # after today: ignored
    ]
    results = task_status(tasks, posts, TODAY)
    assert (status_of(results, 1).stalled, status_of(results, 1).days_since_post) == (False, 89)
    assert (status_of(results, 2).stalled, status_of(results, 2).days_since_post) == (True, 90)
    three = status_of(results, 3)
    assert (three.stalled, three.posts, three.last_post) == (False, 2, TODAY - timedelta(days=10))
    four = status_of(results, 4)
    assert (four.posts, four.last_post, four.stalled) == (0, None, True)  # never posted
    shorter = task_status(tasks, posts, TODAY, stalled_after_days=30)
    assert status_of(shorter, 1).stalled


def test_never_posted_counts_from_the_start_date(tasks):
    started = date(2025, 7, 15)  # the plan's issue date
    results = task_status(tasks, [], started + timedelta(days=89), started=started)
    assert not status_of(results, 5).stalled
    results = task_status(tasks, [], started + timedelta(days=90), started=started)
    assert status_of(results, 5).stalled


def test_overdue_milestones_and_completion(tasks):
    milestones = [
        Milestone(task=11, key="module", due=TODAY - timedelta(days=1)),            # overdue
        Milestone(task=11, key="guide", due=TODAY),                                 # due today
        Milestone(task=11, key="centre", due=TODAY - timedelta(days=30),
                  done_on=TODAY - timedelta(days=40)),                              # done
        Milestone(task=11, key="late", due=TODAY - timedelta(days=5),
                  done_on=TODAY + timedelta(days=2)),         # done after today: still open
        {"task": 12, "key": "kpi", "due": TODAY + timedelta(days=10), "done_on": None},
    ]
    results = task_status(tasks, [], TODAY, milestones=milestones)
    eleven = status_of(results, 11)
    assert eleven.overdue
    assert eleven.overdue_milestones == ("late", "module")  # by due date
    assert (eleven.milestones_total, eleven.milestones_done) == (4, 1)
    assert eleven.completion == 25.0
    assert eleven.next_due == TODAY - timedelta(days=5)
    twelve = status_of(results, 12)
    assert (twelve.overdue, twelve.completion, twelve.next_due) == (
        False, 0.0, TODAY + timedelta(days=10))
    only_today = task_status(tasks, [], TODAY, milestones=[milestones[1]])
    assert not status_of(only_today, 11).overdue


def test_task_status_refuses_unknown_tasks(tasks):
    with pytest.raises(ValueError, match="task 21"):
        task_status(tasks, [ProgressPost(task=21, posted=TODAY)], TODAY)
    with pytest.raises(ValueError, match="task 0"):
        task_status(tasks, [], TODAY, milestones=[Milestone(task=0, key="x", due=TODAY)])
