"""Coupled pools with birth dates known only to the year (or month): statuses over every
completion of the dates (SCENARIO.md "Incomplete data").

A candidate is selected when a winner in every priority-optimal allocation of every
completion, not selected when in none, escalated otherwise. A *cluster* (the peers of an
incomplete date: candidates equal on the criteria before ``older`` whose birth intervals
overlap) is contiguous in the priority order in every completion, and a completion matters
only through the *order class sequence* it induces on each cluster: birth dates first, equal
dates by the later criteria (:func:`weak_orders` lists them, exactly, from the dates'
slots).

The first exact method is a *dominance search* (:func:`_dominance_leaves`): each incomplete
date is placed latest in its interval if guessed a winner, earliest if a loser, and one
solve that confirms every guess proves that every completion has the same optimal
allocations (a sure winner moved up, or a sure loser moved down, changes none of them).
Contradicted dates have their interval halved, one branch per half, while the searches stay
small (:data:`MAX_CONTESTED`, :data:`MAX_DOMINANCE_SOLVES`). Most incomplete candidates are
far from any contested seat and are settled by that first solve.

The second is a search over refinements. A refinement fixes the order classes of some
clusters; every other cluster is *merged* into one exact-tie class. One exact solve of a
refinement then settles each merged cluster whose members are all selected, all not
selected, or selected and not selected where each loser does not fit even beside the sure
winners above the cluster: replacing such a merged class by any order of its members leaves
the family of optimal allocations unchanged (the class's count in the lexicographic optimum
is reached by every order, the losers fit in no optimal allocation whatever the order), so
the solve stands for every completion that agrees with the refinement. The first merged
cluster that is not settled is branched on, over its order classes; a refinement with no
unsettled cluster is a *leaf*, and the leaves together cover every completion. The statuses
are the union over the leaves. Dominance thus fixes most incomplete candidates at once:
those far from any contested seat are settled in the first solve and never branched on.

Rulings (``forced``) are checked against the same meaning: the leaves are those of the
round without rulings; in each, some optimal allocation honours the rulings exactly when the
solve with them reaches the same winners per class; the statuses are the union over such
leaves, and no such leaf means the rulings are refused (:class:`Infeasible`).

Where both would cost too much (a contested cluster with more than :data:`MAX_ORDERS` order
classes or :data:`MAX_MERGED` members, or more than :data:`MAX_SOLVES` solves) the statuses
are those of the earliest and latest placements and each incomplete candidate's own best
and worst placement (its own status is exact: moving a candidate up can only help it),
escalated where they differ, and the component is reported ``not_proven``, naming the
candidates it could not settle.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from allocator.solve.cpsat import Infeasible, NotProven
from allocator.solve.problem import (
    ESCALATED,
    FREE,
    NOT_SELECTED,
    SELECTED,
    Cluster,
    ComponentProblem,
    ComponentResult,
    SolveStats,
    linked_groups,
)
from models.enums import SolveStatus

#: Most order classes of one contested cluster that are each solved.
MAX_ORDERS = 64
#: Most solves of one component.
MAX_SOLVES = 256
#: Most members of a contested cluster solved as one merged class.
MAX_MERGED = 24
#: Most slot choices tried when listing the orders of one cluster.
MAX_CHOICES = 20_000

Order = tuple[tuple[int, ...], ...]  # classes of member indices, best first
Refinement = dict[int, Order]  # cluster index -> its order classes
Solve = Callable[[ComponentProblem], ComponentResult]


def weak_orders(cluster: Cluster, limit: int = MAX_ORDERS) -> list[Order] | None:
    """Every order class sequence of the cluster's members that some completion of the
    dates induces; None when there are more than ``limit`` (or too many to list).

    Slots: every date that bounds an interval or is complete (a breakpoint, one day) and
    every gap of days between two consecutive breakpoints. Each interval is a run of whole
    slots, so a completion puts each incomplete date in one slot of its interval, and dates
    in the same gap in some weak order with at most as many levels as the gap has days;
    conversely each such choice is a completion. Equal dates are ordered by the later
    criteria (``after``), equal on those too they are one class."""
    n = len(cluster.positions)
    lo, hi = cluster.lo, cluster.hi
    points = sorted(set(lo) | set(hi))
    slots: list[tuple[int, int]] = []
    for j, b in enumerate(points):
        slots.append((b, b))
        if j + 1 < len(points) and points[j + 1] - b > 1:
            slots.append((b + 1, points[j + 1] - 1))
    slot_of = {a: s for s, (a, b) in enumerate(slots) if a == b}
    incomplete = [m for m in range(n) if lo[m] != hi[m]]
    choices = [[s for s, (a, b) in enumerate(slots) if lo[m] <= a and b <= hi[m]]
               for m in incomplete]
    total = 1
    for ch in choices:
        total *= len(ch)
    if total > MAX_CHOICES:
        return None
    fixed: dict[int, list[int]] = {}
    for m in range(n):
        if lo[m] == hi[m]:
            fixed.setdefault(slot_of[lo[m]], []).append(m)
    found: dict[Order, None] = {}
    for pick in itertools.product(*choices):
        at: dict[int, list[int]] = {s: list(ms) for s, ms in fixed.items()}
        for m, s in zip(incomplete, pick, strict=True):
            at.setdefault(s, []).append(m)
        # per slot in order: its ways, each a list of levels (members born the same day)
        levels: list[list[list[list[int]]]] = []
        for s in sorted(at):
            a, b = slots[s]
            members = at[s]
            if a == b or len(members) == 1:
                levels.append([[members]])  # one day, or one date in the gap
            else:
                levels.append([[list(lv) for lv in w]
                               for w in _ordered_partitions(members, b - a + 1)])
        for combo in itertools.product(*levels):
            order: list[tuple[int, ...]] = []
            for ways in combo:
                for level in ways:
                    order.extend(_by_after(level, cluster))
            found.setdefault(tuple(order), None)
            if len(found) > limit:
                return None
    return list(found)


def _by_after(level: Sequence[int], cluster: Cluster) -> list[tuple[int, ...]]:
    """Members born the same day, in classes by the later criteria (smaller first)."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for m in level:
        groups.setdefault(cluster.after[m], []).append(m)
    return [tuple(sorted(groups[k])) for k in sorted(groups)]


def _ordered_partitions(items: Sequence[int], most: int) -> Iterator[list[tuple[int, ...]]]:
    """Every ordered partition of ``items`` into at most ``most`` non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _ordered_partitions(rest, most):
        for j in range(len(part)):  # first joins block j
            yield [*part[:j], tuple(sorted((*part[j], first))), *part[j + 1:]]
        if len(part) < most:
            for j in range(len(part) + 1):  # first alone, before block j
                yield [*part[:j], (first,), *part[j:]]


Build = Callable[[ComponentProblem], tuple[ComponentProblem, list[int]]]
Leaf = tuple[Build, ComponentResult]  # how to build the leaf's problem, its result


def resolve(earliest: ComponentProblem, latest: ComponentProblem,
            clusters: Sequence[Cluster], solve: Solve) -> ComponentResult:
    """Statuses of a component with incomplete birth dates over every completion
    (``earliest`` and ``latest`` are the same component in the two extreme orders;
    ``clusters`` index ``earliest``; rulings are ``earliest.forced``)."""
    ruled = any(f != FREE for f in earliest.forced)
    free = replace(earliest, forced=()) if ruled else earliest
    calls = [0]

    def counted(p: ComponentProblem) -> ComponentResult:
        res = solve(p)
        calls[0] += res.stats.cpsat_calls
        return res

    leaves, contested = _dominance_leaves(free, clusters, counted)
    if leaves is None:
        leaves = _leaves(free, clusters, counted)
    if leaves is None:
        if ruled:
            raise NotProven
        # Only the clusters of the contested dates are tried further, where they are known.
        tried = clusters if contested is None else [
            c for c in clusters if contested & set(c.positions)]
        result = _fallback(free, latest, tried, counted, contested)
        if contested is not None:
            result = replace(result, unsettled=tuple(sorted(contested)))
        return replace(result, stats=replace(result.stats, cpsat_calls=calls[0]))
    if not ruled:
        return _union(free, [res for _, res in leaves], calls[0])
    kept = []
    for build, res in leaves:
        p, perm = build(earliest)
        try:
            with_rulings = counted(p)
        except Infeasible:
            continue
        if with_rulings.class_counts == res.class_counts:
            kept.append(_back(with_rulings, perm, earliest.n))
    if not kept:
        raise Infeasible
    return _union(earliest, kept, calls[0])


Ranges = dict[int, tuple[int, int]]  # position -> (first day, last day) of its date
Member = tuple[int, int, int, int]  # (position, cluster, member index, cluster's class)

#: Most incomplete dates the first solve of the dominance search may leave contested.
MAX_CONTESTED = 2
#: Most solves of the dominance search (each one a whole component in one order).
MAX_DOMINANCE_SOLVES = 48


def _dominance_leaves(problem: ComponentProblem, clusters: Sequence[Cluster], solve: Solve,
                      ) -> tuple[list[Leaf] | None, set[int] | None]:
    """The leaves of the dominance search, or None past :data:`MAX_DOMINANCE_SOLVES`; with
    the incomplete candidates that the first solve could not settle.

    A node gives each incomplete date a range of days (at first its interval) and places it
    *latest* in its range if it is guessed a winner, *earliest* if a loser; complete dates
    stay where they are. Should one solve of that order find every winner-guess selected
    and every loser-guess not selected, the node is a leaf: every completion in the ranges
    has the same optimal allocations. For a candidate in every optimal allocation, moving it
    up the order (out of a tie, into another, past anyone) keeps every optimal allocation
    and no other: each class above keeps its best count, reached by sets that hold it. For a
    candidate in none, moving it down likewise. Moving the candidates one by one from the
    node's order to any completion therefore never changes the optimal allocations. A
    guess the solve contradicts is flipped once; a candidate still contradicted has its
    range halved, one child per half."""
    n = problem.n
    members: list[Member] = []
    for j, c in enumerate(clusters):
        anchor = problem.cls[min(c.positions)]
        for m, i in enumerate(c.positions):
            if c.lo[m] != c.hi[m]:
                members.append((i, j, m, anchor))
    if not members:
        return [], set()
    start: Ranges = {i: (clusters[j].lo[m], clusters[j].hi[m]) for i, j, m, _ in members}
    stack: list[tuple[Ranges, frozenset[int]]] = [(start, frozenset())]
    leaves: list[Leaf] = []
    first_contested: set[int] | None = None
    solves = 0
    while stack:
        ranges, winners = stack.pop()
        for attempt in range(2):
            solves += 1
            if solves > MAX_DOMINANCE_SOLVES:
                return None, first_contested
            build = _placement(clusters, members, ranges, winners)
            p, perm = build(problem)
            res = _back(solve(p), perm, n)
            wrong = [i for i, *_ in members if ranges[i][0] != ranges[i][1]
                     and res.status[i] != (SELECTED if i in winners else NOT_SELECTED)]
            if not wrong:
                leaves.append((build, res))
                break
            flip = {i for i in wrong if res.status[i] != ESCALATED}
            if attempt == 0 and flip:
                winners = winners ^ frozenset(flip)
                continue
            if first_contested is None:
                first_contested = set(wrong)
                if len(wrong) > MAX_CONTESTED:  # the halvings would multiply
                    return None, first_contested
            i = min(wrong)
            a, b = ranges[i]
            mid = (a + b) // 2
            for half in ((mid + 1, b), (a, mid)):
                stack.append(({**ranges, i: half}, winners))
            break
    return leaves, first_contested


def _placement(clusters: Sequence[Cluster], members: Sequence[Member], ranges: Ranges,
               winners: frozenset[int]) -> Build:
    """The order of a node of the dominance search: each incomplete date latest in its
    range when guessed a winner, earliest otherwise, a range of one day as that date."""
    def build(p: ComponentProblem) -> tuple[ComponentProblem, list[int]]:
        key: list[tuple[int, ...]] = [(p.cls[i], 0) for i in range(p.n)]
        for c in clusters:
            anchor = p.cls[min(c.positions)]
            for m, i in enumerate(c.positions):
                if c.lo[m] == c.hi[m]:
                    key[i] = (anchor, 2 * c.lo[m], *c.after[m])
        for i, j, m, anchor in members:
            a, b = ranges[i]
            if a == b:
                key[i] = (anchor, 2 * a, *clusters[j].after[m])
            else:
                key[i] = (anchor, 2 * b + 1 if i in winners else 2 * a - 1)
        perm = sorted(range(p.n), key=lambda i: (key[i], i))
        fine = ComponentProblem(
            name=p.name, ids=tuple(p.ids[i] for i in perm), cls=_dense([key[i] for i in perm]),
            caps=p.caps, kinds=p.kinds, labels=p.labels,
            rows=tuple(p.rows[i] for i in perm), objective=p.objective,
            forced=tuple(p.forced[i] for i in perm) if p.forced else (),
        )
        return fine, perm
    return build


def _refinement(clusters: Sequence[Cluster], ref: Refinement) -> Build:
    def build(p: ComponentProblem) -> tuple[ComponentProblem, list[int]]:
        return _refined(p, clusters, ref)
    return build


def _leaves(problem: ComponentProblem, clusters: Sequence[Cluster], solve: Solve,
            ) -> list[Leaf] | None:
    """The leaves of the search (their refinement and result, in ``problem``'s positions),
    or None where the search would cost too much."""
    big = [j for j, c in enumerate(clusters) if len(c.positions) > MAX_MERGED]
    if big:
        # A large merged cluster that is contested is one huge tie class: costly to solve.
        # The earliest order is cheap; where a large cluster is not settled whole there,
        # the search is not tried.
        res = solve(problem)
        for j in big:
            if _contested(res, clusters[j]):
                return None
    out: list[Leaf] = []
    stack: list[Refinement] = [{}]
    solves = 0
    while stack:
        ref = stack.pop()
        solves += 1
        if solves > MAX_SOLVES:
            return None
        p, perm = _refined(problem, clusters, ref)
        res = _back(solve(p), perm, problem.n)
        open_ = [j for j in range(len(clusters))
                 if j not in ref and not _settled(problem, res, clusters[j])]
        if not open_:
            out.append((_refinement(clusters, ref), res))
            continue
        j = min(open_, key=lambda j: min(clusters[j].positions))
        if len(clusters[j].positions) > MAX_MERGED:
            return None
        ways = weak_orders(clusters[j])
        if ways is None:
            return None
        for w in reversed(ways):
            stack.append({**ref, j: w})
    return out


def _settled(problem: ComponentProblem, res: ComponentResult, cluster: Cluster) -> bool:
    """Whether the merged cluster's outcome holds for every order of its members: all free
    members selected, or all not selected, or no one escalated and every loser unable to fit
    beside the sure winners above the cluster (and every ruled-in candidate)."""
    members = [i for i in cluster.positions if problem.forced_of(i) == FREE]
    seen = {res.status[i] for i in members}
    if ESCALATED in seen:
        return False
    if len(seen) <= 1:
        return True
    start = min(cluster.positions)
    usage = [0] * len(problem.caps)
    for i in range(problem.n):
        if (i < start and res.status[i] == SELECTED) or problem.forced_of(i) == 1:
            for k, c in problem.rows[i]:
                usage[k] += c
    return all(any(usage[k] + c > problem.caps[k] for k, c in problem.rows[i])
               for i in members if res.status[i] == NOT_SELECTED)


def _refined(problem: ComponentProblem, clusters: Sequence[Cluster], ref: Refinement,
             ) -> tuple[ComponentProblem, list[int]]:
    """The problem with each cluster of ``ref`` in its order classes and every other cluster
    merged into one class; ``perm[new]`` is the old position."""
    key = [(problem.cls[i], 0) for i in range(problem.n)]
    for j, c in enumerate(clusters):
        anchor = problem.cls[min(c.positions)]
        order = ref.get(j)
        if order is None:
            for i in c.positions:
                key[i] = (anchor, 0)
        else:
            for rank, members in enumerate(order):
                for m in members:
                    key[c.positions[m]] = (anchor, rank)
    perm = sorted(range(problem.n), key=lambda i: (key[i], i))
    fine = ComponentProblem(
        name=problem.name, ids=tuple(problem.ids[i] for i in perm),
        cls=_dense([key[i] for i in perm]),
        caps=problem.caps, kinds=problem.kinds, labels=problem.labels,
        rows=tuple(problem.rows[i] for i in perm), objective=problem.objective,
        forced=tuple(problem.forced[i] for i in perm) if problem.forced else (),
    )
    return fine, perm


def _fallback(earliest: ComponentProblem, latest: ComponentProblem,
              clusters: Sequence[Cluster], solve: Solve,
              only: set[int] | None = None) -> ComponentResult:
    """Too costly to be exact: the extreme orders and each incomplete candidate's own best and
    worst placement (of those in ``only`` where given), escalated where they differ; not
    proven."""
    first = solve(earliest)
    order = {cid: i for i, cid in enumerate(earliest.ids)}
    last = _back(solve(latest), [order[c] for c in latest.ids], earliest.n)
    results = [first, last]
    unsettled: list[int] = []
    for cluster in clusters:
        if not (_contested(first, cluster) or _contested(last, cluster)
                or any(first.status[i] != last.status[i] for i in cluster.positions)):
            continue
        for m in range(len(cluster.positions)):
            if cluster.lo[m] == cluster.hi[m] or (
                    only is not None and cluster.positions[m] not in only):
                continue
            unsettled.append(cluster.positions[m])
            for own_first in (True, False):
                fine, perm = _placed(earliest, cluster, m, own_first)
                results.append(_back(solve(fine), perm, earliest.n))
    united = _union(earliest, results, 0)
    return replace(united, solve_status=SolveStatus.not_proven,
                   unsettled=tuple(sorted(unsettled)))


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
    return _split_cluster(_merged(earliest, [cluster]), [cluster], (blocks,))


def _merged(problem: ComponentProblem, clusters: list[Cluster]) -> ComponentProblem:
    """The problem with each cluster's members in one class (they are contiguous)."""
    anchor: dict[int, int] = {}
    for c in clusters:
        for i in c.positions:
            anchor[i] = min(c.positions)
    keys = [(problem.cls[anchor.get(i, i)], anchor.get(i, -1)) for i in range(problem.n)]
    return replace(problem, cls=_dense(keys))


def _dense(keys: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    """Class numbers 0, 1, … of sorted keys: equal neighbours share a class."""
    cls: list[int] = []
    last: tuple[int, ...] | None = None
    c = -1
    for key in keys:
        if key != last:
            c += 1
            last = key
        cls.append(c)
    return tuple(cls)


def _contested(res: ComponentResult, cluster: Cluster) -> bool:
    statuses = {res.status[i] for i in cluster.positions}
    return len(statuses) > 1 or ESCALATED in statuses


def _split_cluster(problem: ComponentProblem, contested: list[Cluster],
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


def _union(problem: ComponentProblem, results: list[ComponentResult],
           calls: int) -> ComponentResult:
    """Statuses over the results (each one exact for some completions, together for all)."""
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
    first = results[0]
    blocker = tuple(next((r.blocker[i] for r in results if r.blocker[i] >= 0), -1)
                    for i in range(n))
    return ComponentResult(
        status=tuple(status), blocker=blocker, groups=tuple(groups),
        class_counts=first.class_counts,
        solve_status=SolveStatus.optimal if proven else SolveStatus.not_proven,
        stats=SolveStats(cpsat_calls=calls, stages=first.stats.stages,
                         seconds=sum(r.stats.seconds for r in results),
                         method=first.stats.method + "+orders"),
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
