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
