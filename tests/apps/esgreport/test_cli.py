"""The report commands: czesg report, czesg xbrl export / taxonomy / import."""

from __future__ import annotations

import json

import pytest

from czesg.cli import main
from czesg.console import EXIT_FAILED, EXIT_OK

pytestmark = pytest.mark.django_db


def test_czesg_report_writes_the_pdf(published_a, tmp_path, capsys):
    path = tmp_path / "report.pdf"
    uscc = published_a.enterprise.uscc
    assert main(["report", str(path), "--enterprise", uscc, "--year", "2024", "--lang", "en",
                 "--format", "json"]) == EXIT_OK
    assert path.read_bytes().startswith(b"%PDF")
    out = json.loads(capsys.readouterr().out)
    assert (out["enterprise"], out["year"], out["version"], out["language"]) == (uscc, 2024, 1, "en")


def test_a_year_without_a_published_disclosure_is_refused(published_a, tmp_path, capsys):
    assert main(["report", str(tmp_path / "r.pdf"), "--enterprise", published_a.enterprise.uscc,
                 "--year", "2023"]) == EXIT_FAILED
    assert "has no published disclosure for 2023" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_xbrl_export_and_taxonomy(published_a, tmp_path, capsys):
    uscc = published_a.enterprise.uscc
    out = tmp_path / "report.json"
    assert main(["xbrl", "export", "--enterprise", uscc, "--year", "2024", "--format", "json",
                 "-o", str(out)]) == EXIT_OK
    facts = json.loads(out.read_text(encoding="utf-8"))["facts"]
    assert facts["f-E-GHG-01"]["value"] == "1000"
    assert facts["f-E-GHG-01"]["dimensions"]["entity"] == f"uscc:{uscc}"
    assert main(["xbrl", "export", "--enterprise", uscc, "--year", "2024",
                 "--format", "ixbrl"]) == EXIT_OK
    assert 'name="czesg:E-GHG-01"' in capsys.readouterr().out
    assert main(["xbrl", "taxonomy", str(tmp_path / "pkg.zip")]) == EXIT_OK
    assert (tmp_path / "pkg.zip").read_bytes()[:2] == b"PK"
