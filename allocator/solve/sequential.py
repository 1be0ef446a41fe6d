"""The exact lexicographic optimum of a coupled component, class by class.

The winners of a priority-optimal allocation maximise the number of winners of the best
class, then of the next, and so on: a higher-priority candidate is never given up for any
number of lower-priority ones. Every shared limit is a packing constraint (quota, limits,
budget: at most so much), so the feasible selections are closed under removal. That gives
exact shortcuts, proven here rather than searched:

* a candidate who does not fit next to the winners already fixed is out in every optimum;
* a class that fits whole, even if every open choice above it took the most room it
  could, is in whole in every optimum;
* an exact tie whose members use the same constraints in the same amounts takes
  ``t`` seats whoever gets them: the members are escalated and the usage is known.

Only what remains — a tie whose members weigh differently on shared limits — becomes an
*open* region solved by stages (each proven optimal before its value is fixed), and at the
end every open member is classified by feasibility probes. While the open region has few
completions (ways to give each open class its proven number of winners), a stage is
settled by enumerating them against every subset of the piece, an exhaustive and therefore
exact search; beyond ``ENUMERATION_LIMIT`` checks a stage is a CP-SAT model.

For ``fill`` the feasible set is not closed under removal once the number of winners is
fixed, so that objective goes to :mod:`allocator.solve.fill` (an exact flow oracle where the
component is a network, the plain CP-SAT stages otherwise).
"""

from __future__ import annotations

import time
from collections import defaultdict
from itertools import combinations

from allocator.solve import cpsat
from allocator.solve.cpsat import Infeasible, SubModel
from allocator.solve.fill import solve_fill
from allocator.solve.problem import (
    ESCALATED,
    FREE,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
    SolveStats,
    linked_groups,
)
from models.enums import Method, Objective

#: Most (completion, subset) pairs a stage may enumerate before it becomes a CP-SAT model;
#: 0 sends every stage to CP-SAT (the tests run both ways).
ENUMERATION_LIMIT = 4096
#: Most completions of the open region kept for enumeration.
COMPLETION_LIMIT = 256


def solve_component(problem: ComponentProblem, *, workers: int = 1,
                    time_limit: float | None = None,
                    method: Method = Method.auto) -> ComponentResult:
    """Statuses of every candidate of one component over all priority-optimal allocations.

    ``method``: "auto" (propagation with CP-SAT stages for ``priority``; the flow oracle of
    :mod:`allocator.solve.fill` for ``fill``) or "cpsat" (plain CP-SAT stages for both
    objectives: the independent check).
    """
    if Method(method) is Method.cpsat:
        return cpsat.solve_lex(problem, workers=workers, time_limit=time_limit)
    if problem.objective is Objective.fill:
        return solve_fill(problem, workers=workers, time_limit=time_limit)
    return _Sequential(problem, workers, time_limit).run()


class _Sequential:
    def __init__(self, problem: ComponentProblem, workers: int,
                 time_limit: float | None) -> None:
        self.p = problem
        self.workers = workers
        self.time_limit = time_limit
        n, m = problem.n, len(problem.caps)
        self.status = [NOT_SELECTED] * n
        self.blocker = [-1] * n
        self.usage = [0] * m  # proven usage in every optimum (winners + known tie seats)
        self.open_max = [0] * m  # most the open region can use of each constraint
        self.open_classes: list[tuple[list[int], int]] = []
        self.open_members: list[int] = []
        self.groups: list[tuple[tuple[int, ...], int]] = []
        # Every completion of the open region (its usage per constraint) while there are
        # few; None once there are too many to enumerate.
        self.completions: list[dict[int, int]] | None = [{}]
        self.calls = 0
        self.stages = 0

    # -- helpers ------------------------------------------------------------------------------
    def fits(self, i: int) -> int:
        """-1 if candidate i fits next to the proven usage, else the first constraint it breaks."""
        caps, usage = self.p.caps, self.usage
        for k, c in self.p.rows[i]:
            if usage[k] + c > caps[k]:
                return k
        return -1

    def take(self, i: int) -> None:
        self.status[i] = SELECTED
        for k, c in self.p.rows[i]:
            self.usage[k] += c

    def submodel(self, extra: list[int]) -> SubModel:
        residual = [cap - u for cap, u in zip(self.p.caps, self.usage, strict=True)]
        sub = SubModel(self.p, [*self.open_members, *extra], residual,
                       workers=self.workers, time_limit=self.time_limit)
        for members, count in self.open_classes:
            sub.add_count(members, count)
        return sub

    # -- the pass -----------------------------------------------------------------------------
    def run(self) -> ComponentResult:
        start = time.perf_counter()
        p = self.p
        for i in range(p.n):
            if p.forced_of(i) == 1:
                self.take(i)
        if any(u > cap for u, cap in zip(self.usage, p.caps, strict=True)):
            raise Infeasible
        forced = bool(p.forced)
        cls = p.cls
        n = p.n
        a = 0
        while a < n:
            b = a + 1
            while b < n and cls[b] == cls[a]:
                b += 1
            members = range(a, b)
            a = b
            if len(members) == 1 and not forced and not self.open_classes:
                # The common case: a candidate with no exact tie and no open choice above.
                i = members[0]
                k = self.fits(i)
                if k >= 0:
                    self.blocker[i] = k
                else:
                    self.take(i)
                continue
            free = [i for i in members if p.forced_of(i) == FREE] if forced else list(members)
            rest = []
            for i in free:
                k = self.fits(i)
                if k >= 0:
                    self.blocker[i] = k
                else:
                    rest.append(i)
            if rest:
                self.decide_class(rest)
        self.close_open_region()
        counts = cpsat.class_counts(p, self.status, self.groups)
        blocker = self.blocker
        unknown = {i for i, (b, s) in enumerate(zip(blocker, self.status, strict=True))
                   if b < 0 and s == NOT_SELECTED}
        if unknown:
            fallback = cpsat.blockers(p, self.status, self.groups, unknown)
            blocker = [b if b >= 0 else fallback[i] for i, b in enumerate(blocker)]
        return ComponentResult(
            status=tuple(self.status), blocker=tuple(blocker), groups=tuple(sorted(self.groups)),
            class_counts=counts,
            stats=SolveStats(cpsat_calls=self.calls, stages=self.stages,
                             seconds=time.perf_counter() - start, method="sequential"),
        )

    def decide_class(self, rest: list[int]) -> None:
        p = self.p
        add: dict[int, int] = defaultdict(int)
        for i in rest:
            for k, c in p.rows[i]:
                add[k] += c
        tight = {k for k, a in add.items()
                 if self.usage[k] + self.open_max[k] + a > p.caps[k]}
        if not tight:
            for i in rest:
                self.take(i)
            return
        # Members linked through tight constraints compete; the others are in whole. Tight
        # constraints that the open region can use are linked through it, so they form one
        # piece (a choice above may give room to one member or to another, not to both).
        for piece in _pieces(rest, p.rows, tight, {k for k in tight if self.open_max[k]}):
            piece_tight = {k for i in piece for k, _ in p.rows[i] if k in tight}
            if not piece_tight:
                for i in piece:
                    self.take(i)
            elif self._interchangeable(piece, piece_tight):
                self._symmetric_tie(piece)
            else:
                self._stage(piece)

    def _interchangeable(self, piece: list[int], tight: set[int]) -> bool:
        """Same constraints with the same coefficients, and no open choice touching them."""
        rows = self.p.rows
        first = rows[piece[0]]
        if any(rows[i] != first for i in piece[1:]):
            return False
        return all(self.open_max[k] == 0 for k in tight)

    def _symmetric_tie(self, piece: list[int]) -> None:
        p = self.p
        row = p.rows[piece[0]]
        seats = len(piece)
        for k, c in row:
            if c:
                seats = min(seats, (p.caps[k] - self.usage[k]) // c)
        # 1 <= seats < len(piece): each member fits alone, all together do not.
        for i in piece:
            self.status[i] = ESCALATED
        for k, c in row:
            self.usage[k] += seats * c
        self.groups.append((tuple(sorted(piece)), seats))

    def _stage(self, piece: list[int]) -> None:
        """A stage: the most winners this piece can have next to the open region."""
        self.stages += 1
        enumerated = self._enumerate(piece)
        if enumerated is None:
            sub = self.submodel(piece)
            count, _ = sub.maximize(dict.fromkeys(piece, 1))
            self.calls += sub.calls
            self.completions = None
        else:
            count, completions = enumerated
            self.completions = completions if len(completions) <= COMPLETION_LIMIT else None
        if count == len(piece):
            for i in piece:
                self.take(i)
            return
        if count == 0:  # the open region above leaves no room: out in every optimum
            return
        self.open_classes.append((piece, count))
        self.open_members.extend(piece)
        p = self.p
        per_k: dict[int, list[int]] = defaultdict(list)
        for i in piece:
            for k, c in p.rows[i]:
                per_k[k].append(c)
        for k, coefs in per_k.items():
            self.open_max[k] += sum(sorted(coefs, reverse=True)[:count])

    def _enumerate(self, piece: list[int]) -> tuple[int, list[dict[int, int]]] | None:
        """The stage by exhaustion: the most members of ``piece`` that fit beside some
        completion of the open region, and the completions of the region with the piece
        added at that count. None when that would take more than ``ENUMERATION_LIMIT``
        checks."""
        if self.completions is None:
            return None
        p = self.p
        residual = [cap - u for cap, u in zip(p.caps, self.usage, strict=True)]
        live = [c for c in self.completions if all(v <= residual[k] for k, v in c.items())]
        if not live:  # the stages above proved a completion exists
            raise Infeasible
        if len(live) << len(piece) > ENUMERATION_LIMIT:
            return None
        for size in range(len(piece), 0, -1):
            found: dict[tuple[tuple[int, int], ...], dict[int, int]] = {}
            for chosen in combinations(piece, size):
                use: dict[int, int] = defaultdict(int)
                for i in chosen:
                    for k, c in p.rows[i]:
                        use[k] += c
                for comp in live:
                    if all(comp.get(k, 0) + v <= residual[k] for k, v in use.items()):
                        merged = dict(comp)
                        for k, v in use.items():
                            merged[k] = merged.get(k, 0) + v
                        found.setdefault(tuple(sorted(merged.items())), merged)
            if found:
                return size, (live if size == len(piece) else list(found.values()))
        return 0, live

    def close_open_region(self) -> None:
        """Classify the open members over every optimal completion (feasibility probes)."""
        if not self.open_classes:
            return
        sub = self.submodel([])
        verdict, groups = cpsat.settle_open(sub, self.p, self.open_classes)
        for i, s in verdict.items():
            self.status[i] = s
        self.groups.extend(groups)
        self.calls += sub.calls


def _pieces(members: list[int], rows: tuple[tuple[tuple[int, int], ...], ...],
            tight: set[int], linked: set[int]) -> list[list[int]]:
    """Split members into groups connected by shared tight constraints; all constraints in
    ``linked`` count as one."""
    anchor = min(linked) if linked else -1
    return linked_groups(members, rows, lambda k: (anchor if k in linked else k)
                         if k in tight else None)
