"""The `czesg` command: help for every subcommand, exit codes, machine-readable output."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from czesg.cli import main

SUBCOMMANDS = [
    ["demo"], ["serve"], ["synth"], ["catalogue"], ["catalogue", "export"], ["audit"],
    ["audit", "verify"], ["audit", "checkpoint"], ["backup"], ["restore"], ["carbon"], ["import"],
    ["bench"], ["records"], ["records", "import"], ["accounts"], ["accounts", "reset-password"],
    ["accounts", "unlock"], ["batch"], ["batch", "rate"], ["batch", "carbon"], ["extract"], ["supplychain"],
    ["supplychain", "remind"], ["finance"], ["finance", "import-loans"], ["finance", "remind"],
]


def run_czesg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "czesg.cli", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )


@pytest.mark.parametrize("args", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(args, capsys):
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    assert "usage: czesg" in capsys.readouterr().out


def test_manage_passes_through_to_django():
    result = run_czesg("manage", "help", "migrate")
    assert result.returncode == 0 and "migrate" in result.stdout


def test_unknown_command_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as done:
        main(["no-such-command"])
    assert done.value.code == 2


def test_catalogue_export_json(capsys):
    assert main(["catalogue", "export", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    codes = [row["code"] for row in data["indicators"]]
    assert len(codes) >= 80 and "E-GHG-01" in codes
    ghg = next(r for r in data["indicators"] if r["code"] == "E-GHG-01")
    assert ghg["unit"] == "tCO2e" and ghg["name_zh"] and ghg["name_en"]


def test_catalogue_export_csv(capsys):
    assert main(["catalogue", "export", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) >= 80
    assert {"code", "name_zh", "name_en", "unit", "tier"} <= set(rows[0])


def test_bad_format_is_refused(capsys):
    with pytest.raises(SystemExit) as done:
        main(["catalogue", "export", "--format", "xml"])
    assert done.value.code == 2


@pytest.mark.django_db(transaction=True)
def test_synth_loads_enterprises_and_reports_json(capsys):
    from czesg.enterprises.models import Enterprise

    assert main(["synth", "--enterprises", "12", "--years", "1", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["enterprises_created"] == 12
    assert Enterprise.objects.filter(is_synthetic=True).count() == 12
    assert summary["disclosures"] == 12 and summary["datapoints"] > 12 * 10
