"""The exceptions that the czesg engine raises.

Every refusal of the domain is a subclass of :class:`CzesgError`. Each carries a stable
``code`` (for API problem responses and tests), a message template in English that is marked for
translation by the web layer, and the parameters that fill it, so that a user sees a specific,
translated sentence naming the field, row or cell at fault.

Hierarchy::

    CzesgError
      DataFileError            a declarative data file under czesg/data is malformed
      UnitError                a unit is unknown or does not fit the indicator
      IdentifierError          a unified social credit code (USCC) is malformed
      CatalogueError           an indicator code is unknown or a value does not fit its type
      ValidationFailed         a disclosure holds errors (carries a list of findings)
      LedgerError              the audit chain is broken
      PermissionRefused        the actor may not do this (action layer)
      StateConflict            the object is in a state that forbids the change (e.g. published)
      NotFound                 the object does not exist or is not visible to the actor

Each kind declares the HTTP status it answers with (``http_status``: 400 unless it says otherwise);
the web layer turns them into problem documents and translated text in one place
(``czesg.web.problems``).
"""

from __future__ import annotations

from typing import Any


def gettext_noop(message: str) -> str:
    """Mark an English message for translation without importing Django (xgettext keyword)."""
    return message


class CzesgError(Exception):
    """Base class of every domain refusal; ``message % params`` is the English sentence."""

    code = "error"
    message = gettext_noop("The request was refused.")
    http_status = 400

    def __init__(self, message: str | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.render())

    def render(self) -> str:
        """The English sentence with its parameters filled in."""
        try:
            return self.message % self.params
        except (KeyError, TypeError, ValueError):
            return self.message


class DataFileError(CzesgError):
    """A data file is malformed; ``params`` names the file, row and field."""

    code = "data_file_invalid"
    http_status = 422
    message = gettext_noop("%(file)s, row %(row)s, field %(field)s: %(reason)s")

    def __init__(self, *, file: str, row: int | str, field: str, reason: str) -> None:
        super().__init__(file=file, row=row, field=field, reason=reason)


class UnitError(CzesgError):
    """A unit is unknown or incompatible with the expected one."""

    code = "unit_invalid"
    http_status = 422


class IdentifierError(CzesgError):
    """A unified social credit code is malformed or fails its check character."""

    code = "uscc_invalid"
    http_status = 422


class CatalogueError(CzesgError):
    """An indicator code is unknown or a value does not fit the indicator's data type."""

    code = "indicator_invalid"
    http_status = 422


class ValidationFailed(CzesgError):
    """A disclosure holds blocking errors; ``findings`` lists them."""

    code = "validation_failed"
    http_status = 422
    message = gettext_noop("The disclosure has %(count)s error(s).")

    def __init__(self, findings: list[Any]) -> None:
        self.findings = findings
        super().__init__(count=len(findings))


class LedgerError(CzesgError):
    """The audit hash chain is broken at an entry."""

    code = "ledger_broken"


class PermissionRefused(CzesgError):
    """The actor's role or membership does not allow the action."""

    code = "permission_denied"
    http_status = 403
    message = gettext_noop("You do not have permission to do this.")


class StateConflict(CzesgError):
    """The object's state forbids the change (a published disclosure is immutable)."""

    code = "state_conflict"
    http_status = 409


class NotFound(CzesgError):
    """The object does not exist, or the actor may not know that it exists."""

    code = "not_found"
    http_status = 404
    message = gettext_noop("Not found.")
