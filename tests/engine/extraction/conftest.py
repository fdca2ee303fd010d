"""The generated report corpus, made once per test session."""

import pytest


@pytest.fixture(scope="session")
def reports():
    from czesg.bench.extraction_corpus import corpus

    return {report.name: report for report in corpus()}


@pytest.fixture(scope="session")
def extracted(reports):
    from czesg.engine.extraction import extract

    return {name: extract(report.pdf, report.year) for name, report in reports.items()}
