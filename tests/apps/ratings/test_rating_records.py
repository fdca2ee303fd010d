"""Issue 14: ratings read records where the latest published disclosure lacks a figure
(methodology 2025.2), say which values came from records, and state the share of the rated
weight backed by disclosed, recorded and missing data; stored runs reproduce exactly.

The city of tests/apps/ratings/test_ratings.py, except that battery maker C publishes its basic
disclosure (with G-GOV-06) without E-ENG-02 (energy intensity) and S-TRN-02 (training hours): a public annual
report records C's E-ENG-02, a restricted utility record its S-TRN-02 (which a published rating
never reads). Battery group pillar weights E 0.45, S 0.3, G 0.25; on the basic form E-ENG-02 is
the only rated indicator of the energy topic (0.2 of E's 0.5 present), S-TRN-02 0.15 of the
employee topic's 0.75. So C's rated weight is recorded 0.45 × 0.4 = 0.18, missing
0.3 × 0.2 = 0.06, disclosed 0.76.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from czesg.disclosures import actions as d
from czesg.disclosures import checks
from czesg.ratings import actions
from czesg.ratings.models import Rating
from czesg.records.models import Record, RecordSource, SourceKind, Visibility
from tests.apps.ratings.test_ratings import YEAR, publish, rate_now

pytestmark = pytest.mark.django_db


def publish_partial(enterprise, manager, fill_basic, cleared):
    """A basic disclosure published with the ``cleared`` indicators left empty (not reported),
    its warnings acknowledged by the manager."""
    draft = d.start_disclosure(enterprise, YEAR, actor=manager)
    fill_basic(draft, manager)
    d.set_values(draft, [d.Entry("G-GOV-06", "yes", "")], actor=manager)
    for code in cleared:
        d.clear_value(draft, code, actor=manager)
    warnings = [f.key for f in checks.findings_for(draft) if not f.is_error]
    d.acknowledge_warnings(draft, warnings, actor=manager)
    d.submit_disclosure(draft, actor=manager)
    return d.publish_disclosure(draft, actor=manager)


def add_record(enterprise, code, value, unit, *, source, actor, visibility=Visibility.PUBLIC):
    now = timezone.now()
    return Record.objects.create(
        enterprise=enterprise, year=YEAR, indicator_code=code, value_number=value, unit=unit,
        entered_value=str(value), entered_unit=unit, source=source, document="2024年度报告",
        page=12, published_on=dt.date(2025, 4, 20), retrieved_at=now, method="reported",
        confidence="reported", visibility=visibility, created_by=actor, created_at=now)


@pytest.fixture
def city(firm_a, firm_b, alice, bob, make_enterprise, member_of, fill_basic, gov):
    from czesg.enterprises.models import Enterprise

    Enterprise.objects.filter(pk=firm_b.pk).update(industry_code="C3841")
    firm_c = make_enterprise("丙储能科技有限公司", industry_code="C3841", division_code="320412")
    carol = member_of(firm_c, "carol")
    publish(firm_a, alice, fill_basic, values=[("G-GOV-06", "yes", "")])
    publish(firm_b, bob, fill_basic, values=[("S-EMP-05-COV", 90, "%"), ("G-ABC-04", "no", "")])
    # The two rated intensities left empty, with the unrated figures the platform would derive
    # them from (total energy, training hours), so that they stay not reported.
    publish_partial(firm_c, carol, fill_basic, ["E-ENG-01", "E-ENG-02", "S-TRN-04", "S-TRN-02"])
    report = RecordSource.objects.create(
        code="c_annual_report", kind=SourceKind.PUBLISHED_REPORT, name_zh="丙储能年度报告",
        name_en="Bing Energy Storage annual report", visibility=Visibility.PUBLIC)
    meter = RecordSource.objects.create(
        code="c_utility", kind=SourceKind.UTILITY, name_zh="供电公司", name_en="Power utility",
        visibility=Visibility.RESTRICTED)
    add_record(firm_c, "E-ENG-02", 0.06, "tce/10k_CNY", source=report, actor=gov)
    add_record(firm_c, "S-TRN-02", 30.0, "hour/person", source=meter, actor=gov,
               visibility=Visibility.RESTRICTED)
    # A (disclosed) figure is never replaced by a record.
    add_record(firm_a, "E-ENG-02", 9.0, "tce/10k_CNY", source=report, actor=gov)
    return {"a": firm_a, "b": Enterprise.objects.get(pk=firm_b.pk), "c": firm_c}


def test_2025_2_rates_a_public_record_where_the_disclosure_lacks_the_figure(city, gov):
    run = rate_now(gov)
    c = Rating.objects.get(run=run, enterprise=city["c"])
    row = json.loads(c.input_row)
    assert row["recorded"] == ["E-ENG-02"] and row["values"]["E-ENG-02"] == 0.06
    assert "S-TRN-02" not in row["values"]  # restricted: never in a published rating
    a = json.loads(Rating.objects.get(run=run, enterprise=city["a"]).input_row)
    assert "recorded" not in a and a["values"]["E-ENG-02"] == 0.056
    shares = actions.weight_shares(c)
    assert shares == pytest.approx({"disclosed": 0.76, "recorded": 0.18, "missing": 0.06},
                                   abs=1e-12)
    assert actions.weight_shares(Rating.objects.get(run=run, enterprise=city["a"])) == \
        pytest.approx({"disclosed": 1.0, "recorded": 0.0, "missing": 0.0}, abs=1e-12)
    explanation = actions.explanation(c)
    assert [x.code for x in explanation.contributions if x.recorded] == ["E-ENG-02"]
    assert explanation.shares == pytest.approx((0.76, 0.18, 0.06), abs=1e-12)
    energy = next(x for x in explanation.contributions if x.code == "E-ENG-02")
    assert (energy.status, energy.value) == ("reported", 0.06)
    assert energy.weight == pytest.approx(0.18, abs=1e-12)
    # The filled cell is part of the stored inputs and their hash: the run reproduces exactly.
    for rating in Rating.objects.filter(run=run).select_related("run", "enterprise"):
        result = actions.reproduce_rating(rating)
        assert result["equal"], result["differences"]


def test_2025_1_reads_no_records_and_still_reproduces(city, gov):
    run = rate_now(gov, version="2025.1")
    c = Rating.objects.get(run=run, enterprise=city["c"])
    row = json.loads(c.input_row)
    assert "recorded" not in row and "E-ENG-02" not in row["values"]
    assert actions.weight_shares(c)["recorded"] == 0.0
    assert actions.reproduce_rating(c)["equal"]


def test_the_grade_card_and_api_state_the_shares(city, gov, alice):
    rate_now(gov)
    client = Client()
    body = client.get(f"/api/v1/ratings/{city['c'].uscc}").json()
    assert body["shares"] == pytest.approx({"disclosed": 0.76, "recorded": 0.18,
                                            "missing": 0.06}, abs=1e-12)
    page = client.get(f"/enterprises/{city['c'].uscc}/rating/").content.decode()
    assert 'data-disclosed="76.0" data-recorded="18.0" data-missing="6.0"' in page
    assert "披露 76%，记录 18%，缺失 6%" in page
    client.force_login(gov)
    body = client.get(f"/api/v1/ratings/{city['c'].uscc}").json()
    basis = {c["code"]: c["basis"] for c in body["explanation"]["contributions"]}
    assert (basis["E-ENG-02"], basis["E-GHG-05"], basis["S-TRN-02"]) == (
        "record", "disclosed", "")
    page = client.get(f"/enterprises/{city['c'].uscc}/rating/").content.decode()
    assert page.count('data-basis="record"') == 1


def test_search_and_the_enterprise_page_show_the_tier_beside_the_grade(city, gov):
    run = rate_now(gov)
    client = Client()
    html = client.get("/search/").content.decode()
    for key in ("a", "b", "c"):
        rating = Rating.objects.get(run=run, enterprise=city[key])
        assert rating.tier == "basic"
        row = html.split(f'<tr data-uscc="{city[key].uscc}">')[1].split("</tr>")[0]
        assert f'data-grade="{rating.grade}" data-tier="basic"' in row
        assert f'<span class="grade grade-{rating.grade}">{rating.grade}</span>' in row
        assert '<span class="tier tier-basic">基础版（中小企业）</span>' in row
    page = client.get(f"/enterprises/{city['c'].uscc}/").content.decode()
    c = Rating.objects.get(run=run, enterprise=city["c"])
    assert (f'<span id="profile-grade" data-grade="{c.grade}" data-tier="basic">'
            f'<span class="grade grade-{c.grade}">{c.grade}</span> '
            '<span class="tier tier-basic">基础版（中小企业）</span>') in page


def test_a_self_diagnosis_fills_unanswered_indicators_from_the_enterprises_own_records(
        city, gov, alice):
    from czesg.engine.disclosure.answers import Answer

    meter = RecordSource.objects.get(code="c_utility")
    add_record(city["a"], "S-TRN-02", 30.0, "hour/person", source=meter, actor=gov,
               visibility=Visibility.RESTRICTED)
    rate_now(gov)
    answers = {"S-OHS-01": Answer(code="S-OHS-01", number=0.0),
               "G-GOV-06": Answer(code="G-GOV-06", boolean=True)}
    filled = actions.with_recorded_answers(city["a"], answers, YEAR,
                                           actions.engine.load_methodology())
    # A's public report record (E-ENG-02 9.0) and its own restricted utility record (S-TRN-02)
    assert {c: (a.number, a.evidence) for c, a in filled.items() if c not in answers} == {
        "E-ENG-02": (9.0, "record: c_annual_report"), "S-TRN-02": (30.0, "record: c_utility")}
    diagnosed = actions.self_diagnosis(city["a"], answers, year=YEAR, actor=alice)
    explicit = actions.self_diagnosis(city["a"], filled, year=YEAR, actor=alice)
    assert (diagnosed.score, diagnosed.grade) == (explicit.score, explicit.grade)
    # An answer given is never replaced by a record.
    own = {**answers, "E-ENG-02": Answer(code="E-ENG-02", number=0.5)}
    assert actions.with_recorded_answers(city["a"], own, YEAR, actions.engine.load_methodology()
                                         )["E-ENG-02"].number == 0.5


def _question(page: str, code: str) -> str:
    """The questionnaire block of one indicator."""
    block = page.split(f'<div class="answer" data-code="{code}">')[1]
    return block.split('<div class="answer')[0].split("</form>")[0]


def test_the_questionnaire_is_filled_in_from_the_disclosure_and_the_records_with_their_basis(
        city, gov, django_user_model):
    carol = django_user_model.objects.get(username="carol")
    report = RecordSource.objects.get(code="c_annual_report")
    # C's published disclosure leaves total energy and training hours empty: the annual report
    # holds its energy, its own utility record (restricted) its training hours. The report's
    # revenue loses to the disclosed one (disclosed first).
    add_record(city["c"], "E-ENG-01", 310.0, "tce", source=report, actor=gov)
    add_record(city["c"], "G-GEN-01", 9999.0, "万元", source=report, actor=gov)
    client = Client()
    client.force_login(carol)
    url = f"/enterprises/{city['c'].uscc}/self-diagnosis/"
    page = client.get(url + "?source=questionnaire").content.decode()
    assert f'<option value="{YEAR}" selected>' in page  # the latest year with answers held
    assert f'<input type="hidden" name="year" value="{YEAR}">' in page
    assert 'data-filled="12"' in page and f"{YEAR} 年的 12 项答案" in page

    energy = _question(page, "E-ENG-01")
    assert 'value="310"' in energy
    assert ('<span class="tag basis basis-record" data-basis="record" title="2024年度报告 p. 12">'
            "记录：丙储能年度报告</span>") in energy
    training = _question(page, "S-TRN-02")
    assert 'value="30"' in training and "记录：供电公司" in training  # own restricted record
    revenue = _question(page, "G-GEN-01")
    assert 'value="5000"' in revenue and 'data-basis="disclosed">披露</span>' in revenue
    assert 'value="8.5"' in _question(page, "S-EMP-03")
    policy = _question(page, "G-GOV-06")
    assert '<option value="yes" selected>' in policy and 'data-basis="disclosed"' in policy

    # Another year holds nothing: an empty form.
    other = client.get(url + f"?source=questionnaire&year={YEAR - 1}").content.decode()
    assert 'data-filled' not in other and 'data-basis=' not in other
    # The registry's size class is a hint beside the headcount with its source, never a value.
    headcount = _question(other, "S-EMP-01")
    assert 'value=""' in headcount
    assert 'data-source="registry" data-size-class="small"' in headcount
    assert "企业名录将贵企业划为小型企业（国家统计局《统计上大中小微型企业划分办法》）" in headcount
    assert "规模类型不是员工人数" in headcount

    # Posted back: an answer kept says its basis, a corrected one does not.
    posted = {"year": YEAR, "G-GEN-01": "5000", "S-EMP-01": "120", "E-GHG-01": "1000",
              "E-ENG-01": "250", "S-OHS-01": "0", "S-EMP-05-COV": "100", "S-EMP-03": "8.5",
              "S-TRN-02": "30.0", "G-GOV-06": "yes", "G-ABC-04": "yes", "G-ABC-03": "yes",
              "G-ABC-02": "0"}
    page = client.post(url, posted).content.decode()
    assert 'id="diagnosis"' in page
    assert 'value="250"' in _question(page, "E-ENG-01")
    assert "data-basis" not in _question(page, "E-ENG-01")
    assert "记录：供电公司" in _question(page, "S-TRN-02")
    assert 'data-basis="disclosed"' in _question(page, "G-GEN-01")


def test_restricted_records_fill_only_their_own_enterprise_s_questionnaire(city, gov, alice):
    # A's questionnaire: A's published figures, never C's restricted utility record.
    client = Client()
    client.force_login(alice)
    page = client.get(f"/enterprises/{city['a'].uscc}/self-diagnosis/?source=questionnaire"
                      ).content.decode()
    assert 'data-filled="12"' in page
    assert "供电公司" not in page
    assert 'value="20"' in _question(page, "S-TRN-02")  # A's disclosed training hours
    assert 'value="280"' in _question(page, "E-ENG-01")
