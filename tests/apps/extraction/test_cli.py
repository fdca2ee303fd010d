"""``czesg extract FILE.pdf --enterprise USCC --year Y [--format json]``."""

import json

import pytest

from czesg.cli import main
from czesg.extraction.models import ExtractionRun

pytestmark = pytest.mark.django_db


def test_extract_prints_cited_candidates_as_json(tmp_path, listed, reports, capsys):
    path = tmp_path / "report-2024.pdf"
    path.write_bytes(reports["split_table"].pdf)
    code = main(["extract", str(path), "--enterprise", listed.uscc, "--year", "2024",
                 "--format", "json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    run = ExtractionRun.objects.get()
    assert (data["run"], data["sha256"], data["pages"], data["state"]) == (
        run.pk, run.sha256, 2, "read")
    found = {c["indicator"]: c for c in data["candidates"]}
    assert (found["E-GHG-03"]["value"], found["E-GHG-03"]["page"],
            found["E-GHG-03"]["prior_value"]) == (12004.0, 2, 11870.0)
    assert found["E-WST-04"]["value"] == 3500.0 and found["E-WST-04"]["unit_printed"] == "万吨"
    assert {c["state"] for c in data["candidates"]} == {"pending"}


def test_extract_refuses_what_it_cannot_read(tmp_path, listed, capsys):
    from tests.engine.extraction.pdfs import minimal_pdf

    path = tmp_path / "locked.pdf"
    path.write_bytes(minimal_pdf(encrypted=True))
    assert main(["extract", str(path), "--enterprise", listed.uscc, "--year", "2024"]) == 1
    assert "encrypted" in capsys.readouterr().out
    assert main(["extract", str(path), "--enterprise", "NOSUCHCODE", "--year", "2024"]) == 1
    assert "NOSUCHCODE" in capsys.readouterr().err
