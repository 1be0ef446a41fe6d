"""Lone pools: the exact sort and cut, vectorised over every lone pool at once.

With only a quota ``q``, candidate x wins in every priority-optimal allocation when fewer
than ``q`` others could rank at or above it, and in none when at least ``q`` others rank
strictly above it in every reading of the data; otherwise x shares the last seats with
its equals and is escalated.

Birth dates known only to the year (or month) are intervals: two candidates equal on the
criteria before ``older`` whose intervals overlap, one of them incomplete, can go either
way, and no later criterion may order them (SCENARIO.md "Incomplete data"). The counts
below take every such pair both ways, which is exact for a pool: the worst reading for x
puts every undecided rival above it, and that reading is consistent.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from allocator.pools import key_columns
from models.enums import Criterion
from models.ruleset import RuleSet

POOL = "_pool"


def decide(lone: pl.DataFrame, quota_of: pl.DataFrame, rs: RuleSet) -> pl.DataFrame:
    """Statuses for the eligible candidates of lone pools.

    ``lone`` carries ``candidate_id``, ``_pool`` and the ``_k_*`` keys; ``quota_of`` maps
    ``_pool`` to ``quota``. Returns candidate_id, status, _tie (pool key for escalated
    candidates, else null) and _incomplete_tie (the tie involves an incomplete birth date).
    """
    schema = {"candidate_id": pl.Utf8, "status": pl.Utf8, "_tie": pl.Utf8,
              "_incomplete_tie": pl.Boolean}
    if lone.height == 0:
        return pl.DataFrame(schema=schema)
    keys = key_columns(rs)
    if Criterion.older in rs.priority:
        pos = keys.index("_k_birth_lo")
        before, after = keys[:pos], keys[pos + 2:]
        frame = lone.with_columns(pl.col("_k_birth_lo").alias("_lo"),
                                  pl.col("_k_birth_hi").alias("_hi"))
    else:
        before, after = keys, []
        frame = lone.with_columns(pl.lit(0, pl.Int64).alias("_lo"), pl.lit(0, pl.Int64)
                                  .alias("_hi"))
    frame = frame.join(quota_of, on=POOL, how="left").with_columns(
        (pl.col("_lo") == pl.col("_hi")).alias("_complete")
    )
    group = [POOL, *before]
    before_rank = (pl.struct(before).rank("min").over(POOL) - 1) if before else pl.lit(0)
    frame = frame.with_columns(
        before_rank.cast(pl.Int64).alias("_better_groups"),
        pl.struct(group).rank("dense").cast(pl.Int64).alias("_gid"),
        pl.len().over(group).cast(pl.Int64).alias("_gsize"),
    )
    # Within a group: interval comparisons on the birth dates.
    lo = frame["_lo"].to_numpy().astype(np.int64)
    hi = frame["_hi"].to_numpy().astype(np.int64)
    gid = frame["_gid"].to_numpy().astype(np.int64)
    base = min(int(lo.min()), int(hi.min())) - 1
    span = max(int(lo.max()), int(hi.max())) - base + 2
    key_lo = gid * span + (lo - base)
    key_hi = gid * span + (hi - base)
    sorted_hi = np.sort(key_hi)
    sorted_lo = np.sort(key_lo)
    group_start = np.searchsorted(sorted_hi, gid * span, side="left")
    group_end = np.searchsorted(sorted_lo, (gid + 1) * span, side="left")
    surely_older = np.searchsorted(sorted_hi, key_lo, side="left") - group_start
    surely_younger = group_end - np.searchsorted(sorted_lo, key_hi, side="right")
    frame = frame.with_columns(
        pl.Series("_surely_older", surely_older),
        pl.Series("_surely_younger", surely_younger),
    )
    # Same complete birth date: the later criteria decide, exact ties stay ties.
    same = [*group, "_lo"]
    if after:
        s = pl.struct(after)
        rank_min = s.rank("min").over([*same, "_complete"]).cast(pl.Int64)
        rank_max = s.rank("max").over([*same, "_complete"]).cast(pl.Int64)
        n_same = pl.len().over([*same, "_complete"]).cast(pl.Int64)
        later_better = pl.when(pl.col("_complete")).then(rank_min - 1).otherwise(0)
        later_worse = pl.when(pl.col("_complete")).then(n_same - rank_max).otherwise(0)
    else:
        later_better = pl.lit(0, pl.Int64)
        later_worse = pl.lit(0, pl.Int64)
    frame = frame.with_columns(
        (pl.col("_better_groups") + pl.col("_surely_older") + later_better)
        .alias("_surely_above"),
        (pl.col("_better_groups") + pl.col("_gsize") - 1 - pl.col("_surely_younger")
         - later_worse).alias("_maybe_above"),
    )
    status = (
        pl.when(pl.col("_maybe_above") < pl.col("quota")).then(pl.lit("selected"))
        .when(pl.col("_surely_above") >= pl.col("quota")).then(pl.lit("not_selected"))
        .otherwise(pl.lit("escalated"))
    )
    frame = frame.with_columns(status.alias("status"))
    escalated = pl.col("status") == "escalated"
    return frame.select(
        "candidate_id",
        "status",
        pl.when(escalated).then(pl.col(POOL)).alias("_tie"),
        (escalated & (~pl.col("_complete")).any().over([POOL, "status"])).alias(
            "_incomplete_tie"),
    )
