"""Names kept in Simplified Chinese and English, chosen by the reader's language."""

from __future__ import annotations


def is_english(lang: str | None) -> bool:
    """Whether a Django language code asks for English (everything else reads Chinese)."""
    return lang is not None and lang.startswith("en")


class Bilingual:
    """Mixin for data with ``name_zh`` and ``name_en``: ``name(lang)`` picks the right one."""

    __slots__ = ()
    name_zh: str
    name_en: str

    def name(self, lang: str = "zh-hans") -> str:
        """The name in the given language (English for ``en*``, otherwise Chinese)."""
        return self.name_en if is_english(lang) else self.name_zh
