"""Sealing of the client secrets partners give us (Fernet, keyed from the Django secret key).

The key is derived from ``SECRET_KEY`` (and its fallbacks, so a rotation keeps old secrets
readable until they are re-entered); a sealed secret is never shown again, only used to call
the partner.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_PURPOSE = b"czesg.supplychain.pact-partner-secret\x00"


def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(_PURPOSE + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(secret: str) -> str:
    """The secret encrypted and authenticated with the current key."""
    return _box().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The secret of a sealed value, or None when no current or fallback key opens it."""
    try:
        return _box().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
