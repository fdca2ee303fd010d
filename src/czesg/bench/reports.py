"""The ESG report of a standard-tier (listed) enterprise: PDF rendering from the published
disclosure to the bytes (issue 18 target: under 5 s), and its inline XBRL."""

from __future__ import annotations

import time

import polars as pl

from czesg.engine.catalogue import load_catalogue

PEERS = 30
YEARS = (2022, 2023, 2024)


def _listed_enterprises(n: int) -> list[str]:
    """Register ``n`` synthetic listed enterprises of one industry (their disclosures are of the
    standard tier, and they are one another's peers)."""
    from czesg.accounts.actors import system_actor
    from czesg.engine import synth
    from czesg.enterprises.actions import EnterpriseFacts, bulk_register

    generated = synth.generate_enterprises(n, seed=18)
    bulk_register([
        EnterpriseFacts(uscc=e.uscc, name=e.name, name_en=e.name_en, industry_code="C3841",
                        division_code=e.division_code, park_key=e.park_key,
                        size_class=e.size_class, listed=True, exchange="SSE",
                        stock_code=f"60{i:04d}", is_synthetic=True)
        for i, e in enumerate(generated)
    ], actor=system_actor(), source="czesg bench")
    return [e.uscc for e in generated]


def bench_reports(scale: float) -> dict:
    """Publish three years of standard-tier disclosures of 30 peers, then time one report."""
    from czesg.accounts.actors import system_actor
    from czesg.bench import long_values
    from czesg.disclosures.bulk import import_checked
    from czesg.disclosures.models import State
    from czesg.engine.disclosure.bulk import check_long
    from czesg.esgreport.contents import published_for
    from czesg.esgreport.rendering import report_pdf

    usccs = _listed_enterprises(max(6, int(PEERS * min(scale * 100, 1))))
    frame = pl.concat([long_values(usccs, year) for year in YEARS])
    summary = import_checked(check_long(frame, load_catalogue()), actor=system_actor(),
                             evidence="czesg bench",
                             final_state=lambda uscc, year: State.PUBLISHED)
    assert summary.imported_values == frame.height, summary.as_dict()["problems"][:3]
    disclosure = published_for(usccs[0], YEARS[-1])
    report_pdf(disclosure, "zh-hans")  # warm-up: fonts, templates, catalogue
    t0, c0 = time.perf_counter(), time.process_time()
    pdf = report_pdf(disclosure, "zh-hans")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    # The CPU seconds of this process tell the work apart from a busy machine's waiting.
    return {"report_pdf_s": round(elapsed, 3), "report_pdf_cpu_s": round(cpu, 3),
            "report_pdf_bytes": len(pdf),
            "report_tier": disclosure.tier,
            "report_values": disclosure.datapoints.count()}
