"""The answers of a disclosure and the findings that validation reports about them.

An :class:`Answer` is one indicator's value in its canonical unit (or not applicable); a
:class:`Finding` is one breach of a rule, an ``error`` that blocks submission or a ``warning``
that the enterprise must acknowledge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.kernel.errors import ValidationFailed

ERROR = "error"
WARNING = "warning"
STATUSES: tuple[str, ...] = ("reported", "not_applicable")


@dataclass(frozen=True)
class Answer:
    """One indicator's answer in a disclosure: a typed value in the canonical unit, or N/A."""

    code: str
    status: str = "reported"
    number: float | None = None
    boolean: bool | None = None
    choice: str = ""
    text: str = ""
    na_explanation: str = ""
    evidence: str = ""
    unit: str = ""
    """The unit ``number`` is stored in when it is not the catalogue's: a unit of physical output
    (per MW, per t of product, per m²) that ``data/catalogue/denominators.toml`` admits."""

    @classmethod
    def not_applicable(cls, code: str, explanation: str) -> Answer:
        """An answer marking ``code`` as not applicable, with the reason."""
        return cls(code=code, status="not_applicable", na_explanation=explanation)

    @classmethod
    def from_coerced(cls, code: str, coerced: Any, evidence: str = "") -> Answer:
        """A reported answer from a :class:`czesg.engine.disclosure.values.Coerced` value."""
        return cls(
            code=code, number=coerced.number, boolean=coerced.boolean, choice=coerced.choice,
            text=coerced.text, evidence=evidence,
            unit=coerced.unit if coerced.unit in all_output_units() else "",
        )


@dataclass(frozen=True)
class Finding:
    """One breach of a rule: an error blocks submission, a warning needs an acknowledgement."""

    severity: str
    rule: str
    indicator: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    related: tuple[str, ...] = ()
    group: str = ""

    @property
    def key(self) -> str:
        """A stable identifier (rule, indicator and group) that an acknowledgement refers to."""
        key = f"{self.rule}:{self.indicator}"
        return f"{key}:{self.group}" if self.group else key

    @property
    def is_error(self) -> bool:
        """Whether the finding blocks submission."""
        return self.severity == ERROR

    def render(self) -> str:
        """The English sentence with its parameters filled in."""
        try:
            return self.message % self.params
        except (KeyError, TypeError, ValueError):
            return self.message


def has_errors(findings: Iterable[Finding]) -> bool:
    """Whether any finding blocks submission."""
    return any(f.is_error for f in findings)


def pending_warnings(findings: Iterable[Finding], acknowledged: Iterable[str]) -> list[Finding]:
    """The warnings whose key is not among the ``acknowledged`` keys."""
    done = set(acknowledged)
    return [f for f in findings if not f.is_error and f.key not in done]


def raise_for_errors(findings: Iterable[Finding]) -> None:
    """Raise :class:`ValidationFailed` carrying the blocking findings, if there are any."""
    errors = [f for f in findings if f.is_error]
    if errors:
        raise ValidationFailed(errors)



# --- helpers --------------------------------------------------------------------------------------
def error_finding(
    rule: str, indicator: str, message: str, *, related: tuple[str, ...] = (), group: str = "",
    **params: Any,
) -> Finding:
    """A blocking finding of ``rule`` about ``indicator``."""
    return Finding(ERROR, rule, indicator, message, params, related, group)


def warning_finding(
    rule: str, indicator: str, message: str, *, related: tuple[str, ...] = (), group: str = "",
    **params: Any,
) -> Finding:
    """A finding of ``rule`` about ``indicator`` that needs an acknowledgement."""
    return Finding(WARNING, rule, indicator, message, params, related, group)
