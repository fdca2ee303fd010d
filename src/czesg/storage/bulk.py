"""Bulk writes and column reads that bypass the ORM where it is too slow: ``COPY``, binary
``array_agg`` (columns as lists) and ``string_agg`` (rows as one CSV text for a Polars frame) on
PostgreSQL, ``executemany`` and plain fetches on SQLite. Both run on Django's
connection, inside the caller's transaction. This module imports no app."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import connection


def insert_rows(
    table: str, columns: Sequence[str], rows: Sequence[tuple], *, chunk: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert rows into a table fast: COPY on PostgreSQL, executemany elsewhere; ``progress`` is
    told how many rows each chunk wrote."""
    if not rows:
        return
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in part:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", part)
            if progress:
                progress(len(part))


def analyze(*tables: str) -> None:
    """Renew the planner's statistics of these tables after a bulk write, on PostgreSQL.

    PostgreSQL's manual ("Populating a Database": run ``ANALYZE`` afterwards) asks for it:
    autovacuum only sees committed rows, and a minute later, so a query right after a large
    write (in the same transaction, or the rating run that follows an import) is planned from
    the statistics of the nearly empty table (nested loops over thousands of rows, minutes
    instead of milliseconds). ``ANALYZE`` samples a fixed number of rows, so it costs well under
    a second, and it sees the caller's own uncommitted rows. SQLite plans by its indexes and has
    nothing to renew."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def insert_frame(table: str, frame: pl.DataFrame, *, chunk: int = 200_000) -> None:
    """Insert a Polars frame's rows (columns named as the table's) fast: on PostgreSQL one
    ``COPY … (FORMAT csv)`` fed with CSV text that Polars writes, no Python object per row (a
    null is written unquoted and read as NULL, an empty text quoted and read as ''); elsewhere
    ``executemany``. Temporal columns must be given as text the database reads."""
    if frame.height == 0:
        return
    names = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * frame.width)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", frame.rows())
            return
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, frame.height, chunk):
                copy.write(frame.slice(start, chunk).write_csv(
                    include_header=False, quote_style="non_numeric", float_precision=None,
                ).encode())


def create_objects(objs: Sequence[Any], *, batch_size: int = 2000) -> None:
    """Django's ``bulk_create`` for plain model instances (no multi-table inheritance, no
    conflict handling), faster on PostgreSQL: the primary keys are drawn from the table's
    sequence in one query, in the objects' order, and the rows written with ``COPY``; each
    object gets its primary key and leaves the "adding" state, as ``bulk_create`` leaves it.

    ``bulk_create`` on psycopg 3 sends each batch as arrays that the client-side binding quotes
    value by value in Python (a regular expression per text value); at 100,000 rows that took
    longer than the server's work. Elsewhere this is ``bulk_create`` itself."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    opts = model._meta
    fields = list(opts.concrete_fields)
    missing = [obj for obj in objs if obj.pk is None]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s) ORDER BY 1",
                           [opts.db_table, opts.pk.column, len(missing)])
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        rows.append(tuple(field.get_db_prep_save(field.pre_save(obj, True), connection)
                          for field in fields))
        obj._state.adding = False
        obj._state.db = connection.alias
    insert_rows(opts.db_table, [field.column for field in fields], rows)


def upsert_columns(table: str, columns: dict[str, str], values: Sequence[Sequence[Any]], *,
                   conflict: str) -> None:
    """PostgreSQL: insert rows given as one list per column (``columns``: name → SQL type) and
    update every other column of a row whose ``conflict`` column exists, in one statement. The
    lists travel as binary arrays with server-side binding (no quoting in Python)."""
    import psycopg

    names = ", ".join(columns)
    arrays = ", ".join(f"%b::{kind}[]" for kind in columns.values())
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns if name != conflict)
    with connection.cursor() as cursor, psycopg.Cursor(cursor.cursor.connection) as raw:
        raw.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "
                    f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                    [list(column) for column in values])


def read_columns(sql: str, params: Sequence[Any], width: int) -> list[list[Any]]:
    """A query's result as one list per column (``width`` columns). On PostgreSQL each column
    comes back as one ``array_agg`` array in binary form — far cheaper than a tuple per row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import psycopg

            names = ", ".join(f"c{i}" for i in range(width))
            arrays = ", ".join(f"array_agg(t.c{i})" for i in range(width))
            with psycopg.Cursor(cursor.cursor.connection) as raw:
                row = raw.execute(f"SELECT {arrays} FROM ({sql}) AS t({names})", params,
                                  binary=True).fetchone()
            return [list(column or ()) for column in row]
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


@contextmanager
def parallel_reads(tuple_cost: float = 0.001) -> Iterator[None]:
    """Let PostgreSQL read whole tables with parallel workers inside the block (nothing on
    SQLite). A read of every row of a year (a rating run's 7.5 million published values of
    35 million at a million enterprises) is planned on one process because the planner prices
    each row a worker hands back at ``parallel_tuple_cost`` (0.1); at 0.001 the same query
    scans the eight datapoint partitions in two workers and the leader: 13.7 s instead of
    28.8 s on two cores (``EXPLAIN ANALYZE``). The results are the same rows; only their order
    may differ, so the caller must not depend on it."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('parallel_tuple_cost')")
        before = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('parallel_tuple_cost', %s, false)", [str(tuple_cost)])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('parallel_tuple_cost', %s, false)", [before])


def read_frame(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run a query and return its rows as a Polars frame with the given columns and types.

    On PostgreSQL the server writes the rows as one CSV text (``string_agg``) that Polars
    parses: at 100,000 rows that is three times faster than a Python tuple per row, and twice
    as fast as ``COPY``, which hands Python one message per row. The query must return booleans
    as 0/1, and text columns only of codes (no comma, quote or line break; a NULL and an empty
    text both arrive as null)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return frame_of_rows(cursor.fetchall(), schema)
    names = [f"c{i}" for i in range(len(schema))]
    row = "concat_ws(',', " + ", ".join(f"coalesce({name}::text, '')" for name in names) + ")"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg({row}, E'\\n') FROM ({sql}) AS q({', '.join(names)})",
                       params)
        text = cursor.fetchone()[0]
    if not text:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(text.encode(), has_header=False, new_columns=list(schema), schema=schema)


def frame_of_rows(rows: Sequence[tuple], schema: dict[str, Any]) -> pl.DataFrame:
    """Fetched rows as a Polars frame with the given columns and types (empty when no rows)."""
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema, orient="row")
