"""Writing the catalogue back out: flat JSON rows and ``indicators.csv`` text.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from czesg.engine.catalogue.model import COLUMNS, Catalogue


# --- export ---------------------------------------------------------------------------------------
def export_rows(catalogue: Catalogue) -> list[dict[str, Any]]:
    """The indicators as flat JSON-serialisable dicts in column order, choices as a list of dicts."""
    rows: list[dict[str, Any]] = []
    for ind in catalogue.indicators:
        row: dict[str, Any] = {}
        for column in COLUMNS:
            value = getattr(ind, column)
            if column == "choices":
                value = [
                    {"key": c.key, "name_zh": c.name_zh, "name_en": c.name_en} for c in value
                ]
            row[column] = value
        rows.append(row)
    return rows


def export_csv_text(catalogue: Catalogue) -> str:
    """The indicators as ``indicators.csv`` text, which :func:`parse_catalogue` reads back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in export_rows(catalogue):
        cells = []
        for column in COLUMNS:
            value = row[column]
            if column == "choices":
                value = "|".join(f"{c['key']}:{c['name_zh']}:{c['name_en']}" for c in value)
            elif column in ("min", "max"):
                value = "" if value is None else _format_number(value)
            cells.append(value)
        writer.writerow(cells)
    return buffer.getvalue()


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
