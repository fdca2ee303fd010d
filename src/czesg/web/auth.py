"""The API's authentication checks. A bearer token is looked up by the access app's middleware,
which sets ``request.api_token`` (and ``request.user``); these checks only read that attribute,
so this module imports no app."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import SessionAuth


def token_write(request: HttpRequest):
    """Authenticates a write made with a bearer token that carries the write scope."""
    token = getattr(request, "api_token", None)
    if token is not None and "write" in token.scopes:
        return token
    return None


def token_read(request: HttpRequest):
    """Authenticates a request made with any valid bearer token."""
    return getattr(request, "api_token", None)


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
# A read of the caller's own data: any bearer token, or a signed-in session.
READ_AUTH = [token_read, session_auth]
