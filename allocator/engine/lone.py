"""Lone pools (a pool coupled to nothing): the exact cut of :mod:`allocator.solve.cutoff`,
then the managing agency's rulings and the pool's tie group."""

from __future__ import annotations

import numpy as np
import polars as pl

from allocator.engine.components import POOL
from allocator.engine.frames import order_code
from allocator.engine.pools import key_columns
from allocator.solve.cutoff import LonePools, cut
from models.enums import Criterion, Status, TieReason
from models.result import TieGroup
from models.ruleset import RuleSet

CODE_STATUS = {1: Status.selected.value, 0: Status.not_selected.value,
               2: Status.escalated.value}
STATUS_SCHEMA = {"candidate_id": pl.Utf8, "status": pl.Utf8, "_blocker": pl.Utf8,
                 "_group": pl.Utf8}


def decide_lone(lone: pl.DataFrame, quota_of: pl.DataFrame, rs: RuleSet,
                forced: dict[str, int]) -> tuple[pl.DataFrame, list[TieGroup]]:
    """Statuses (candidate_id, status, _blocker, _group) of the lone pools' candidates and
    their tie groups; a ruling fixes its group's members and leaves no group."""
    if lone.height == 0:
        return pl.DataFrame(schema=STATUS_SCHEMA), []
    cut_frame = _cut(lone, quota_of, rs)
    if forced:
        cut_frame = _ruled(cut_frame, forced)
    else:
        cut_frame = cut_frame.with_columns(pl.lit(None, pl.Utf8).alias("_blocker"))
    statuses = cut_frame.select("candidate_id", "status", "_blocker",
                                pl.col("_tie").alias("_group"))
    return statuses, _groups(cut_frame, quota_of)


def _cut(lone: pl.DataFrame, quota_of: pl.DataFrame, rs: RuleSet) -> pl.DataFrame:
    """candidate_id, _pool, status, _tie (the pool, for the escalated), _incomplete_tie."""
    keys = key_columns(rs)
    if Criterion.older in rs.priority:
        pos = keys.index("_k_birth_lo")
        before, after = keys[:pos], keys[pos + 2:]
        lo, hi = pl.col("_k_birth_lo"), pl.col("_k_birth_hi")
    else:
        before, after = keys, []
        lo = hi = pl.lit(0, pl.Int64)
    seats = quota_of.select(POOL, "quota").with_row_index("_pool_index")
    frame = lone.select("candidate_id", POOL, *before, *after, lo.alias("_lo"),
                        hi.alias("_hi")).join(seats.select(POOL, "_pool_index"), on=POOL,
                                              how="left", maintain_order="left")
    code = cut(LonePools(
        pool=frame["_pool_index"].to_numpy().astype(np.int64),
        quota=seats["quota"].to_numpy().astype(np.int64),
        before=_order_code(frame, before),
        birth_lo=frame["_lo"].to_numpy().astype(np.int64),
        birth_hi=frame["_hi"].to_numpy().astype(np.int64),
        after=_order_code(frame, after),
    ))
    out = frame.select(
        "candidate_id", POOL,
        pl.Series("status", code).replace_strict(CODE_STATUS, return_dtype=pl.Utf8),
        (pl.col("_lo") == pl.col("_hi")).alias("_complete"),
    )
    escalated = pl.col("status") == Status.escalated.value
    incomplete_pools = out.filter(escalated & ~pl.col("_complete"))[POOL].unique()
    return out.select(
        "candidate_id", POOL, "status",
        pl.when(escalated).then(pl.col(POOL)).alias("_tie"),
        (escalated & pl.col(POOL).is_in(incomplete_pools.implode())).alias("_incomplete_tie"),
    )


def _order_code(frame: pl.DataFrame, cols: list[str]) -> np.ndarray:
    """One integer per row that orders (and equates) rows as the columns do together: a
    mixed-radix number while it fits in 62 bits, a dense rank otherwise."""
    if not cols:
        return np.zeros(frame.height, np.int64)
    code = order_code(frame, cols)
    if code is None:
        code = pl.struct(cols).rank("dense")
    return frame.select(code).to_series().to_numpy().astype(np.int64)


def _ruled(cut_frame: pl.DataFrame, forced: dict[str, int]) -> pl.DataFrame:
    """The managing agency's rulings applied: selected or rejected, in no group."""
    fixed = pl.DataFrame({"candidate_id": list(forced), "_forced": list(forced.values())},
                         schema={"candidate_id": pl.Utf8, "_forced": pl.Int64})
    out = cut_frame.join(fixed, on="candidate_id", how="left", maintain_order="left")
    return out.with_columns(
        pl.when(pl.col("_forced") == 1).then(pl.lit(Status.selected.value))
        .when(pl.col("_forced") == 0).then(pl.lit(Status.not_selected.value))
        .otherwise(pl.col("status")).alias("status"),
        pl.when(pl.col("_forced").is_not_null()).then(pl.lit(None, pl.Utf8))
        .otherwise(pl.col("_tie")).alias("_tie"),
        pl.when(pl.col("_forced") == 0).then(pl.lit("authority")).alias("_blocker"),
    ).drop("_forced")


def _groups(cut_frame: pl.DataFrame, quota_of: pl.DataFrame) -> list[TieGroup]:
    """One tie group per lone pool with escalated candidates: the seats left after the
    sure winners."""
    esc = cut_frame.filter(pl.col("_tie").is_not_null())
    if esc.height == 0:
        return []
    sel_of = dict(cut_frame.filter(pl.col("status") == Status.selected.value)
                  .group_by(POOL).len().iter_rows())
    q_of = dict(quota_of.iter_rows())
    groups = []
    for (tie,), part in esc.group_by("_tie", maintain_order=True):
        members = tuple(sorted(part["candidate_id"].to_list()))
        reason = (TieReason.incomplete_birth_date if part["_incomplete_tie"].any()
                  else TieReason.exact_tie)
        groups.append(TieGroup(str(tie), members, int(q_of[tie]) - sel_of.get(tie, 0),
                               (str(tie),), reason))
    return groups
