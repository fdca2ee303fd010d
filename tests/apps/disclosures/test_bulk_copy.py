"""The bulk writers' COPY path on PostgreSQL (``storage.bulk.create_objects`` and
``upsert_columns``) stores exactly the rows Django's ``bulk_create`` stores, sets the primary
keys as it does, and keeps the audit chain and the public profiles of an import intact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.forms.models import model_to_dict

from czesg.audit.models import AuditEvent
from czesg.audit.recording import record_many, verify
from czesg.disclosures.bulk import import_checked
from czesg.disclosures.models import Datapoint, Disclosure, State, Tier
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.bulk import check_long, long_frame
from czesg.enterprises.actions import EnterpriseFacts, bulk_register
from czesg.enterprises.models import Enterprise
from czesg.portal.models import PublicProfile
from czesg.portal.profiles import build_profiles
from czesg.storage.bulk import create_objects
from tests.conftest import uscc_for

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.only_on("postgresql")]

STAMP = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def disclosure(enterprise, year, actor):
    return Disclosure(enterprise=enterprise, year=year, version=1, state=State.PUBLISHED,
                      tier=Tier.BASIC, catalogue_version="2025.1", created_by=actor,
                      submitted_at=STAMP, submitted_by=actor, published_at=STAMP,
                      published_by=actor)


def stored(pk):
    row = model_to_dict(Disclosure.objects.get(pk=pk))
    return {k: v for k, v in row.items() if k not in ("id", "year")}


def test_copy_stores_the_rows_bulk_create_stores(firm_a, system):
    from django.db import transaction

    by_django = [disclosure(firm_a, 2021, system), disclosure(firm_a, 2022, system)]
    by_copy = [disclosure(firm_a, 2023, system), disclosure(firm_a, 2024, system)]
    with transaction.atomic():
        Disclosure.objects.bulk_create(by_django)
        create_objects(by_copy)
    # Keys drawn from the same sequence, in the objects' order, after bulk_create's.
    assert [d.pk for d in by_copy] == [by_django[1].pk + 1, by_django[1].pk + 2]
    assert all(not d._state.adding for d in by_copy)
    for made, copied in zip(by_django, by_copy, strict=True):
        assert stored(made.pk) == stored(copied.pk)
    row = Disclosure.objects.get(pk=by_copy[0].pk)
    assert (row.year, row.state, row.published_at, row.created_by_id) == (
        2023, State.PUBLISHED, STAMP, system.pk)
    assert row.created_at is not None  # auto_now_add, as bulk_create fills it
    # The next ORM insert takes the next key: the sequence moved past the copied rows.
    later = Disclosure.objects.create(enterprise=firm_a, year=2025, version=1,
                                      catalogue_version="2025.1", created_by=system)
    assert later.pk == by_copy[1].pk + 1


def test_copied_audit_entries_keep_the_chain(system):
    from django.db import transaction

    with transaction.atomic():
        record_many(system, [("test.copy", "x.y", str(i), {"n": i, "text": "逗号,引号\"\\"})
                             for i in range(3)])
    events = list(AuditEvent.objects.filter(action="test.copy").order_by("seq"))
    assert [(e.target_id, e.payload) for e in events] == [
        (str(i), {"n": i, "text": "逗号,引号\"\\"}) for i in range(3)]
    assert verify().ok


def test_an_import_writes_rows_profiles_and_audit_through_copy(system):
    facts = [EnterpriseFacts(uscc=uscc_for(900 + i), name=f"批量企业{i}有限公司",
                             industry_code="C3841", division_code="320411", size_class="small")
             for i in range(2)]
    assert bulk_register(facts, actor=system, source="test") == 2
    enterprises = list(Enterprise.objects.order_by("pk"))
    assert [e.uscc for e in enterprises] == [f.uscc for f in facts]
    rows = [(e.uscc, 2024, "E-GHG-02", "300", "tCO2e") for e in enterprises]
    summary = import_checked(check_long(long_frame(rows), load_catalogue()), actor=system,
                             final_state=lambda uscc, year: State.PUBLISHED)
    assert (summary.imported_values, summary.disclosures_created, summary.problems) == (2, 2, [])
    assert sorted(Datapoint.objects.values_list("disclosure__enterprise__uscc", "indicator_code",
                                                "value_number")) == sorted(
        (e.uscc, "E-GHG-02", 300.0) for e in enterprises)
    assert AuditEvent.objects.filter(action="disclosure.import").count() == 2
    assert verify().ok
    # The profiles were upserted twice (registration, then publication) and hold the latter.
    profiles = dict(PublicProfile.objects.values_list("enterprise_id", "body"))
    assert profiles == {pk: body.decode() for pk, _, body in
                        build_profiles([e.pk for e in enterprises])}
    assert all('"published_years":[2024]' in body for body in profiles.values())


def test_parallel_reads_lower_the_tuple_cost_inside_the_block_only():
    from django.db import connection

    from czesg.storage.bulk import parallel_reads, read_columns

    def cost() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW parallel_tuple_cost")
            return cursor.fetchone()[0]

    before = cost()
    with parallel_reads():
        assert cost() == "0.001"
        assert read_columns("SELECT x FROM generate_series(1, 3) AS x", [], 1) == [[1, 2, 3]]
    assert cost() == before == "0.1"
    with pytest.raises(ZeroDivisionError), parallel_reads():
        1 / 0  # noqa: B018 - a failed read restores the setting too
    assert cost() == "0.1"
