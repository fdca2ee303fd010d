"""The API's authentication checks. A bearer token is looked up by the access app's middleware,
which sets ``request.api_token`` (and ``request.user``); these checks only read that attribute,
so this module imports no app."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` (declared as the ``BearerToken`` scheme in the OpenAPI).
    The access app's middleware has already looked the token up; this check only reads it and
    requires ``scope`` (if any) among the scopes the token grants today."""

    def __init__(self, scope: str | None) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str):
        """The token the middleware found, if it grants this check's scope."""
        found = getattr(request, "api_token", None)
        if found is None:
            return None
        if self.scope is None or self.scope in found.effective_scopes:
            return found
        return None


token_write = BearerToken("write")
token_read = BearerToken(None)  # any valid token reads


class SessionOnly(SessionAuth):
    """Cookie sessions (with CSRF); never a request that came with a bearer token, so that a
    token's scopes cannot be bypassed through the session fallback."""

    def authenticate(self, request: HttpRequest, key):
        """The signed-in user, unless the request came with a bearer token."""
        if getattr(request, "api_token", None) is not None:
            return None
        return super().authenticate(request, key)


session_auth = SessionOnly()
# A write: a bearer token with the write scope, or a signed-in session with CSRF.
WRITE_AUTH = [token_write, session_auth]
# A read of the caller's own data: a bearer token with the read scope, or a signed-in session.
READ_AUTH = [token_read, session_auth]
