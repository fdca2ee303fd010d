"""The versioned indicator catalogue: topics and atomic indicators, loaded from data files.

The catalogue lives as data in ``czesg/data/catalogue``: ``catalogue.toml`` holds the version,
titles and topics, ``indicators.csv`` one row per atomic datapoint (one value, one unit).
:mod:`.model` holds the topics, indicators and lookups, :mod:`.loading` reads and checks the two
files (refusing a malformed one with a :class:`~czesg.engine.kernel.errors.DataFileError` that
names the file, the row as a person sees it and the field), and :mod:`.export` writes them back.

Pure Python: the standard library plus the unit registry; no Django.
"""

from __future__ import annotations

from czesg.engine.catalogue.export import (
    export_csv_text,
    export_rows,
)
from czesg.engine.catalogue.loading import (
    load_catalogue,
    parse_catalogue,
)
from czesg.engine.catalogue.model import (
    CODE_PATTERN,
    COLUMNS,
    CONFIDENCE_LEVELS,
    CSV_NAME,
    DATA_TYPES,
    DEFAULT_DIRECTORY,
    DISCLOSURE_LEVELS,
    GUIDANCE,
    NUMERIC_TYPES,
    PILLARS,
    REQUIRED_TEXT,
    SLUG_PATTERN,
    TIERS,
    TOML_NAME,
    Catalogue,
    Choice,
    Indicator,
    Topic,
)

__all__ = [
    "CODE_PATTERN",
    "COLUMNS",
    "CONFIDENCE_LEVELS",
    "CSV_NAME",
    "Catalogue",
    "Choice",
    "DATA_TYPES",
    "DEFAULT_DIRECTORY",
    "DISCLOSURE_LEVELS",
    "GUIDANCE",
    "Indicator",
    "NUMERIC_TYPES",
    "PILLARS",
    "REQUIRED_TEXT",
    "SLUG_PATTERN",
    "TIERS",
    "TOML_NAME",
    "Topic",
    "export_csv_text",
    "export_rows",
    "load_catalogue",
    "parse_catalogue",
]
