"""Indexes for the registry search: the stock code, and on PostgreSQL a trigram index on the
upper-cased name, which serves Django's ``name__icontains`` (``UPPER(name) LIKE UPPER('%q%')``)
for queries of three characters or more. At 100,000 enterprises a search by name read the whole
table (about 80 ms); with both indexes it is a bitmap OR of three index scans (0.5 ms). SQLite
has no trigram index and keeps scanning, which is fine for the embedded database's size."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

NAME_INDEX = "enterprise_name_upper_trgm"


def create_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME_INDEX} ON enterprises_enterprise "
            "USING gin (UPPER(name) gin_trgm_ops)")


def drop_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enterprise",
            index=models.Index(fields=["stock_code"], name="enterprise_stock_code"),
        ),
        TrigramExtension(),
        migrations.RunPython(create_name_index, drop_name_index),
    ]
