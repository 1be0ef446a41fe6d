"""Small frame helpers shared by the stages."""

from __future__ import annotations

import polars as pl


def attach(frame: pl.DataFrame, other: pl.DataFrame, on: str | list[str],
           columns: list[str] | None = None) -> pl.DataFrame:
    """``frame`` with ``other``'s columns looked up by key (a left join, row order kept).

    Only the key columns of ``frame`` take part in the join, so a wide frame is never
    copied; ``other`` must have unique keys.
    """
    keys = [on] if isinstance(on, str) else on
    columns = columns or [c for c in other.columns if c not in keys]
    looked_up = frame.select(keys).join(other.select(*keys, *columns), on=keys, how="left",
                                        maintain_order="left")
    return frame.with_columns(looked_up.select(columns))


MAX_RADIX = 1 << 62


def order_code(frame: pl.DataFrame, cols: list[str]) -> pl.Expr | None:
    """One Int64 expression that orders (and equates) rows exactly as the columns do
    together, lexicographically: a mixed-radix number of the columns (each offset by its
    least value). None when it would not fit in 62 bits or a column has a null."""
    if not cols:
        return pl.lit(0, pl.Int64)
    stats = frame.select(*[pl.col(c).min().alias(f"{c}:lo") for c in cols],
                         *[pl.col(c).max().alias(f"{c}:hi") for c in cols],
                         *[pl.col(c).null_count().alias(f"{c}:nulls") for c in cols]).row(0)
    k = len(cols)
    lows, highs, nulls = stats[:k], stats[k:2 * k], stats[2 * k:]
    if any(nulls) or any(lo is None for lo in lows):
        return None
    spans = [int(hi) - int(lo) + 1 for lo, hi in zip(lows, highs, strict=True)]
    product = 1
    for span in spans:
        product *= span
    if product >= MAX_RADIX:
        return None
    expr: pl.Expr = pl.lit(0, pl.Int64)
    for c, lo, span in zip(cols, lows, spans, strict=True):
        expr = expr * span + (pl.col(c).cast(pl.Int64) - int(lo))
    return expr
