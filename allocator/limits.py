"""Shared limits (limits.csv): their effective caps and the candidates they cover."""

from __future__ import annotations

import math
from decimal import Decimal

import polars as pl

from allocator.errors import InputError
from allocator.tree import UnitTree
from models.ruleset import RuleSet


def effective_caps(limits: pl.DataFrame, staff: pl.DataFrame, tree: UnitTree,
                   rs: RuleSet, label: str = "limits.csv") -> pl.DataFrame:
    """Add ``cap``: ``max`` as given, or the count a ``max_share`` leaves (SCENARIO.md).

    With target_title T: floor(share × approved headcount of T's profession in the scope)
    − current holders of T there; with only target_rank R: floor(share × headcount of all
    titles in the scope) − current holders of rank-R titles there; never below 0.
    """
    if limits.height == 0:
        return limits.with_columns(pl.lit(None, pl.Int64).alias("cap"))
    titles = pl.DataFrame(
        {"title": [t.code for t in rs.titles], "profession": [t.profession for t in rs.titles],
         "rank": [t.rank.value for t in rs.titles]}
    )
    staff_in = staff.join(titles, on="title", how="left").join(
        tree.ancestors.select("unit_id", "anc_id"), on="unit_id", how="inner"
    )
    caps: list[int | None] = []
    for row in limits.iter_rows(named=True):
        if row["max"] is not None:
            caps.append(int(row["max"]))
            continue
        share = Decimal(row["max_share"])
        scope = staff_in.filter(pl.col("anc_id") == row["scope_unit_id"])
        if row["target_title"] is not None:
            profession = rs.title(row["target_title"]).profession
            positions = scope.filter(pl.col("profession") == profession)["positions"]
            holders = scope.filter(pl.col("title") == row["target_title"])["holders"].sum()
        else:
            positions = scope["positions"]
            holders = scope.filter(pl.col("rank") == row["target_rank"])["holders"].sum()
        if positions.null_count() and positions.len():
            raise InputError.one(
                "staff.csv", None, "positions",
                f"giới hạn {row['limit_id']} dùng max_share nhưng thiếu biên chế được duyệt",
                f"limit {row['limit_id']} uses max_share but approved headcount is missing",
            )
        total = int(positions.fill_null(0).sum())
        caps.append(max(0, math.floor(share * total) - int(holders)))
    return limits.with_columns(pl.Series("cap", caps, pl.Int64))


def coverage(candidates: pl.DataFrame, limits: pl.DataFrame, tree: UnitTree,
             rs: RuleSet) -> pl.DataFrame:
    """(candidate_id, limit_id) for every candidate a limit covers: unit in the scope's
    subtree, and the target title / the target title's rank matching when given."""
    if limits.height == 0 or candidates.height == 0:
        return pl.DataFrame(schema={"candidate_id": pl.Utf8, "limit_id": pl.Utf8})
    rank_of = {t.code: t.rank.value for t in rs.titles}
    cands = candidates.select(
        "candidate_id", "unit_id", "target_title",
        pl.col("target_title").replace_strict(rank_of, return_dtype=pl.Utf8).alias("_rank"),
    )
    lim = limits.select("limit_id", pl.col("scope_unit_id").alias("anc_id"),
                        pl.col("target_title").alias("_lt"), pl.col("target_rank").alias("_lr"))
    return (
        cands.join(tree.ancestors.select("unit_id", "anc_id"), on="unit_id", how="inner")
        .join(lim, on="anc_id", how="inner")
        .filter((pl.col("_lt").is_null() | (pl.col("_lt") == pl.col("target_title")))
                & (pl.col("_lr").is_null() | (pl.col("_lr") == pl.col("_rank"))))
        .select("candidate_id", "limit_id")
        .unique()
        .sort("candidate_id", "limit_id")
    )
