"""The whole flow: load → validate → eligibility → pools and priority → components →
solve → ties → outputs. Each stage lives in its own module; this one only wires them."""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from allocator import __version__
from allocator.engine import decided_by as explain
from allocator.engine import eligibility, ties
from allocator.engine import rulings as authority
from allocator.engine.components import POOL, Cluster, pool_key, split
from allocator.engine.frames import attach
from allocator.engine.limits import coverage, effective_caps
from allocator.engine.pools import (
    add_priority_key,
    assign_pools,
    coarsen_incomplete_births,
    key_columns,
)
from allocator.engine.progress import Progress, Silent
from allocator.engine.ties import TieGroup
from allocator.io.loader import load
from allocator.solve import cutoff, incomplete, solve_component
from allocator.solve.cpsat import Infeasible, NotProven
from allocator.solve.problem import (
    ESCALATED,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
)
from models.enums import SolveStatus
from models.errors import InputError
from models.ruleset import RuleSet
from models.scenario import Scenario
from models.tree import UnitTree

IncompleteBirths = tuple[ComponentProblem, list[Cluster]]
STATUS_NAME = {SELECTED: "selected", NOT_SELECTED: "not_selected", ESCALATED: "escalated"}


@dataclass
class Allocation:
    """Statuses of the eligible candidates with everything needed to explain them."""

    statuses: pl.DataFrame  # candidate_id, status, _blocker, _group
    groups: list[TieGroup]
    class_counts: dict[str, tuple[int, ...]]
    solve_status: SolveStatus
    stats: dict[str, Any]


@dataclass
class RunResult:
    scenario: Scenario
    candidates: pl.DataFrame  # every candidate with eligibility, pool, key and outcome
    decisions: pl.DataFrame
    pools: pl.DataFrame
    escalations: pl.DataFrame
    groups: list[TieGroup]
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    """How to solve; no option changes a decision.

    ``cache`` maps a component's content digest to its result: a what-if re-run that
    shares it re-solves only the components whose content changed.
    """

    workers: int = 1
    method: str = "auto"
    time_limit: float | None = None
    cache: dict[str, Any] | None = field(default=None, compare=False)


# ---------------------------------------------------------------------------------------------


def run(path: Path, options: Options | None = None, progress: Progress | None = None,
        ) -> RunResult:
    """Load a scenario and decide it."""
    progress = progress or Silent()
    t0 = time.perf_counter()
    progress.stage("load")
    scenario = load(path)
    timings = {"load": time.perf_counter() - t0}
    return decide(scenario, options or Options(), progress, timings)


def decide(scenario: Scenario, options: Options, progress: Progress | None = None,
           timings: dict[str, float] | None = None) -> RunResult:
    progress = progress or Silent()
    timings = dict(timings or {})
    rs, settings = scenario.rule_set, scenario.settings
    clock = time.perf_counter()
    # The input digest needs no decision: compute it beside the engine (polars and hashlib
    # release the GIL while they work).
    digest_pool = ThreadPoolExecutor(max_workers=1)
    digest = digest_pool.submit(input_digest, scenario)

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock
        clock = now

    progress.stage("eligibility")
    cache = options.cache
    tree = _memo(cache, "tree", scenario.units, lambda: UnitTree(scenario.units))
    prepared = _memo(
        cache, f"conditions:{settings.model_dump_json()}", (scenario.candidates, rs),
        lambda: add_priority_key(eligibility.conditions(scenario.candidates, rs, settings), rs))
    # Pools, eligibility and priority ranks depend on which pools hold a quota, not on how
    # many seats: a what-if that changes seats only reuses them.
    pool_keys = scenario.quotas.select("agency_id", "target_title")
    structure, eligible = _memo(
        cache, "pools", (prepared, tree), lambda: _pools(prepared, scenario.quotas, tree, rs),
        same=pool_keys)
    quotas = scenario.quotas.with_columns(pool_key().alias(POOL))
    quota_of = quotas.select(POOL, "quota")
    cands = attach(structure, quota_of, POOL, ["quota"])
    limits = _memo(cache, "caps", (scenario.limits, scenario.staff, scenario.units, rs),
                   lambda: effective_caps(scenario.limits, scenario.staff, tree, rs))
    covered = _memo(cache, "coverage", (eligible, limits),
                    lambda: coverage(eligible, limits, tree, rs))
    lap("eligibility")

    progress.stage("solve")
    first = allocate(eligible, quota_of, limits, covered, scenario, options, {}, progress)
    lap("solve")
    unit_of = _units_of(cands, first.groups)
    groups = ties.number(first.groups, tree, unit_of)
    final = first
    applied = 0
    if scenario.decisions.height:
        named = scenario.decisions["candidate_id"]
        status_map = dict(cands.filter(pl.col("candidate_id").is_in(named.implode()))
                          .pipe(attach, first.statuses, "candidate_id", ["status"])
                          .select("candidate_id",
                                  pl.col("status").fill_null("ineligible")).iter_rows())
        label = scenario.labels.get("authority_decisions", "authority_decisions.csv")
        forced = authority.forced_choices(scenario.decisions, groups, status_map, label)
        applied = len(forced)
        final = allocate(eligible, quota_of, limits, covered, scenario, options, forced,
                         progress, reference=first)
        groups = ties.number(final.groups, tree, _units_of(cands, final.groups))
        lap("authority")

    result = _assemble(scenario, cands, final, groups, quotas, tree, options)
    result.summary["input_digest"] = digest.result()
    digest_pool.shutdown()
    result.summary["counts"]["authority_decisions_applied"] = applied
    lap("outputs")
    result.timings = timings
    result.summary["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    return result


def _pools(prepared: pl.DataFrame, quotas: pl.DataFrame, tree: UnitTree,
           rs: RuleSet) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every candidate with its pool, eligibility and priority rank; and the eligible ones.
    Uses the quotas' pools only (agency, title), never their seats."""
    cands = assign_pools(prepared, quotas, tree)
    cands = eligibility.finish(cands).with_columns(pool_key().alias(POOL))
    keys = key_columns(rs)
    ranks = coarsen_incomplete_births(
        cands.filter(pl.col("eligible")).select("candidate_id", POOL, *keys), rs, [POOL]
    ).select("candidate_id", pl.struct(keys).rank("dense").over(POOL).cast(pl.Int64)
             .alias("priority_rank"))
    cands = attach(cands, ranks, "candidate_id", ["priority_rank"])
    return cands, cands.filter(pl.col("eligible"))


def _memo(cache: dict[str, Any] | None, key: str, owner: object | tuple[object, ...],
          compute: Callable[[], Any], same: pl.DataFrame | None = None) -> Any:
    """Reuse a stage's result across what-if runs that share the same input objects (by
    identity: a variant that changes a table builds a new frame) and, when given, an equal
    ``same`` frame (by content)."""
    if cache is None:
        return compute()
    hit = cache.get(f"stage:{key}")
    owners = owner if isinstance(owner, tuple) else (owner,)
    if hit is not None and len(hit[0]) == len(owners) and all(
            a is b for a, b in zip(hit[0], owners, strict=True)) and (
            same is None or (hit[2] is not None and same.equals(hit[2]))):
        return hit[1]
    value = compute()
    cache[f"stage:{key}"] = (owners, value, same)
    return value


def _units_of(cands: pl.DataFrame, groups: list[TieGroup]) -> dict[str, str]:
    """Unit of every tied candidate (only those: a look-up table, not a loop over all rows)."""
    members = [c for g in groups for c in g.members]
    if not members:
        return {}
    rows = cands.filter(pl.col("candidate_id").is_in(members)).select("candidate_id", "unit_id")
    return dict(rows.iter_rows())


# ---------------------------------------------------------------------------------------------


def allocate(eligible: pl.DataFrame, quota_of: pl.DataFrame, limits: pl.DataFrame,
             covered: pl.DataFrame, scenario: Scenario, options: Options,
             forced: dict[str, int], progress: Progress,
             reference: Allocation | None = None) -> Allocation:
    """Statuses of the eligible candidates over every priority-optimal allocation."""
    rs = scenario.rule_set
    objective, no_lone = scenario.settings.objective, options.method == "cpsat"
    if forced:
        sp = split(eligible, quota_of, limits, covered, scenario.budget_units, rs, objective,
                   forced, no_lone=no_lone)
    else:  # the components do not depend on the seats: a what-if on seats re-caps them
        sp = _memo(options.cache, f"split:{scenario.budget_units}:{objective}:{no_lone}",
                   (eligible, limits, covered, rs),
                   lambda: split(eligible, quota_of, limits, covered, scenario.budget_units,
                                 rs, objective, no_lone=no_lone)).with_quotas(quota_of)
    # Lone pools: the exact cut, then the managing agency's rulings.
    cut = cutoff.decide(sp.lone, quota_of, rs)
    if forced:
        fixed = pl.DataFrame({"candidate_id": list(forced), "_forced": list(forced.values())},
                             schema={"candidate_id": pl.Utf8, "_forced": pl.Int64})
        cut = cut.join(fixed, on="candidate_id", how="left", maintain_order="left")
        cut = cut.with_columns(
            pl.when(pl.col("_forced") == 1).then(pl.lit("selected"))
            .when(pl.col("_forced") == 0).then(pl.lit("not_selected"))
            .otherwise(pl.col("status")).alias("status"),
            pl.when(pl.col("_forced").is_not_null()).then(pl.lit(None, pl.Utf8))
            .otherwise(pl.col("_tie")).alias("_tie"),
            pl.when(pl.col("_forced") == 0).then(pl.lit("authority")).alias("_blocker"),
        ).drop("_forced")
    else:
        cut = cut.with_columns(pl.lit(None, pl.Utf8).alias("_blocker"))
    lone_status = cut.select("candidate_id", "status", "_blocker", pl.col("_tie").alias("_group"))
    groups: list[TieGroup] = []
    esc = cut.filter(pl.col("_tie").is_not_null())
    if esc.height:
        pool_sel = cut.join(sp.lone.select("candidate_id", POOL), on="candidate_id")
        selected = pool_sel.filter(pl.col("status") == "selected").group_by(POOL).len()
        sel_of = dict(selected.iter_rows())
        q_of = dict(quota_of.iter_rows())
        for (tie,), part in esc.group_by("_tie", maintain_order=True):
            members = tuple(sorted(part["candidate_id"].to_list()))
            reason = "incomplete_birth_date" if part["_incomplete_tie"].any() else "exact_tie"
            groups.append(TieGroup(str(tie), members, int(q_of[tie]) - sel_of.get(tie, 0),
                                   (str(tie),), reason))

    # Coupled components.
    extra = {name: (sp.alternates[name], sp.clusters[name]) for name in sp.alternates}
    results, reused = _solve_all(sp.problems, extra, options, progress)
    class_counts: dict[str, tuple[int, ...]] = {}
    parts: list[pl.DataFrame] = []
    tied = [p.ids[i] for p in sp.problems if isinstance(results[p.name], ComponentResult)
            for members, _ in results[p.name].groups for i in members]  # type: ignore[union-attr]
    tied_rows = eligible.filter(pl.col("candidate_id").is_in(tied))
    pool_of = dict(tied_rows.select("candidate_id", POOL).iter_rows())
    incomplete_ids = set(tied_rows.filter(pl.col("birth_lo") != pl.col("birth_hi"))
                         ["candidate_id"].to_list())
    cpsat_calls = 0
    solve_status = SolveStatus.optimal  # an unproven stage raises above
    notes: list[str] = []
    for problem in sp.problems:
        res = results[problem.name]
        if isinstance(res, str):
            pools = ", ".join(sorted({lab for lab, kind in zip(problem.labels, problem.kinds,
                                                                strict=True) if kind == "quota"}))
            if res == "infeasible" and forced:
                label = scenario.labels.get("authority_decisions", "authority_decisions.csv")
                raise InputError.one(
                    label, None, "decision",
                    f"các quyết định vượt chỉ tiêu, giới hạn hoặc ngân sách chung của các nhóm "
                    f"{pools}; không có phương án phân bổ nào thoả mãn tất cả",
                    f"the rulings exceed a quota, limit or budget shared by the pools {pools}; "
                    f"no allocation honours them all",
                )
            raise InputError.one(
                "solver", None, None,
                f"hết thời gian trước khi chứng minh tối ưu (các nhóm {pools}); không ghi kết quả",
                f"time limit reached before optimality was proven (pools {pools}); nothing "
                f"written",
            )
        cpsat_calls += res.stats.cpsat_calls
        if res.solve_status is not SolveStatus.optimal:
            solve_status = SolveStatus.not_proven
            notes.append(f"{problem.name}: too many possible orders of incomplete birth dates "
                         "to solve each; statuses are those of the earliest and latest "
                         "placements, escalated where they differ")
        if problem.name not in sp.clusters:  # with orders of birth dates the counts vary
            class_counts[problem.name] = res.class_counts
        group_of: dict[int, str] = {}
        for g, (members, seats) in enumerate(res.groups):
            key = f"{problem.name}#{g}"
            ids = tuple(sorted(problem.ids[i] for i in members))
            reason = "incomplete_birth_date" if incomplete_ids & set(ids) else "exact_tie"
            group_pools = tuple(sorted({pool_of[c] for c in ids}))
            groups.append(TieGroup(key, ids, seats, group_pools, reason))
            for i in members:
                group_of[i] = key
        parts.append(_statuses_of(problem, res, group_of))
    coupled_status = pl.concat(parts) if parts else pl.DataFrame(
        schema={"candidate_id": pl.Utf8, "status": pl.Utf8, "_blocker": pl.Utf8,
                "_group": pl.Utf8})
    if reference is not None:
        for name, counts in class_counts.items():
            if reference.class_counts.get(name) != counts:
                raise InputError.one(
                    "authority_decisions.csv", None, "decision",
                    "các quyết định không phù hợp với bất kỳ phương án phân bổ tối ưu theo thứ "
                    f"tự ưu tiên nào (nhóm liên kết {name})",
                    "the rulings are not consistent with any priority-optimal allocation "
                    f"(coupled pools {name})",
                )
    statuses = pl.concat([lone_status, coupled_status])
    stats = {
        "lone_pools": int(sp.lone[POOL].n_unique()) if sp.lone.height else 0,
        "coupled_components": len(sp.problems),
        "coupled_candidates": sum(p.n for p in sp.problems),
        "largest_component": max((p.n for p in sp.problems), default=0),
        "active_limits": len(sp.active_limits),
        "budget_binding": sp.budget_active,
        "cpsat_calls": cpsat_calls,
        "reused_components": reused,
        "notes": notes,
    }
    return Allocation(statuses, groups, class_counts, solve_status, stats)


def _statuses_of(problem: ComponentProblem, res: ComponentResult,
                 group_of: dict[int, str]) -> pl.DataFrame:
    """One component's statuses as a frame, built column-wise."""
    names = np.array([STATUS_NAME[NOT_SELECTED], STATUS_NAME[SELECTED], STATUS_NAME[ESCALATED]],
                     dtype=object)
    status = np.asarray(res.status, dtype=np.int64)
    labels = np.array([None] + [
        "quota" if kind == "quota" else f"limit:{label}" if kind == "limit" else "budget"
        for kind, label in zip(problem.kinds, problem.labels, strict=True)], dtype=object)
    blocker = labels[np.asarray(res.blocker, dtype=np.int64) + 1]
    blocker[status != NOT_SELECTED] = None
    if problem.forced:
        blocker[np.asarray(problem.forced) == 0] = "authority"
    group = np.full(problem.n, None, dtype=object)
    for i, key in group_of.items():
        group[i] = key
    return pl.DataFrame({
        "candidate_id": pl.Series(problem.ids, dtype=pl.Utf8),
        "status": pl.Series(names[status].tolist(), dtype=pl.Utf8),
        "_blocker": pl.Series(blocker.tolist(), dtype=pl.Utf8),
        "_group": pl.Series(group.tolist(), dtype=pl.Utf8),
    })


def _solve_one(problem: ComponentProblem, workers: int, method: str,
               time_limit: float | None,
               incomplete_births: tuple[ComponentProblem, list[Cluster]] | None = None,
               ) -> ComponentResult | str:
    def solve(p: ComponentProblem) -> ComponentResult:
        return solve_component(p, workers=workers, method=method, time_limit=time_limit)

    try:
        if incomplete_births is not None:
            latest, clusters = incomplete_births
            return incomplete.resolve(problem, latest, clusters, solve)
        return solve(problem)
    except Infeasible:
        return "infeasible"
    except NotProven:
        return "not_proven"


def _solve_all(problems: list[ComponentProblem], extra: dict[str, IncompleteBirths],
               options: Options, progress: Progress,
               ) -> tuple[dict[str, ComponentResult | str], int]:
    """Solve every component (in parallel when asked); reuse cached results by content."""
    cache = options.cache
    if cache is None:
        return _solve_fresh((problems, 0), extra, options, progress)
    digests = {p.name: "component:" + p.digest()
               + (extra[p.name][0].digest() if p.name in extra else "") for p in problems}
    fresh = [p for p in problems if digests[p.name] not in cache]
    out, reused = _solve_fresh((fresh, len(problems) - len(fresh)), extra, options,
                               progress)
    for p in problems:
        res = out.get(p.name)
        if isinstance(res, ComponentResult):
            cache[digests[p.name]] = res
        elif res is None:
            out[p.name] = cache[digests[p.name]]
    return out, reused


def _solve_fresh(todo: tuple[list[ComponentProblem], int], extra: dict[str, IncompleteBirths],
                 options: Options, progress: Progress,
                 ) -> tuple[dict[str, ComponentResult | str], int]:
    problems, reused = todo
    progress.start(len(problems), "coupled components")
    out: dict[str, ComponentResult | str] = {}
    big = [p for p in problems if p.n > 200]
    if options.workers > 1 and len(big) > 1:
        with ProcessPoolExecutor(max_workers=options.workers) as pool:
            futures = {p.name: pool.submit(_solve_one, p, 1, options.method, options.time_limit,
                                           extra.get(p.name))
                       for p in big}
            for p in problems:
                if p.name not in futures:
                    out[p.name] = _solve_one(p, 1, options.method, options.time_limit,
                                             extra.get(p.name))
                    progress.advance()
            for name, fut in futures.items():
                out[name] = fut.result()
                progress.advance()
        return out, reused
    for p in problems:
        out[p.name] = _solve_one(p, options.workers, options.method, options.time_limit,
                                 extra.get(p.name))
        progress.advance()
    return out, reused


# ---------------------------------------------------------------------------------------------


def _assemble(scenario: Scenario, cands: pl.DataFrame, alloc: Allocation,
              groups: list[TieGroup], quotas: pl.DataFrame, tree: UnitTree,
              options: Options) -> RunResult:
    rs = scenario.rule_set
    public = {g.key: g.tie_group for g in groups}
    frame = attach(cands, alloc.statuses, "candidate_id")
    frame = frame.with_columns(
        pl.when(pl.col("eligible")).then(pl.col("status")).otherwise(pl.lit("ineligible"))
        .alias("status"),
        pl.col("_group").replace_strict(public, default=None, return_dtype=pl.Utf8)
        .alias("tie_group"),
    )
    keys = key_columns(rs)
    eligible = explain.add_decided_by(
        frame.filter(pl.col("eligible")).select(
            "candidate_id", "status", POOL, "quota", "_blocker", *keys), rs)
    frame = attach(frame, eligible.select("candidate_id", "decided_by"), "candidate_id")
    frame = frame.with_columns(
        pl.when(pl.col("status") == "escalated").then(pl.col("tie_group"))
        .alias("tie_group")
    )
    decisions = frame.select(
        "candidate_id", "status", "agency_id", "target_title", "priority_rank", "reasons",
        "decided_by", "tie_group",
    ).with_columns(
        pl.when(pl.col("agency_id").is_null()).then(pl.lit(None, pl.Utf8))
        .otherwise(pl.col("target_title")).alias("target_title")
    ).sort("candidate_id")

    seats_in_pool: dict[str, int] = {}
    spanning = [c for g in groups if len(g.pools) > 1 for c in g.members]
    pool_of: dict[str, str] = dict(cands.filter(pl.col("candidate_id").is_in(spanning))
                                   .select("candidate_id", POOL).iter_rows()) if spanning else {}
    for g in groups:
        if len(g.pools) == 1:
            seats_in_pool[g.pools[0]] = seats_in_pool.get(g.pools[0], 0) + g.seats
        else:  # a pool holds at most as many of the group's seats as it has members in it
            for p in g.pools:
                n_here = sum(1 for c in g.members if pool_of[c] == p)
                seats_in_pool[p] = seats_in_pool.get(p, 0) + min(g.seats, n_here)
    per_pool = frame.filter(pl.col("eligible")).select(POOL, "status").group_by(POOL).agg(
        pl.len().alias("eligible"),
        (pl.col("status") == "selected").sum().alias("selected"),
    )
    pools = (
        quotas.join(per_pool, on=POOL, how="left")
        .with_columns(
            pl.col("eligible").fill_null(0).cast(pl.Int64),
            pl.col("selected").fill_null(0).cast(pl.Int64),
            pl.col(POOL).replace_strict(seats_in_pool, default=0, return_dtype=pl.Int64)
            .alias("escalated_seats"),
        )
        .with_columns(
            (pl.col("quota") - pl.col("selected") - pl.col("escalated_seats")).clip(0)
            .alias("unused")
        )
        .select("agency_id", "target_title", "quota", "eligible", "selected",
                "escalated_seats", "unused")
        .sort("agency_id", "target_title")
    )
    escalations = pl.DataFrame(
        {
            "tie_group": [g.tie_group for g in groups],
            "managing_agency_id": [g.managing_agency_id for g in groups],
            "seats": [g.seats for g in groups],
            "candidate_ids": [";".join(g.members) for g in groups],
        },
        schema={"tie_group": pl.Utf8, "managing_agency_id": pl.Utf8, "seats": pl.Int64,
                "candidate_ids": pl.Utf8},
    )
    counts = decisions.group_by("status").len()
    by_status = dict(counts.iter_rows())
    summary: dict[str, Any] = {
        "scenario": scenario.settings.name,
        "engine_version": __version__,
        "rule_set": {"id": rs.id, "version": rs.version, "name": rs.name_en},
        "objective": scenario.settings.objective.value,
        "deadline": scenario.settings.deadline.isoformat(),
        "input_digest": "",
        "counts": {
            "candidates": decisions.height,
            "eligible": decisions.height - by_status.get("ineligible", 0),
            "ineligible": by_status.get("ineligible", 0),
            "selected": by_status.get("selected", 0),
            "not_selected": by_status.get("not_selected", 0),
            "escalated": by_status.get("escalated", 0),
            "seats": int(pools["quota"].sum()),
            "escalated_seats": int(pools["escalated_seats"].sum()),
            "unused_seats": int(pools["unused"].sum()),
            "tie_groups": len(groups),
        },
        "solver": {"status": alloc.solve_status.value, **alloc.stats},
        "tie_groups": [
            {"tie_group": g.tie_group, "reason": g.reason, "pools": list(g.pools)}
            for g in groups
        ],
    }
    return RunResult(scenario, frame, decisions, pools, escalations, groups, summary)


DIGEST_KEYS = {
    "units": ["unit_id"], "candidates": ["candidate_id"], "quotas": ["agency_id", "target_title"],
    "limits": ["limit_id"], "staff": ["unit_id", "title"], "decisions": ["candidate_id"],
}


def input_digest(scenario: Scenario) -> str:
    """SHA-256 of the scenario's content in canonical form: row order, column order and
    formatting of the files do not change it; any value does."""
    h = hashlib.sha256()
    h.update(scenario.settings.model_dump_json().encode())
    h.update(scenario.rule_set.model_dump_json().encode())
    for name, keys in DIGEST_KEYS.items():
        frame: pl.DataFrame = getattr(scenario, name)
        cols = sorted(c for c in frame.columns if not c.startswith("__"))
        frame = frame.select(cols).sort(keys, maintain_order=True)
        h.update(name.encode())
        buffer = io.BytesIO()  # written as bytes: no second copy as a Python string
        frame.write_csv(buffer)
        h.update(buffer.getbuffer())
    return "sha256:" + h.hexdigest()


def to_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


Runner = Callable[..., RunResult]
