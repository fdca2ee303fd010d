"""Reading an uploaded XBRL report (xBRL-JSON, or inline XBRL that Arelle loads offline against
the czesg taxonomy package and writes as xBRL-JSON) into its czesg facts, with what an import
keeps as provenance: the file's SHA-256, its format and its producer."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.xbrl import oim
from czesg.engine.xbrl.concepts import XbrlError
from czesg.esgreport.xbrl import taxonomy, taxonomy_package

JSON_FORMAT = "xBRL-JSON"
INLINE_FORMAT = "inline XBRL"
ARELLE_TIMEOUT_S = 120
_GENERATOR = re.compile(rb'<meta\s+name="generator"\s+content="([^"<>]{1,100})"', re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """An uploaded report as read: its czesg facts, the facts of other concepts, provenance."""

    format: str
    sha256: str
    producer: str
    facts: list[oim.ReadFact]
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (fact id, concept)


def _producer(data: bytes, document: dict | None) -> str:
    """Who wrote the file, as it says itself (an HTML generator, xBRL-JSON's documentInfo)."""
    if document is not None:
        info = document.get("documentInfo", {})
        for key in ("czesg:producer", "producer"):
            if isinstance(info.get(key), str):
                return info[key][:100]
        return ""
    found = _GENERATOR.search(data[:20000])
    return found.group(1).decode("utf-8", "replace") if found else ""


def _arelle_json(data: bytes) -> str:
    """The default target of an inline-XBRL document as xBRL-JSON, loaded and validated by
    Arelle offline against the czesg package; refused naming Arelle's first errors."""
    with tempfile.TemporaryDirectory(prefix="czesg-ixbrl-") as folder:
        here = Path(folder)
        (here / "report.xhtml").write_bytes(data)
        (here / "czesg.zip").write_bytes(taxonomy_package())
        command = [sys.executable, "-m", "arelle.CntlrCmdLine", "--internetConnectivity",
                   "offline", "--packages", str(here / "czesg.zip"), "--plugins",
                   "inlineXbrlDocumentSet|saveLoadableOIM", "-f", str(here / "report.xhtml"),
                   "--inlineTarget", "(default)", "--requireInlineXbrl", "--validate", "--utr",
                   "--calc", "c11r", "--saveLoadableOIM", str(here / "report.json"),
                   "--logFile", str(here / "log.json")]
        try:
            subprocess.run(command, capture_output=True, timeout=ARELLE_TIMEOUT_S, check=False)
            log = json.loads((here / "log.json").read_text(encoding="utf-8")).get("log", [])
        except (OSError, ValueError, subprocess.TimeoutExpired):
            raise XbrlError(gettext_noop("The inline XBRL document could not be read (Arelle "
                                         "gave no result).")) from None
        errors = [entry for entry in log
                  if str(entry.get("level", "")).lower() not in ("info", "debug")]
        if errors:
            raise XbrlError(gettext_noop(
                "The inline XBRL document is not valid against the czesg taxonomy: %(problems)s"),
                problems="; ".join(f"{e.get('code', '')}: {e.get('message', {}).get('text', '')}"
                                   for e in errors[:3])[:600])
        out = here / "report.json"
        if not out.exists():
            raise XbrlError(gettext_noop("The inline XBRL document holds no fact."))
        return out.read_text(encoding="utf-8")


def read_report(data: bytes) -> Reading:
    """An uploaded xBRL-JSON or inline-XBRL report's czesg facts and the others, or refused
    naming the fact and the rule (or Arelle's error)."""
    digest = hashlib.sha256(data).hexdigest()
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"{":
        text = data.decode("utf-8", "replace")
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        facts, unmapped = oim.read_mapped(taxonomy(), text)
        fmt, producer = JSON_FORMAT, _producer(data, document if isinstance(document, dict)
                                               else {})
    elif head == b"<" and b"http://www.xbrl.org/2013/inlineXBRL" in data:
        facts, unmapped = oim.read_mapped(taxonomy(), _arelle_json(data))
        fmt, producer = INLINE_FORMAT, _producer(data, None)
    else:
        raise XbrlError(gettext_noop("The file is neither xBRL-JSON nor an inline XBRL "
                                     "(XHTML) document."))
    if not facts:
        raise XbrlError(gettext_noop("The file holds no fact of the czesg taxonomy."))
    return Reading(fmt, digest, producer, facts, unmapped)
