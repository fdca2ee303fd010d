"""Disclosure lifecycle: values with provenance, not-applicable vs missing, publish, amend."""

from __future__ import annotations

import pytest

from czesg.audit.models import AuditEvent
from czesg.disclosures import actions
from czesg.disclosures.models import Datapoint, DatapointStatus, Disclosure, State
from czesg.engine.kernel.errors import CatalogueError, StateConflict, UnitError

pytestmark = pytest.mark.django_db


def test_start_disclosure_opens_a_draft_on_the_current_catalogue(draft_a, alice):
    from czesg.engine.catalogue import load_catalogue

    assert draft_a.state == State.DRAFT
    assert draft_a.version == 1
    assert draft_a.catalogue_version == load_catalogue().version
    event = AuditEvent.objects.get(action="disclosure.start")
    assert event.actor_id == alice.pk
    assert event.target_id == str(draft_a.pk)
    assert event.payload["year"] == 2024


def test_value_is_stored_in_canonical_unit_with_what_was_typed(draft_a, alice):
    point = actions.set_value(draft_a, "S-EMP-01", "1,250", "人", evidence="HR roster 2024-12-31", actor=alice)
    point.refresh_from_db()
    assert point.value_number == 1250.0
    assert point.unit == "person"
    assert point.entered_value == "1,250"
    assert point.entered_unit == "人"
    assert point.method == "typed"
    assert point.entered_by == alice
    assert point.evidence_ref == "HR roster 2024-12-31"
    assert point.assurance == "none"


def test_unit_conversion_kwh_to_mwh(draft_a, alice):
    from czesg.engine.catalogue import load_catalogue

    code = next(i.code for i in load_catalogue().indicators if i.unit == "MWh")
    point = actions.set_value(draft_a, code, 2_500_000, "kWh", actor=alice)
    assert point.value_number == pytest.approx(2500.0)
    assert point.unit == "MWh" and point.entered_unit == "kWh"


def test_incompatible_unit_is_refused_and_nothing_is_written(draft_a, alice):
    before = AuditEvent.objects.count()
    with pytest.raises(UnitError) as caught:
        actions.set_value(draft_a, "E-GHG-01", 10, "MWh", actor=alice)
    assert caught.value.params["code"] == "E-GHG-01"
    assert caught.value.params["expected"] == "tCO2e"
    assert not Datapoint.objects.exists()
    assert AuditEvent.objects.count() == before


def test_unknown_indicator_is_refused(draft_a, alice):
    with pytest.raises(CatalogueError) as caught:
        actions.set_value(draft_a, "E-XXX-99", 1, "t", actor=alice)
    assert caught.value.params == {"code": "E-XXX-99"}


def test_a_batch_with_one_bad_value_writes_nothing(draft_a, alice):
    entries = [
        actions.Entry("S-EMP-01", 100, "人"),
        actions.Entry("E-GHG-01", "abc", "tCO2e"),
    ]
    with pytest.raises(CatalogueError):
        actions.set_values(draft_a, entries, actor=alice)
    assert Datapoint.objects.count() == 0


def test_not_applicable_needs_an_explanation_and_differs_from_missing(draft_a, alice):
    with pytest.raises(CatalogueError):
        actions.mark_not_applicable(draft_a, "E-GHG-04", "   ", actor=alice)
    point = actions.mark_not_applicable(
        draft_a, "E-GHG-04", "No material upstream activities in scope.", actor=alice
    )
    assert point.status == DatapointStatus.NOT_APPLICABLE
    assert point.value_number is None
    codes = set(draft_a.datapoints.values_list("indicator_code", flat=True))
    assert "E-GHG-04" in codes  # answered as not applicable
    assert "E-GHG-01" not in codes  # missing: no row at all


def test_publish_then_published_version_is_immutable(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    actions.set_values(draft_a, [actions.Entry("S-EMP-01", 80, "person"),
                                 actions.Entry("S-TRN-02", 30, "hour/person")], actor=alice)
    actions.submit_disclosure(draft_a, actor=alice)
    published = actions.publish_disclosure(draft_a, actor=alice)
    assert published.state == State.PUBLISHED and published.published_by == alice
    for attempt in (
        lambda: actions.set_value(published, "S-EMP-01", 81, "person", actor=alice),
        lambda: actions.mark_not_applicable(published, "E-GHG-04", "n/a", actor=alice),
        lambda: actions.clear_value(published, "S-EMP-01", actor=alice),
        lambda: actions.submit_disclosure(published, actor=alice),
    ):
        with pytest.raises(StateConflict):
            attempt()
    point = published.datapoints.get(indicator_code="S-EMP-01")
    assert point.value_number == 80.0
    # The model refuses too, for any code path that bypasses the actions.
    point.value_number = 1
    with pytest.raises(StateConflict):
        point.save()
    with pytest.raises(StateConflict):
        point.delete()


def test_submitted_version_cannot_change_until_withdrawn(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    with pytest.raises(StateConflict):
        actions.set_value(draft_a, "S-EMP-01", 81, "person", actor=alice)
    actions.withdraw_submission(draft_a, actor=alice)
    assert actions.set_value(draft_a, "S-EMP-01", 81, "person", actor=alice).value_number == 81


def test_empty_disclosure_cannot_be_submitted(draft_a, alice):
    with pytest.raises(StateConflict):
        actions.submit_disclosure(draft_a, actor=alice)


def test_amendment_is_a_new_version_with_reason_and_copied_provenance(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    actions.set_values(draft_a, [actions.Entry("S-EMP-01", 80, "person", evidence="roster"),
                                 actions.Entry("S-TRN-02", 30, "hour/person")], actor=alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    with pytest.raises(CatalogueError):
        actions.amend_disclosure(draft_a, "", actor=alice)
    amendment = actions.amend_disclosure(draft_a, "Headcount excluded interns.", actor=alice)
    assert (amendment.version, amendment.state, amendment.amends_id) == (2, State.DRAFT, draft_a.pk)
    assert amendment.amendment_reason == "Headcount excluded interns."
    copied = amendment.datapoints.get(indicator_code="S-EMP-01")
    assert copied.value_number == 80 and copied.evidence_ref == "roster"
    assert copied.entered_by == alice
    actions.set_value(amendment, "S-EMP-01", 95, "person", actor=alice)
    # The published version keeps its value.
    assert draft_a.datapoints.get(indicator_code="S-EMP-01").value_number == 80
    # Only one open amendment, and only of the latest version.
    with pytest.raises(StateConflict):
        actions.amend_disclosure(draft_a, "again", actor=alice)
    assert AuditEvent.objects.filter(action="disclosure.amend", target_id=str(amendment.pk)).exists()


def test_a_second_disclosure_for_the_same_year_is_refused(draft_a, firm_a, alice):
    with pytest.raises(StateConflict):
        actions.start_disclosure(firm_a, 2024, actor=alice)
    assert Disclosure.objects.filter(enterprise=firm_a).count() == 1


def test_percentage_bounds_and_boolean_and_choice_types(draft_a, alice):
    from czesg.engine.catalogue import load_catalogue

    catalogue = load_catalogue()
    pct = next(i for i in catalogue.indicators if i.data_type == "percentage")
    with pytest.raises(CatalogueError) as caught:
        actions.set_value(draft_a, pct.code, 120, "%", actor=alice)
    assert caught.value.params["code"] == pct.code
    boolean = next(i for i in catalogue.indicators if i.data_type == "boolean")
    assert actions.set_value(draft_a, boolean.code, "是", actor=alice).value_bool is True
    choice = next(i for i in catalogue.indicators if i.data_type == "choice")
    point = actions.set_value(draft_a, choice.code, choice.choices[0].name_zh, actor=alice)
    assert point.value_choice == choice.choices[0].key
    with pytest.raises(CatalogueError):
        actions.set_value(draft_a, choice.code, "no-such-choice", actor=alice)
