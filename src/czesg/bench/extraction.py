"""How well and how fast figures are read from report PDFs: precision and recall of the headline
indicators over the generated corpus (:mod:`czesg.bench.extraction_corpus`, and czesg's own
report PDFs: :mod:`czesg.bench.extraction_generated`), and pages per second.

A candidate is right when its indicator, page and value (in the canonical unit, within 1e-6
relative) are those of a figure the report prints for the reporting year; precision counts every
candidate with a value, recall every printed headline figure."""

from __future__ import annotations

import time
from collections.abc import Iterable

from czesg.bench.extraction_corpus import CorpusReport, corpus

# The headline indicators of issue 15: Scope 1, 2, 3, total GHG, energy, water, waste,
# headcount, female share, revenue.
HEADLINE = frozenset({"E-GHG-02", "E-GHG-03", "E-GHG-04", "E-GHG-01", "E-ENG-01", "E-WAT-01",
                      "E-WST-04", "S-EMP-01", "S-EMP-02-FPCT", "G-GEN-01"})


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


def score(pairs: Iterable[tuple[CorpusReport, object]]) -> dict[str, float]:
    """Precision, recall and counts of extractions against their reports' printed figures."""
    found = right = expected = 0
    for report, extraction in pairs:
        wanted = [e for e in report.expected if e.indicator in HEADLINE]
        expected += len(wanted)
        unmatched = list(wanted)
        for candidate in extraction.candidates:  # type: ignore[attr-defined]
            if candidate.indicator not in HEADLINE or candidate.value is None:
                continue
            found += 1
            hit = next((e for e in unmatched if e.indicator == candidate.indicator
                        and e.page == candidate.page and _same(e.value, candidate.value)), None)
            if hit is not None:
                right += 1
                unmatched.remove(hit)
    return {"extraction_precision": round(right / found, 4) if found else 0.0,
            "extraction_recall": round(right / expected, 4) if expected else 0.0,
            "extraction_candidates": found, "extraction_expected": expected}


def benchmark(rounds: int = 3, *, own_reports: bool = True) -> dict[str, float]:
    """Read every corpus report ``rounds`` times; precision, recall and pages per second.

    ``own_reports`` adds the Chinese and English reports czesg's own generator makes of a seeded
    published disclosure (:mod:`czesg.bench.extraction_generated`; needs a database)."""
    from czesg.engine.extraction import extract

    reports = corpus()
    if own_reports:
        from czesg.bench.extraction_generated import generated_reports

        reports += generated_reports()
    pairs = []
    pages = 0
    started = time.perf_counter()
    for round_ in range(rounds):
        for report in reports:
            extraction = extract(report.pdf, report.year)
            pages += extraction.pages
            if round_ == 0:
                pairs.append((report, extraction))
    elapsed = time.perf_counter() - started
    figures = score(pairs)
    figures["extraction_pages_per_second"] = round(pages / elapsed, 2)
    figures["extraction_reports"] = len(reports)
    return figures
