"""Excel and CSV templates: download one prefilled, upload it back all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from czesg.disclosures import actions
from czesg.disclosures.checks import answers_of
from czesg.disclosures.models import Disclosure, Method, State, Tier
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure import workbook
from czesg.engine.disclosure.inspection import check_zip
from czesg.engine.kernel.errors import CzesgError, NotFound, gettext_noop
from czesg.engine.kernel.problems import Problem
from czesg.enterprises.models import Enterprise


class UploadRefused(CzesgError):
    """An uploaded file has problems; nothing of it was saved."""

    code = "upload_invalid"
    http_status = 422
    message = gettext_noop("The file has %(count)s problem(s); nothing was saved.")

    def __init__(self, problems) -> None:
        self.problems = list(problems)
        super().__init__(count=len(self.problems))


def template_bytes(disclosure: Disclosure, *, fmt: str, language: str) -> bytes:
    """The disclosure's template (xlsx or csv), prefilled with its current answers."""
    builder = workbook.build_csv_template if fmt == "csv" else workbook.build_template
    return builder(
        load_catalogue(), disclosure.tier,
        enterprise={"uscc": disclosure.enterprise.uscc, "name": disclosure.enterprise.name},
        year=disclosure.year, answers=answers_of(disclosure), language=language,
    )


def read_upload(disclosure: Disclosure, data: bytes) -> workbook.Upload:
    """Read an uploaded template (xlsx recognised by its content, otherwise CSV); a zip whose
    unpacked size or ratio is out of bounds is refused (``FileRefused``) before it is read."""
    return _read_for(disclosure.enterprise.uscc, disclosure.year, data)


def _read_for(uscc: str, year: int, data: bytes) -> workbook.Upload:
    """Read an uploaded template expected to be of the enterprise ``uscc`` and ``year``."""
    is_zip = data.startswith(b"PK\x03\x04")
    if is_zip:
        check_zip(data)
    reader = workbook.read_workbook if is_zip else workbook.read_csv
    return reader(data, load_catalogue(), expect_uscc=uscc, expect_year=year)


def apply_upload(disclosure: Disclosure, upload: workbook.Upload, *, actor) -> int:
    """Save an upload's values into the draft with method "imported": all of it, or nothing."""
    if upload.problems:
        raise UploadRefused(upload.problems)
    entries = [
        actions.Entry(e.code, e.raw, e.unit, Method.IMPORTED, e.evidence) for e in upload.entries
    ]
    with transaction.atomic():
        if entries:
            actions.set_values(disclosure, entries, actor=actor)
        for mark in upload.not_applicable:
            actions.mark_not_applicable(disclosure, mark.code, mark.explanation, actor=actor,
                                        method=Method.IMPORTED)
    return len(entries) + len(upload.not_applicable)


def import_file_for(path: Path, *, uscc: str, year: int, actor) -> dict:
    """Import a filled template for one enterprise and year from the command line.

    The file is read and checked before any draft is started, and the draft is started in the
    same transaction as the values: a refused file (wrong enterprise, a bad cell) leaves nothing.
    """
    enterprise = Enterprise.objects.filter(uscc=uscc.strip().upper()).first()
    if enterprise is None:
        raise NotFound(gettext_noop("No enterprise with credit code %(uscc)s is registered."),
                       uscc=uscc)
    disclosure = (
        Disclosure.objects.filter(enterprise=enterprise, year=year).order_by("-version").first()
    )
    if disclosure is not None and disclosure.state != State.DRAFT:
        raise actions.StateConflict(
            gettext_noop("The %(year)s disclosure is %(state)s; amend it first."),
            year=year, state=disclosure.state,
        )
    upload = _read_for(enterprise.uscc, year, Path(path).read_bytes())
    if upload.problems:
        return {"imported": 0, "disclosure": disclosure.pk if disclosure else None,
                "problems": problem_rows(upload)}
    with transaction.atomic():
        if disclosure is None:
            disclosure = actions.start_disclosure(
                enterprise, year, tier=Tier.STANDARD if enterprise.listed else Tier.BASIC,
                actor=actor,
            )
        imported = apply_upload(disclosure, upload, actor=actor)
    return {"imported": imported, "disclosure": disclosure.pk, "problems": []}


def problem_rows(upload: workbook.Upload, text: Callable[[Problem], str] = Problem.text) -> list[dict]:
    """Problems as rows for a page or JSON: sheet, cell, indicator and the sentence (in English
    unless ``text`` words it, e.g. ``czesg.web.problems.problem_text``)."""
    return [{"sheet": p.sheet, "cell": p.cell, "indicator": p.indicator, "message": text(p)}
            for p in upload.problems]
