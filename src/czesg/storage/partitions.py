"""Declarative partitioning of the large tables on PostgreSQL (issue 19), for migrations and the
``czesg partitions`` command; SQLite keeps plain tables and every function here does nothing there.

:func:`partition` turns a plain table into a partitioned one in place: the old table is renamed,
a partitioned table of the same columns is created with its partitions (one per year plus a
DEFAULT one for LIST, ``modulus`` of them for HASH), the rows are copied (``INSERT … SELECT``),
the old table is dropped, and its primary key, unique constraints and indexes, foreign keys and
checks are recreated under their own names, so that Django's migration state still names them.
PostgreSQL requires every unique constraint of a partitioned table to contain the partition key:
the key column is appended to those that lack it (the primary key becomes ``(id, key)``), and
such a widened constraint is marked with a comment so that :func:`unpartition` can narrow it
again. The ``id`` keeps its own sequence (``<table>_id_seq``, owned by the column), so Django's
inserts and sequence resets work as on a plain table.

A table that other tables reference by ``id`` alone cannot be partitioned this way (the
referenced unique key would have to include the partition key): the callers choose the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WIDENED = "czesg: partition key appended"
FROM_INCLUDE = "czesg: partition key moved from INCLUDE"


@dataclass(frozen=True)
class Plan:
    """How one table is partitioned: LIST by a year column or HASH by a key column."""

    table: str
    method: str  # "list" or "hash"
    key: str
    years: tuple[int, ...] = ()
    modulus: int = 0


def is_partitioned(connection, table: str) -> bool:
    """Whether ``table`` is a declaratively partitioned table (always False off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)",
                       [table])
        return cursor.fetchone() is not None


def partitions(connection, table: str) -> list[tuple[str, str]]:
    """The attached partitions of ``table`` with their bounds (``FOR VALUES …``/``DEFAULT``)."""
    if not is_partitioned(connection, table):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) "
            "ORDER BY c.relname", [table])
        return [(name, bound) for name, bound in cursor.fetchall()]


def _definitions(cursor, table: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """The table's constraints (name, type, definition) and its other indexes (name, SQL)."""
    cursor.execute(
        "SELECT c.conname, c.contype, pg_get_constraintdef(c.oid), "
        "coalesce(obj_description(c.oid, 'pg_constraint'), '') FROM pg_constraint c "
        "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'f', 'c') "
        "ORDER BY c.contype DESC, c.conname", [table])
    constraints = [(name, kind, f"{sql}\x00{comment}") for name, kind, sql, comment
                   in cursor.fetchall()]
    cursor.execute(
        "SELECT ci.relname, pg_get_indexdef(i.indexrelid), "
        "coalesce(obj_description(i.indexrelid, 'pg_class'), '') FROM pg_index i "
        "JOIN pg_class ci ON ci.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid) ORDER BY ci.relname", [table])
    indexes = [(name, f"{sql}\x00{comment}") for name, sql, comment in cursor.fetchall()]
    return constraints, indexes


_COLUMNS = re.compile(r"^(?P<head>.*?\()(?P<cols>[^()]*)(?P<tail>\).*)$", re.S)


def _columns(sql: str) -> tuple[str, list[str], str]:
    match = _COLUMNS.match(sql)
    if match is None:  # an expression index: not used on the partitioned tables
        raise ValueError(f"cannot read the columns of {sql!r}")
    cols = [c.strip() for c in match["cols"].split(",")]
    return match["head"], cols, match["tail"]


def _widen(sql: str, key: str) -> tuple[str, str]:
    """``sql`` (a unique constraint or index) with ``key`` appended to its key columns, and the
    comment that marks it (empty when it already had the key)."""
    head, cols, tail = _columns(sql)
    if key in cols or f'"{key}"' in cols:
        return sql, ""
    include = re.search(r"INCLUDE \(([^()]*)\)", tail)
    mark = WIDENED
    if include and key in [c.strip() for c in include[1].split(",")]:
        mark = FROM_INCLUDE
        kept = [c.strip() for c in include[1].split(",") if c.strip() not in (key, f'"{key}"')]
        tail = (tail[:include.start()] + f"INCLUDE ({', '.join(kept)})" + tail[include.end():]
                if kept else tail[:include.start()].rstrip() + tail[include.end():])
    return f"{head}{', '.join([*cols, key])}{tail}", mark


def _narrow(sql: str, key: str, mark: str) -> str:
    """The inverse of :func:`_widen` for a constraint or index it widened (marked ``mark``)."""
    head, cols, tail = _columns(sql)
    kept = ", ".join(c for c in cols if c not in (key, f'"{key}"'))
    if mark == FROM_INCLUDE:
        tail = (tail.replace("INCLUDE (", f"INCLUDE ({key}, ", 1) if "INCLUDE (" in tail
                else tail.replace(")", f") INCLUDE ({key})", 1))
    return f"{head}{kept}{tail}"


def _copy_table(cursor, table: str, clause: str) -> str:
    """Rename ``table``, create its replacement (``clause`` after the columns), return old name."""
    old = f"{table}__plain"
    cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    cursor.execute(
        f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING STORAGE '
        f"INCLUDING COMMENTS) {clause}")
    return old


def _finish(cursor, table: str, old: str) -> None:
    """Copy the rows, drop the old table and give ``id`` its own sequence again."""
    cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id DROP DEFAULT')
    cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
    cursor.execute(f'DROP TABLE "{old}"')
    seq = f"{table}_id_seq"
    cursor.execute(f'CREATE SEQUENCE "{seq}" OWNED BY "{table}".id')
    cursor.execute(f'SELECT setval(\'"{seq}"\', coalesce(max(id), 0) + 1, false) FROM "{table}"')
    cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id SET DEFAULT nextval(\'"{seq}"\')')


def _recreate(cursor, table: str, constraints, indexes, key: str | None, widen: bool) -> None:
    marks = (WIDENED, FROM_INCLUDE)
    for name, kind, packed in constraints:
        sql, comment = packed.split("\x00")
        mark = ""
        if kind == "p":
            sql = f"PRIMARY KEY (id, {key})" if widen else "PRIMARY KEY (id)"
        elif kind == "u" and key is not None:
            if widen:
                sql, mark = _widen(sql, key)
            elif comment in marks:
                sql = _narrow(sql, key, comment)
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {sql}')
        if mark:
            cursor.execute(f'COMMENT ON CONSTRAINT "{name}" ON "{table}" IS %s', [mark])
    for name, packed in indexes:
        sql, comment = packed.split("\x00")
        mark = ""
        if sql.startswith("CREATE UNIQUE") and key is not None:
            if widen:
                sql, mark = _widen(sql, key)
            elif comment in marks:
                sql = _narrow(sql, key, comment)
        cursor.execute(sql)
        if mark:
            cursor.execute(f'COMMENT ON INDEX "{name}" IS %s', [mark])


def partition(connection, plan: Plan) -> None:
    """Turn ``plan.table`` into a partitioned table with its rows (PostgreSQL; else nothing)."""
    if connection.vendor != "postgresql" or is_partitioned(connection, plan.table):
        return
    table, key = plan.table, plan.key
    with connection.cursor() as cursor:
        constraints, indexes = _definitions(cursor, table)
        clause = f"PARTITION BY {'LIST' if plan.method == 'list' else 'HASH'} ({key})"
        old = _copy_table(cursor, table, clause)
        if plan.method == "list":
            for year in plan.years:
                cursor.execute(f'CREATE TABLE "{table}_y{year}" PARTITION OF "{table}" '
                               f"FOR VALUES IN ({int(year)})")
            cursor.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
        else:
            for rest in range(plan.modulus):
                cursor.execute(f'CREATE TABLE "{table}_h{rest}" PARTITION OF "{table}" '
                               f"FOR VALUES WITH (MODULUS {plan.modulus}, REMAINDER {rest})")
        _finish(cursor, table, old)
        _recreate(cursor, table, constraints, indexes, key, widen=True)
        cursor.execute(f'ANALYZE "{table}"')  # the planner's statistics of the copied rows


def unpartition(connection, plan: Plan) -> None:
    """Turn a partitioned ``plan.table`` back into a plain table with its rows (the reverse)."""
    if not is_partitioned(connection, plan.table):
        return
    table = plan.table
    with connection.cursor() as cursor:
        constraints, indexes = _definitions(cursor, table)
        old = _copy_table(cursor, table, "")
        _finish(cursor, table, old)
        _recreate(cursor, table, constraints, indexes, plan.key, widen=False)
        cursor.execute(f'ANALYZE "{table}"')


def add_year(connection, table: str, year: int) -> str | None:
    """Create ``table``'s partition for ``year`` if it has none (moving the year's rows out of
    the DEFAULT partition); its name, or None off PostgreSQL or when it exists."""
    if not is_partitioned(connection, table):
        return None
    name = f"{table}_y{int(year)}"
    if any(n == name for n, _ in partitions(connection, table)):
        return None
    default = f"{table}_default"
    with connection.cursor() as cursor:
        # The year's rows leave the DEFAULT partition while it is detached (a DEFAULT partition
        # may not hold rows of a new partition's bound), then it is attached again.
        cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{default}"')
        cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{table}" '
                       f"FOR VALUES IN ({int(year)})")
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{default}" WHERE year = %s', [year])
        cursor.execute(f'DELETE FROM "{default}" WHERE year = %s', [year])
        cursor.execute(f'ALTER TABLE "{table}" ATTACH PARTITION "{default}" DEFAULT')
    return name


def detach_year(connection, table: str, year: int) -> str | None:
    """Detach ``table``'s partition of ``year`` into a standalone table ``<table>_y<year>``
    (renamed ``archive_<table>_y<year>``), out of every query; its new name, or None."""
    name = f"{table}_y{int(year)}"
    if not any(n == name for n, _ in partitions(connection, table)):
        return None
    archived = f"archive_{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"')
        cursor.execute(f'ALTER TABLE "{name}" RENAME TO "{archived}"')
    return archived
