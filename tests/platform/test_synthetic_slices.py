"""The synthetic loader works in slices (so that a million enterprises fit in memory), and the
benchmark's kept city is loaded once and then reused, never added to."""

from __future__ import annotations

import os

import pytest
from django.db.models import Count

from czesg.audit.models import AuditEvent
from czesg.bench import HeldCity, kept_database, load_city, run_benchmarks
from czesg.demo import _states, load_synthetic, synthetic_frame
from czesg.disclosures.models import Datapoint, Disclosure, Method, State
from czesg.engine import synth
from czesg.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def test_a_load_in_slices_registers_everyone_with_states_by_their_place_in_the_whole():
    summary = load_synthetic(enterprises=30, years=[2024, 2025], seed=3, slice_enterprises=12)
    assert summary["enterprises_created"] == 30 and summary["disclosures"] == 60
    assert summary["datapoints"] == Datapoint.objects.filter(method=Method.IMPORTED).count() > 0
    assert Enterprise.objects.count() == 30
    per_year = dict(Disclosure.objects.order_by().values_list("year").annotate(n=Count("id")))
    assert per_year == {2024: 30, 2025: 30}
    # The last year's states follow each enterprise's place in the whole population, not in its
    # slice (three slices: 12, 12 and 6).
    ordered = list(Enterprise.objects.order_by("uscc").values_list("uscc", flat=True))
    generated = [e.uscc for e in synth.generate_enterprises(30, seed=3)]
    expected = _states(30, final=True, seed=3)
    states = dict(Disclosure.objects.filter(year=2025)
                  .values_list("enterprise__uscc", "state"))
    assert sorted(generated) == ordered
    assert [states[uscc] for uscc in generated] == expected
    assert set(Disclosure.objects.filter(year=2024).values_list("state", flat=True)) == {
        State.PUBLISHED}


def test_slices_draw_their_values_with_their_own_seed():
    load_synthetic(enterprises=20, years=[2024], seed=3, slice_enterprises=10)
    stored = {(uscc, code): number for uscc, code, number in Datapoint.objects.filter(
        value_number__isnull=False).values_list("disclosure__enterprise__uscc", "indicator_code",
                                                "value_number")}
    generated = synth.generate_enterprises(20, seed=3)
    for part, seed in ((generated[:10], 3), (generated[10:], 4)):
        frame = synthetic_frame(synth.generate_disclosures(part, [2024], seed=seed,
                                                           submittable=True))
        numbers = frame.filter(frame["unit"] != "")
        assert numbers.height > 100
        for uscc, code, value in numbers.select("uscc", "indicator", "value").iter_rows():
            assert stored[(uscc, code)] == pytest.approx(float(value)), (uscc, code)


def test_a_kept_city_is_loaded_once_then_reused_without_writing():
    seconds = load_city(25, [2024], seed=3, keep=True)
    assert seconds is not None and seconds > 0
    enterprises, entries = Enterprise.objects.count(), AuditEvent.objects.count()
    assert load_city(25, [2024], seed=3, keep=True) is None
    assert (Enterprise.objects.count(), AuditEvent.objects.count()) == (enterprises, entries)


def test_a_kept_database_holding_another_city_is_refused_and_left_as_it_is():
    load_synthetic(enterprises=20, years=[2024], seed=3)
    datapoints = Datapoint.objects.count()
    with pytest.raises(HeldCity, match="holds 20 enterprises"):
        load_city(25, [2024], seed=3, keep=True)
    with pytest.raises(HeldCity, match="holds 20 enterprises"):
        load_city(20, [2024, 2025], seed=3, keep=True)
    assert (Enterprise.objects.count(), Datapoint.objects.count()) == (20, datapoints)


def test_keeping_data_is_for_one_group_that_loads_a_city():
    with pytest.raises(SystemExit, match="--only load or --only scale"):
        run_benchmarks(only=["api"], keep=True)
    with pytest.raises(SystemExit, match="--only load or --only scale"):
        run_benchmarks(only=["load", "scale"], keep=True)


def test_a_kept_database_must_be_a_named_postgresql_database():
    with pytest.raises(SystemExit, match="--keep-data needs --database-url"):
        kept_database("sqlite:////tmp/bench.sqlite3")
    with pytest.raises(SystemExit, match="--keep-data needs --database-url"):
        kept_database(None)


@pytest.mark.only_on("postgresql")
def test_a_kept_database_is_created_once_and_left_on_the_server():
    import psycopg
    from django.db import connection

    config = connection.settings_dict
    name = f"czesg_kept_{os.getpid()}"
    url = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{name}"
    admin = dict(host=config["HOST"], port=config["PORT"], user=config["USER"],
                 password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    try:
        assert kept_database(url) == url
        with psycopg.connect(**{**admin, "dbname": name}) as conn:
            conn.execute("CREATE TABLE marker (x int)")
        assert kept_database(url) == url  # there already: kept as it is
        with psycopg.connect(**{**admin, "dbname": name}) as conn:
            assert conn.execute("SELECT count(*) FROM marker").fetchone() == (0,)
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
