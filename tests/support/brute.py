"""Brute-force oracles: enumerate every feasible selection (tiny instances only)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from allocator.solve.problem import ESCALATED, NOT_SELECTED, SELECTED, ComponentProblem


def lex_statuses(n: int, cls: Sequence[int], constraints: list[tuple[int, dict[int, int]]],
                 fill: bool, forced: dict[int, int] | None = None,
                 ) -> tuple[list[int], tuple[int, ...]]:
    """Statuses over all optimal selections and the optimal value.

    Optimal = lexicographically largest (number of winners if ``fill``, then winners in
    class 0, class 1, …) among all selections within every (cap, {i: coef}) constraint.
    """
    forced = forced or {}
    n_cls = max(cls) + 1 if n else 0
    best: tuple[int, ...] | None = None
    optima: list[int] = []
    for mask in range(1 << n):
        if any(((mask >> i) & 1) != v for i, v in forced.items()):
            continue
        if any(sum(c for i, c in members.items() if (mask >> i) & 1) > cap
               for cap, members in constraints):
            continue
        counts = [0] * n_cls
        for i in range(n):
            if (mask >> i) & 1:
                counts[cls[i]] += 1
        value = ((sum(counts),) if fill else ()) + tuple(counts)
        if best is None or value > best:
            best, optima = value, [mask]
        elif value == best:
            optima.append(mask)
    status = []
    for i in range(n):
        ins = [(m >> i) & 1 for m in optima]
        status.append(SELECTED if all(ins) else NOT_SELECTED if not any(ins) else ESCALATED)
    return status, best or ()


def problem_statuses(p: ComponentProblem) -> list[int]:
    constraints: list[tuple[int, dict[int, int]]] = []
    for k, cap in enumerate(p.caps):
        members = {i: c for i, row in enumerate(p.rows) for kk, c in row if kk == k}
        constraints.append((cap, members))
    forced = {i: v for i, v in enumerate(p.forced) if v >= 0} if p.forced else {}
    status, _ = lex_statuses(p.n, p.cls, constraints, p.objective.value == "fill", forced)
    return status


def subsets(items: Sequence[int], size: int) -> list[tuple[int, ...]]:
    return list(itertools.combinations(items, size))
