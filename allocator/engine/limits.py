"""Shared limits (limits.csv): their effective caps and the candidates they cover."""

from __future__ import annotations

import math
from decimal import Decimal

import polars as pl

from models.errors import InputError
from models.ruleset import RuleSet
from models.tree import UnitTree


def effective_caps(limits: pl.DataFrame, staff: pl.DataFrame, tree: UnitTree,
                   rs: RuleSet) -> pl.DataFrame:
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
    profession_of = {t.code: t.profession for t in rs.titles}
    shared = limits.with_row_index("_i").filter(pl.col("max").is_null())
    sums: dict[int, tuple[int, int, int, int]] = {}
    if shared.height:
        # One join for all share limits: every (limit, staff row in its scope), then the
        # positions of the limit's profession (or of all titles) and the holders of its
        # title (or of its rank), summed per limit.
        staff_in = staff.join(titles, on="title", how="left").join(
            tree.ancestors.select("unit_id", "anc_id"), on="unit_id", how="inner")
        lim = shared.select(
            "_i", pl.col("scope_unit_id").alias("anc_id"), pl.col("target_title").alias("_lt"),
            pl.col("target_rank").alias("_lr"),
            pl.col("target_title").replace_strict(profession_of, default=None,
                                                  return_dtype=pl.Utf8).alias("_lp"))
        pos = pl.col("_lt").is_null() | (pl.col("profession") == pl.col("_lp"))
        held = pl.when(pl.col("_lt").is_not_null()).then(pl.col("title") == pl.col("_lt")) \
            .otherwise(pl.col("rank") == pl.col("_lr"))
        agg = (lim.join(staff_in, on="anc_id", how="inner")
               .with_columns(pos.fill_null(False).alias("_pos"),
                             held.fill_null(False).alias("_held"))
               .group_by("_i")
               .agg(pl.col("positions").filter(pl.col("_pos")).fill_null(0).sum().alias("total"),
                    pl.col("positions").filter(pl.col("_pos")).null_count().alias("nulls"),
                    pl.col("_pos").sum().alias("n"),
                    pl.col("holders").filter(pl.col("_held")).sum().alias("holders")))
        sums = {int(i): (int(t), int(nu), int(n), int(h)) for i, t, nu, n, h in agg.iter_rows()}
    caps: list[int | None] = []
    for i, row in enumerate(limits.iter_rows(named=True)):
        if row["max"] is not None:
            caps.append(int(row["max"]))
            continue
        total, nulls, n, holders = sums.get(i, (0, 0, 0, 0))
        if nulls and n:
            raise InputError.one(
                "staff.csv", None, "positions",
                f"giới hạn {row['limit_id']} dùng max_share nhưng thiếu biên chế được duyệt",
                f"limit {row['limit_id']} uses max_share but approved headcount is missing",
            )
        share = Decimal(row["max_share"])  # exact: floor of a decimal share of a count
        caps.append(max(0, math.floor(share * total) - holders))
    return limits.with_columns(pl.Series("cap", caps, pl.Int64))


def level_caps(positions: pl.DataFrame, staff: pl.DataFrame, rs: RuleSet,
               like: pl.DataFrame) -> pl.DataFrame:
    """The caps Decree 232/2026 Art. 10 derives, as limits of the frame ``like`` (with its
    ``cap``): for each row of positions.csv and each level L it uses with a share,
    ``max(0, floor(share_L × headcount) − holders_L)`` on the winners of that unit and
    position whose target level is L; share_L is ``ratio_L`` where given, else the decree's
    (:meth:`models.ruleset.LevelCaps.shares`). ``limit_id`` is
    ``ratio:<unit_id>:<position code>:<level>``; ``scope_exact``: the unit itself only."""
    caps = rs.level_caps
    rows: list[dict[str, object]] = []
    if caps is not None and positions.height:
        held = {(u, t): int(h) for u, t, h in
                staff.select("unit_id", "title", "holders").iter_rows()} if staff.height else {}
        for r in positions.iter_rows(named=True):
            lo, hi, code = r["lowest_level"], r["highest_level"], r["job_position"]
            if lo is None or hi is None or code is None or lo >= hi:
                continue  # one level (or none): no cap, whatever ratio is given (Art. 10.4)
            shares = caps.shares(lo, hi)
            for level in range(lo, hi + 1):
                given = r[f"ratio_{level}"]
                share = Decimal(given) if given is not None else shares.get(level)
                if share is None:
                    continue
                title = f"{code}@{level}"
                holders = held.get((r["unit_id"], title), 0)
                cap = max(0, math.floor(share * r["headcount"]) - holders)
                rows.append({"limit_id": f"ratio:{r['unit_id']}:{code}:{level}",
                             "scope_unit_id": r["unit_id"], "target_title": title,
                             "max": cap, "cap": cap, "scope_exact": True})
    derived = pl.DataFrame(rows, schema={"limit_id": pl.Utf8, "scope_unit_id": pl.Utf8,
                                         "target_title": pl.Utf8, "max": pl.Int64,
                                         "cap": pl.Int64, "scope_exact": pl.Boolean})
    base = like.with_columns(pl.lit(False).alias("scope_exact"))
    return pl.concat([base, derived], how="diagonal_relaxed")


def coverage(candidates: pl.DataFrame, limits: pl.DataFrame, tree: UnitTree,
             rs: RuleSet) -> pl.DataFrame:
    """(candidate_id, limit_id) for every candidate a limit covers: unit in the scope's
    subtree, and the target title / the target title's rank / the job position (2026
    regime: every level of it) matching when given."""
    if limits.height == 0 or candidates.height == 0:
        return pl.DataFrame(schema={"candidate_id": pl.Utf8, "limit_id": pl.Utf8})
    rank_of = {t.code: t.rank.value for t in rs.titles}
    profession_of = {t.code: t.profession for t in rs.titles}
    cands = candidates.select(
        "candidate_id", "unit_id", "target_title",
        pl.col("target_title").replace_strict(rank_of, return_dtype=pl.Utf8).alias("_rank"),
        pl.col("target_title").replace_strict(profession_of, default=None,
                                              return_dtype=pl.Utf8).alias("_profession"),
    )
    exact = pl.col("scope_exact") if "scope_exact" in limits.columns else pl.lit(False)
    # A limit by job position at every level (2026 regime): the titles of that position.
    position = (pl.col("job_position") if "job_position" in limits.columns
                else pl.lit(None, pl.Utf8))
    lim = limits.select("limit_id", pl.col("scope_unit_id").alias("anc_id"),
                        pl.col("target_title").alias("_lt"), pl.col("target_rank").alias("_lr"),
                        position.cast(pl.Utf8).alias("_lp"),
                        exact.fill_null(False).alias("_exact"))
    return (
        cands.join(tree.ancestors.select("unit_id", "anc_id"), on="unit_id", how="inner")
        .join(lim, on="anc_id", how="inner")
        .filter((pl.col("_lt").is_null() | (pl.col("_lt") == pl.col("target_title")))
                & (pl.col("_lr").is_null() | (pl.col("_lr") == pl.col("_rank")))
                & (pl.col("_lp").is_null() | (pl.col("_lp") == pl.col("_profession")))
                & (~pl.col("_exact") | (pl.col("anc_id") == pl.col("unit_id"))))
        .select("candidate_id", "limit_id")
        .unique()
        .sort("candidate_id", "limit_id")
    )
