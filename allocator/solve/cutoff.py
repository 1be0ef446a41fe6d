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

from allocator.engine.pools import key_columns
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
        lo_col, hi_col = pl.col("_k_birth_lo"), pl.col("_k_birth_hi")
    else:
        before, after = keys, []
        lo_col, hi_col = pl.lit(0, pl.Int64), pl.lit(0, pl.Int64)
    frame = (
        lone.select("candidate_id", POOL, *before, *after,
                    lo_col.alias("_lo"), hi_col.alias("_hi"))
        .join(quota_of, on=POOL, how="left")
        .with_columns((pl.col("_lo") == pl.col("_hi")).alias("_complete"))
        .sort([POOL, *before, "_lo", pl.col("_complete").not_(), *after, "candidate_id"])
    )
    n = frame.height
    idx = np.arange(n, dtype=np.int64)
    pool_start, _ = _blocks(frame, [POOL])
    group_start, group_end = _blocks(frame, [POOL, *before])
    same_start, same_end = _blocks(frame, [POOL, *before, "_lo", "_complete"])
    equal_start, equal_end = _blocks(frame, [POOL, *before, "_lo", "_complete", *after])
    complete = frame["_complete"].to_numpy()
    lo = frame["_lo"].to_numpy().astype(np.int64)
    hi = frame["_hi"].to_numpy().astype(np.int64)
    # Within a group: how many are surely older (their latest possible birth date is before
    # x's earliest) and surely younger. Keys combine the group number and the date so that
    # one sorted array answers for every group at once.
    gid = np.cumsum(group_start == idx) - 1
    base = min(int(lo.min()), int(hi.min())) - 1
    span = max(int(lo.max()), int(hi.max())) - base + 2
    sorted_hi = np.sort(gid * span + (hi - base))
    sorted_lo = np.sort(gid * span + (lo - base))
    surely_older = np.searchsorted(sorted_hi, gid * span + (lo - base), side="left") - group_start
    surely_younger = group_end - np.searchsorted(sorted_lo, gid * span + (hi - base),
                                                 side="right")
    # Same complete birth date: the later criteria decide; exact ties stay ties.
    later_better = np.where(complete, equal_start - same_start, 0)
    later_worse = np.where(complete, same_end - equal_end, 0)
    better_groups = group_start - pool_start
    surely_above = better_groups + surely_older + later_better
    maybe_above = better_groups + (group_end - group_start) - 1 - surely_younger - later_worse
    quota = frame["quota"].to_numpy()
    # Small codes, named by polars: a numpy array of strings converts slowly.
    code = np.where(maybe_above < quota, 0, np.where(surely_above >= quota, 1, 2))
    out = frame.select("candidate_id", POOL).with_columns(
        pl.Series("status", code, pl.Int8).replace_strict(
            {0: "selected", 1: "not_selected", 2: "escalated"}, return_dtype=pl.Utf8),
        pl.Series("_complete", complete, pl.Boolean),
    )
    escalated = pl.col("status") == "escalated"
    incomplete_pools = out.filter(escalated & ~pl.col("_complete"))[POOL].unique()
    return out.select(
        "candidate_id",
        "status",
        pl.when(escalated).then(pl.col(POOL)).alias("_tie"),
        (escalated & pl.col(POOL).is_in(incomplete_pools.implode())).alias("_incomplete_tie"),
    )


def _blocks(frame: pl.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For a frame sorted by ``cols``: each row's block start and block end (exclusive)."""
    n = frame.height
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    new = frame.select(
        pl.any_horizontal([pl.col(c).ne_missing(pl.col(c).shift(1)) for c in cols])
        .fill_null(True)
    ).to_series().to_numpy()
    new[0] = True
    idx = np.arange(n, dtype=np.int64)
    start = np.maximum.accumulate(np.where(new, idx, 0))
    last = np.empty(n, dtype=bool)
    last[:-1] = new[1:]
    last[-1] = True
    end = np.minimum.accumulate(np.where(last, idx + 1, n)[::-1])[::-1]
    return start, end
