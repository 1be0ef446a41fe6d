"""The end-to-end floor of the uncoupled path, in a process of its own.

    python benchmarks/floor.py SCENARIO OUT

What any tool that decides uncoupled pools must do, in bare polars and nothing else: read
the same ``candidates.csv`` (with ``units.csv`` and ``quotas.csv``), form the pools (a
candidate's pool is the parent of their unit with the target title, a join: the generator's
quotas sit at the parents), sort each pool by the priority key (achievement level, female,
ethnic minority, older, longer service), cut at the quota with tie detection (the
candidates equal to the last seat's on every criterion are escalated when they straddle the
cut) and write ``decisions.csv`` (candidate_id, status, agency_id, target_title, sorted by
id). No eligibility, no validation, no explanation, no other output: a lower bound of
``allocator run`` on the same files, not a second engine.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

LADDER = {"A": 0, "B": 1, "C": 2, "D": 3}
KEY = ["_a", "_f", "_e", "birth_date", "service_start"]


def decide(folder: Path) -> pl.LazyFrame:
    """Every candidate's status by sort and cut, ties at the cut escalated."""
    cands = pl.scan_csv(folder / "candidates.csv", infer_schema=False).select(
        "candidate_id", "unit_id", "target_title", "achievement", "sex", "ethnicity",
        "birth_date", "service_start")
    units = pl.scan_csv(folder / "units.csv", infer_schema=False).select(
        "unit_id", pl.col("parent_id").alias("agency_id"))
    quotas = pl.scan_csv(folder / "quotas.csv", infer_schema=False).select(
        "agency_id", "target_title", pl.col("quota").cast(pl.Int64))
    pool = ["agency_id", "target_title"]
    ranked = (
        cands.join(units, on="unit_id", how="left")
        .join(quotas, on=pool, how="left")
        .with_columns(
            pl.col("achievement").replace_strict(LADDER, default=4, return_dtype=pl.Int8)
            .alias("_a"),
            (pl.col("sex") != "female").alias("_f"),
            (pl.col("ethnicity") != "Kinh").not_().alias("_e"),
        )
        .sort([*pool, *KEY], nulls_last=True)
        .with_columns(pl.int_range(pl.len()).over(pool).alias("_pos"))
        # Equal keys in a pool form one run of the sorted order: its first and last seat.
        .with_columns(pl.struct(KEY).rle_id().over(pool).alias("_run"))
        .with_columns(pl.col("_pos").min().over([*pool, "_run"]).alias("_lo"),
                      pl.col("_pos").max().over([*pool, "_run"]).alias("_hi"))
    )
    status = (pl.when(pl.col("quota").is_null()).then(pl.lit("ineligible"))
              .when(pl.col("_hi") < pl.col("quota")).then(pl.lit("selected"))
              .when(pl.col("_lo") >= pl.col("quota")).then(pl.lit("not_selected"))
              .otherwise(pl.lit("escalated")))
    return (ranked.select("candidate_id", status.alias("status"),
                          pl.when(pl.col("quota").is_not_null()).then(pl.col("agency_id"))
                          .alias("agency_id"),
                          pl.when(pl.col("quota").is_not_null()).then(pl.col("target_title"))
                          .alias("target_title"))
            .sort("candidate_id"))


def main(argv: list[str]) -> int:
    folder, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    decide(folder).sink_csv(out / "decisions.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
