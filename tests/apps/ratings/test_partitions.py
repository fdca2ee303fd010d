"""Issue 19: the large tables are declaratively partitioned on PostgreSQL (plain on SQLite), the
app reads and writes them as before, and old years are archived by detaching their partitions."""

from __future__ import annotations

import pytest
from django.db import connection

from czesg.accounts.actors import system_actor
from czesg.audit.models import AuditEvent
from czesg.audit.recording import verify
from czesg.demo import load_synthetic
from czesg.disclosures.models import Datapoint
from czesg.engine.kernel.errors import PermissionRefused, StateConflict
from czesg.ratings import actions, partitions
from czesg.ratings.models import GreenScore, Rating
from czesg.storage import partitions as storage

pytestmark = pytest.mark.django_db
YEAR = 2024


def _catalogue(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.only_on("postgresql")
def test_the_large_tables_are_partitioned_and_the_others_plain():
    strategies = dict(_catalogue(
        "SELECT c.relname, p.partstrat FROM pg_partitioned_table p "
        "JOIN pg_class c ON c.oid = p.partrelid"))
    assert strategies == {"ratings_rating": "l", "ratings_greenscore": "l",
                          "records_governmentrecord": "l", "disclosures_datapoint": "h"}
    for table in ("ratings_rating", "ratings_greenscore", "records_governmentrecord"):
        children = _catalogue("SELECT c.relname FROM pg_inherits i JOIN pg_class c "
                              "ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass", [table])
        names = {n for (n,) in children}
        assert names == {f"{table}_y{y}" for y in range(2015, 2031)} | {f"{table}_default"}
    assert len(storage.partitions(connection, "disclosures_datapoint")) == 8
    # Referenced by id alone (records.supersedes) or chained by a global seq: kept plain.
    assert not storage.is_partitioned(connection, "records_record")
    assert not storage.is_partitioned(connection, "audit_auditevent")
    # The unique (run, enterprise) constraint carries the partition key; the index is on the
    # partitioned table, so every partition has it.
    (definition,) = _catalogue("SELECT indexdef FROM pg_indexes "
                               "WHERE indexname = 'rating_once_per_run'")[0]
    assert definition.endswith("USING btree (run_id, enterprise_id, year) INCLUDE (grade)")
    assert _catalogue("SELECT count(*) FROM pg_indexes WHERE tablename = 'ratings_rating_y2024'"
                      )[0][0] == 3  # primary key, unique, (enterprise, year)


@pytest.mark.only_on("sqlite")
def test_sqlite_keeps_plain_tables():
    assert not storage.is_partitioned(connection, "ratings_rating")
    assert storage.partitions(connection, "disclosures_datapoint") == []
    storage.partition(connection, storage.Plan("ratings_rating", "list", "year", years=(2024,)))
    assert partitions.state()["ratings_rating"] == []


def test_a_rating_run_writes_and_reads_through_the_partitions():
    load_synthetic(enterprises=40, years=[YEAR], seed=9)
    run = actions.start_rating(YEAR, actor=system_actor(), enqueue=False)
    actions.run_rating(run.pk)
    run.refresh_from_db()
    assert run.rated == Rating.objects.filter(run=run).count() > 10
    assert GreenScore.objects.filter(run=run, year=YEAR).count() == run.rated
    assert Datapoint.objects.filter(disclosure__year=YEAR).count() > 40 * 10
    if connection.vendor == "postgresql":
        # The rows sit in the year's partition; the datapoints spread over the hash partitions.
        where = _catalogue("SELECT DISTINCT tableoid::regclass::text FROM ratings_rating")
        assert where == [("ratings_rating_y2024",)]
        spread = _catalogue("SELECT count(DISTINCT tableoid) FROM disclosures_datapoint")
        assert spread[0][0] == 8
    assert verify().ok


@pytest.mark.only_on("postgresql")
def test_a_new_year_leaves_the_default_partition_and_old_years_are_archived(gov):
    # A year without partitions of its own (as a year past the migration's range would be):
    # its rows go to the DEFAULT partitions.
    with connection.cursor() as cursor:
        for table in partitions.YEAR_TABLES:
            cursor.execute(f"DROP TABLE {table}_y2024")
    load_synthetic(enterprises=20, years=[2024], seed=3)
    run = actions.start_rating(2024, actor=system_actor(), enqueue=False)
    actions.run_rating(run.pk)
    rated = Rating.objects.filter(year=2024).count()
    assert rated > 0
    assert _catalogue("SELECT DISTINCT tableoid::regclass::text FROM ratings_rating"
                      ) == [("ratings_rating_default",)]
    admin = system_actor()
    created = partitions.add_year(2024, actor=admin)
    assert created == ["ratings_rating_y2024", "ratings_greenscore_y2024",
                       "records_governmentrecord_y2024"]
    assert _catalogue("SELECT DISTINCT tableoid::regclass::text FROM ratings_rating"
                      ) == [("ratings_rating_y2024",)]
    assert Rating.objects.filter(year=2024).count() == rated
    assert partitions.add_year(2024, actor=admin) == []  # already there: nothing, no entry

    with pytest.raises(PermissionRefused):
        partitions.archive_before(2016, actor=gov, latest=2026)
    with pytest.raises(StateConflict):
        partitions.archive_before(2023, actor=admin, latest=2026)  # within the kept 5 years
    before = Rating.objects.count()
    archived = partitions.archive_before(2025, actor=admin, latest=2029)
    assert sorted(archived) == sorted(f"archive_{t}_y{y}" for t in partitions.YEAR_TABLES
                                      for y in range(2015, 2025))
    names = {n for n, _ in storage.partitions(connection, "ratings_rating")}
    assert "ratings_rating_y2024" not in names and "ratings_rating_y2025" in names
    # The archived year is out of every query; its rows are whole in the archive table.
    assert Rating.objects.count() == before - rated
    assert _catalogue("SELECT count(*) FROM archive_ratings_rating_y2024")[0][0] == rated
    entries = AuditEvent.objects.filter(action__startswith="partitions.").order_by("seq")
    assert [e.action for e in entries] == ["partitions.add", "partitions.archive"]
    assert entries[1].payload["before"] == 2025 and len(entries[1].payload["archived"]) == 30
    assert verify().ok
    # The audit table's append-only trigger still refuses changes.
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE seq = %s",
                       [entries[1].seq])


@pytest.mark.only_on("postgresql")
def test_partition_and_unpartition_keep_rows_constraints_and_the_sequence():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t19 (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                       " run integer NOT NULL, ent integer NOT NULL, year smallint NOT NULL,"
                       " grade text, CONSTRAINT t19_once UNIQUE (run, ent) INCLUDE (year, grade))")
        cursor.execute("CREATE INDEX t19_ent ON t19 (ent, year)")
        cursor.execute("INSERT INTO t19 (run, ent, year, grade) VALUES (1, 1, 2020, 'A'), "
                       "(1, 2, 2020, 'B'), (2, 1, 2099, 'C')")
    plan = storage.Plan("t19", "list", "year", years=(2020,))
    storage.partition(connection, plan)
    assert storage.partitions(connection, "t19") == [
        ("t19_default", "DEFAULT"), ("t19_y2020", "FOR VALUES IN ('2020')")]
    rows = "SELECT id, run, ent, year, grade FROM t19 ORDER BY id"
    assert _catalogue(rows) == [(1, 1, 1, 2020, "A"), (2, 1, 2, 2020, "B"), (3, 2, 1, 2099, "C")]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t19 (run, ent, year) VALUES (3, 3, 2020) RETURNING id")
        assert cursor.fetchone()[0] == 4  # the sequence goes on after the copied rows
    storage.unpartition(connection, plan)
    assert not storage.is_partitioned(connection, "t19")
    (definition,) = _catalogue("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                               "WHERE conname = 't19_once'")[0]
    assert definition == "UNIQUE (run, ent) INCLUDE (year, grade)"
    assert len(_catalogue(rows)) == 4


def test_the_partitions_command_lists_and_checks_its_options(capsys):
    import argparse
    import json

    from czesg.ratings.cli import register_partitions

    parser = argparse.ArgumentParser()
    register_partitions(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["partitions", "list", "--format", "json"])
    assert args.func(args) == 0
    tables = json.loads(capsys.readouterr().out)["tables"]
    on_pg = connection.vendor == "postgresql"
    assert len(tables["ratings_rating"]) == (17 if on_pg else 0)
    assert len(tables["disclosures_datapoint"]) == (8 if on_pg else 0)
    args = parser.parse_args(["partitions", "analyze", "--format", "json"])
    assert args.func(args) == 0
    analyzed = json.loads(capsys.readouterr().out)["changed"]
    assert analyzed == ([*partitions.YEAR_TABLES, "disclosures_datapoint"] if on_pg else [])
    args = parser.parse_args(["partitions", "archive"])
    assert args.func(args) == 2
    assert "--before is required" in capsys.readouterr().err
    assert not AuditEvent.objects.filter(action__startswith="partitions.").exists()
