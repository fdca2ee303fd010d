"""Fixtures of the extraction app: a listed company, its manager, an analyst, the corpus."""

import pytest


@pytest.fixture(scope="session")
def reports():
    from czesg.bench.extraction_corpus import corpus

    return {report.name: report for report in corpus()}


@pytest.fixture
def listed(make_enterprise):
    return make_enterprise("常州示例科技股份有限公司", listed=True, exchange="SSE",
                           stock_code="688001")


@pytest.fixture
def manager(listed, member_of):
    return member_of(listed, "esg-manager")


@pytest.fixture
def candidate_rows():
    def rows(run):
        return {c.indicator_code: c for c in run.candidates.order_by("id")}

    return rows
