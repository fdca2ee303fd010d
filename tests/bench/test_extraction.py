"""The extraction benchmark's scoring: exact on the corpus, and it counts what is wrong."""

from __future__ import annotations

from dataclasses import replace

import pytest

from czesg.bench.extraction import benchmark, score
from czesg.bench.extraction_corpus import corpus
from czesg.engine.extraction import Extraction


@pytest.mark.django_db
@pytest.mark.only_on("sqlite")
def test_the_corpus_is_read_completely_and_exactly():
    # 33 figures of the WeasyPrint layouts and 10 headline figures in each of czesg's own
    # reports (Chinese and English) of a seeded published disclosure.
    figures = benchmark(rounds=1)
    assert (figures["extraction_precision"], figures["extraction_recall"]) == (1.0, 1.0)
    assert (figures["extraction_candidates"], figures["extraction_expected"]) == (53, 53)
    assert figures["extraction_reports"] == 7
    assert figures["extraction_pages_per_second"] > 0


def test_the_layouts_alone_without_a_database():
    figures = benchmark(rounds=1, own_reports=False)
    assert (figures["extraction_candidates"], figures["extraction_expected"]) == (33, 33)
    assert (figures["extraction_precision"], figures["extraction_recall"]) == (1.0, 1.0)


def test_a_wrong_value_costs_precision_and_recall():
    report = corpus()[1]  # en_table: 9 headline figures
    from czesg.engine.extraction import extract

    extraction = extract(report.pdf, report.year)
    wrong = [replace(c, value=c.value * 100) if c.indicator == "E-GHG-02" else c
             for c in extraction.candidates]
    figures = score([(report, Extraction(extraction.sha256, 1, 2024, tuple(wrong)))])
    assert figures["extraction_precision"] == round(8 / 9, 4)
    assert figures["extraction_recall"] == round(8 / 9, 4)
