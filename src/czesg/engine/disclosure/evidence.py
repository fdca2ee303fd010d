"""Recognising evidence files by their content, and making their names safe to show."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from czesg.engine.disclosure.inspection import (
    LIMITS,
    UploadLimits,
    check_image,
    check_no_markup,
    check_pdf,
    check_zip,
)


@dataclass(frozen=True)
class FileKind:
    """A file type the platform accepts as evidence."""

    key: str
    extension: str
    content_type: str


PDF = FileKind("pdf", ".pdf", "application/pdf")
PNG = FileKind("png", ".png", "image/png")
JPEG = FileKind("jpeg", ".jpg", "image/jpeg")
XLSX = FileKind(
    "xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
ACCEPTED = (PDF, PNG, JPEG, XLSX)


def detect_file_type(data: bytes) -> FileKind | None:
    """The kind of file ``data`` really is, judged from its bytes (never from its name)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
    return None


def checked_file_type(data: bytes, limits: UploadLimits = LIMITS) -> FileKind | None:
    """The kind of file ``data`` is (None if no accepted kind), after checking its content
    (:mod:`czesg.engine.disclosure.inspection`); raises ``FileRefused`` for an unsafe file."""
    if data.startswith(b"PK\x03\x04"):
        check_zip(data, limits)  # before anything unpacks it
    kind = detect_file_type(data)
    if kind is None:
        return None
    check_no_markup(data)
    if kind is PDF:
        check_pdf(data, limits)
    elif kind is PNG:
        check_image(data, "PNG", limits)
    elif kind is JPEG:
        check_image(data, "JPEG", limits)
    return kind


_UNSAFE = re.compile(r"[^\w.\- ()（）\u4e00-\u9fff]+")


def safe_display_name(name: str, kind: FileKind, limit: int = 100) -> str:
    """A file name fit to show and to offer for download: no path, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "evidence"
    return stem[: limit - len(kind.extension)] + kind.extension
