"""Coupled pools with birth dates known only to the year (or month): statuses over the
orders the data allows.

Two exact solves come first: every incomplete date placed as early as its record allows
(above each peer whose date falls in its interval) and as late. An incomplete candidate's
own status is settled by these two, because moving a candidate up the order can only help
them: selected at the latest placement means selected everywhere, not selected at the
earliest means nowhere. Where the two orders agree on everyone, their common result stands.
Where they differ, the *contested* clusters (an incomplete date and its peers) are solved
under every order of their members that the data allows — a member surely older than
another stays above it; equal complete dates fall back on the later criteria; otherwise
either may come first — and a candidate is selected only if selected under every order, not
selected if under none, escalated otherwise. Undecidable comparisons are thus never settled
by a guess nor by a later criterion (SCENARIO.md "Incomplete data").

Orders multiply; past :data:`MAX_ORDERS` the statuses are those of the two extreme orders
(escalated where they differ) and the component is reported ``not_proven``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

from allocator.solve.problem import (
    ESCALATED,
    NOT_SELECTED,
    SELECTED,
    Cluster,
    ComponentProblem,
    ComponentResult,
    SolveStats,
    linked_groups,
)
from models.enums import SolveStatus

MAX_ORDERS = 64


def orders(cluster: Cluster, limit: int = MAX_ORDERS) -> list[list[list[int]]] | None:
    """Every order the data allows, as lists of blocks of member indices (members equal on
    every criterion share a block); None when there are more than ``limit``."""
    n = len(cluster.positions)
    blocks: list[list[int]] = []
    seen_key: dict[tuple[int, int, tuple[int, ...]], int] = {}
    for m in range(n):
        # Members with the same record are interchangeable: one block. Later criteria count
        # only between complete dates.
        complete = cluster.lo[m] == cluster.hi[m]
        key = (cluster.lo[m], cluster.hi[m], cluster.after[m] if complete else ())
        if key in seen_key:
            blocks[seen_key[key]].append(m)
            continue
        seen_key[key] = len(blocks)
        blocks.append([m])

    def above(a: list[int], b: list[int]) -> bool:
        x, y = a[0], b[0]
        if cluster.hi[x] < cluster.lo[y]:
            return True
        both_complete = cluster.lo[x] == cluster.hi[x] and cluster.lo[y] == cluster.hi[y]
        return both_complete and cluster.lo[x] == cluster.lo[y] and \
            cluster.after[x] < cluster.after[y]

    nb = len(blocks)
    # A block unordered with c others can stand in c + 1 places: a lower bound, cheap.
    unordered = [sum(1 for j in range(nb) if j != i and not above(blocks[i], blocks[j])
                     and not above(blocks[j], blocks[i])) for i in range(nb)]
    if max(unordered, default=0) + 1 > limit:
        return None
    preds = [{j for j in range(nb) if j != i and above(blocks[j], blocks[i])}
             for i in range(nb)]
    out: list[list[list[int]]] = []
    # Depth-first over placements, without recursion (clusters can be long chains).
    stack: list[list[int]] = [[]]
    while stack:
        prefix = stack.pop()
        if len(prefix) == nb:
            out.append([blocks[i] for i in prefix])
            if len(out) > limit:
                return None
            continue
        placed = set(prefix)
        ready = [i for i in range(nb) if i not in placed and preds[i] <= placed]
        for i in reversed(ready):
            stack.append([*prefix, i])
    return out


def resolve(earliest: ComponentProblem, latest: ComponentProblem,
            clusters: Sequence[Cluster], solve: Callable[[ComponentProblem], ComponentResult],
            ) -> ComponentResult:
    """Statuses of a component with incomplete birth dates (``earliest`` and ``latest`` are
    the same component in the two extreme orders; ``clusters`` index ``earliest``)."""
    first = solve(earliest)
    order = {cid: i for i, cid in enumerate(earliest.ids)}
    last = _back(solve(latest), [order[c] for c in latest.ids], earliest.n)
    calls = first.stats.cpsat_calls + last.stats.cpsat_calls
    if first.status == last.status and sorted(first.groups) == sorted(last.groups):
        return replace(first, stats=replace(first.stats, cpsat_calls=calls))
    differs = {i for i in range(earliest.n) if first.status[i] != last.status[i]}
    contested = [c for c in clusters
                 if differs & set(c.positions) or _contested(first, c) or _contested(last, c)]
    choices = [orders(c) for c in contested]
    total = 1
    for ch in choices:
        total *= len(ch) if ch is not None else MAX_ORDERS + 1
    if total > MAX_ORDERS or not contested:
        # Too many orders: each incomplete member of a contested cluster is also solved at
        # its own best (earliest, the others latest) and worst placement, which settles its
        # own status; others are escalated wherever any of these orders disagree.
        results = [first, last]
        for cluster in contested:
            for m in range(len(cluster.positions)):
                if cluster.lo[m] == cluster.hi[m]:
                    continue
                for own_first in (True, False):
                    fine, perm = _placed(earliest, cluster, m, own_first)
                    res = solve(fine)
                    calls += res.stats.cpsat_calls
                    results.append(_back(res, perm, earliest.n))
        united = _union(earliest, first, results, calls)
        return replace(united, solve_status=SolveStatus.not_proven)
    coarse = _merged(earliest, contested)
    results = []
    for combo in itertools.product(*[ch for ch in choices if ch is not None]):
        fine, perm = _refined(coarse, contested, combo)
        res = solve(fine)
        calls += res.stats.cpsat_calls
        results.append(_back(res, perm, earliest.n))
    return _union(earliest, first, results, calls)


def _placed(earliest: ComponentProblem, cluster: Cluster, member: int,
            own_first: bool) -> tuple[ComponentProblem, list[int]]:
    """One incomplete member as early as possible and every other incomplete member of its
    cluster as late (``own_first``), or the reverse."""
    def key(m: int) -> tuple[int, int]:
        incomplete = cluster.lo[m] != cluster.hi[m]
        if not incomplete:
            return (2 * cluster.lo[m], 0)
        early = (m == member) == own_first
        return (2 * cluster.lo[m] - 1, 0) if early else (2 * cluster.hi[m] + 1, 0)

    def later(m: int) -> tuple[int, ...]:  # never used for an incomplete date
        return cluster.after[m] if cluster.lo[m] == cluster.hi[m] else ()

    ordered = sorted(range(len(cluster.positions)), key=lambda m: (key(m), later(m), m))
    blocks: list[list[int]] = []
    for m in ordered:
        if blocks and (key(blocks[-1][0]), later(blocks[-1][0])) == (key(m), later(m)):
            blocks[-1].append(m)
        else:
            blocks.append([m])
    return _refined(_merged(earliest, [cluster]), [cluster], (blocks,))


def _merged(problem: ComponentProblem, clusters: list[Cluster]) -> ComponentProblem:
    """The problem with each cluster's members in one class (they are contiguous)."""
    anchor: dict[int, int] = {}
    for c in clusters:
        for i in c.positions:
            anchor[i] = min(c.positions)
    keys = [(problem.cls[anchor.get(i, i)], anchor.get(i, -1)) for i in range(problem.n)]
    return replace(problem, cls=_dense(keys))


def _dense(keys: list[tuple[int, int]]) -> tuple[int, ...]:
    """Class numbers 0, 1, … of sorted keys: equal neighbours share a class."""
    cls, last, c = [], None, -1
    for key in keys:
        if key != last:
            c += 1
            last = key
        cls.append(c)
    return tuple(cls)


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
    cls = _dense([(problem.cls[i], sub_class.get(i, 0)) for i in perm])
    fine = ComponentProblem(
        name=problem.name, ids=tuple(problem.ids[i] for i in perm), cls=cls,
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
    groups = []
    for members in _linked([i for i, s in enumerate(status) if s == ESCALATED], problem,
                           status):
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


def _linked(members: list[int], problem: ComponentProblem,
            status: Sequence[int]) -> list[list[int]]:
    """The escalated members in groups that compete for the same seats: linked through each
    constraint (pool, limit, budget) that cannot hold all of them next to the sure winners.
    Members of two pools coupled by a full limit thus form one group, while a budget with
    room for every escalated member links nobody. Should that leave a member alone, every
    shared constraint links (a group of one is no tie)."""
    usage = [0] * len(problem.caps)
    demand = [0] * len(problem.caps)
    for i, s in enumerate(status):
        if s == SELECTED:
            for k, c in problem.rows[i]:
                usage[k] += c
    for i in members:
        for k, c in problem.rows[i]:
            demand[k] += c
    contended = {k for k, cap in enumerate(problem.caps) if usage[k] + demand[k] > cap}
    parts = linked_groups(members, problem.rows, lambda k: k if k in contended else None)
    if any(len(part) == 1 for part in parts):
        parts = linked_groups(members, problem.rows, lambda k: k)
    return parts
