"""On PostgreSQL, partition the datapoints by a hash of their disclosure (HASH, 8 partitions) (issue 19; SQLite keeps plain tables).

The datapoint has no year of its own (its disclosure has) and every read is by disclosure, so it is
HASH-partitioned by disclosure: a disclosure's values sit in one partition, the unique
(disclosure, indicator) index already contains the key, and nothing references a datapoint.
"""

from django.db import migrations

from czesg.storage.partitions import Plan, partition, unpartition

PLANS = [
    Plan("disclosures_datapoint", "hash", "disclosure_id", modulus=8),
]


def forward(apps, schema_editor):
    for plan in PLANS:
        partition(schema_editor.connection, plan)


def backward(apps, schema_editor):
    for plan in PLANS:
        unpartition(schema_editor.connection, plan)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("disclosures", "0006_datapoint_assurance_detail")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
