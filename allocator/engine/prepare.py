"""The stages before the solver: unit tree, eligibility, pools and priority, limit caps and
coverage (README "How it decides", steps 2–4). Public so that benchmarks and tools build on
exactly what :func:`allocator.engine.flow.decide` builds."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from allocator.engine import eligibility
from allocator.engine.cache import StageCache, memo
from allocator.engine.components import POOL, pool_key
from allocator.engine.frames import attach, order_code
from allocator.engine.limits import coverage, effective_caps, level_caps
from allocator.engine.pools import (
    add_priority_key,
    assign_pools,
    coarsen_incomplete_births,
    key_columns,
)
from models.ruleset import RuleSet
from models.scenario import Scenario
from models.tree import UnitTree


@dataclass(frozen=True)
class Prepared:
    """A round ready for allocation."""

    tree: UnitTree
    candidates: pl.DataFrame  # every candidate: conditions, pool, eligibility, key, rank, quota
    eligible: pl.DataFrame  # the eligible candidates (without the quota column)
    quotas: pl.DataFrame  # quotas.csv with the pool key
    quota_of: pl.DataFrame  # pool key, quota
    limits: pl.DataFrame  # every limit with its effective cap
    covered: pl.DataFrame  # (candidate_id, limit_id) for the eligible


def prepare(scenario: Scenario, cache: StageCache | None = None) -> Prepared:
    """Every stage before the solver. With a ``cache``, a what-if run reuses what does not
    depend on the parts it changed: pools, eligibility and ranks depend on which pools hold
    a quota, never on how many seats."""
    rs, settings = scenario.rule_set, scenario.settings
    tree = memo(cache, "tree", (scenario.units,), lambda: UnitTree(scenario.units))
    keyed = memo(
        cache, f"conditions:{settings.model_dump_json()}", (scenario.candidates, rs),
        lambda: add_priority_key(eligibility.conditions(scenario.candidates, rs, settings), rs))
    pool_keys = scenario.quotas.select("agency_id", "target_title")
    structure, eligible = memo(
        cache, "pools", (keyed, tree), lambda: _pools(keyed, scenario.quotas, tree, rs),
        same=pool_keys)
    quotas = scenario.quotas.with_columns(pool_key().alias(POOL))
    quota_of = quotas.select(POOL, "quota")
    limits = memo(cache, "caps", (scenario.limits, scenario.staff, scenario.units, rs),
                  lambda: effective_caps(scenario.limits, scenario.staff, tree, rs))
    if rs.regime == "levels":  # the caps of Decree 232/2026 Art. 10, as more limits
        limits = level_caps(scenario.positions, scenario.staff, rs, limits)
    covered = memo(cache, "coverage", (eligible, limits),
                   lambda: coverage(eligible, limits, tree, rs))
    candidates = attach(structure, quota_of, POOL, ["quota"])
    return Prepared(tree, candidates, eligible, quotas, quota_of, limits, covered)


def _pools(keyed: pl.DataFrame, quotas: pl.DataFrame, tree: UnitTree,
           rs: RuleSet) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every candidate with its pool, eligibility and priority rank; and the eligible ones.
    Uses the quotas' pools only (agency, title), never their seats."""
    cands = assign_pools(keyed, quotas, tree)
    cands = eligibility.finish(cands).with_columns(pool_key().alias(POOL))
    keys = key_columns(rs)
    coarse = coarsen_incomplete_births(
        cands.filter(pl.col("eligible")).select("candidate_id", POOL, *keys), rs, [POOL])
    code = order_code(coarse, keys)  # one Int64 ranks as fast as the keys' struct, exactly
    ranks = coarse.select("candidate_id", (pl.struct(keys) if code is None else code)
                          .rank("dense").over(POOL).cast(pl.Int64).alias("priority_rank"))
    cands = attach(cands, ranks, "candidate_id", ["priority_rank"])
    return cands, cands.filter(pl.col("eligible"))
