"""pools.csv attribution of tie-group seats: a maximum flow, checked against networkx."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.engine.assemble import attribute_seats

POOLS = ("p1", "p2", "p3")


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[int], list[dict[str, int]], dict[str, int]]:
    n = draw(st.integers(1, 4))
    edge = [{p: draw(st.integers(1, 3)) for p in draw(st.sets(st.sampled_from(POOLS),
                                                              min_size=1))}
            for _ in range(n)]
    demand = [draw(st.integers(0, 4)) for _ in range(n)]
    room = {p: draw(st.integers(0, 4)) for p in POOLS}
    return demand, edge, room


@settings(max_examples=300, deadline=None)
@given(instances())
def test_attribution_is_a_maximum_flow_within_every_bound(
        case: tuple[list[int], list[dict[str, int]], dict[str, int]]) -> None:
    demand, edge, room = case
    flow = attribute_seats(demand, edge, room)
    for g, here in enumerate(flow):
        assert sum(here.values()) <= demand[g]
        assert all(0 < s <= edge[g][p] for p, s in here.items())
    for p in POOLS:
        assert sum(here.get(p, 0) for here in flow) <= room[p]
    graph = nx.DiGraph()
    for g, here in enumerate(edge):
        graph.add_edge("s", g, capacity=demand[g])
        for p, c in here.items():
            graph.add_edge(g, p, capacity=c)
    for p in POOLS:
        graph.add_edge(p, "t", capacity=room[p])
    assert sum(sum(h.values()) for h in flow) == nx.maximum_flow_value(graph, "s", "t")
    assert attribute_seats(demand, edge, room) == flow  # deterministic
