"""Solving many independent components: in parallel processes when several are large,
each ending in a typed outcome (a result, or why there is none)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from allocator.solve import incomplete
from allocator.solve.cpsat import Infeasible, NotProven
from allocator.solve.problem import Cluster, ComponentProblem, ComponentResult
from allocator.solve.sequential import solve_component
from models.enums import Method

__all__ = ["Failed", "Failure", "IncompleteBirths", "Outcome", "solve_component",
           "solve_many", "solve_one"]

BIG = 200  # candidates: a component worth a process of its own

IncompleteBirths = tuple[ComponentProblem, list[Cluster]]
"""The same component with every incomplete birth date placed latest, and the clusters of
candidates whose order the dates cannot tell."""


class Failure(StrEnum):
    infeasible = "infeasible"  # fixed choices (rulings) cannot all hold
    not_proven = "not_proven"  # a stage hit the time limit before proving optimality


@dataclass(frozen=True)
class Failed:
    """A component that has no proven result."""

    failure: Failure


Outcome = ComponentResult | Failed


def solve_one(problem: ComponentProblem, workers: int, method: Method,
              time_limit: float | None, births: IncompleteBirths | None = None) -> Outcome:
    """One component: every priority-optimal allocation, or why it has none."""
    def solve(p: ComponentProblem) -> ComponentResult:
        return solve_component(p, workers=workers, method=method, time_limit=time_limit)

    try:
        if births is not None:
            latest, clusters = births
            return incomplete.resolve(problem, latest, clusters, solve)
        return solve(problem)
    except Infeasible:
        return Failed(Failure.infeasible)
    except NotProven:
        return Failed(Failure.not_proven)


def solve_many(problems: Sequence[ComponentProblem], births: Mapping[str, IncompleteBirths],
               *, workers: int, method: Method, time_limit: float | None,
               advance: Callable[[], None] = lambda: None) -> dict[str, Outcome]:
    """Every component by name. With several workers and more than one large component,
    the large ones go to worker processes (one solver thread each) and the small ones are
    solved here meanwhile; otherwise one by one with ``workers`` solver threads."""
    out: dict[str, Outcome] = {}
    big = [p for p in problems if p.n > BIG]
    if workers > 1 and len(big) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {p.name: pool.submit(solve_one, p, 1, method, time_limit,
                                           births.get(p.name)) for p in big}
            for p in problems:
                if p.name not in futures:
                    out[p.name] = solve_one(p, 1, method, time_limit, births.get(p.name))
                    advance()
            for name, fut in futures.items():
                out[name] = fut.result()
                advance()
        return out
    for p in problems:
        out[p.name] = solve_one(p, workers, method, time_limit, births.get(p.name))
        advance()
    return out
