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


class LocalName(str):
    """A name given to a message as a parameter: reads Chinese, and carries its English twin, so
    that the page or API rendering the message in the reader's language can pick the right one."""

    en: str

    def __new__(cls, zh: str, en: str) -> LocalName:
        """The Chinese name ``zh`` with its English twin ``en``."""
        name = super().__new__(cls, zh)
        name.en = en
        return name

    def name(self, lang: str = "zh-hans") -> str:
        """The name in the given language (English for ``en*``, otherwise Chinese)."""
        return self.en if is_english(lang) else str(self)


def localized(params: dict, lang: str) -> dict:
    """``params`` with every :class:`LocalName` replaced by its name in ``lang``."""
    return {k: v.name(lang) if isinstance(v, LocalName) else v for k, v in params.items()}
