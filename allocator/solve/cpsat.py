"""CP-SAT models of a component, and the lexicographic optimum by CP-SAT stages alone.

CP-SAT has no lexicographic objective, and per-candidate powers of two overflow 64 bits
past about 62 candidates. The optimum here is found *class by class*: a stage maximises
the number of winners in one priority class (or a short window of classes, with weights
that stay below :data:`MAX_WEIGHT`) and its proven value is fixed as an equality before
the next stage. No stage is ever fixed at a value that is not proven OPTIMAL.

:func:`solve_lex` is the plain method (every undecided class gets a stage); it serves the
``fill`` objective and, for ``priority``, as the independent check of
:mod:`allocator.solve.sequential`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
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
        terms: dict[int, list[tuple[int, int]]] = {}
        for i in self.positions:
            for k, coef in problem.rows[i]:
                if coef:
                    terms.setdefault(k, []).append((i, coef))
        for k in sorted(terms):
            kind = problem.kinds[k]
            if kind == "quota":
                add_quota(self, k, terms[k], residual[k])
            elif kind == "limit":
                add_limit(self, k, terms[k], residual[k])
            else:
                add_budget(self, k, terms[k], residual[k])

    # -- constraint families -------------------------------------------------------------
    def cap(self, terms: list[tuple[int, int]], residual: int) -> None:
        if sum(c for _, c in terms) > residual:
            self.model.add(sum(c * self.x[i] for i, c in terms) <= residual)

    def add_count(self, positions: Sequence[int], count: int) -> None:
        """Fix the number of winners among ``positions`` (a proven stage value)."""
        self.model.add(sum(self.x[i] for i in positions) == count)

    def fix(self, i: int, value: int) -> None:
        self.model.add(self.x[i] == value)

    # -- solving ---------------------------------------------------------------------------
    def _solver(self) -> cp_model.CpSolver:
        solver: cp_model.CpSolver = self.cp.CpSolver()
        solver.parameters.num_workers = self.workers
        if self.time_limit is not None:
            solver.parameters.max_time_in_seconds = self.time_limit
        return solver

    def maximize(self, weights: dict[int, int],
                 hint: dict[int, int] | None = None) -> tuple[int, dict[int, int]]:
        """Proven maximum of ``sum(w * x)`` and one optimal assignment."""
        self.model.clear_hints()
        if hint:
            for i, v in hint.items():
                if i in self.x:
                    self.model.add_hint(self.x[i], v)
        self.model.maximize(sum(w * self.x[i] for i, w in weights.items()))
        solver = self._solver()
        status = solver.solve(self.model)
        self.calls += 1
        if status == self.cp.INFEASIBLE:
            raise Infeasible
        if status != self.cp.OPTIMAL:
            raise NotProven
        return round(solver.objective_value), {i: int(solver.value(v)) for i, v in self.x.items()}

    def find(self, assume: dict[int, int]) -> dict[int, int] | None:
        """An assignment with the given values, or None when none exists (proven)."""
        self.model.clear_objective()
        self.model.clear_hints()
        self.model.clear_assumptions()
        for i, v in assume.items():
            self.model.add_assumption(self.x[i] if v else ~self.x[i])
        solver = self._solver()
        status = solver.solve(self.model)
        self.calls += 1
        self.model.clear_assumptions()
        if status == self.cp.INFEASIBLE:
            return None
        if status not in (self.cp.OPTIMAL, self.cp.FEASIBLE):
            raise NotProven
        return {i: int(solver.value(v)) for i, v in self.x.items()}


def add_quota(m: SubModel, k: int, terms: list[tuple[int, int]], residual: int) -> None:
    """At most ``quota`` winners in a pool (chỉ tiêu), per (organising agency, target title).

    Decree 115/2020 Art. 40.1, as amended by Decree 85/2023 Art. 1.20; the quota approved
    by the Sở Nội vụ (Đề án, Mẫu 05).
    """
    m.cap(terms, residual)


def add_limit(m: SubModel, k: int, terms: list[tuple[int, int]], residual: int) -> None:
    """At most ``max`` winners among the candidates a shared limit covers.

    The unit's approved rank structure (cơ cấu hạng, Official Letter 64/BNV-CCVC), or a
    department / province total per title or rank (DOMAIN.md §5); ``max_share`` limits
    come here already turned into a count from staff.csv.
    """
    m.cap(terms, residual)


def add_budget(m: SubModel, k: int, terms: list[tuple[int, int]], residual: int) -> None:
    """The sum of the winners' salary-coefficient increases stays within the budget.

    Optional (DOMAIN.md §5); amounts are exact integers in units of the smallest decimal
    place used in the round.
    """
    m.cap(terms, residual)


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
               seats: int) -> list[tuple[tuple[int, ...], int]]:
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
    parts: list[tuple[tuple[int, ...], int]] = []
    for members in by_pool.values():
        weights = dict.fromkeys(members, 1)
        hi, _ = sub.maximize(weights)
        lo_neg, _ = sub.maximize({i: -1 for i in members})
        if hi != -lo_neg:
            return [(tuple(sorted(escalated)), seats)]
        parts.append((tuple(sorted(members)), hi))
    return sorted(parts)


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
                g = group_of[i]
                gu = group_usage.setdefault(g, [0] * len(caps))
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
    start = time.perf_counter()
    n = problem.n
    forced = [problem.forced_of(i) for i in range(n)]
    free = [i for i in range(n) if forced[i] == FREE]
    residual = list(problem.caps)
    for i in range(n):
        if forced[i] == 1:
            for k, c in problem.rows[i]:
                residual[k] -= c
    if any(r < 0 for r in residual):
        raise Infeasible
    sub = SubModel(problem, free, residual, workers=workers, time_limit=time_limit)
    classes = [[i for i in members if forced[i] == FREE] for members in problem.classes()]
    stages = 0
    incumbent: dict[int, int] = {i: 0 for i in free}
    if problem.objective is Objective.fill:
        best, incumbent = sub.maximize(dict.fromkeys(free, 1))
        stages += 1
        sub.add_count(free, best)
    counts = [0] * len(classes)
    decided = [False] * len(classes)
    sure1_usage = [problem.caps[k] - residual[k] for k in range(len(residual))]
    status = [NOT_SELECTED] * n
    for i in range(n):
        if forced[i] == 1:
            status[i] = SELECTED
    j = 0
    while j < len(classes):
        members = classes[j]
        if not members:
            decided[j] = True
            j += 1
            continue
        if all(incumbent.get(i, 0) for i in members):
            counts[j] = len(members)
            decided[j] = True
        elif all(any(sure1_usage[k] + c > problem.caps[k] for k, c in problem.rows[i])
                 for i in members):
            counts[j] = 0
            decided[j] = True
        if decided[j]:
            if counts[j] == len(members):
                for i in members:
                    sub.fix(i, 1)
                    for k, c in problem.rows[i]:
                        sure1_usage[k] += c
            else:
                for i in members:
                    sub.fix(i, 0)
            j += 1
            continue
        is_open = [not d for d in decided]
        window = windows(classes, j, is_open)
        weights = window_weights(classes, window)
        _, incumbent = sub.maximize(weights, hint=incumbent)
        stages += 1
        for w in window:
            counts[w] = sum(incumbent[i] for i in classes[w])
            sub.add_count(classes[w], counts[w])
            decided[w] = True
            if counts[w] == len(classes[w]):
                for i in classes[w]:
                    for k, c in problem.rows[i]:
                        sure1_usage[k] += c
        j = window[-1] + 1
    partial = [j for j, members in enumerate(classes) if 0 < counts[j] < len(members)]
    for j, members in enumerate(classes):
        if counts[j] == len(members):
            for i in members:
                status[i] = SELECTED
    groups: list[tuple[tuple[int, ...], int]] = []
    if partial:
        verdict = classify(sub, incumbent, [i for j in partial for i in classes[j]])
        for j in partial:
            esc = [i for i in classes[j] if verdict[i] == ESCALATED]
            for i in classes[j]:
                status[i] = verdict[i]
            if esc:
                always = sum(1 for i in classes[j] if verdict[i] == SELECTED)
                groups.extend(tie_groups(sub, problem, esc, counts[j] - always))
    full_counts = class_counts(problem, status, groups)
    return ComponentResult(
        status=tuple(status), blocker=tuple(blockers(problem, status, groups)),
        groups=tuple(sorted(groups)), class_counts=full_counts,
        stats=SolveStats(cpsat_calls=sub.calls, stages=stages,
                         seconds=time.perf_counter() - start, method="cpsat"),
    )


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
