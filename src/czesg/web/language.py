"""The language a request is served in."""

from __future__ import annotations

from django.utils.translation import get_language

DEFAULT_LANGUAGE = "zh-hans"


def language() -> str:
    """The active language code (Simplified Chinese when none is active, e.g. outside a request)."""
    return get_language() or DEFAULT_LANGUAGE
