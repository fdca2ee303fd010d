"""Content indexes of a published disclosure: on its page, as CSV, and the framework references
beside each indicator in the form."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _csv_rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_lists_every_requirement_with_its_status(published_a):
    from czesg.engine.catalogue import load_catalogue
    from czesg.engine.catalogue.frameworks import load_frameworks

    response = Client().get(f"/disclosures/{published_a.pk}/content-index.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    # One row per requirement of every framework, exactly as the crosswalk lists them.
    expected = [(f.key, r.ref) for f in load_frameworks(load_catalogue()) for r in f.requirements]
    assert [(r["framework"], r["requirement"]) for r in rows] == expected
    by_key = {(r["framework"], r["requirement"]): r for r in rows}
    assert by_key[("gri", "305-1")]["status"] == "answered"
    assert by_key[("gri", "305-1")]["answered_by"] == "E-GHG-01 E-GHG-02"
    assert by_key[("ifrs-s2", "para 29(a) Scope 2 (location-based required)")]["answered_by"] == \
        "E-GHG-03"
    assert by_key[("hkex", "A1.3")]["status"] == "not_applicable"  # hazardous waste: n/a
    assert by_key[("vsme", "B5")]["status"] == "gap"  # biodiversity: not in the basic tier
    assert by_key[("vsme", "B5")]["mapped_indicators"] == "E-BIO-02"
    assert by_key[("cn-exchange", "第二十四条")]["confidence"] == "unconfirmed-single-secondary"
    statuses = [r["status"] for r in rows if r["framework"] == "vsme"]
    assert statuses.count("answered") == 8 and statuses.count("gap") == 1


def test_the_disclosure_page_shows_the_indexes(published_a):
    page = Client().get(f"/disclosures/{published_a.pk}/").content.decode()
    assert 'id="content-indexes"' in page
    assert 'data-framework="vsme"' in page
    assert 'data-ref="305-1" data-status="answered"' in page
    assert "已映射的 10 项要求中已回应 8 项，缺口 1 项。" in page


def test_a_draft_page_has_no_index_and_no_report_button(draft_a, alice):
    client = Client()
    client.force_login(alice)
    page = client.get(f"/disclosures/{draft_a.pk}/").content.decode()
    assert 'id="content-indexes"' not in page
    assert "report.pdf" not in page
    assert client.get(f"/disclosures/{draft_a.pk}/content-index.csv").status_code == 409


def test_the_form_shows_the_framework_references_beside_an_indicator(draft_a, alice):
    client = Client()
    client.force_login(alice)
    page = client.get(f"/disclosures/{draft_a.pk}/edit/").content.decode()
    row = page[page.index('id="row-E-GHG-01"'):page.index('id="row-E-GHG-02"')]
    assert '<span class="ref" data-framework="GRI">GRI 305-1 / 305-2 / 305-3</span>' in row
    assert "沪深北指引 第二十四条" in row
    assert "VSME B3" in row
