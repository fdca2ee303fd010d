"""Where a data row comes from: its source text and how far that source is confirmed.

Every row of the declarative data files under ``czesg/data`` (catalogue indicators, city profile
entries, industry codes, methodology benchmarks, emission factors) carries a ``source`` (the
document it was taken from) and a ``confidence``. The confidence is one of the
:class:`Confidence` codes, or ``unconfirmed-`` followed by lower-case words joined with ``-``
(``unconfirmed-single-secondary``) that say what is still unconfirmed. Each data file accepts a
subset of the codes; :func:`confidence_problem` tells why a text is not acceptable.

Pure Python; no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

UNCONFIRMED_PREFIX = "unconfirmed-"
UNCONFIRMED_RE = re.compile(r"unconfirmed-[a-z0-9]+(-[a-z0-9]+)*")
"""The form of a confidence that says what is still unconfirmed (``unconfirmed-single-source``)."""


class Confidence(StrEnum):
    """The confidence codes that the data files use, strongest evidence first."""

    CONFIRMED_PRIMARY = "confirmed-primary"
    """Read in the primary document itself (the regulation, the standard, the plan)."""
    CONFIRMED_SECONDARY = "confirmed-secondary"
    """Read in a reliable secondary publication that quotes the primary document."""
    CONFIRMED_SECONDARY_CODE = "confirmed-secondary-code"
    """A code (GB/T, GRI, IFRS S2 …) confirmed in a secondary publication."""
    ANALYST_MAPPING = "analyst-mapping"
    """A mapping between frameworks that an analyst made."""
    ANALYST_JUDGEMENT = "analyst-judgement"
    """A classification made by whoever compiled the file."""
    METHODOLOGY_CHOICE = "methodology-choice"
    """A choice of the platform's own methodology, documented in the file."""


def confidence_problem(text: str, accepted: Iterable[str]) -> str | None:
    """Why ``text`` is not one of the ``accepted`` codes nor ``unconfirmed-…``; None if it is."""
    codes = tuple(accepted)
    if text in codes or UNCONFIRMED_RE.fullmatch(text):
        return None
    return f"{text!r} is not one of " + ", ".join(codes) + " or unconfirmed-*"


class Provenance(NamedTuple):
    """A data row's ``source`` and ``confidence`` (a :class:`Confidence` code or ``unconfirmed-…``).

    A named tuple, so that ``source, confidence = table.provenance()`` unpacks it.
    """

    source: str
    confidence: str

    @property
    def level(self) -> Confidence | None:
        """The confidence as a :class:`Confidence` member; None for ``unconfirmed-…``."""
        try:
            return Confidence(self.confidence)
        except ValueError:
            return None

    @property
    def is_unconfirmed(self) -> bool:
        """Whether the source still needs confirming (the confidence is ``unconfirmed-…``)."""
        return self.confidence.startswith(UNCONFIRMED_PREFIX)

    def fields(self) -> dict[str, str]:
        """``{"source": …, "confidence": …}``, for building a dataclass that keeps both."""
        return {"source": self.source, "confidence": self.confidence}
