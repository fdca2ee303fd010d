"""Small hand-made PDFs for the refusals: a valid empty page, and the same with an /Encrypt
dictionary (the standard security handler, whose password is not the empty one)."""

from __future__ import annotations


def minimal_pdf(*, encrypted: bool = False) -> bytes:
    """A one-page PDF without text; ``encrypted`` adds a password that is not the empty one."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
        + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    extra = (b" /Encrypt 5 0 R /ID [<" + b"33" * 16 + b"> <" + b"33" * 16 + b">]"
             if encrypted else b"")
    out += (b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1) + extra
            + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return bytes(out)
