"""The reads of the records pages and API: sources with their last imports, a source's imports
and uploads, each scoped to government users and platform administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext

from czesg.accounts.permissions import is_government
from czesg.engine.kernel.problems import fill
from czesg.engine.records.sources import load_sources
from czesg.records.models import (
    GovernmentRecord,
    Record,
    RecordImport,
    RecordSource,
    RecordUpload,
    SourceKind,
    Visibility,
)


def imports_visible_to(user):
    """The record imports the user may see: all for government users, none otherwise."""
    if not is_government(user):
        return RecordImport.objects.none()
    return RecordImport.objects.all()


def uploads_visible_to(user):
    """The background uploads the user may see: all for government users, none otherwise."""
    if not is_government(user):
        return RecordUpload.objects.none()
    return RecordUpload.objects.all()


def source_rows(user) -> list[dict[str, Any]]:
    """Every declared source with its import count, last import and records held."""
    if not is_government(user):
        return []
    last = imports_visible_to(user).filter(source=OuterRef("pk")).order_by("-started_at", "-id")
    held = {s.code: s for s in RecordSource.objects.annotate(
        import_count=Count("imports", distinct=True),
        last_id=Subquery(last.values("id")[:1]))}
    lasts = {i.pk: i for i in imports_visible_to(user).filter(
        pk__in=[s.last_id for s in held.values() if s.last_id]).select_related("imported_by")}
    values = dict(Record.objects.filter(current=True).values("source_id").annotate(
        n=Count("id")).values_list("source_id", "n"))
    facts = dict(GovernmentRecord.objects.exclude(record_source=None).values(
        "record_source_id").annotate(n=Count("id")).values_list("record_source_id", "n"))
    rows = []
    for code, spec in sorted(load_sources().items(), key=lambda kv: (kv[1].kind, kv[0])):
        source = held.get(code)
        rows.append({
            "code": code, "spec": spec, "source": source,
            "kind_label": SourceKind(spec.kind).label,
            "visibility_label": Visibility(spec.visibility).label,
            "imports": source.import_count if source else 0,
            "last": lasts.get(source.last_id) if source else None,
            "records": (values.get(source.pk, 0) + facts.get(source.pk, 0)) if source else 0,
        })
    return rows


def problem_rows(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An import's kept refused rows, each with its sentence in the active language."""
    return [{**p, "text": fill(gettext(p["template"]), p.get("params", {}))
             if p.get("template") else p.get("message", "")} for p in problems]
