"""The database itself refuses UPDATE and DELETE on audit entries (row triggers on PostgreSQL and
SQLite), so that no code path, shell or SQL console can change the log in place.

TRUNCATE (PostgreSQL's flush) is not a row operation and stays possible for the table's owner;
SQLite's flush deletes rows, so the ``flush`` command drops the triggers for its own
transaction (:mod:`czesg.audit.management.commands.flush`). Whoever owns the schema can always
drop a trigger: the keyed chain and the checkpoints outside the database catch what follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

TABLE = "audit_auditevent"
MESSAGE = "audit entries are append-only: UPDATE and DELETE are refused"

_PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION czesg_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION czesg_audit_append_only()
    """,
]
_PG_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS czesg_audit_append_only()",
]
_SQLITE_INSTALL = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
_SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "postgresql":
        return _PG_INSTALL if install else _PG_REMOVE
    if vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    return []


def install(connection) -> None:
    """Create the triggers that refuse UPDATE and DELETE on the audit table."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True):
            cursor.execute(sql)


def remove(connection) -> None:
    """Drop those triggers (the flush command and tests that play an attacker use this)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False):
            cursor.execute(sql)


def installed(connection) -> bool:
    """Whether the audit table's triggers are in place on this database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_append_only' "
                "AND tgrelid = %s::regclass", [TABLE],
            )
            return cursor.fetchone()[0] == 1
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name IN ('audit_no_update', 'audit_no_delete')"
            )
            return cursor.fetchone()[0] == 2
    return False


@contextmanager
def suspended(connection) -> Iterator[None]:
    """Drop the triggers for the enclosed block and put them back afterwards (one transaction)."""
    from django.db import transaction

    with transaction.atomic(using=connection.alias):
        remove(connection)
        yield
        install(connection)
