"""Make the database refuse UPDATE and DELETE on audit entries (PostgreSQL and SQLite triggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from czesg.audit import guard

    guard.install(schema_editor.connection)


def remove(apps, schema_editor):
    from czesg.audit import guard

    guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_rechain_with_audit_key")]

    operations = [migrations.RunPython(install, remove)]
