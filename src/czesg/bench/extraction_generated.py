"""The report PDFs czesg's own generator makes (``czesg report``, :mod:`czesg.esgreport`), in
Chinese and in English, of a seeded published disclosure: part of the extraction corpus, so that
the figures czesg prints are the figures czesg reads back.

The disclosure is seeded through the bulk import action (as the report benchmark seeds its
peers) for one synthetic listed enterprise; its headline figures are :data:`FIGURES`. A figure's
page is the first page after the contents that names its indicator code, as the generator prints
a code beside every value of its pillar tables (the chapters after them repeat figures in charts
and name codes in the content indexes). Needs a database.
"""

from __future__ import annotations

from decimal import Decimal

from czesg.bench.extraction_corpus import CorpusReport, Expected

YEAR = 2024
USCC_SEED = 15
# The seeded disclosure's figures (indicator, value, unit) in the catalogue's canonical units;
# consistent with one another (total = Scope 1 + location-based Scope 2, waste = its parts,
# female share = female ÷ employees). Invented for the tests, like every generated figure.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("G-GEN-01", "86420", "万元"),
    ("E-GHG-02", "4321.5", "tCO2e"),
    ("E-GHG-03", "8765", "tCO2e"),
    ("E-GHG-03-MKT", "6100", "tCO2e"),
    ("E-GHG-01", "13086.5", "tCO2e"),
    ("E-GHG-04", "25800", "tCO2e"),
    ("E-ENG-01", "5678", "tce"),
    ("E-WAT-01", "123400", "m3"),
    ("E-WST-01", "156.7", "t"),
    ("E-WST-02", "300", "t"),
    ("E-WST-04", "456.7", "t"),
    ("S-EMP-01", "1520", "person"),
    ("S-EMP-02-F", "608", "person"),
    ("S-EMP-02-FPCT", "40", "%"),
)
# The indicators whose figures the extraction reads (its alias dictionary's).
READ = ("G-GEN-01", "E-GHG-01", "E-GHG-02", "E-GHG-03", "E-GHG-03-MKT", "E-GHG-04", "E-ENG-01",
        "E-WAT-01", "E-WST-04", "S-EMP-01", "S-EMP-02-FPCT")


def seed_disclosure() -> str:
    """Register one synthetic listed enterprise and publish its 2024 disclosure of
    :data:`FIGURES` through the actions; its credit code."""
    import polars as pl

    from czesg.accounts.actors import system_actor
    from czesg.disclosures.bulk import import_checked
    from czesg.disclosures.models import State
    from czesg.engine import synth
    from czesg.engine.catalogue import load_catalogue
    from czesg.engine.disclosure.bulk import check_long
    from czesg.enterprises.actions import EnterpriseFacts, bulk_register

    [made] = synth.generate_enterprises(1, seed=USCC_SEED)
    bulk_register([EnterpriseFacts(
        uscc=made.uscc, name=made.name, name_en=made.name_en, industry_code="C3841",
        division_code=made.division_code, park_key=made.park_key, size_class=made.size_class,
        listed=True, exchange="SSE", stock_code="688015", is_synthetic=True,
    )], actor=system_actor(), source="extraction corpus")
    frame = pl.DataFrame({
        "uscc": [made.uscc] * len(FIGURES), "year": [str(YEAR)] * len(FIGURES),
        "indicator": [code for code, _, _ in FIGURES], "value": [v for _, v, _ in FIGURES],
        "unit": [u for _, _, u in FIGURES]})
    summary = import_checked(check_long(frame, load_catalogue()), actor=system_actor(),
                             evidence="extraction corpus",
                             final_state=lambda uscc, year: State.PUBLISHED)
    assert summary.imported_values == len(FIGURES), summary.as_dict()["problems"][:3]
    return made.uscc


def generated_reports(uscc: str | None = None) -> tuple[CorpusReport, ...]:
    """The Chinese and English reports of the seeded disclosure (seeded now unless ``uscc``
    names one already published), with the figures they print."""
    from czesg.esgreport.contents import published_for
    from czesg.esgreport.rendering import report_pdf

    disclosure = published_for(uscc or seed_disclosure(), YEAR)
    found = []
    for lang, name in (("zh-hans", "czesg_report_zh"), ("en", "czesg_report_en")):
        pdf = report_pdf(disclosure, lang)
        pages = _page_texts(pdf)
        expected = tuple(
            Expected(code, float(Decimal(value)), _first_page_naming(code, pages))
            for code, value, _ in FIGURES if code in READ)
        found.append(CorpusReport(name, pdf, YEAR, expected, len(pages)))
    return tuple(found)


def _page_texts(pdf: bytes) -> list[str]:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


def _first_page_naming(code: str, pages: list[str]) -> int:
    """The first page (1-based) that prints ``code`` as a whole code (not ``E-GHG-01`` inside
    ``E-GHG-01-ELEC``)."""
    import re

    pattern = re.compile(rf"(?<![\w-]){re.escape(code)}(?![\w-])")
    for number, text in enumerate(pages, start=1):
        if pattern.search(text):
            return number
    raise AssertionError(f"the report prints no {code}")
