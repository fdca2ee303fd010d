"""A disclosure's content indexes (one per framework): each requirement the catalogue maps, the
indicators of the report that answer it and the gaps; shown on the disclosure page, printed in
the PDF and downloaded as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from django.utils.translation import pgettext

from czesg.engine.catalogue import Catalogue
from czesg.engine.catalogue.frameworks import (
    ANSWERED,
    GAP,
    NOT_APPLICABLE,
    content_index,
    load_frameworks,
)
from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.spreadsheet import formula_safe

STATUS_LABELS = {
    ANSWERED: gettext_noop("answered"),
    NOT_APPLICABLE: gettext_noop("not applicable"),
    GAP: gettext_noop("gap"),
}


def answers_of(points: Mapping[str, Any]) -> dict[str, str]:
    """Indicator code → ``"value"`` or ``"not_applicable"`` for a disclosure's datapoints."""
    return {code: ("not_applicable" if p.status == "not_applicable" else "value")
            for code, p in points.items()}


def disclosure_indexes(catalogue: Catalogue, points: Mapping[str, Any], lang: str
                       ) -> list[dict[str, Any]]:
    """The content index of every framework for a disclosure's datapoints, ready to print."""
    answers = answers_of(points)
    topics = {t.key: t.name(lang) for t in catalogue.topics}
    out = []
    for framework in load_frameworks(catalogue):
        rows = []
        for row in content_index(framework, catalogue, answers):
            rows.append({
                "ref": row.requirement.ref,
                "status": row.status,
                "status_label": pgettext("content index", STATUS_LABELS[row.status]),
                "answered_by": [{"code": c, "name": catalogue.get(c).name(lang),
                                 "topic": topics[catalogue.get(c).topic]}
                                for c in row.answered_by],
                "indicators": list(row.indicators),
                "unconfirmed": row.requirement.provenance.is_unconfirmed,
            })
        out.append({
            "key": framework.key, "name": framework.name(lang),
            "source": framework.provenance.source,
            "confidence": framework.provenance.confidence,
            "rows": rows,
            "answered": sum(1 for r in rows if r["status"] == ANSWERED),
            "gaps": sum(1 for r in rows if r["status"] == GAP),
            "total": len(rows),
        })
    return out


CSV_COLUMNS = ("framework", "requirement", "status", "answered_by", "mapped_indicators",
               "confidence")


def indexes_csv(indexes: list[dict[str, Any]]) -> str:
    """The content indexes as CSV (one row per requirement; cells through ``formula_safe``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for framework in indexes:
        for row in framework["rows"]:
            writer.writerow([formula_safe(v) for v in (
                framework["key"], row["ref"], row["status"],
                " ".join(a["code"] for a in row["answered_by"]),
                " ".join(row["indicators"]), framework["confidence"])])
    return buffer.getvalue()
