"""The records REST API (mounted at /api/v1/records): a source's imports with their counts,
read-only, for government users and platform administrators (a session or a token)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from czesg.accounts.permissions import require_government
from czesg.engine.kernel.errors import NotFound, gettext_noop
from czesg.engine.records.sources import load_sources
from czesg.records.queries import imports_visible_to
from czesg.web.auth import READ_AUTH
from czesg.web.pagination import Pages

router = Router(tags=["records"])


class ImportOut(Schema):
    """One file read from a source: who read it, when, and what it added, changed and refused."""

    id: int
    source: str
    adapter: str
    file_name: str
    sha256: str
    imported_by: str
    started_at: datetime
    finished_at: datetime | None
    rows: int
    added: int
    changed: int
    unchanged: int
    refused: int

    @staticmethod
    def resolve_source(obj) -> str:
        return obj.source.code

    @staticmethod
    def resolve_imported_by(obj) -> str:
        return obj.imported_by.username


@router.get("/sources/{code}/imports", response=list[ImportOut], auth=READ_AUTH)
@paginate(Pages, page_size=50, max_page_size=500)
def source_imports(request: HttpRequest, code: str):
    """The imports of one source, newest first (government users and platform administrators)."""
    require_government(request.user)
    if code not in load_sources():
        raise NotFound(gettext_noop("No record source is called “%(code)s”; known: %(codes)s."),
                       code=code[:60], codes=", ".join(sorted(load_sources())))
    return (imports_visible_to(request.user).filter(source__code=code)
            .select_related("source", "imported_by").order_by("-started_at", "-id"))
