"""The reads of the extraction pages: a person's runs, a run's candidates as rows to review,
and the rendered crop of a candidate's page region."""

from __future__ import annotations

import io
import threading
from typing import Any

from django.utils.translation import gettext

from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.problems import fill
from czesg.extraction.models import Candidate, ExtractionRun
from czesg.web.display import localise_params

CROP_MARGIN = 14.0   # points around the cited box
CROP_SCALE = 2.0     # pixels per point


def runs_for(user):
    """The runs ``user`` may see, newest first, with their enterprise."""
    return ExtractionRun.objects.visible_to(user).select_related("enterprise", "uploaded_by")


def candidate_rows(run: ExtractionRun, language: str) -> list[dict[str, Any]]:
    """Each candidate of ``run`` with its indicator's name in ``language``."""
    catalogue = load_catalogue()
    rows = []
    for candidate in run.candidates.select_related("decided_by").order_by("id"):
        indicator = catalogue.get(candidate.indicator_code) \
            if candidate.indicator_code in catalogue else None
        name = candidate.indicator_code if indicator is None else (
            indicator.name_en if language.startswith("en") else indicator.name_zh)
        rows.append({"c": candidate, "name": name, "findings": [
            {"severity": f.get("severity", ""), "rule": f.get("rule", ""),
             "text": fill(gettext(f.get("message", "")),
                          localise_params(f.get("params") or {}))}
            for f in candidate.findings]})
    return rows


# PDFium is not thread-safe (pypdfium2 says so): a server that answers the review page's crops in
# threads, as a browser asks for several at once, crashed the process in PDFium. One lock per
# process serialises the renders; each takes a few milliseconds.
_PDFIUM = threading.Lock()


def crop_png(candidate: Candidate) -> bytes:
    """The page region a candidate was read from, rendered to PNG (pypdfium2)."""
    with candidate.run.file.open("rb") as stored:
        data = stored.read()
    return render_crop(data, candidate.page, candidate.bbox)


def render_crop(data: bytes, page_number: int, bbox: Any) -> bytes:
    """The region ``bbox`` (x0, top, x1, bottom in points) of page ``page_number`` (from 1) of
    the PDF ``data``, with a margin, as PNG; one render at a time per process."""
    with _PDFIUM:
        return _render(data, page_number, bbox)


def _render(data: bytes, page_number: int, bbox: Any) -> bytes:
    import pypdfium2 as pdfium  # heavy; only the crop needs it

    document = pdfium.PdfDocument(data)
    try:
        page = document[page_number - 1]
        width, height = page.get_size()
        x0, top, x1, bottom = (float(v) for v in bbox)
        crop = (max(x0 - CROP_MARGIN, 0.0), max(height - bottom - CROP_MARGIN, 0.0),
                max(width - x1 - CROP_MARGIN, 0.0), max(top - CROP_MARGIN, 0.0))
        image = page.render(scale=CROP_SCALE, crop=crop).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return buffer.getvalue()
    finally:
        document.close()
