"""Checking an uploaded file by its content before the platform keeps it: a file that verifiers
and banks will later open must be what its first bytes claim and nothing more.

* zip containers (xlsx): the declared and the real uncompressed sizes, the number of members and
  the compression ratio are bounded, so a zip bomb is refused before anything inflates it fully;
* PDF: active content (JavaScript, actions run on opening, launching programs, embedded files) is
  refused, also where the name is hex-escaped or sits inside a compressed stream; a file without
  an end-of-file marker is not a PDF;
* every type: HTML or script markup near the start (e.g. ``%PDF-`` followed by a web page) is
  refused, since a browser that sniffs the content would run it;
* images: opened and verified with Pillow, within a bound on their pixels.

The limits are data (:class:`UploadLimits`), each with the reason for its value.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from czesg.engine.kernel.errors import CzesgError, gettext_noop


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on what an uploaded file may unpack to."""

    # The largest filled template (every indicator of the standard tier, with notes) unpacks to
    # well under 5 MB; 100 MB leaves room for evidence workbooks with many sheets while keeping
    # a decompression in memory bounded.
    max_uncompressed_bytes: int = 100 * 2**20
    # A workbook has a few dozen parts; thousands of members are a sign of a crafted archive.
    max_members: int = 2000
    # Office XML compresses about 5–20 times; zip bombs reach 1,000 and more. 200 leaves a wide
    # margin for sparse sheets; the ratio is judged only above ``ratio_floor_bytes``.
    max_ratio: int = 200
    # Below 1 MB unpacked a high ratio cannot hurt (a sheet of empty cells compresses well).
    ratio_floor_bytes: int = 2**20
    # 50 megapixels: a phone photo has 12–50; Pillow itself warns above about 89.
    max_image_pixels: int = 50_000_000
    # How much of a PDF's compressed streams is inflated to look for active content.
    max_pdf_inflated_bytes: int = 50 * 2**20


LIMITS = UploadLimits()


class FileRefused(CzesgError):
    """An uploaded file is not safe to keep: it names what was found."""

    code = "file_refused"
    http_status = 422
    message = gettext_noop("The file was refused as unsafe.")


class FileTooLarge(CzesgError):
    """An uploaded file is larger than the platform accepts."""

    code = "file_too_large"
    http_status = 413
    message = gettext_noop("The file is larger than %(limit)s MB.")


# --- zip containers -----------------------------------------------------------------------------
def check_zip(data: bytes, limits: UploadLimits = LIMITS) -> None:
    """Refuse an archive whose declared or real unpacked size, member count or ratio is too high."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise FileRefused(
                    gettext_noop("The file was refused: the archive has too many parts."),
                                  members=len(members))
            declared = sum(m.file_size for m in members)
            if declared > limits.max_uncompressed_bytes:
                raise _bomb(declared, limits)
            _check_ratio(declared, sum(m.compress_size for m in members), limits)
            real = 0
            for member in members:
                with archive.open(member) as stream:
                    # A stream never yields more than its declared size; one that ends early or
                    # whose checksum fails raises BadZipFile.
                    while chunk := stream.read(2**16):
                        real += len(chunk)
                        if real > limits.max_uncompressed_bytes:
                            raise _bomb(real, limits)
            _check_ratio(real, len(data), limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            zlib.error, ValueError, OSError) as exc:
        raise FileRefused(gettext_noop("The file was refused: the archive is damaged.")) from exc


def _bomb(size: int, limits: UploadLimits) -> FileRefused:
    return FileRefused(
        gettext_noop("The file was refused: it unpacks to more than the platform accepts."),
                       unpacked=size, limit=limits.max_uncompressed_bytes)


def _check_ratio(unpacked: int, packed: int, limits: UploadLimits) -> None:
    if unpacked > limits.ratio_floor_bytes and unpacked > limits.max_ratio * max(packed, 1):
        raise FileRefused(
            gettext_noop("The file was refused: it is compressed like a zip bomb."),
                          unpacked=unpacked, packed=packed)


# --- PDF --------------------------------------------------------------------------------------
# Names whose presence lets a PDF act on its own when opened (PDF 1.7, sections 12.6 and 7.11).
ACTIVE_PDF_NAMES = frozenset({
    "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "AA", "OpenAction",
    "RichMedia", "SubmitForm", "ImportData", "GoToE", "XFA",
})
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")


def _names(data: bytes) -> set[str]:
    """Every PDF name in ``data``, hex escapes (``/J#61vaScript``) decoded."""
    found = set()
    for match in _NAME.finditer(data):
        raw = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        found.add(raw.decode("latin-1"))
    return found


_ENDSTREAM = b"endstream"


def _split_streams(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The PDF's text outside its streams, and each stream as (its dictionary, its raw bytes).
    Names are looked for only outside streams: compressed images and fonts are binary, where a
    byte sequence like ``/AA`` turns up by chance."""
    outside: list[bytes] = []
    streams: list[tuple[bytes, bytes]] = []
    position = 0
    for match in _STREAM.finditer(data):
        if match.start() < position:
            continue  # the word "stream" inside a stream already skipped
        head = data[position:match.start()]
        outside.append(head)
        dictionary = head[head.rfind(b"obj") + 3:] if b"obj" in head else head[-1024:]
        end = data.find(_ENDSTREAM, match.end())
        end = len(data) if end < 0 else end
        streams.append((dictionary, data[match.end():end]))
        position = end + len(_ENDSTREAM)
    outside.append(data[position:])
    return b"\n".join(outside), streams


def _object_streams(streams: list[tuple[bytes, bytes]], budget: int):
    """The inflated content of the PDF's object streams (``/Type /ObjStm``, where PDF 1.5 and
    later keep dictionaries compressed), within ``budget`` bytes in all."""
    for dictionary, raw in streams:
        if budget <= 0:
            return
        if "ObjStm" not in _names(dictionary):
            continue
        try:
            chunk = zlib.decompressobj().decompress(raw, budget)
        except zlib.error:
            continue
        budget -= len(chunk)
        yield chunk


def check_pdf(data: bytes, limits: UploadLimits = LIMITS) -> None:
    """Refuse a PDF that carries active content or is no complete PDF."""
    if b"%%EOF" not in data[-2048:]:
        raise FileRefused(gettext_noop("The file was refused: it is not a complete PDF file."))
    outside, streams = _split_streams(data)
    names = _names(outside)
    for chunk in _object_streams(streams, limits.max_pdf_inflated_bytes):
        names |= _names(chunk)
    active = sorted(names & ACTIVE_PDF_NAMES)
    if active == ["OpenAction"]:
        # Alone it opens at a page or follows a plain action; what it could run (a script, a
        # program, an embedded file) carries its own name, looked for above.
        active = []
    if active:
        raise FileRefused(gettext_noop(
            "The file was refused: the PDF contains active content (%(found)s)."),
            found=", ".join(active))


# --- markup and images ------------------------------------------------------------------------
_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta)\b",
                     re.IGNORECASE)


def check_no_markup(data: bytes) -> None:
    """Refuse a file whose first kilobytes hold HTML or script markup (what browsers sniff)."""
    if _MARKUP.search(data[:4096]):
        raise FileRefused(gettext_noop("The file was refused: it contains a web page or script."))


def check_image(data: bytes, expected_format: str, limits: UploadLimits = LIMITS) -> None:
    """Refuse an image that Pillow cannot open as ``expected_format`` or that is too large.
    Without Pillow installed the magic bytes alone decide."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency of the platform
        return
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected_format:
                raise FileRefused(gettext_noop("The file was refused: the image is damaged."))
            width, height = image.size
            if width * height > limits.max_image_pixels:
                raise FileRefused(
                    gettext_noop("The file was refused: the image has too many pixels."),
                                  pixels=width * height)
            image.verify()
    except FileRefused:
        raise
    except Exception as exc:  # Pillow raises many kinds for a broken image
        raise FileRefused(gettext_noop("The file was refused: the image is damaged.")) from exc
