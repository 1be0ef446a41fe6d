"""The order classes of a cluster of birth dates: exactly those that completions induce,
checked against a day-by-day enumeration."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.solve.incomplete import weak_orders
from allocator.solve.problem import Cluster


@st.composite
def clusters(draw: st.DrawFn) -> Cluster:
    n = draw(st.integers(1, 4))
    lo, hi, after = [], [], []
    for _ in range(n):
        a = draw(st.integers(0, 6))
        b = a + draw(st.sampled_from((0, 0, 1, 2, 4)))
        lo.append(a)
        hi.append(b)
        after.append((draw(st.integers(0, 1)),))
    return Cluster(positions=tuple(range(n)), lo=tuple(lo), hi=tuple(hi), after=tuple(after))


def day_by_day(c: Cluster) -> set[tuple[tuple[int, ...], ...]]:
    out = set()
    for days in itertools.product(*[range(a, b + 1) for a, b in zip(c.lo, c.hi, strict=True)]):
        keys = sorted({(d, c.after[m]) for m, d in enumerate(days)})
        out.add(tuple(tuple(m for m, d in enumerate(days) if (d, c.after[m]) == k)
                      for k in keys))
    return out


@settings(max_examples=300, deadline=None)
@given(clusters())
def test_weak_orders_are_the_orders_of_every_completion(c: Cluster) -> None:
    got = weak_orders(c, limit=10_000)
    assert got is not None
    assert len(got) == len(set(got))
    assert set(got) == day_by_day(c)
