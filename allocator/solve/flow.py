"""When a component is a network flow, and an exact flow oracle over it.

Every pool quota and shared limit is a 0/1 packing row over the candidates it covers. Two
rows *cross* when they share a candidate and neither contains the other. Rows that pairwise
never cross form a *laminar* family, which is a forest (each set's parent is the smallest set
of the family that contains it). When the crossing graph of the rows is bipartite, the rows
split into two laminar families ``A`` and ``B``, and the feasible selections are exactly the
integral flows of this network (the incidence matrix of two laminar families is totally
unimodular; Schrijver, *Combinatorial Optimization*, §41.4)::

    source ──▶ A-forest, root to leaf ──▶ candidate ──▶ B-forest, leaf to root ──▶ sink

The arc into a set of ``A`` (out of a set of ``B``) has the set's cap as capacity, so the flow
through it is the number of winners the set covers. A candidate is an arc from the smallest
``A`` set holding them (the source if none) to the smallest ``B`` set holding them (the sink if
none). Candidates with the same ends and the same budget cost are one arc with a capacity
(they are interchangeable for every row: the rows holding a candidate are the ancestors of
its two leaves).

This is the case of the engine's generated provinces and of most real rounds: pools at the
departments, department limits per rank above them (one family), unit rank-structure limits
across the pools (the other). A limit filtered by title or rank at a scope that cuts through
several pools and several other limits can make the graph odd-cyclic; then there is no such
network and :func:`network` returns None.

The budget (at most one row, any non-negative coefficients) is the arc cost. A selection of
``total`` winners within the given bounds and the budget exists iff the minimum-cost flow of
value ``total`` exists and costs at most the budget: OR-Tools' integer network simplex,
exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from allocator.solve.problem import ComponentProblem

IntArray = npt.NDArray[np.int64]
SOURCE, SINK = 0, 1


class FlowError(Exception):
    """The flow solver answered something other than a proven optimum or infeasibility."""


@dataclass(frozen=True)
class Network:
    """The flow network of a component (see the module docstring).

    ``arc_tail/arc_head/arc_cap``: one arc per constraint set that covers somebody;
    ``tail/head/cost``: one arc per group of interchangeable candidates; ``group[i]``:
    candidate ``i``'s group; ``size[g]``: the candidates of group ``g``; ``budget``: the
    budget's cap, None without a budget.
    """

    n_nodes: int
    arc_tail: IntArray
    arc_head: IntArray
    arc_cap: IntArray
    tail: IntArray
    head: IntArray
    cost: IntArray
    group: IntArray
    size: IntArray
    budget: int | None

    @property
    def n_groups(self) -> int:
        return int(self.tail.size)


def network(problem: ComponentProblem) -> Network | None:
    """The flow network of ``problem``, or None when its rows are not two laminar families
    (or a quota or limit has a coefficient other than 1, or there are two budgets)."""
    budget_rows = [k for k, kind in enumerate(problem.kinds) if kind == "budget"]
    if len(budget_rows) > 1:
        return None
    budget_k = budget_rows[0] if budget_rows else -1
    sets: list[list[int]] = []  # per candidate: the non-budget rows holding them
    price = np.zeros(problem.n, dtype=np.int64)
    for i, row in enumerate(problem.rows):
        mine = []
        for k, coef in row:
            if k == budget_k:
                price[i] = coef
            elif coef != 1:
                return None
            else:
                mine.append(k)
        sets.append(mine)
    families = _two_families(sets, len(problem.caps))
    if families is None:
        return None
    return _build(problem, sets, families, price, budget_k)


def _two_families(sets: Sequence[Sequence[int]], m: int) -> list[int] | None:
    """Per row, its family (0 or 1), or None when the crossing graph is not bipartite.

    Two rows sharing a candidate are nested iff the candidates they share are all of the
    smaller one; otherwise they cross and must be in different families."""
    size = np.zeros(m, dtype=np.int64)
    shared: Counter[tuple[int, int]] = Counter()
    for mine in sets:
        for a in mine:
            size[a] += 1
        for x in range(len(mine)):
            for y in range(x + 1, len(mine)):
                shared[(mine[x], mine[y])] += 1
    crossing: dict[int, list[int]] = defaultdict(list)
    for (a, b), both in shared.items():
        if both < min(size[a], size[b]):
            crossing[a].append(b)
            crossing[b].append(a)
    family = [-1] * m
    for start in range(m):
        if family[start] >= 0:
            continue
        family[start] = 0
        stack = [start]
        while stack:
            a = stack.pop()
            for b in crossing[a]:
                if family[b] < 0:
                    family[b] = 1 - family[a]
                    stack.append(b)
                elif family[b] == family[a]:
                    return None
    return family


def _build(problem: ComponentProblem, sets: Sequence[Sequence[int]], family: Sequence[int],
           price: IntArray, budget_k: int) -> Network:
    """Forests, nodes and arcs. Within one family the rows holding a candidate form a chain
    (laminar); ordered by size, largest first (ties by index: equal nested sets are equal),
    each row's parent is the one before it, the candidate's leaf the last one."""
    m = len(problem.caps)
    size = np.zeros(m, dtype=np.int64)
    for mine in sets:
        for k in mine:
            size[k] += 1
    parent = [-2] * m  # -2: covers nobody; -1: a root
    ends = np.zeros((problem.n, 2), dtype=np.int64)
    node = np.full(m, -1, dtype=np.int64)
    used = sorted({k for mine in sets for k in mine})
    node[used] = np.arange(2, 2 + len(used))
    for i, mine in enumerate(sets):
        for f, terminal in ((0, SOURCE), (1, SINK)):
            chain = sorted((k for k in mine if family[k] == f), key=lambda k: (-size[k], k))
            ends[i, f] = node[chain[-1]] if chain else terminal
            for up, down in zip([-1, *chain], chain, strict=False):
                parent[down] = up
    arc_tail, arc_head = [], []
    for k in used:
        up = SOURCE if family[k] == 0 else SINK
        other = int(node[parent[k]]) if parent[k] >= 0 else up
        a, b = (other, int(node[k])) if family[k] == 0 else (int(node[k]), other)
        arc_tail.append(a)
        arc_head.append(b)
    keys = np.stack([ends[:, 0], ends[:, 1], price], axis=1)
    uniq, group, count = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    return Network(
        n_nodes=2 + len(used),
        arc_tail=np.asarray(arc_tail, dtype=np.int64),
        arc_head=np.asarray(arc_head, dtype=np.int64),
        arc_cap=np.asarray([problem.caps[k] for k in used], dtype=np.int64),
        tail=uniq[:, 0].copy(), head=uniq[:, 1].copy(), cost=uniq[:, 2].copy(),
        group=group.reshape(-1).astype(np.int64), size=count.astype(np.int64),
        budget=problem.caps[budget_k] if budget_k >= 0 else None,
    )


def _min_cost_flow() -> Any:
    """OR-Tools' min-cost-flow module, imported on first use (like CP-SAT)."""
    from ortools.graph.python import min_cost_flow

    return min_cost_flow


def _max_flow() -> Any:
    from ortools.graph.python import max_flow

    return max_flow


class FlowOracle:
    """Is there a selection of ``total`` winners with ``lo[g] <= winners of group g <= hi[g]``
    within every cap and the budget? One min-cost-flow model, re-solved with new bounds."""

    def __init__(self, net: Network) -> None:
        self.net = net
        mcf = _min_cost_flow()
        self.solver = mcf.SimpleMinCostFlow()
        tails = np.concatenate([net.arc_tail, net.tail])
        heads = np.concatenate([net.arc_head, net.head])
        caps = np.concatenate([net.arc_cap, net.size])
        costs = np.concatenate([np.zeros(net.arc_tail.size, dtype=np.int64), net.cost])
        self.solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        self.groups = np.arange(net.arc_tail.size, tails.size, dtype=np.int64)
        self.nodes = np.arange(net.n_nodes, dtype=np.int64)
        self.optimal = mcf.SimpleMinCostFlow.OPTIMAL
        self.infeasible = mcf.SimpleMinCostFlow.INFEASIBLE
        self.calls = 0

    def feasible(self, lo: IntArray, hi: IntArray, total: int) -> bool:
        """True iff such a selection exists (proven either way)."""
        net = self.net
        if (lo > hi).any():
            return False
        self.calls += 1
        # Lower bounds moved into the supplies: arc flow = lo + the flow of a 0..hi-lo arc.
        supply = np.zeros(net.n_nodes, dtype=np.int64)
        supply[SOURCE] += total
        supply[SINK] -= total
        np.subtract.at(supply, net.tail, lo)
        np.add.at(supply, net.head, lo)
        self.solver.set_arc_capacities(self.groups, hi - lo)
        self.solver.set_nodes_supplies(self.nodes, supply)
        if not self._solved(self.solver.solve()):
            return False
        spent = int(self.solver.optimal_cost()) + int(lo @ net.cost)
        return net.budget is None or spent <= net.budget

    def _solved(self, status: Any) -> bool:
        """The solver's status as ours: a proven optimum, a proven infeasibility, or an
        error (overflow, bad input), never a guess."""
        if status == self.optimal:
            return True
        if status == self.infeasible:
            return False
        raise FlowError(f"min-cost flow ended with status {status}")

    def most(self, lo: IntArray, hi: IntArray) -> int:
        """The largest number of winners within the bounds, caps and budget (at least
        ``lo.sum()``, which must be feasible)."""
        least = int(lo.sum())
        top = self._max_flow(hi)
        if top <= least or self.feasible(lo, hi, top):
            return max(top, least)
        good, bad = least, top  # feasible(good), not feasible(bad): monotone in between
        while bad - good > 1:
            mid = (good + bad) // 2
            if self.feasible(lo, hi, mid):
                good = mid
            else:
                bad = mid
        return good

    def _max_flow(self, hi: IntArray) -> int:
        """Most winners within the caps and ``hi`` alone (no budget, no lower bound): an
        upper bound."""
        net = self.net
        solver = _max_flow().SimpleMaxFlow()
        solver.add_arcs_with_capacity(np.concatenate([net.arc_tail, net.tail]),
                                      np.concatenate([net.arc_head, net.head]),
                                      np.concatenate([net.arc_cap, hi]))
        status = solver.solve(SOURCE, SINK)
        if status != solver.OPTIMAL:
            raise FlowError(f"max flow ended with status {status}")
        return int(solver.optimal_flow())
