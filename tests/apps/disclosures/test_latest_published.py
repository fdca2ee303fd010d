"""Issue 11: one rule for "the latest published disclosure of an enterprise-year".

The rule is the highest version among the published versions of (enterprise, year). The test
makes pk order and version order disagree (the lower primary key carries the higher version) and
holds every reader of the rule to the same choice: the portal, the dashboards and their fact
table, the enterprise profiles and the ratings.
"""

from __future__ import annotations

import json

import pytest
from django.db.models import F

from czesg.dashboards import queries
from czesg.disclosures import actions as disclosure_actions
from czesg.disclosures import facts
from czesg.disclosures.models import Datapoint, Disclosure, EnterpriseYear
from czesg.engine import rating as rating_engine
from czesg.portal import opendata, profiles, public
from czesg.ratings import inputs as rating_inputs
from tests.conftest import BASIC_VALUES

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def crossed(make_enterprise, member_of, system, fill_basic):
    """An enterprise whose version with the highest number has the lower primary key."""
    firm = make_enterprise("常州交叉版本有限公司")
    manager = member_of(firm, "crossed-manager")
    first = disclosure_actions.start_disclosure(firm, YEAR, actor=system)
    fill_basic(first, system)
    disclosure_actions.submit_disclosure(first, actor=system)
    first = disclosure_actions.publish_disclosure(first, actor=system)
    second = disclosure_actions.amend_disclosure(first, "correction", actor=manager)
    disclosure_actions.submit_disclosure(second, actor=system)
    second = disclosure_actions.publish_disclosure(second, actor=system)
    assert second.pk > first.pk
    # Double every number of the higher-pk version and give the lower-pk one the higher version.
    Datapoint.objects.filter(disclosure=second, value_number__isnull=False).update(
        value_number=F("value_number") * 2)
    Disclosure.objects.filter(pk=first.pk).update(version=3)
    facts.rebuild_facts()
    return firm, Disclosure.objects.get(pk=first.pk)


def test_every_reader_chooses_the_highest_published_version(crossed):
    firm, chosen = crossed
    assert list(Disclosure.objects.latest_published(year=YEAR)) == [chosen]
    assert list(Disclosure.objects.latest_published(enterprises=[firm.pk])) == [chosen]
    # Portal: comparisons and open data.
    assert public._values_for([firm], YEAR)[0][firm.pk].pk == chosen.pk
    assert public._values_for([firm], None)[0][firm.pk].pk == chosen.pk
    frame = opendata.published_frame(YEAR)
    assert set(frame["version"].to_list()) == {3}
    # Dashboards: the year's latest versions, their values and the fact table.
    assert queries.latest_published(YEAR) == {firm.pk: chosen.pk}
    assert list(queries.latest_published_ids(YEAR)) == [{"pk": chosen.pk}]
    assert queries.value_rows(YEAR, ["E-GHG-01"]) == [(firm.pk, 1000.0)]
    fact = EnterpriseYear.objects.get(enterprise=firm, year=YEAR)
    assert (fact.disclosure_id, fact.emissions) == (chosen.pk, 1000.0)
    # Profiles.
    [(_, _, document)] = list(profiles.build_profiles([firm.pk]))
    profile = json.loads(document)
    assert profile["latest"]["id"] == chosen.pk and profile["latest"]["version"] == 3
    # Ratings: the inputs hold the chosen version's values, not the doubled ones.
    methodology = rating_engine.load_methodology()
    numbers = {code: value for code, value, _ in BASIC_VALUES if isinstance(value, int | float)}
    code = next(c for c in methodology.codes if c in numbers and numbers[c])
    inputs, ids = rating_inputs.fetch_inputs(YEAR, methodology)
    assert ids.tolist() == [firm.pk]
    assert inputs.values[0, list(inputs.codes).index(code)] == pytest.approx(numbers[code])
