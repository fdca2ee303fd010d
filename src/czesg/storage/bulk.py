"""Bulk writes and column reads that bypass the ORM where it is too slow: ``COPY`` and binary
``array_agg`` on PostgreSQL, ``executemany`` and plain fetches on SQLite. Both run on Django's
connection, inside the caller's transaction. This module imports no app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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
