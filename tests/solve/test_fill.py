"""The ``fill`` fast path (flow oracle) against brute force and against the plain CP-SAT
stages; the flow network against the packing rows it stands for."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.solve import fill
from allocator.solve.cpsat import Infeasible, solve_lex
from allocator.solve.fill import solve_fill
from allocator.solve.flow import FlowOracle, network
from allocator.solve.problem import NOT_SELECTED, SELECTED, ComponentProblem
from allocator.verify import highs
from models.enums import Objective
from tests.support.brute import problem_statuses
from tests.support.strategies import component_problems, flow_problems

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _packs(p: ComponentProblem, chosen: set[int]) -> bool:
    use = [0] * len(p.caps)
    for i in chosen:
        for k, c in p.rows[i]:
            use[k] += c
    return all(u <= cap for u, cap in zip(use, p.caps, strict=True))


def _rulings_fit(p: ComponentProblem) -> bool:
    return _packs(p, {i for i in range(p.n) if p.forced_of(i) == 1})


@FAST
@given(flow_problems(objective=Objective.fill))
def test_the_network_holds_exactly_the_selections_the_rows_allow(p: ComponentProblem) -> None:
    """Every subset of candidates: within every row iff the flow oracle finds it (bounds
    pinned to the subset's members per group)."""
    net = network(p)
    assert net is not None, "two laminar families are a network"
    oracle = FlowOracle(net)
    for mask in range(1 << p.n):
        chosen = {i for i in range(p.n) if mask >> i & 1}
        per_group = np.bincount(net.group[sorted(chosen)], minlength=net.n_groups)
        found = oracle.feasible(per_group, per_group, len(chosen))
        assert found == _packs(p, chosen), sorted(chosen)


def test_three_rows_crossing_in_a_cycle_are_no_network() -> None:
    """Rows {0,1}, {1,2}, {0,2}: each pair crosses, so they cannot be split in two
    laminar families."""
    rows = (((0, 1), (2, 1)), ((0, 1), (1, 1)), ((1, 1), (2, 1)))
    p = ComponentProblem("C", ("a", "b", "c"), (0, 1, 2), (1, 1, 1),
                         ("quota", "limit", "limit"), ("q", "L1", "L2"), rows,
                         Objective.fill).validate()
    assert network(p) is None
    assert solve_fill(p).stats.method == "cpsat"
    assert list(solve_fill(p).status) == problem_statuses(p)


def test_a_weighted_limit_row_is_no_network() -> None:
    p = ComponentProblem("C", ("a", "b"), (0, 1), (1, 3), ("quota", "limit"), ("q", "L"),
                         (((0, 1), (1, 2)), ((0, 1), (1, 2))), Objective.fill).validate()
    assert network(p) is None


@FAST
@given(flow_problems(objective=Objective.fill, forced=True))
def test_fill_equals_brute_force(p: ComponentProblem) -> None:
    if not _rulings_fit(p):
        with pytest.raises(Infeasible):
            solve_fill(p)
        return
    res = solve_fill(p)
    assert list(res.status) == problem_statuses(p)


@FAST
@given(flow_problems(max_n=14, objective=Objective.fill))
def test_fill_equals_the_cpsat_stages(p: ComponentProblem) -> None:
    """Statuses, tie groups with their seats, winners per class and blockers: the same as
    the independent method."""
    ours, theirs = solve_fill(p), solve_lex(p)
    assert ours.stats.method == "fill"
    assert ours.status == theirs.status
    assert ours.groups == theirs.groups
    assert ours.class_counts == theirs.class_counts
    assert ours.blocker == theirs.blocker


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow_problems(max_n=90, objective=Objective.fill, scale=6, budget=True))
def test_bigger_fill_problems_equal_the_cpsat_stages_and_highs(p: ComponentProblem) -> None:
    """Up to ninety candidates with many ties and a budget: beyond brute force, three methods
    agree."""
    ours, cpsat_stages = solve_fill(p), solve_lex(p)
    other = highs.solve_component(p)
    assert ours.stats.method == "fill"
    for theirs in (cpsat_stages, other):
        assert ours.status == theirs.status
        assert ours.groups == theirs.groups
        assert ours.class_counts == theirs.class_counts
        assert ours.blocker == theirs.blocker


@FAST
@given(component_problems(objective=Objective.fill))
def test_fill_on_any_shape_equals_brute_force(p: ComponentProblem) -> None:
    """Limits drawn member by member: a network or not, the answer is exact."""
    res = solve_fill(p)
    assert res.stats.method == ("fill" if network(p) is not None else "cpsat")
    assert list(res.status) == problem_statuses(p)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow_problems(max_n=10, objective=Objective.fill),
       st.sampled_from(["COMPLETION_LIMIT", "VECTOR_LIMIT"]))
def test_too_many_open_choices_go_to_the_cpsat_stages(p: ComponentProblem, limit: str) -> None:
    saved = getattr(fill, limit)
    setattr(fill, limit, 0)
    try:
        assert list(solve_fill(p).status) == problem_statuses(p)
    finally:
        setattr(fill, limit, saved)


def _every_small_problem(max_n: int = 4) -> list[ComponentProblem]:
    """Every problem of up to ``max_n`` candidates in any tie pattern, two pools of caps
    0–2 and a limit of cap 1 over any subset; up to three candidates, also with a budget of
    cap 2 and costs 1–2."""
    out = []
    for n in range(1, max_n + 1):
        for cuts in itertools.product([0, 1], repeat=n - 1):
            cls = [0]
            for c in cuts:
                cls.append(cls[-1] + c)
            for pools in itertools.product([0, 1], repeat=n):
                if pools[0] != 0:
                    continue  # symmetric
                for caps, members, costs in itertools.product(
                        ((1, 1), (0, 1), (2, 1)), range(1 << n),
                        [None, *(itertools.product([1, 2], repeat=n) if n < 4 else [])]):
                    rows = []
                    for i in range(n):
                        row = [(pools[i], 1)]
                        if members >> i & 1:
                            row.append((2, 1))
                        if costs is not None:
                            row.append((3, costs[i]))
                        rows.append(tuple(row))
                    extra = ((2,), ("budget",)) if costs is not None else ((), ())
                    out.append(ComponentProblem(
                        "C", tuple(f"c{i}" for i in range(n)), tuple(cls),
                        (*caps, 1, *extra[0]), ("quota", "quota", "limit", *extra[1]),
                        ("p0", "p1", "L", *extra[1]), tuple(rows), Objective.fill))
    return out


def test_fill_equals_brute_force_on_every_small_problem() -> None:
    """Small-scope exhaustive check: open ties, a tie above a split class, a budget that
    makes the most winners cheap ones — every structure of this size, not only those
    random generation meets."""
    wrong = [p for p in _every_small_problem() if list(solve_fill(p).status)
             != problem_statuses(p)]
    assert not wrong, f"{len(wrong)} problems differ, first: {wrong[0]}"


def test_fill_gives_up_the_best_for_two_others() -> None:
    """The best candidate sits under two limits of one seat each, each shared with one other
    candidate: ``priority`` takes the best alone, ``fill`` the two others."""
    rows = (((0, 1), (1, 1), (2, 1)), ((0, 1), (1, 1)), ((0, 1), (2, 1)))
    p = ComponentProblem("C", ("a", "b", "c"), (0, 1, 2), (2, 1, 1),
                         ("quota", "limit", "limit"), ("p", "L1", "L2"), rows,
                         Objective.fill).validate()
    assert network(p) is not None
    res = solve_fill(p)
    assert res.stats.method == "fill"
    assert res.status == (NOT_SELECTED, SELECTED, SELECTED)
    assert res.class_counts == (0, 1, 1)
