"""Fixtures of the ESG report tests, all made through the actions."""

from __future__ import annotations

import shutil
import subprocess

import pytest


@pytest.fixture
def published_a(draft_a, alice, fill_basic):
    """Alpha's published 2024 basic disclosure (consistent values, two "not applicable", one
    text answer)."""
    from czesg.disclosures import actions

    fill_basic(draft_a, alice)
    actions.set_values(draft_a, [actions.Entry("G-GEN-04", "母公司及常州生产基地，与年报合并范围一致",
                                               "")], actor=alice)
    actions.submit_disclosure(draft_a, actor=alice)
    return actions.publish_disclosure(draft_a, actor=alice)


@pytest.fixture
def published_2023(firm_a, alice, fill_basic):
    """Alpha's published 2023 disclosure with less water and fewer people (a trend to chart)."""
    from czesg.disclosures import actions, checks

    draft = actions.start_disclosure(firm_a, 2023, actor=alice)
    fill_basic(draft, alice)
    actions.set_values(draft, [actions.Entry("E-WAT-01", 14000, "m3"),
                               actions.Entry("S-EMP-01", 110, "person")], actor=alice)
    warnings = [f.key for f in checks.findings_for(draft) if not f.is_error]
    actions.acknowledge_warnings(draft, warnings, note="2023 figures as measured", actor=alice)
    actions.submit_disclosure(draft, actor=alice)
    return actions.publish_disclosure(draft, actor=alice)


def pdf_text(pdf: bytes, tmp_path, name: str = "report") -> str:
    """The PDF's text as pdftotext reads it (layout kept)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_pages(pdf: bytes, tmp_path, name: str = "report") -> int:
    """The PDF's page count as pdfinfo reads it."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines()
                    if line.startswith("Pages:")))


def pdf_fonts(pdf: bytes, tmp_path, name: str = "report") -> set[str]:
    """The embedded fonts' names as pdffonts reads them (without the subset prefix)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    return {line.split()[0].split("+", 1)[-1] for line in listing if line.strip()}
