"""Stage 4 — pools and priority.

A candidate's pool is (agency, target title) for the nearest agency at or above the
candidate's unit that holds a quota for that title (SCENARIO.md). The priority key is
the rule set's order (DOMAIN.md §4), encoded as integer columns where smaller is better.
"""

from __future__ import annotations

import polars as pl

from allocator.engine.frames import attach
from models.enums import Criterion
from models.ruleset import RuleSet
from models.tree import UnitTree

EPOCH_DAYS = pl.Int64


def assign_pools(candidates: pl.DataFrame, quotas: pl.DataFrame, tree: UnitTree) -> pl.DataFrame:
    """Add ``agency_id``: the nearest agency at or above the unit with a quota for the title."""
    pairs = candidates.select("unit_id", "target_title").unique()
    found = (
        pairs.join(tree.ancestors, on="unit_id", how="inner")
        .join(quotas.select(pl.col("agency_id").alias("anc_id"), "target_title"),
              on=["anc_id", "target_title"], how="inner")
        .sort("dist")
        .group_by(["unit_id", "target_title"], maintain_order=True)
        .first()
        .select("unit_id", "target_title", pl.col("anc_id").alias("agency_id"))
    )
    return attach(candidates, found, ["unit_id", "target_title"], ["agency_id"])


def key_columns(rs: RuleSet) -> list[str]:
    """Names of the integer key columns in priority order (smaller = higher priority)."""
    cols: list[str] = []
    for c in rs.priority:
        if c is Criterion.older:
            cols += ["_k_birth_lo", "_k_birth_hi"]
        elif c is Criterion.achievement and rs.achievement_compare == "level_then_count":
            cols += ["_k_achievement", "_k_achievement_count"]
        else:
            cols.append(f"_k_{c.value}")
    return cols


def add_priority_key(frame: pl.DataFrame, rs: RuleSet) -> pl.DataFrame:
    """Add the ``_k_*`` key columns (smaller is better on each)."""
    ladder = {a.code: i for i, a in enumerate(rs.achievement_levels)}
    return frame.with_columns(
        pl.col("achievement").replace_strict(ladder, default=len(ladder),
                                             return_dtype=pl.Int64).alias("_k_achievement"),
        (-pl.col("achievement_count")).alias("_k_achievement_count"),
        (pl.col("sex") != "female").cast(pl.Int64).alias("_k_female"),
        (~pl.col("ethnic_minority")).cast(pl.Int64).alias("_k_ethnic_minority"),
        pl.col("birth_lo").cast(pl.Int64).alias("_k_birth_lo"),
        pl.col("birth_hi").cast(pl.Int64).alias("_k_birth_hi"),
        pl.col("service_start").cast(pl.Int64).alias("_k_longer_service"),
    )


def coarsen_incomplete_births(frame: pl.DataFrame, rs: RuleSet,
                              over: list[str]) -> pl.DataFrame:
    """Make candidates whose birth dates cannot be ordered exact ties from ``older`` on.

    Within groups equal on the criteria before ``older``, birth intervals that overlap and
    include an incomplete date (year or year-month only) form a cluster; its members get
    the same ``older`` value and no later criterion, so no guess and no later criterion
    ever orders them (SCENARIO.md "Incomplete data"). Used for the priority ranks; the
    decisions themselves go through :func:`birth_extremes`.
    """
    if Criterion.older not in rs.priority or not frame.select(
            (pl.col("_k_birth_lo") != pl.col("_k_birth_hi")).any()).item():
        return frame
    keys = key_columns(rs)
    pos = keys.index("_k_birth_lo")
    before, after = keys[:pos], keys[pos + 2:]
    group = [*over, *before]
    frame = _clustered(frame, group).with_columns(
        pl.col("_k_birth_lo").min().over([*group, "_cluster"]).alias("_cluster_lo"))
    coarse = pl.col("_cluster_incomplete")
    return frame.with_columns(
        pl.when(coarse).then(pl.col("_cluster_lo")).otherwise(pl.col("_k_birth_lo"))
        .alias("_k_birth_lo"),
        pl.when(coarse).then(pl.col("_cluster_lo")).otherwise(pl.col("_k_birth_hi"))
        .alias("_k_birth_hi"),
        *[pl.when(coarse).then(0).otherwise(pl.col(c)).alias(c) for c in after],
    ).drop("_cluster", "_cluster_incomplete", "_cluster_lo")


def _clustered(frame: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    """Sorted by birth interval within ``group``, with ``_cluster`` (runs of overlapping
    intervals) and ``_cluster_incomplete`` (the run holds an incomplete date)."""
    frame = frame.sort([*group, "_k_birth_lo", "_k_birth_hi"], maintain_order=True)
    prev_hi = pl.col("_k_birth_hi").cum_max().shift(1).over(group)
    return frame.with_columns(
        (prev_hi.is_null() | (pl.col("_k_birth_lo") > prev_hi)).cast(pl.Int64)
        .cum_sum().over(group).alias("_cluster")
    ).with_columns(
        (pl.col("_k_birth_lo") != pl.col("_k_birth_hi")).any().over([*group, "_cluster"])
        .alias("_cluster_incomplete"))


def birth_extremes(frame: pl.DataFrame, rs: RuleSet, over: list[str],
                   ) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Two exact orders of candidates whose birth dates are incomplete: each one as early as
    its record allows (above every peer whose date falls in its interval) and as late.

    Returns ``(earliest, latest)`` frames whose birth key columns hold the placement, plus
    ``_amb`` (the cluster of peers whose order with an incomplete date is unknown, null
    elsewhere) and ``_f_lo``, ``_f_hi``, ``_f_after`` (each one's own interval and later
    criteria); None when no birth date is incomplete.
    """
    if Criterion.older not in rs.priority or not frame.select(
            (pl.col("_k_birth_lo") != pl.col("_k_birth_hi")).any()).item():
        return None
    keys = key_columns(rs)
    pos = keys.index("_k_birth_lo")
    before, after = keys[:pos], keys[pos + 2:]
    group = [*over, *before]
    frame = _clustered(frame.with_columns(
        pl.col("_k_birth_lo").alias("_f_lo"), pl.col("_k_birth_hi").alias("_f_hi"),
        pl.concat_list([pl.col(c).cast(pl.Int64) for c in after]).alias("_f_after")
        if after else pl.lit([], pl.List(pl.Int64)).alias("_f_after"),
    ), group)
    frame = frame.with_columns(
        pl.when(pl.col("_cluster_incomplete"))
        .then(pl.struct([*group, "_cluster"]).rank("dense")).cast(pl.Int64).alias("_amb"),
    ).drop("_cluster", "_cluster_incomplete")
    incomplete = (pl.col("_f_lo") != pl.col("_f_hi")).cast(pl.Int64)
    earliest = 2 * pl.col("_f_lo") - incomplete
    latest = 2 * pl.col("_f_hi") + incomplete
    # An incomplete date is never ordered by a later criterion: placed alike, they tie.
    no_later = [pl.when(incomplete == 1).then(0).otherwise(pl.col(c)).alias(c) for c in after]
    return (
        frame.with_columns(earliest.alias("_k_birth_lo"), earliest.alias("_k_birth_hi"),
                           *no_later),
        frame.with_columns(latest.alias("_k_birth_lo"), latest.alias("_k_birth_hi"),
                           *no_later),
    )
