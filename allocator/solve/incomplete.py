"""Coupled pools with birth dates known only to the year (or month): exact statuses.

A component is first solved with each *cluster* (candidates equal before ``older`` whose
birth intervals overlap, one of them incomplete) made one tie class. When every member of a
cluster is in, or every member out, the order inside the cluster cannot matter: all fit
together next to the same winners above, or none fits. Only a *contested* cluster (some in,
some out, or escalated) is looked at again: every order of its members that the data allows
— a member surely older than another stays above it; equal complete dates fall back on the
later criteria; otherwise either may come first — is solved exactly, and a candidate is
selected only if selected under every order, not selected if under none, escalated
otherwise. Undecidable comparisons are thus never settled by a guess nor by a later
criterion (SCENARIO.md "Incomplete data").

Orders multiply; past :data:`MAX_ORDERS` the coarse result is kept and the component is
reported ``not_proven``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

from allocator.components import Cluster
from allocator.problem import (
    ESCALATED,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
    SolveStats,
)
from models.enums import SolveStatus

MAX_ORDERS = 64


def orders(cluster: Cluster, limit: int = MAX_ORDERS) -> list[list[list[int]]] | None:
    """Every order the data allows, as lists of blocks of member indices (members equal on
    every criterion share a block); None when there are more than ``limit``."""
    n = len(cluster.positions)
    blocks: list[list[int]] = []
    seen: dict[tuple[int, tuple[int, ...]], int] = {}
    for m in range(n):
        if cluster.lo[m] == cluster.hi[m]:
            key = (cluster.lo[m], cluster.after[m])
            if key in seen:
                blocks[seen[key]].append(m)
                continue
            seen[key] = len(blocks)
        blocks.append([m])

    def above(a: list[int], b: list[int]) -> bool:
        x, y = a[0], b[0]
        if cluster.hi[x] < cluster.lo[y]:
            return True
        both_complete = cluster.lo[x] == cluster.hi[x] and cluster.lo[y] == cluster.hi[y]
        return both_complete and cluster.lo[x] == cluster.lo[y] and \
            cluster.after[x] < cluster.after[y]

    preds = [{j for j in range(len(blocks)) if j != i and above(blocks[j], blocks[i])}
             for i in range(len(blocks))]
    out: list[list[list[int]]] = []

    def extend(prefix: list[int], placed: set[int]) -> bool:
        if len(prefix) == len(blocks):
            out.append([blocks[i] for i in prefix])
            return len(out) <= limit
        for i in range(len(blocks)):
            if i not in placed and preds[i] <= placed:
                prefix.append(i)
                placed.add(i)
                ok = extend(prefix, placed)
                prefix.pop()
                placed.discard(i)
                if not ok:
                    return False
        return True

    return out if extend([], set()) else None


def refine(problem: ComponentProblem, coarse: ComponentResult, clusters: Sequence[Cluster],
           solve: Callable[[ComponentProblem], ComponentResult]) -> ComponentResult:
    """Exact statuses of a component whose classes include coarsened clusters."""
    contested = [c for c in clusters if _contested(coarse, c)]
    if not contested:
        return coarse
    choices = [orders(c) for c in contested]
    total = 1
    for ch in choices:
        total *= len(ch) if ch is not None else MAX_ORDERS + 1
    if total > MAX_ORDERS:
        return replace(coarse, solve_status=SolveStatus.not_proven)
    results = []
    calls = coarse.stats.cpsat_calls
    for combo in itertools.product(*[ch for ch in choices if ch is not None]):
        fine, perm = _refined(problem, contested, combo)
        res = solve(fine)
        calls += res.stats.cpsat_calls
        results.append(_back(res, perm, problem.n))
    return _union(problem, coarse, results, calls)


def _contested(res: ComponentResult, cluster: Cluster) -> bool:
    statuses = {res.status[i] for i in cluster.positions}
    return len(statuses) > 1 or ESCALATED in statuses


def _refined(problem: ComponentProblem, contested: list[Cluster],
             combo: tuple[list[list[int]], ...]) -> tuple[ComponentProblem, list[int]]:
    """The problem with each contested cluster's class split in the given order; ``perm[new]``
    is the old position."""
    sub_class: dict[int, int] = {}  # old position -> rank of its block inside its cluster
    for cluster, order in zip(contested, combo, strict=True):
        for rank, block in enumerate(order):
            for m in block:
                sub_class[cluster.positions[m]] = rank
    perm = sorted(range(problem.n), key=lambda i: (problem.cls[i], sub_class.get(i, 0), i))
    keys = [(problem.cls[i], sub_class.get(i, 0)) for i in perm]
    cls, last, c = [], None, -1
    for k in keys:
        if k != last:
            c += 1
            last = k
        cls.append(c)
    fine = ComponentProblem(
        name=problem.name, ids=tuple(problem.ids[i] for i in perm), cls=tuple(cls),
        caps=problem.caps, kinds=problem.kinds, labels=problem.labels,
        rows=tuple(problem.rows[i] for i in perm), objective=problem.objective,
        forced=tuple(problem.forced[i] for i in perm) if problem.forced else (),
    )
    return fine, perm


def _back(res: ComponentResult, perm: list[int], n: int) -> ComponentResult:
    status = [0] * n
    blocker = [-1] * n
    for new, old in enumerate(perm):
        status[old] = res.status[new]
        blocker[old] = res.blocker[new]
    groups = tuple((tuple(sorted(perm[i] for i in members)), seats)
                   for members, seats in res.groups)
    return ComponentResult(tuple(status), tuple(blocker), groups, res.class_counts,
                           res.solve_status, res.stats)


def _union(problem: ComponentProblem, coarse: ComponentResult,
           results: list[ComponentResult], calls: int) -> ComponentResult:
    n = problem.n
    status = []
    for i in range(n):
        seen = {r.status[i] for r in results}
        if seen == {SELECTED}:
            status.append(SELECTED)
        elif seen == {NOT_SELECTED}:
            status.append(NOT_SELECTED)
        else:
            status.append(ESCALATED)
    by_class: dict[int, list[int]] = {}
    for i, s in enumerate(status):
        if s == ESCALATED:
            by_class.setdefault(problem.cls[i], []).append(i)
    groups = []
    for members in by_class.values():
        inside = set(members)
        seats = 0
        for r in results:
            taken = sum(1 for i in members if r.status[i] == SELECTED)
            taken += sum(s for g, s in r.groups if set(g) <= inside)
            seats = max(seats, taken)
        groups.append((tuple(members), max(1, min(seats, len(members) - 1))))
    proven = all(r.solve_status is SolveStatus.optimal for r in results)
    return ComponentResult(
        status=tuple(status), blocker=results[0].blocker, groups=tuple(groups),
        class_counts=coarse.class_counts,
        solve_status=SolveStatus.optimal if proven else SolveStatus.not_proven,
        stats=SolveStats(cpsat_calls=calls, stages=coarse.stats.stages,
                         seconds=coarse.stats.seconds, method=coarse.stats.method + "+orders"),
    )
