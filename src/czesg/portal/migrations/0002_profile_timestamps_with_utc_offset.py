"""Stored profiles written before timestamps carried their UTC offset (on SQLite they came out
naive, e.g. ``2026-12-04T14:41:12.047999``) get the offset they always meant: UTC."""

import json
import re

from django.db import migrations

NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$")


def add_offsets(apps, schema_editor):
    """Mark every naive timestamp of a stored profile's latest disclosure as UTC."""
    profiles = apps.get_model("portal", "PublicProfile")
    for profile in profiles.objects.all().iterator():
        body = json.loads(profile.body)
        latest = body.get("latest") or {}
        changed = False
        for key in ("submitted_at", "published_at"):
            value = latest.get(key)
            if isinstance(value, str) and NAIVE.match(value):
                latest[key] = value + "Z"
                changed = True
        if changed:
            profile.body = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            profile.save(update_fields=["body"])


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(add_offsets, migrations.RunPython.noop),
    ]
