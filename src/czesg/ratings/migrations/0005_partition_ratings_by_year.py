"""On PostgreSQL, partition the ratings and green scores by reporting year (LIST, 2015-2030 and a DEFAULT partition) (issue 19; SQLite keeps plain tables).

No table references a rating or a green score, so each becomes LIST-partitioned by its year;
the unique (run, enterprise) constraints gain the year (a run rates one year, so they refuse
exactly what they refused before). An old year is detached whole (``czesg partitions archive``).
"""

from django.db import migrations

from czesg.storage.partitions import Plan, partition, unpartition

PLANS = [
    Plan("ratings_rating", "list", "year", years=tuple(range(2015, 2031))),
    Plan("ratings_greenscore", "list", "year", years=tuple(range(2015, 2031))),
]


def forward(apps, schema_editor):
    for plan in PLANS:
        partition(schema_editor.connection, plan)


def backward(apps, schema_editor):
    for plan in PLANS:
        unpartition(schema_editor.connection, plan)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("ratings", "0004_rating_tier")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
