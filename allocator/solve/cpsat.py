"""CP-SAT models of a component, and the lexicographic optimum by CP-SAT stages alone.

CP-SAT has no lexicographic objective, and per-candidate powers of two overflow 64 bits
past about 62 candidates. The optimum here is found *class by class*: a stage maximises
the number of winners in one priority class (or a short window of classes, with weights
that stay below :data:`MAX_WEIGHT`) and its proven value is fixed as an equality before
the next stage. No stage is ever fixed at a value that is not proven OPTIMAL.

The model (:class:`SubModel`) is one Boolean ``x[i]`` per candidate (wins or not), one
function per constraint family below (quota, limit, budget, the count of a stage, a ruling),
and CP-SAT's statuses are read in one place (:func:`_answer`).

:func:`solve_lex` is the plain method (every undecided class gets a stage); it is the
independent check of :mod:`allocator.solve.sequential` (``priority``) and of
:mod:`allocator.solve.fill` (``fill``), and the method for a ``fill`` component that is not
a network flow.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from allocator.solve.problem import (
    ESCALATED,
    FREE,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
    SolveStats,
)
from models.enums import Objective

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

Groups = list[tuple[tuple[int, ...], int]]


def _ortools() -> Any:
    """OR-Tools' CP-SAT module, imported on first use: a round whose pools are all lone (or
    settled without a stage) never pays for loading it."""
    from ortools.sat.python import cp_model as module

    return module


MAX_WEIGHT = 1 << 20  # largest objective coefficient a stage may use


class NotProven(Exception):
    """A stage ended without proving optimality (only with a time limit)."""


class Infeasible(Exception):
    """Fixed decisions cannot all hold (e.g. the authority selected past a limit)."""


class _Answer(StrEnum):
    """What a CP-SAT solve proved, in our words."""

    optimal = "optimal"  # the objective's value is proven (or, without one, a solution)
    feasible = "feasible"  # a solution, its optimality not proven
    infeasible = "infeasible"  # proven: no solution
    not_proven = "not_proven"  # nothing proven (time limit, or an invalid model)


def _answer(cp: Any, status: object) -> _Answer:
    """CP-SAT's status mapped to ours: the one place that reads it."""
    if status == cp.OPTIMAL:
        return _Answer.optimal
    if status == cp.FEASIBLE:
        return _Answer.feasible
    if status == cp.INFEASIBLE:
        return _Answer.infeasible
    return _Answer.not_proven


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


Terms = list[tuple[int, int]]  # (candidate, coefficient)


class SubModel:
    """A CP-SAT model over some candidates of a component, the others being fixed.

    ``residual[k]`` is the capacity of constraint ``k`` left to these candidates.
    """

    def __init__(self, problem: ComponentProblem, positions: Iterable[int],
                 residual: Sequence[int], *, workers: int = 1,
                 time_limit: float | None = None) -> None:
        self.problem = problem
        self.cp = _ortools()
        self.model = self.cp.CpModel()
        self.positions = sorted(positions)
        self.x = {i: self.model.new_bool_var(f"x{i}") for i in self.positions}
        self.workers = workers
        self.time_limit = time_limit
        self.calls = 0
        terms: dict[int, Terms] = {}
        for i in self.positions:
            for k, coef in problem.rows[i]:
                if coef:
                    terms.setdefault(k, []).append((i, coef))
        for k in sorted(terms):
            FAMILIES[problem.kinds[k]](self, terms[k], residual[k])

    def at_most(self, terms: Terms, cap: int) -> None:
        """``sum(coef * x) <= cap``, left out when it cannot bind."""
        if sum(c for _, c in terms) > cap:
            self.model.add(sum(c * self.x[i] for i, c in terms) <= cap)

    def add_count(self, positions: Sequence[int], count: int) -> None:
        """Fix the number of winners among ``positions`` (a proven stage value)."""
        add_count(self, positions, count)

    def fix(self, i: int, value: int) -> None:
        """Fix one candidate (a decided class)."""
        add_ruling(self, i, value)

    # -- solving ---------------------------------------------------------------------------
    def _solve(self) -> tuple[_Answer, cp_model.CpSolver]:
        solver: cp_model.CpSolver = self.cp.CpSolver()
        solver.parameters.num_workers = self.workers
        if self.time_limit is not None:
            solver.parameters.max_time_in_seconds = self.time_limit
        status = solver.solve(self.model)
        self.calls += 1
        return _answer(self.cp, status), solver

    def maximize(self, weights: dict[int, int],
                 hint: dict[int, int] | None = None) -> tuple[int, dict[int, int]]:
        """Proven maximum of ``sum(w * x)`` and one optimal assignment."""
        self.model.clear_hints()
        if hint:
            for i, v in hint.items():
                if i in self.x:
                    self.model.add_hint(self.x[i], v)
        self.model.maximize(sum(w * self.x[i] for i, w in weights.items()))
        answer, solver = self._solve()
        if answer is _Answer.infeasible:
            raise Infeasible
        if answer is not _Answer.optimal:
            raise NotProven
        return round(solver.objective_value), {i: int(solver.value(v)) for i, v in self.x.items()}

    def find(self, assume: dict[int, int]) -> dict[int, int] | None:
        """An assignment with the given values, or None when none exists (proven)."""
        self.model.clear_objective()
        self.model.clear_hints()
        self.model.clear_assumptions()
        for i, v in assume.items():
            self.model.add_assumption(self.x[i] if v else ~self.x[i])
        answer, solver = self._solve()
        self.model.clear_assumptions()
        if answer is _Answer.infeasible:
            return None
        if answer is _Answer.not_proven:
            raise NotProven
        return {i: int(solver.value(v)) for i, v in self.x.items()}


# ---------------------------------------------------------------------------------------------
# Constraint families
# ---------------------------------------------------------------------------------------------


def add_quota(m: SubModel, terms: Terms, residual: int) -> None:
    """At most ``quota`` winners in a pool (chỉ tiêu), per (organising agency, target title).

    Decree 115/2020 Art. 40.1, as amended by Decree 85/2023 Art. 1.20; the quota approved
    by the Sở Nội vụ (Đề án, Mẫu 05). Every coefficient is 1.
    """
    m.at_most(terms, residual)


def add_limit(m: SubModel, terms: Terms, residual: int) -> None:
    """At most ``max`` winners among the candidates a shared limit covers.

    The unit's approved rank structure (cơ cấu hạng, Official Letter 64/BNV-CCVC), or a
    department / province total per title or rank (DOMAIN.md §5); ``max_share`` limits
    come here already turned into a count from staff.csv. Every coefficient is 1.
    """
    m.at_most(terms, residual)


def add_budget(m: SubModel, terms: Terms, residual: int) -> None:
    """The sum of the winners' salary-coefficient increases stays within the budget.

    Optional (DOMAIN.md §5); amounts are exact integers in units of the smallest decimal
    place used in the round, so this is a knapsack row with weights, not a count.
    """
    m.at_most(terms, residual)


def add_count(m: SubModel, positions: Sequence[int], count: int) -> None:
    """Exactly ``count`` winners among ``positions``: the proven value of a stage (the most
    winners for ``fill``, a priority class's winners) kept for the stages after it.

    DOMAIN.md §4: a higher-priority candidate is never given up for lower-priority ones, so
    a class's proven optimum binds every later class.
    """
    m.model.add(sum(m.x[i] for i in positions) == count)


def add_ruling(m: SubModel, i: int, value: int) -> None:
    """One candidate fixed: a decided class, or the managing agency's ruling on a tie
    (DOMAIN.md §4: the managing agency decides ties the engine cannot)."""
    m.model.add(m.x[i] == value)


FAMILIES: dict[str, Callable[[SubModel, Terms, int], None]] = {
    "quota": add_quota, "limit": add_limit, "budget": add_budget,
}


# ---------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------


def windows(classes: list[list[int]], start: int, is_open: Sequence[bool]) -> list[int]:
    """Indices of the next classes to decide together, lexicographically exact.

    Class weights are products of (size + 1) of the classes after it in the window, so
    one more winner in an earlier class outweighs any change in the later ones.
    """
    chosen = [start]
    weight = len(classes[start]) + 1
    j = start + 1
    while j < len(classes) and is_open[j]:
        weight *= len(classes[j]) + 1
        if weight > MAX_WEIGHT:
            break
        chosen.append(j)
        j += 1
    return chosen


def window_weights(classes: list[list[int]], window: list[int]) -> dict[int, int]:
    weights: dict[int, int] = {}
    factor = 1
    for j in reversed(window):
        for i in classes[j]:
            weights[i] = factor
        factor *= len(classes[j]) + 1
    return weights


def classify(sub: SubModel, solution: dict[int, int], members: Iterable[int]) -> dict[int, int]:
    """For each member: SELECTED if 1 in every solution of ``sub``, NOT_SELECTED if in none,
    ESCALATED otherwise. Proven with one feasibility probe per undecided member."""
    seen1 = {i for i, v in solution.items() if v}
    seen0 = {i for i, v in solution.items() if not v}
    out: dict[int, int] = {}
    for i in sorted(members):
        if i not in seen1 or i not in seen0:
            want = 0 if i in seen1 else 1
            other = sub.find({i: want})
            if other is not None:
                seen1.update(j for j, v in other.items() if v)
                seen0.update(j for j, v in other.items() if not v)
        both = i in seen1 and i in seen0
        out[i] = ESCALATED if both else (SELECTED if i in seen1 else NOT_SELECTED)
    return out


def tie_groups(sub: SubModel, problem: ComponentProblem, escalated: list[int],
               seats: int) -> Groups:
    """Split one class's escalated members into tie groups with their seats.

    Members are split by pool when every pool's share of the seats is the same in all
    optimal allocations; otherwise the class stays one group (its seats may move between
    pools through a shared limit).
    """
    by_pool: dict[int, list[int]] = {}
    for i in escalated:
        pool = next(k for k, _ in problem.rows[i] if problem.kinds[k] == "quota")
        by_pool.setdefault(pool, []).append(i)
    if len(by_pool) == 1:
        return [(tuple(sorted(escalated)), seats)]
    parts: Groups = []
    for members in by_pool.values():
        weights = dict.fromkeys(members, 1)
        hi, _ = sub.maximize(weights)
        lo_neg, _ = sub.maximize({i: -1 for i in members})
        if hi != -lo_neg:
            return [(tuple(sorted(escalated)), seats)]
        parts.append((tuple(sorted(members)), hi))
    return sorted(parts)


def settle_open(sub: SubModel, problem: ComponentProblem,
                open_classes: Sequence[tuple[Sequence[int], int]],
                solution: dict[int, int] | None = None) -> tuple[dict[int, int], Groups]:
    """Statuses and tie groups of the members of classes whose number of winners is proven
    but not who wins (``open_classes``: members, winners). ``sub`` holds those members
    with every proven count; ``solution`` is one of its solutions (found when None)."""
    if solution is None:
        solution = sub.find({})
        if solution is None:  # the stages proved a completion exists
            raise Infeasible
    verdict = classify(sub, solution, [i for members, _ in open_classes for i in members])
    groups: Groups = []
    for members, count in open_classes:
        esc = [i for i in members if verdict[i] == ESCALATED]
        if esc:
            always = sum(1 for i in members if verdict[i] == SELECTED)
            groups.extend(tie_groups(sub, problem, esc, count - always))
    return verdict, groups


def blockers(problem: ComponentProblem, status: Sequence[int],
             groups: Sequence[tuple[tuple[int, ...], int]],
             wanted: set[int] | None = None) -> list[int]:
    """For each not-selected candidate (of ``wanted`` when given), the first constraint
    (pool, limits by id, budget) that the winners of higher or equal priority fill,
    counting tie groups at their most. -1 where no single constraint is full."""
    caps = problem.caps
    out = [-1] * problem.n
    group_of: dict[int, int] = {}
    for g, (grouped, _) in enumerate(groups):
        for i in grouped:
            group_of[i] = g
    usage = [0] * len(caps)
    group_usage: dict[int, list[int]] = {}
    for members in problem.classes():
        for i in members:
            if status[i] == SELECTED:
                for k, c in problem.rows[i]:
                    usage[k] += c
            elif status[i] == ESCALATED:
                gu = group_usage.setdefault(group_of[i], [0] * len(caps))
                for k, c in problem.rows[i]:
                    gu[k] = max(gu[k], c)
        for i in members:
            if status[i] != NOT_SELECTED or (wanted is not None and i not in wanted):
                continue
            for k, c in problem.rows[i]:
                extra = sum(gu[k] * groups[g][1] for g, gu in group_usage.items())
                if usage[k] + c > caps[k] or usage[k] + extra + c > caps[k]:
                    out[i] = k
                    break
    return out


def class_counts(problem: ComponentProblem, status: Sequence[int],
                 groups: Sequence[tuple[tuple[int, ...], int]]) -> tuple[int, ...]:
    """Winners per class in every optimal allocation: the selected plus the groups' seats."""
    n_classes = (problem.cls[-1] + 1) if problem.n else 0
    counts = [0] * n_classes
    for i, s in enumerate(status):
        if s == SELECTED:
            counts[problem.cls[i]] += 1
    for members, seats in groups:
        counts[problem.cls[members[0]]] += seats
    return tuple(counts)


# ---------------------------------------------------------------------------------------------
# The plain method
# ---------------------------------------------------------------------------------------------


def solve_lex(problem: ComponentProblem, *, workers: int = 1,
              time_limit: float | None = None) -> ComponentResult:
    """Lexicographic optimum by CP-SAT stages over the whole component.

    ``fill``: first the largest number of winners (proven), kept as an equality; then, for
    both objectives, the classes in priority order. A class is skipped without a stage when
    the incumbent already selects all of it (the bound is reached) or when the fixed winners
    leave no room for any of its members. Then every member of a partly selected class is
    classified by feasibility probes.
    """
    return _Lex(problem, workers, time_limit).run()


class _Lex:
    """The stages of :func:`solve_lex`, in order: rulings, the most winners (``fill``), the
    classes, the classification of the partly selected classes."""

    def __init__(self, problem: ComponentProblem, workers: int,
                 time_limit: float | None) -> None:
        self.start = time.perf_counter()
        self.p = problem
        n = problem.n
        forced = [problem.forced_of(i) for i in range(n)]
        self.free = [i for i in range(n) if forced[i] == FREE]
        self.status = [SELECTED if forced[i] == 1 else NOT_SELECTED for i in range(n)]
        residual = list(problem.caps)
        for i in range(n):
            if forced[i] == 1:
                for k, c in problem.rows[i]:
                    residual[k] -= c
        if any(r < 0 for r in residual):
            raise Infeasible
        self.sub = SubModel(problem, self.free, residual, workers=workers,
                            time_limit=time_limit)
        self.classes = [[i for i in members if forced[i] == FREE]
                        for members in problem.classes()]
        self.counts = [0] * len(self.classes)
        self.decided = [False] * len(self.classes)
        # Usage of the winners in every optimum so far (rulings, then whole classes).
        self.sure = [cap - r for cap, r in zip(problem.caps, residual, strict=True)]
        self.incumbent: dict[int, int] = dict.fromkeys(self.free, 0)
        self.stages = 0

    def run(self) -> ComponentResult:
        if self.p.objective is Objective.fill:
            self._most_winners()
        j = 0
        while j < len(self.classes):
            j = j + 1 if self._without_stage(j) else self._window_stage(j)
        groups = self._partial()
        p, status = self.p, self.status
        return ComponentResult(
            status=tuple(status), blocker=tuple(blockers(p, status, groups)),
            groups=tuple(sorted(groups)), class_counts=class_counts(p, status, groups),
            stats=SolveStats(cpsat_calls=self.sub.calls, stages=self.stages,
                             seconds=time.perf_counter() - self.start, method="cpsat"),
        )

    def _most_winners(self) -> None:
        """``fill``'s first stage: the most winners, kept as an equality."""
        best, self.incumbent = self.sub.maximize(dict.fromkeys(self.free, 1))
        self.stages += 1
        self.sub.add_count(self.free, best)

    def _whole(self, j: int) -> None:
        """Class ``j`` is in whole in every optimum from here on."""
        for i in self.classes[j]:
            for k, c in self.p.rows[i]:
                self.sure[k] += c

    def _without_stage(self, j: int) -> bool:
        """Decide class ``j`` without a stage where that is proven: an empty class; one the
        incumbent takes whole (its bound is reached); one none of whose members fits next
        to the winners of every optimum."""
        members = self.classes[j]
        if not members:
            self.decided[j] = True
            return True
        caps, rows = self.p.caps, self.p.rows
        if all(self.incumbent.get(i, 0) for i in members):
            self.counts[j] = len(members)
            for i in members:
                self.sub.fix(i, 1)
            self._whole(j)
        elif all(any(self.sure[k] + c > caps[k] for k, c in rows[i]) for i in members):
            for i in members:
                self.sub.fix(i, 0)
        else:
            return False
        self.decided[j] = True
        return True

    def _window_stage(self, j: int) -> int:
        """One stage over the next open classes (weights keep it lexicographic); each
        class's proven winners fixed as an equality. Returns the class after the window."""
        window = windows(self.classes, j, [not d for d in self.decided])
        _, self.incumbent = self.sub.maximize(window_weights(self.classes, window),
                                              hint=self.incumbent)
        self.stages += 1
        for w in window:
            members = self.classes[w]
            self.counts[w] = sum(self.incumbent[i] for i in members)
            self.sub.add_count(members, self.counts[w])
            self.decided[w] = True
            if self.counts[w] == len(members):
                self._whole(w)
        return window[-1] + 1

    def _partial(self) -> Groups:
        """Statuses: whole classes in; members of partly selected classes by probes."""
        for j, members in enumerate(self.classes):
            if self.counts[j] == len(members):
                for i in members:
                    self.status[i] = SELECTED
        partial = [(members, self.counts[j]) for j, members in enumerate(self.classes)
                   if 0 < self.counts[j] < len(members)]
        if not partial:
            return []
        verdict, groups = settle_open(self.sub, self.p, partial, self.incumbent)
        for i, s in verdict.items():
            self.status[i] = s
        return groups
