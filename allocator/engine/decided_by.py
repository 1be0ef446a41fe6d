"""Why a candidate did not win: ``decided_by`` of decisions.csv.

For a candidate excluded by its pool's quota: the first priority criterion on which it
loses to the weakest winner of its pool (the lowest-priority candidate who is selected or
shares an escalated seat). Excluded by a shared limit: ``limit:<limit_id>``; by the
budget: ``budget``; a pool with no seat, or no criterion telling the two apart: ``quota``;
a tie settled by the managing agency: ``authority``.
"""

from __future__ import annotations

import polars as pl

from allocator.engine.pools import key_columns
from models.enums import Criterion
from models.ruleset import RuleSet

POOL = "_pool"


def _criterion_of(column: str) -> str:
    if column.startswith("_k_birth"):
        return Criterion.older.value
    if column.startswith("_k_achievement"):
        return Criterion.achievement.value
    return column.removeprefix("_k_")


def add_decided_by(frame: pl.DataFrame, rs: RuleSet) -> pl.DataFrame:
    """Add ``decided_by`` to the eligible candidates.

    ``frame`` needs ``status``, ``_pool``, ``quota``, ``_blocker`` ("quota", "limit:<id>",
    "budget", "authority" or null) and the ``_k_*`` key columns.
    """
    keys = [k for k in key_columns(rs) if k != "_k_birth_hi"]
    winners = frame.filter(pl.col("status").is_in(["selected", "escalated"]))
    weakest = (
        winners.sort([POOL, *keys], descending=False, maintain_order=True)
        .group_by(POOL, maintain_order=True)
        .last()
        .select(POOL, *[pl.col(k).alias(f"{k}__w") for k in keys])
    )
    frame = frame.join(weakest, on=POOL, how="left", maintain_order="left")
    criterion: pl.Expr = pl.lit(None, pl.Utf8)
    for k in reversed(keys):
        worse = pl.col(k) > pl.col(f"{k}__w")
        better = pl.col(k) < pl.col(f"{k}__w")
        criterion = (pl.when(worse).then(pl.lit(_criterion_of(k)))
                     .when(better).then(pl.lit(None, pl.Utf8))
                     .otherwise(criterion))
    by_pool = pl.coalesce(criterion, pl.lit("quota"))
    value = (
        pl.when(pl.col("status") != "not_selected").then(pl.lit(None, pl.Utf8))
        .when(pl.col("_blocker").is_in(["authority", "budget"])).then(pl.col("_blocker"))
        .when(pl.col("_blocker").str.starts_with("limit:")).then(pl.col("_blocker"))
        .when(pl.col("quota") == 0).then(pl.lit("quota"))
        .otherwise(by_pool)
    )
    return frame.with_columns(value.alias("decided_by")).drop(
        [f"{k}__w" for k in keys]
    )
