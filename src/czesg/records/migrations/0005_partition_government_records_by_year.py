"""On PostgreSQL, partition the government records by year (LIST, 2015-2030 and a DEFAULT partition) (issue 19; SQLite keeps plain tables).

No table references a government record; its unique constraints already contain the year.
The value records (records_record) stay plain: their ``supersedes`` foreign key references a
record by id alone, which a partitioned table's key (id, year) could not serve.
"""

from django.db import migrations

from czesg.storage.partitions import Plan, partition, unpartition

PLANS = [
    Plan("records_governmentrecord", "list", "year", years=tuple(range(2015, 2031))),
]


def forward(apps, schema_editor):
    for plan in PLANS:
        partition(schema_editor.connection, plan)


def backward(apps, schema_editor):
    for plan in PLANS:
        unpartition(schema_editor.connection, plan)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("records", "0004_record_bulk_keys")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
