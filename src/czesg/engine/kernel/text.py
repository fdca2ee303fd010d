"""Reading the bytes of an uploaded text file (CSV): UTF-8 (with or without BOM), else GB 18030,
the encoding Excel uses when it saves a CSV on a Chinese system; one refusal for anything else.

:func:`decode_text` gives the whole text; :func:`text_stream` gives it as a stream that decodes
as it is read, so that a large file is never held twice (bytes and text) in memory.
"""

from __future__ import annotations

import codecs
import io

from czesg.engine.kernel.errors import CzesgError, gettext_noop

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
# The one sentence refusing a file in neither encoding, whoever reads it.
NOT_TEXT = gettext_noop("The file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8).")
_SLICE = 1 << 20


class TextEncodingError(CzesgError):
    """The bytes are neither UTF-8 nor GB 18030 text."""

    code = "text_encoding_invalid"
    message = NOT_TEXT


def _decodes(data: bytes | memoryview, encoding: str) -> bool:
    """Whether the whole of ``data`` decodes in ``encoding``, checked a slice at a time so that
    the text is never built."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for start in range(0, len(view), _SLICE):
            decoder.decode(view[start:start + _SLICE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def text_encoding(data: bytes | memoryview) -> str:
    """The encoding of ``data``: ``utf-8-sig`` (UTF-8, a BOM dropped) or ``gb18030``; refused
    with :class:`TextEncodingError` when neither decodes it."""
    for encoding in ENCODINGS:
        if _decodes(data, encoding):
            return encoding
    raise TextEncodingError()


def decode_text(data: bytes | memoryview) -> str:
    """The whole text of ``data`` (UTF-8 with or without BOM, else GB 18030)."""
    for encoding in ENCODINGS:
        try:
            return bytes(data).decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TextEncodingError()


def text_stream(data: bytes) -> io.TextIOWrapper:
    """The text of ``data`` as a stream decoded while it is read (line endings kept as written,
    as the ``csv`` module wants them); refused before any reading when neither encoding fits."""
    encoding = text_encoding(data)
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
