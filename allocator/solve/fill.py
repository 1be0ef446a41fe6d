"""The ``fill`` objective, exact at province scale where the component is a network flow.

``fill`` wants the most winners, then, among the selections of that many, the priority
order: the most winners of class 0, then of class 1, and so on. Once the number of winners
``N`` is fixed the feasible selections are no longer closed under removal, so the shortcuts
of :mod:`allocator.solve.sequential` that rest on that closure do not hold. What does hold,
and is all this module needs, is an exact *oracle*: "is there a selection of ``N`` winners
within every cap and the budget that takes these candidates and leaves those?". Where the
quotas and limits form two laminar families (:mod:`allocator.solve.flow`), that question is
one minimum-cost flow (the budget is its cost): polynomial, integral, exact.

1. ``N`` = the most winners: the largest flow value whose cheapest flow fits the budget
   (min-cost flow is convex in the value: a binary search below the maximum flow).
2. The classes in priority order. A class is in whole in every optimum iff a selection of
   ``N`` winners takes it next to every decision above; otherwise a candidate alone is out
   in every optimum, and an exact tie keeps the most members any such selection can take.
   That is the lexicographic optimum by definition, one class at a time. Two exact
   shortcuts keep the oracle calls few: a candidate who does not fit next to the winners
   already proven is out (as in :mod:`allocator.solve.sequential`), and consecutive classes
   are tried together, a run that doubles while the oracle says yes and is bisected when it
   says no (the oracle's answer is monotone: a superset of an infeasible choice is
   infeasible) — on the generated 10^5 province about a hundred flows decide 80,000 classes.
3. A tie whose members can share only some of its seats is *open*: its number of winners
   is fixed, not who. Members with the same row are interchangeable; the ways to give each
   open tie its winners (*completions*) are enumerated and the oracle asks whether any
   completion fits. Beyond :data:`COMPLETION_LIMIT` completions (or
   :data:`VECTOR_LIMIT` ways to split one tie) the component goes to the plain CP-SAT
   stages instead, which are exact for any shape.
4. At the end every other candidate is decided, so the open members are classified by
   CP-SAT feasibility probes over them alone (:func:`allocator.solve.cpsat.settle_open`,
   as in :mod:`allocator.solve.sequential`).

A component that is not a flow (or any ``--method cpsat`` run) goes to
:func:`allocator.solve.cpsat.solve_lex`, which is the independent check of this module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from allocator.solve import cpsat
from allocator.solve.cpsat import Infeasible, SubModel
from allocator.solve.flow import FlowOracle, IntArray, Network, network
from allocator.solve.problem import (
    FREE,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
    SolveStats,
)

#: Most completions of the open region kept before the component goes to CP-SAT stages.
COMPLETION_LIMIT = 64
#: Most ways to split one tie's winners among its kinds of member before the same.
VECTOR_LIMIT = 256


class TooOpen(Exception):
    """Too many open choices to enumerate: the component needs the CP-SAT stages."""


def solve_fill(problem: ComponentProblem, *, workers: int = 1,
               time_limit: float | None = None) -> ComponentResult:
    """Statuses of one component over every ``fill``-optimal allocation."""
    net = network(problem) if problem.n else None
    if net is not None:
        try:
            return _Fill(problem, net, workers, time_limit).run()
        except TooOpen:
            pass
    return cpsat.solve_lex(problem, workers=workers, time_limit=time_limit)


@dataclass(frozen=True)
class _Step:
    """One class in a run: the members that fit next to the winners above, the others."""

    cls: int
    take: list[int]
    drop: list[int]


@dataclass
class _Run:
    """Consecutive classes tried together, flat: step ``s`` is class ``cls[s]``, its members
    that fit are ``take[take_end[s-1]:take_end[s]]``, the others likewise in ``drop``;
    ``tie`` is the class after them when its fitting members do not fit together (it needs
    a stage of its own)."""

    cls: list[int] = field(default_factory=list)
    take: list[int] = field(default_factory=list)
    drop: list[int] = field(default_factory=list)
    take_end: list[int] = field(default_factory=list)
    drop_end: list[int] = field(default_factory=list)
    stop: int = 0
    tie: _Step | None = None

    def __len__(self) -> int:
        return len(self.cls)

    def taken(self, steps: int) -> list[int]:
        """The members taken by the first ``steps`` steps."""
        return self.take[:self.take_end[steps - 1]] if steps else []

    def dropped(self, steps: int) -> list[int]:
        return self.drop[:self.drop_end[steps - 1]] if steps else []

    def step(self, s: int) -> _Step:
        t0 = self.take_end[s - 1] if s else 0
        d0 = self.drop_end[s - 1] if s else 0
        return _Step(self.cls[s], self.take[t0:self.take_end[s]],
                     self.drop[d0:self.drop_end[s]])


@dataclass(frozen=True)
class _Completion:
    """One way to give every open tie its winners: per group, how many of its open members
    win (``take``) and how many do not (``leave``); ``use``: what those winners use of each
    constraint."""

    groups: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    take: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    leave: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    use: dict[int, int] = field(default_factory=dict)

    def bounds(self, lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
        lo, hi = lo.copy(), hi.copy()
        np.add.at(lo, self.groups, self.take)
        np.subtract.at(hi, self.groups, self.leave)
        return lo, hi

    def extended(self, kinds: dict[int, list[int]], take: tuple[int, ...],
                 rows: tuple[tuple[tuple[int, int], ...], ...]) -> _Completion:
        """This completion and ``take[r]`` winners among the members of the ``r``-th kind
        (members of one kind are interchangeable: one group, one row)."""
        g = np.fromiter(kinds, dtype=np.int64, count=len(kinds))
        t = np.asarray(take, dtype=np.int64)
        sizes = np.fromiter((len(v) for v in kinds.values()), dtype=np.int64, count=len(kinds))
        use = dict(self.use)
        for members, count in zip(kinds.values(), take, strict=True):
            for k, c in rows[members[0]]:
                use[k] = use.get(k, 0) + c * count
        return _Completion(np.concatenate([self.groups, g]), np.concatenate([self.take, t]),
                           np.concatenate([self.leave, sizes - t]), use)


class _Fill:
    def __init__(self, problem: ComponentProblem, net: Network, workers: int,
                 time_limit: float | None) -> None:
        self.p = problem
        self.net = net
        self.oracle = FlowOracle(net)
        self.workers = workers
        self.time_limit = time_limit
        self.usage = [0] * len(problem.caps)  # of the proven winners
        self.lo = np.zeros(net.n_groups, dtype=np.int64)  # proven winners per group
        self.hi = net.size.copy()  # candidates per group not proven out
        self.status = [NOT_SELECTED] * problem.n
        self.open: list[tuple[list[int], int]] = []  # open ties: members, winners
        self.completions = [_Completion()]
        self.floor: dict[int, int] = {}  # least use of each constraint by every completion
        self.total = 0
        self.classes = [[i for i in members if problem.forced_of(i) == FREE]
                        for members in problem.classes()]

    def run(self) -> ComponentResult:
        start = time.perf_counter()
        self._rulings()
        self.total = self.oracle.most(self.lo, self.hi)  # stage 1: the most winners
        self._classes()
        groups, calls = self._close()
        p, status = self.p, self.status
        return ComponentResult(
            status=tuple(status), blocker=tuple(cpsat.blockers(p, status, groups)),
            groups=tuple(sorted(groups)), class_counts=cpsat.class_counts(p, status, groups),
            stats=SolveStats(cpsat_calls=calls, stages=self.oracle.calls,
                             seconds=time.perf_counter() - start, method="fill"),
        )

    # -- decisions --------------------------------------------------------------------------
    def _take(self, i: int) -> None:
        self.status[i] = SELECTED
        for k, c in self.p.rows[i]:
            self.usage[k] += c
        self.lo[self.net.group[i]] += 1

    def _drop(self, i: int) -> None:
        self.hi[self.net.group[i]] -= 1

    def _rulings(self) -> None:
        """The managing agency's rulings: selected candidates use their capacity first."""
        for i in range(self.p.n):
            forced = self.p.forced_of(i)
            if forced == 1:
                self._take(i)
            elif forced == 0:
                self._drop(i)
        if any(u > cap for u, cap in zip(self.usage, self.p.caps, strict=True)):
            raise Infeasible

    def _fits(self, usage: list[int], members: list[int]) -> bool:
        """Do these candidates fit together next to ``usage``?"""
        caps, rows = self.p.caps, self.p.rows
        if len(members) == 1:
            return all(usage[k] + c <= caps[k] for k, c in rows[members[0]])
        add: dict[int, int] = {}
        for i in members:
            for k, c in rows[i]:
                add[k] = add.get(k, 0) + c
        return all(usage[k] + c <= caps[k] for k, c in add.items())

    def _sure(self) -> list[int]:
        """What every optimum uses of each constraint so far: the proven winners and the
        least the open ties take in any completion."""
        usage = list(self.usage)
        for k, c in self.floor.items():
            usage[k] += c
        return usage

    def _keep(self, completions: list[_Completion]) -> None:
        self.completions = completions
        common = set.intersection(*(set(c.use) for c in completions))
        self.floor = {k: min(c.use[k] for c in completions) for k in common}

    def _feasible(self, lo: IntArray, hi: IntArray, *, final: bool = False) -> bool:
        """A selection of ``total`` winners within these bounds and some completion of the
        open ties; the completion found is tried first next time. ``final``: these bounds
        will be kept if feasible, so the completions that fail them are dropped for good
        (bounds only tighten)."""
        for pos, comp in enumerate(self.completions):
            if self.oracle.feasible(*comp.bounds(lo, hi), self.total):
                if final and pos:
                    self._keep(self.completions[pos:])
                elif pos:
                    self.completions.insert(0, self.completions.pop(pos))
                return True
        return False

    # -- the classes in priority order --------------------------------------------------------
    def _classes(self) -> None:
        """Runs of classes: taken whole while the oracle agrees, the run doubling; where it
        disagrees, the longest run it accepts is kept and the next class settled alone."""
        c, size = 0, 1
        while c < len(self.classes):
            run = self._run(c, size)
            done = self._accepted(run)
            for i in run.taken(done):
                self._take(i)
            for i in run.dropped(done):
                self._drop(i)
            if done < len(run):
                self._settle(run.step(done))
                c, size = run.cls[done] + 1, max(1, size // 4)
                continue
            c, size = run.stop, size * 2
            if run.tie is not None:
                self._settle(run.tie)

    def _run(self, c: int, size: int) -> _Run:
        """Up to ``size`` classes that take somebody, from class ``c``: each class's members
        that fit next to what every optimum uses and the run so far."""
        usage = self._sure()
        caps, rows, classes = self.p.caps, self.p.rows, self.classes
        run = _Run()
        taking = 0
        while c < len(classes) and taking < size:
            members = classes[c]
            if len(members) == 1:  # the common case, inline
                i = members[0]
                row = rows[i]
                for k, coef in row:
                    if usage[k] + coef > caps[k]:
                        run.drop.append(i)
                        break
                else:
                    run.take.append(i)
                    for k, coef in row:
                        usage[k] += coef
                    taking += 1
            elif members:
                take = [i for i in members if self._fits(usage, [i])]
                kept = set(take)
                drop = [i for i in members if i not in kept]
                if len(take) > 1 and not self._fits(usage, take):
                    run.stop, run.tie = c + 1, _Step(c, take, drop)
                    return run
                run.take.extend(take)
                run.drop.extend(drop)
                for i in take:
                    for k, coef in rows[i]:
                        usage[k] += coef
                taking += bool(take)
            run.cls.append(c)
            run.take_end.append(len(run.take))
            run.drop_end.append(len(run.drop))
            c += 1
        run.stop = c
        return run

    def _accepted(self, run: _Run) -> int:
        """How many steps of the run the oracle accepts together (the longest prefix)."""
        n = len(run)
        if not run.take or self._feasible(*self._bounds(run, n), final=True):
            return n
        good, bad = 0, n  # the proven winners alone are feasible (an invariant)
        while bad - good > 1:
            mid = (good + bad) // 2
            if self._feasible(*self._bounds(run, mid)):
                good = mid
            else:
                bad = mid
        return good

    def _bounds(self, run: _Run, steps: int) -> tuple[IntArray, IntArray]:
        group = self.net.group
        lo, hi = self.lo.copy(), self.hi.copy()
        np.add.at(lo, group[np.asarray(run.taken(steps), dtype=np.int64)], 1)
        np.subtract.at(hi, group[np.asarray(run.dropped(steps), dtype=np.int64)], 1)
        return lo, hi

    def _settle(self, step: _Step) -> None:
        """A class that cannot be taken whole: its members that do not fit are out; a
        candidate alone is out; a tie keeps its most winners (a stage)."""
        for i in step.drop:
            self._drop(i)
        if len(step.take) == 1:
            self._drop(step.take[0])
        elif step.take:
            self._tie(step.take)

    # -- ties -------------------------------------------------------------------------------
    def _tie(self, members: list[int]) -> None:
        """The most members of a tie that a selection of ``total`` winners can take (fewer
        than all); every completion that reaches it is kept, and the tie is open."""
        kinds: dict[int, list[int]] = {}
        for i in members:
            kinds.setdefault(int(self.net.group[i]), []).append(i)
        sizes = [len(v) for v in kinds.values()]
        sure = self._sure()
        for count in range(len(members) - 1, 0, -1):
            found = []
            for take in _splits(sizes, count):
                chosen = [i for v, t in zip(kinds.values(), take, strict=True) for i in v[:t]]
                if not self._fits(sure, chosen):
                    continue
                for comp in self.completions:
                    ext = comp.extended(kinds, take, self.p.rows)
                    if self.oracle.feasible(*ext.bounds(self.lo, self.hi), self.total):
                        found.append(ext)
            if found:
                if len(found) > COMPLETION_LIMIT:
                    raise TooOpen
                self.open.append((members, count))
                self._keep(found)
                return
        for i in members:
            self._drop(i)

    def _close(self) -> tuple[list[tuple[tuple[int, ...], int]], int]:
        """Classify the open members over every optimal completion (CP-SAT probes over the
        open members alone: everybody else is decided)."""
        if not self.open:
            return [], 0
        residual = [cap - u for cap, u in zip(self.p.caps, self.usage, strict=True)]
        members = [i for group, _ in self.open for i in group]
        sub = SubModel(self.p, members, residual, workers=self.workers,
                       time_limit=self.time_limit)
        for group, count in self.open:
            sub.add_count(group, count)
        verdict, groups = cpsat.settle_open(sub, self.p, self.open)
        for i, s in verdict.items():
            self.status[i] = s
        return groups, sub.calls


def _splits(sizes: list[int], count: int) -> list[tuple[int, ...]]:
    """Every way to take ``count`` members from kinds of these sizes (most from the first
    kinds first); :class:`TooOpen` beyond :data:`VECTOR_LIMIT`."""
    out: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...], left: int) -> None:
        r = len(prefix)
        if r == len(sizes):
            if left == 0:
                out.append(prefix)
                if len(out) > VECTOR_LIMIT:
                    raise TooOpen
            return
        room = sum(sizes[r + 1:])
        for t in range(min(sizes[r], left), max(0, left - room) - 1, -1):
            extend((*prefix, t), left - t)

    extend((), count)
    return out
