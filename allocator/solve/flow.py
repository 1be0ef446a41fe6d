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

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain
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
    owner, k, coef = _entries(problem)
    price = np.zeros(problem.n, dtype=np.int64)
    spend = k == budget_k
    price[owner[spend]] = coef[spend]
    owner, k, coef = owner[~spend], k[~spend], coef[~spend]
    if (coef != 1).any():
        return None
    size = np.bincount(k, minlength=len(problem.caps))
    family = _two_families(owner, k, size)
    if family is None:
        return None
    return _build(problem, owner, k, size, family, price, budget_k)


def _entries(problem: ComponentProblem) -> tuple[IntArray, IntArray, IntArray]:
    """The rows as flat arrays: (candidate, constraint, coefficient), candidates in order,
    each candidate's constraints in index order."""
    lens = np.fromiter(map(len, problem.rows), dtype=np.int64, count=problem.n)
    total = int(lens.sum())
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(problem.rows)), dtype=np.int64,
                       count=2 * total).reshape(total, 2)
    owner = np.repeat(np.arange(problem.n, dtype=np.int64), lens)
    return owner, flat[:, 0].copy(), flat[:, 1].copy()


def _two_families(owner: IntArray, k: IntArray, size: IntArray) -> IntArray | None:
    """Per row, its family (0 or 1), or None when the crossing graph is not bipartite.

    Two rows sharing a candidate are nested iff the candidates they share are all of the
    smaller one; otherwise they cross and must be in different families."""
    m = size.size
    firsts, seconds = [], []
    for d in range(1, int(np.bincount(owner).max(initial=0))):
        same = owner[:-d] == owner[d:]
        firsts.append(k[:-d][same])
        seconds.append(k[d:][same])
    family = np.full(m, -1, dtype=np.int64)
    crossing: dict[int, list[int]] = defaultdict(list)
    if firsts:
        pair, shared = np.unique(np.concatenate(firsts) * m + np.concatenate(seconds),
                                 return_counts=True)
        a, b = pair // m, pair % m
        cross = shared < np.minimum(size[a], size[b])
        for x, y in zip(a[cross].tolist(), b[cross].tolist(), strict=True):
            crossing[x].append(y)
            crossing[y].append(x)
    for start in crossing:
        if family[start] >= 0:
            continue
        family[start] = 0
        stack = [start]
        while stack:
            x = stack.pop()
            for y in crossing[x]:
                if family[y] < 0:
                    family[y] = 1 - family[x]
                    stack.append(y)
                elif family[y] == family[x]:
                    return None
    family[family < 0] = 0
    return family


def _build(problem: ComponentProblem, owner: IntArray, k: IntArray, size: IntArray,
           family: IntArray, price: IntArray, budget_k: int) -> Network:
    """Forests, nodes and arcs. Within one family the rows holding a candidate form a chain
    (laminar); ordered by size, largest first (ties by index: equal nested sets are equal),
    each row's parent is the one before it, the candidate's leaf the last one."""
    m = size.size
    fam = family[k]
    order = np.lexsort((k, -size[k], fam, owner))
    o, ks, fs = owner[order], k[order], fam[order]
    first = np.ones(o.size, dtype=bool)  # first of its (candidate, family) chain
    first[1:] = (o[1:] != o[:-1]) | (fs[1:] != fs[:-1])
    last = np.ones(o.size, dtype=bool)
    last[:-1] = first[1:]
    parent = np.full(m, -1, dtype=np.int64)
    parent[ks[~first]] = ks[np.flatnonzero(~first) - 1]
    used = np.unique(k)
    node = np.full(m, -1, dtype=np.int64)
    node[used] = np.arange(2, 2 + used.size)
    ends = np.empty((problem.n, 2), dtype=np.int64)
    ends[:, 0], ends[:, 1] = SOURCE, SINK
    ends[o[last], fs[last]] = node[ks[last]]
    up = np.where(parent[used] >= 0, node[np.maximum(parent[used], 0)],
                  np.where(family[used] == 0, SOURCE, SINK))
    down = node[used]
    in_a = family[used] == 0
    width = 2 + int(used.size)
    key = (ends[:, 0] * width + ends[:, 1]) * (int(price.max(initial=0)) + 1) + price
    uniq_key, group, count = np.unique(key, return_inverse=True, return_counts=True)
    first_of = np.zeros(uniq_key.size, dtype=np.int64)
    first_of[group[::-1]] = np.arange(problem.n - 1, -1, -1)  # a member of each group
    return Network(
        n_nodes=2 + int(used.size),
        arc_tail=np.where(in_a, up, down), arc_head=np.where(in_a, down, up),
        arc_cap=np.asarray(problem.caps, dtype=np.int64)[used],
        tail=ends[first_of, 0], head=ends[first_of, 1], cost=price[first_of],
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
