"""Offline extraction of headline ESG figures from report PDFs, every figure cited to its page.

* :mod:`.layout`: the PDF's text with positions (pdfplumber), lines and segments; refusals of an
  encrypted, damaged or image-only file (no OCR);
* :mod:`.numbers`: printed numbers (full-width digits, separators, 万/亿, %, bracketed negatives)
  and their units through the platform's unit registry;
* :mod:`.aliases`: the alias dictionary (``data/extraction/aliases.toml``);
* :mod:`.reading`: table rows with year columns and sentences of prose;
* :mod:`.candidates`: conversion, citation, validation and conflicts.
"""

from __future__ import annotations

from czesg.engine.extraction.candidates import Candidate, Extraction, candidates_of, extract
from czesg.engine.extraction.layout import UnreadablePdf

__all__ = ["Candidate", "Extraction", "UnreadablePdf", "candidates_of", "extract"]
