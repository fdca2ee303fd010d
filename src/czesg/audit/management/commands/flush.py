"""Django's ``flush``, able to empty the append-only audit table on SQLite.

SQLite flushes with DELETE, which the audit table's triggers refuse; this command drops them for
its own transaction and puts them back. PostgreSQL flushes with TRUNCATE, which row triggers do
not see, so there it is Django's command unchanged. Test teardown (TransactionTestCase) and
``czesg demo --reset`` run it.
"""

from __future__ import annotations

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from czesg.audit import guard


class Command(FlushCommand):
    """Flush every table, the audit chain included, on either database."""

    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or not guard.installed(connection):
            return super().handle(**options)
        with guard.suspended(connection):
            return super().handle(**options)
