"""Running Arelle (arelle-release, from PyPI) offline on generated XBRL, as a separate process,
and reading its log: Arelle exits 0 even when it logs errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_arelle(*args: str, log: Path) -> list[dict]:
    """Run Arelle's command line offline with ``args``; its log entries (level, code, text)."""
    command = [sys.executable, "-m", "arelle.CntlrCmdLine", "--internetConnectivity", "offline",
               "--logFile", str(log), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(log.read_text(encoding="utf-8"))
    return [{"level": e.get("level", ""), "code": e.get("code", ""),
             "text": e.get("message", {}).get("text", "")} for e in data.get("log", [])]


def problems(entries: list[dict]) -> list[dict]:
    """The entries that are errors, warnings or inconsistencies (anything not informational)."""
    return [e for e in entries if e["level"].lower() not in ("info", "debug")]


FACT_COLUMNS = "Name,contextRef,unitRef,Dec,Value,EntityScheme,EntityIdentifier,Period,Lang"


def validate_inline(document: Path, package: Path, facts: Path, log: Path) -> list[dict]:
    """Validate an inline-XBRL document's default target (the czesg facts; the VSME-tagged
    facts form the target ``vsme``, whose taxonomy cannot be had offline) against the czesg
    package (XBRL 2.1, Inline XBRL 1.1, the UTR, Calculations 1.1, inconsistent duplicate
    facts) and write its facts as CSV."""
    return run_arelle("--packages", str(package), "--plugins", "inlineXbrlDocumentSet",
                      "-f", str(document), "--inlineTarget", "(default)",
                      "--requireInlineXbrl", "--validate", "--utr",
                      "--calc", "c11r", "--validateDuplicateFacts", "inconsistent",
                      "--factListCols", FACT_COLUMNS, "--facts", str(facts), log=log)


def validate_json(source: Path, package: Path, facts: Path, log: Path) -> list[dict]:
    """Load and validate an xBRL-JSON report (Arelle's OIM loader) and write its facts as CSV."""
    return run_arelle("--packages", str(package), "-f", str(source), "--validate", "--utr",
                      "--factListCols", FACT_COLUMNS, "--facts", str(facts), log=log)
