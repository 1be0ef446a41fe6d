"""The independent HiGHS method against brute force and against the engine's solvers."""

from __future__ import annotations

import itertools
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.solve import solve_component
from allocator.solve.cpsat import solve_lex
from allocator.solve.problem import (
    ESCALATED,
    FREE,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
)
from allocator.verify import highs
from models.enums import Objective
from tests.support.brute import problem_statuses
from tests.support.strategies import component_problems

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _engine(p: ComponentProblem) -> ComponentResult:  # the engine path of either objective
    return solve_component(p)


@FAST
@given(component_problems(max_n=10))
def test_equals_brute_force_both_objectives(p: ComponentProblem) -> None:
    res = highs.solve_component(p)
    assert list(res.status) == problem_statuses(p)
    assert res.stats.method == "highs"


@FAST
@given(component_problems(max_n=12))
def test_equals_the_engine_statuses_groups_counts_blockers(p: ComponentProblem) -> None:
    ours, theirs = highs.solve_component(p), _engine(p)
    assert ours.status == theirs.status
    assert ours.groups == theirs.groups
    assert ours.class_counts == theirs.class_counts
    # Blockers as allocator.solve.cpsat defines them (the sequential method may name
    # another full constraint of the same candidate).
    assert ours.blocker == solve_lex(p).blocker


@st.composite
def _bigger(draw: st.DrawFn) -> ComponentProblem:
    """Sixty to a hundred and twenty candidates, ties of up to four, a few pools, limits and a
    budget: beyond brute force, compared with the engine."""
    n = draw(st.integers(60, 120))
    cls: list[int] = []
    c = 0
    while len(cls) < n:
        cls.extend([c] * min(draw(st.sampled_from([1, 1, 1, 2, 3, 4])), n - len(cls)))
        c += 1
    n_pools = draw(st.integers(2, 5))
    n_limits = draw(st.integers(1, 4))
    caps = [draw(st.integers(3, 20)) for _ in range(n_pools)]
    caps += [draw(st.integers(2, 15)) for _ in range(n_limits)]
    kinds = ["quota"] * n_pools + ["limit"] * n_limits + ["budget"]
    caps.append(draw(st.integers(20, 120)))
    rows = []
    for _ in range(n):
        row = [(draw(st.integers(0, n_pools - 1)), 1)]
        row += [(n_pools + j, 1) for j in range(n_limits) if draw(st.integers(0, 2)) == 0]
        row.append((n_pools + n_limits, draw(st.sampled_from([2, 3, 5]))))
        rows.append(tuple(row))
    return ComponentProblem(
        name="B", ids=tuple(f"c{i:03d}" for i in range(n)), cls=tuple(cls), caps=tuple(caps),
        kinds=tuple(kinds), labels=tuple(f"K{k}" for k in range(len(caps))), rows=tuple(rows),
    ).validate()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bigger())
def test_bigger_problems_equal_the_engine(p: ComponentProblem) -> None:
    ours, theirs = highs.solve_component(p), solve_component(p)
    assert ours.status == theirs.status
    assert ours.groups == theirs.groups
    assert ours.class_counts == theirs.class_counts


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(component_problems(max_n=9), st.data())
def test_forced_choices_equal_brute_force(p: ComponentProblem, data: st.DataObject) -> None:
    """Rulings fix some candidates in or out; an impossible set of rulings is Infeasible."""
    forced = tuple(data.draw(st.sampled_from([FREE, FREE, FREE, 0, 1])) for _ in range(p.n))
    fixed = ComponentProblem(p.name, p.ids, p.cls, p.caps, p.kinds, p.labels, p.rows,
                             p.objective, forced)
    feasible = all(
        sum(c for i, row in enumerate(p.rows) if forced[i] == 1 for kk, c in row if kk == k)
        <= cap for k, cap in enumerate(p.caps))
    if not feasible:
        with pytest.raises(highs.Infeasible):
            highs.solve_component(fixed)
        return
    res = highs.solve_component(fixed)
    assert list(res.status) == problem_statuses(fixed)
    assert all(res.status[i] == (SELECTED if f == 1 else NOT_SELECTED)
               for i, f in enumerate(forced) if f != FREE)


def _pair() -> ComponentProblem:
    """Two tied candidates in different pools under one limit of one seat: a real choice."""
    return ComponentProblem(
        name="P", ids=("a", "b"), cls=(0, 0), caps=(1, 1, 1), kinds=("quota", "quota", "limit"),
        labels=("A|T", "B|T", "L"), rows=(((0, 1), (2, 1)), ((1, 1), (2, 1))),
    ).validate()


def test_a_real_choice_needs_a_mip_and_is_escalated() -> None:
    res = highs.solve_component(_pair())
    assert res.status == (ESCALATED, ESCALATED)
    assert res.groups == (((0, 1), 1),)  # the seat may go to either pool: one group
    assert res.class_counts == (1,)
    assert res.stats.stages >= 1


def test_no_time_left_is_not_proven() -> None:
    with pytest.raises(highs.NotProven):
        highs.solve_component(_pair(), time_limit=0.0)


def test_identical_members_are_decided_without_a_mip() -> None:
    """Five exact ties with the same constraints and two seats: escalated, two seats, and no
    solver call (interchangeable members are one variable)."""
    p = ComponentProblem(
        name="S", ids=tuple("abcdefg"), cls=(0, 1, 1, 1, 1, 1, 2), caps=(3,), kinds=("quota",),
        labels=("A|T",), rows=(((0, 1),),) * 7,
    ).validate()
    res = highs.solve_component(p)
    assert res.status == (SELECTED, *[ESCALATED] * 5, NOT_SELECTED)
    assert res.groups == (((1, 2, 3, 4, 5), 2),)
    assert res.blocker[6] == 0
    assert res.stats.stages == 0


def test_many_components_in_one_call_and_no_highspy_here() -> None:
    """OR-Tools and highspy ship different libhighs.so.1: HiGHS must run in the helper
    process, never in this one."""
    problems = [_pair(), *[ComponentProblem(
        name=f"Q{j}", ids=("x", "y"), cls=(0, 1), caps=(1,), kinds=("quota",),
        labels=("A|T",), rows=(((0, 1),), ((0, 1),))).validate() for j in range(3)]]
    results = highs.solve_many(problems)
    assert [r.status for r in results] == [(ESCALATED, ESCALATED)] + [(SELECTED, NOT_SELECTED)] * 3
    assert "highspy" not in sys.modules


@pytest.mark.parametrize("objective", list(Objective))
def test_fill_and_priority_differ_where_they_should(objective: Objective) -> None:
    """One senior candidate that costs two seats of a shared limit against two juniors that
    cost one each: priority keeps the senior, fill takes the two juniors."""
    p = ComponentProblem(
        name="F", ids=("s", "j1", "j2"), cls=(0, 1, 2), caps=(3, 2), kinds=("quota", "budget"),
        labels=("A|T", "budget"), rows=(((0, 1), (1, 2)), ((0, 1), (1, 1)), ((0, 1), (1, 1))),
        objective=objective,
    ).validate()
    res = highs.solve_component(p)
    want = [SELECTED, NOT_SELECTED, NOT_SELECTED] if objective is Objective.priority \
        else [NOT_SELECTED, SELECTED, SELECTED]
    assert list(res.status) == want == problem_statuses(p)


def test_subsets_of_a_symmetric_tie_agree_with_brute_force() -> None:
    """Every cap of a six-way tie over two pools and a limit: statuses and seats."""
    for caps in itertools.product(range(4), range(4), range(5)):
        p = ComponentProblem(
            name="T", ids=tuple("abcdef"), cls=(0,) * 6, caps=caps,
            kinds=("quota", "quota", "limit"), labels=("A|T", "B|T", "L"),
            rows=(((0, 1), (2, 1)),) * 3 + (((1, 1), (2, 1)),) * 3,
        ).validate()
        res = highs.solve_component(p)
        assert list(res.status) == problem_statuses(p)
        assert res.groups == solve_component(p).groups
