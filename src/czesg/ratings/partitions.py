"""Actions on the year partitions of the large tables (PostgreSQL): add a year's partitions and
archive old years by detaching theirs (``czesg partitions``), each with its audit entry.

The retention rule (docs/scale.md): the years of the last ``RETAINED_YEARS`` stay attached and
queryable; an older year's ratings, green scores and government records are detached whole into
``archive_<table>_y<year>`` tables, which are dumped (``pg_dump -t``) to archival storage and
then dropped by the operator. Datapoints are hashed by disclosure, not by year: they stay with
their disclosures. On SQLite there are no partitions and both actions change nothing.
"""

from __future__ import annotations

from django.db import connection, transaction

from czesg.accounts.models import Role
from czesg.accounts.permissions import require_role
from czesg.audit.recording import record
from czesg.engine.kernel.errors import StateConflict, gettext_noop
from czesg.storage import partitions as storage

# Partitioned by LIST (year) in ratings 0005 and records 0005.
YEAR_TABLES = ("ratings_rating", "ratings_greenscore", "records_governmentrecord")
# The years kept attached by the retention rule (the current one and the four before it).
RETAINED_YEARS = 5


def state() -> dict[str, list[tuple[str, str]]]:
    """Each partitioned table's partitions and bounds (empty where the table is plain)."""
    tables = (*YEAR_TABLES, "disclosures_datapoint")
    return {t: storage.partitions(connection, t) for t in tables}


def analyze() -> list[str]:
    """Refresh the planner's statistics of the partitioned tables (autovacuum analyzes their
    partitions but never a partitioned parent); the tables analyzed (none off PostgreSQL)."""
    done = [t for t in (*YEAR_TABLES, "disclosures_datapoint")
            if storage.is_partitioned(connection, t)]
    with connection.cursor() as cursor:
        for table in done:
            cursor.execute(f'ANALYZE "{table}"')
    return done


def add_year(year: int, *, actor) -> list[str]:
    """Create the year partitions of ``year`` where missing; the names created (audited)."""
    require_role(actor, Role.PLATFORM_ADMIN)
    with transaction.atomic():
        created = [n for t in YEAR_TABLES if (n := storage.add_year(connection, t, year))]
        if created:
            record(actor, "partitions.add", target_type="partitions", target_id=str(year),
                   year=year, created=created)
    return created


def archive_before(year: int, *, actor, latest: int) -> list[str]:
    """Detach every year partition before ``year`` into an ``archive_…`` table (audited); the
    archived tables' names. Refused when it would detach one of the ``RETAINED_YEARS`` years up
    to ``latest`` (the newest reporting year)."""
    require_role(actor, Role.PLATFORM_ADMIN)
    if year > latest - RETAINED_YEARS + 1:
        raise StateConflict(
            gettext_noop("Years from %(year)s on must stay online (the last %(kept)s years)."),
            year=latest - RETAINED_YEARS + 1, kept=RETAINED_YEARS)
    archived: list[str] = []
    with transaction.atomic():
        for table in YEAR_TABLES:
            for name, _bound in storage.partitions(connection, table):
                suffix = name.removeprefix(f"{table}_y")
                if suffix.isdigit() and int(suffix) < year:
                    done = storage.detach_year(connection, table, int(suffix))
                    if done:
                        archived.append(done)
        if archived:
            record(actor, "partitions.archive", target_type="partitions",
                   target_id=str(year), before=year, archived=archived)
    return archived
