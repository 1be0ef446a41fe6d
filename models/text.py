"""Normalising the words people type into spreadsheets (case, diacritics, spacing)."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

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


def natural(column: str) -> list[pl.Expr]:
    """Sort keys that order ids as people count them ('DB2' before 'DB10', '9' before
    '10'): the text before the trailing number, the number, then the id itself."""
    c = pl.col(column)
    return [c.str.replace(r"\d+$", "").alias(f"_{column}_stem"),
            c.str.extract(r"(\d+)$", 1).cast(pl.Int64, strict=False).alias(f"_{column}_n"),
            c]
