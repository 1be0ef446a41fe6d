"""The unit tree: depths and lowest common ancestors against networkx's own algorithms."""

from __future__ import annotations

import networkx as nx
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from models.tree import UnitTree


@st.composite
def trees(draw: st.DrawFn) -> pl.DataFrame:
    """A random rooted tree: unit k's parent is any earlier unit."""
    n = draw(st.integers(1, 30))
    parents: list[str | None] = [None]
    for k in range(1, n):
        parents.append(f"U{draw(st.integers(0, k - 1)):02d}")
    return pl.DataFrame({"unit_id": [f"U{k:02d}" for k in range(n)],
                         "name": [f"Đơn vị {k}" for k in range(n)],
                         "parent_id": parents}, schema={"unit_id": pl.Utf8, "name": pl.Utf8,
                                                        "parent_id": pl.Utf8})


@settings(max_examples=150, deadline=None)
@given(trees(), st.data())
def test_depth_and_lowest_common_ancestor_agree_with_networkx(units: pl.DataFrame,
                                                              data: st.DataObject) -> None:
    tree = UnitTree(units)
    graph = nx.DiGraph()
    graph.add_nodes_from(units["unit_id"].to_list())
    graph.add_edges_from((p, u) for u, p in units.select("unit_id", "parent_id").iter_rows()
                         if p is not None)
    assert tree.depth == dict(nx.single_source_shortest_path_length(graph, "U00"))
    nodes = data.draw(st.lists(st.sampled_from(units["unit_id"].to_list()), min_size=1,
                               max_size=5))
    expected = nodes[0]
    for other in nodes[1:]:
        expected = nx.lowest_common_ancestor(graph, expected, other)
    assert tree.lowest_common_ancestor(nodes) == expected
