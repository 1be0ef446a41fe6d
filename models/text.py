"""Normalising the words people type into spreadsheets (case, diacritics, spacing)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\-]+")


def fold(text: str) -> str:
    """Lower-case ASCII skeleton of a Vietnamese phrase: 'Hoàn thành Tốt' -> 'hoan thanh tot'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.strip().lower())


def key(text: str) -> str:
    """Identifier form of a phrase: 'Trung cấp' -> 'trung_cap'."""
    return fold(text).replace(" ", "_")
