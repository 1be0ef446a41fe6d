"""Allocation: statuses of the eligible candidates over every priority-optimal allocation.

Lone pools take the exact cut (:mod:`allocator.engine.lone`); coupled components go to the
solvers (:mod:`allocator.solve.dispatch`), reused by content from the stage cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from allocator.engine.cache import StageCache, memo
from allocator.engine.components import POOL, Split, split
from allocator.engine.lone import STATUS_SCHEMA, decide_lone
from allocator.engine.options import Options
from allocator.engine.prepare import Prepared
from allocator.engine.progress import Progress
from allocator.solve.dispatch import Failed, Failure, Outcome, solve_many
from allocator.solve.problem import (
    ESCALATED,
    FREE,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
)
from models.enums import Method, SolveStatus, Status, TieReason
from models.errors import InputError, SolverError
from models.result import SolverSummary, TieGroup
from models.scenario import Scenario

CODE_STATUS = {SELECTED: Status.selected.value, NOT_SELECTED: Status.not_selected.value,
               ESCALATED: Status.escalated.value}


@dataclass(frozen=True)
class Allocation:
    """Statuses of the eligible candidates with everything needed to explain them."""

    statuses: pl.DataFrame  # candidate_id, status, _blocker, _group
    groups: list[TieGroup]
    class_counts: dict[str, tuple[int, ...]]  # per coupled component (complete dates only)
    solver: SolverSummary


def allocate(prep: Prepared, scenario: Scenario, options: Options, forced: dict[str, int],
             progress: Progress, group_of: dict[str, str] | None = None) -> Allocation:
    """Statuses of the eligible candidates; ``forced`` fixes the candidates that the
    managing agency's rulings name (1 selected, 0 rejected); ``group_of`` names their
    public tie groups, for the message when the rulings are refused."""
    sp = _split(prep, scenario, options, forced)
    lone_status, groups = decide_lone(sp.lone, prep.quota_of, scenario.rule_set, forced)
    outcomes, reused = _solve_all(sp, options, progress)
    coupled = _coupled(sp, outcomes, prep.eligible, bool(forced), scenario, group_of or {})
    groups.extend(coupled.groups)
    solver = SolverSummary(
        status=coupled.solve_status,
        lone_pools=int(sp.lone[POOL].n_unique()) if sp.lone.height else 0,
        coupled_components=len(sp.problems),
        coupled_candidates=sum(p.n for p in sp.problems),
        largest_component=max((p.n for p in sp.problems), default=0),
        active_limits=len(sp.active_limits),
        budget_binding=sp.budget_active,
        cpsat_calls=coupled.cpsat_calls,
        reused_components=reused,
        notes=tuple(coupled.notes),
    )
    return Allocation(pl.concat([lone_status, coupled.statuses]), groups, coupled.class_counts,
                      solver)


def _split(prep: Prepared, scenario: Scenario, options: Options,
           forced: dict[str, int]) -> Split:
    """The components; without rulings they do not depend on the seats, so a what-if on
    seats re-caps the cached split."""
    rs, objective = scenario.rule_set, scenario.settings.objective
    no_lone = options.method is Method.cpsat
    if forced:
        return split(prep.eligible, prep.quota_of, prep.limits, prep.covered,
                     scenario.budget_units, rs, objective, forced, no_lone=no_lone)
    return memo(options.cache, f"split:{scenario.budget_units}:{objective}:{no_lone}",
                (prep.eligible, prep.limits, prep.covered, rs),
                lambda: split(prep.eligible, prep.quota_of, prep.limits, prep.covered,
                              scenario.budget_units, rs, objective, no_lone=no_lone),
                ).with_quotas(prep.quota_of)


def _solve_all(sp: Split, options: Options, progress: Progress
               ) -> tuple[dict[str, Outcome], int]:
    """Every coupled component; those whose content an earlier run solved are reused."""
    births = {name: (sp.alternates[name], sp.clusters[name]) for name in sp.alternates}
    cache = options.cache
    digests = {p.name: _digest(p, sp) for p in sp.problems} if cache is not None else {}
    fresh = [p for p in sp.problems if cache is None or digests[p.name] not in cache]
    progress.start(len(fresh), "coupled components")
    out = solve_many(fresh, births, workers=options.workers, method=options.method,
                     time_limit=options.time_limit, advance=progress.advance)
    if cache is not None:
        _reuse(cache, sp.problems, digests, out)
    return out, len(sp.problems) - len(fresh)


def _digest(p: ComponentProblem, sp: Split) -> str:
    return "component:" + p.digest() + (sp.alternates[p.name].digest()
                                        if p.name in sp.alternates else "")


def _reuse(cache: StageCache, problems: list[ComponentProblem], digests: dict[str, str],
           out: dict[str, Outcome]) -> None:
    for p in problems:
        res = out.get(p.name)
        if isinstance(res, ComponentResult):
            cache.keep(digests[p.name], res)
        elif res is None:
            kept = cache.component(digests[p.name])
            assert kept is not None
            out[p.name] = kept


@dataclass
class _Coupled:
    statuses: pl.DataFrame
    groups: list[TieGroup]
    class_counts: dict[str, tuple[int, ...]]
    solve_status: SolveStatus
    cpsat_calls: int
    notes: list[str]


def _coupled(sp: Split, outcomes: dict[str, Outcome], eligible: pl.DataFrame, ruled: bool,
             scenario: Scenario, public_of: dict[str, str]) -> _Coupled:
    """Statuses and tie groups of the coupled components; a component without a proven
    result stops the run with its reason."""
    results: dict[str, ComponentResult] = {}
    for p in sp.problems:
        res = outcomes[p.name]
        if isinstance(res, Failed):
            _fail(p, res.failure, ruled, scenario, public_of)
        else:
            results[p.name] = res
    tied = [p.ids[i] for p in sp.problems for members, _ in results[p.name].groups
            for i in members]
    tied_rows = eligible.filter(pl.col("candidate_id").is_in(tied))
    pool_of = dict(tied_rows.select("candidate_id", POOL).iter_rows())
    incomplete_ids = set(tied_rows.filter(pl.col("birth_lo") != pl.col("birth_hi"))
                         ["candidate_id"].to_list())
    out = _Coupled(pl.DataFrame(schema=STATUS_SCHEMA), [], {}, SolveStatus.optimal, 0, [])
    parts = []
    for problem in sp.problems:
        res = results[problem.name]
        out.cpsat_calls += res.stats.cpsat_calls
        if res.solve_status is not SolveStatus.optimal:
            out.solve_status = SolveStatus.not_proven
            names = [problem.ids[i] for i in res.unsettled]
            shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more"
                                             if len(names) > 10 else "")
            out.notes.append(
                f"{problem.name}: too many possible orders of incomplete birth dates to solve "
                "each; statuses are those of the earliest and latest placements, escalated "
                f"where they differ; not settled for every order: {shown or 'none named'}")
        if problem.name not in sp.clusters:  # with orders of birth dates the counts vary
            out.class_counts[problem.name] = res.class_counts
        group_of: dict[int, str] = {}
        for g, (members, seats) in enumerate(res.groups):
            key = f"{problem.name}#{g}"
            ids = tuple(sorted(problem.ids[i] for i in members))
            reason = (TieReason.incomplete_birth_date if incomplete_ids & set(ids)
                      else TieReason.exact_tie)
            out.groups.append(TieGroup(key, ids, seats, tuple(sorted({pool_of[c] for c in ids})),
                                       reason))
            for i in members:
                group_of[i] = key
        parts.append(_statuses_of(problem, res, group_of))
    if parts:
        out.statuses = pl.concat(parts)
    return out


def _fail(problem: ComponentProblem, failure: Failure, ruled: bool, scenario: Scenario,
          public_of: dict[str, str]) -> None:
    pools = ", ".join(sorted({lab for lab, kind in zip(problem.labels, problem.kinds,
                                                        strict=True) if kind == "quota"}))
    if failure is Failure.infeasible and ruled:
        label = scenario.labels.get("authority_decisions", "authority_decisions.csv")
        ruled_ids = [c for c, f in zip(problem.ids, problem.forced, strict=True) if f != FREE]
        named = ", ".join(sorted({public_of[c] for c in ruled_ids if c in public_of}))
        where_vi = f" về các nhóm đồng hạng {named}" if named else ""
        where_en = f" on the tie groups {named}" if named else ""
        raise InputError.one(
            label, None, "decision",
            f"không có phương án phân bổ tối ưu theo thứ tự ưu tiên nào (với bất kỳ cách "
            f"điền đủ ngày sinh nào) thoả mãn mọi quyết định{where_vi}: chỉ tiêu, giới hạn "
            f"hoặc ngân sách chung của các nhóm {pools} không cho phép",
            f"no priority-optimal allocation (under any completion of the birth dates) "
            f"honours every ruling{where_en}: the quotas, limits or budget shared by the "
            f"pools {pools} do not allow it",
        )
    raise SolverError(
        f"hết thời gian trước khi chứng minh tối ưu (các nhóm {pools}); không ghi kết quả",
        f"time limit reached before optimality was proven (pools {pools}); nothing written",
    )


def _statuses_of(problem: ComponentProblem, res: ComponentResult,
                 group_of: dict[int, str]) -> pl.DataFrame:
    """One component's statuses as a frame, built column-wise."""
    names = np.array([CODE_STATUS[NOT_SELECTED], CODE_STATUS[SELECTED], CODE_STATUS[ESCALATED]],
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
