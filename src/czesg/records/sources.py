"""The record sources in the database, kept in step with ``data/records/sources.toml``."""

from __future__ import annotations

from czesg.engine.kernel.errors import NotFound, gettext_noop
from czesg.engine.records.sources import load_sources
from czesg.records.models import RecordSource


def source_of(code: str) -> RecordSource:
    """The source with that code, written from the data file on first use (and refreshed when
    the file's description changed); refused naming the known codes otherwise."""
    specs = load_sources()
    spec = specs.get(code)
    if spec is None:
        raise NotFound(gettext_noop("No record source is called “%(code)s”; known: %(codes)s."),
                       code=code, codes=", ".join(sorted(specs)))
    fields = {"kind": spec.kind, "name_zh": spec.name_zh, "name_en": spec.name_en,
              "licence": spec.licence, "url": spec.url, "visibility": spec.visibility}
    source, created = RecordSource.objects.get_or_create(code=code, defaults=fields)
    if not created and any(getattr(source, k) != v for k, v in fields.items()):
        RecordSource.objects.filter(pk=source.pk).update(**fields)
        source.refresh_from_db()
    return source
