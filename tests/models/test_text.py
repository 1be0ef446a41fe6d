"""Ids sorted as people count them."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from models.text import natural


@given(st.lists(st.tuples(st.sampled_from(["", "DB", "C-", "TT"]), st.integers(0, 10_000)),
                min_size=1, max_size=40, unique=True))
def test_ids_sort_by_their_prefix_then_their_number(ids: list[tuple[str, int]]) -> None:
    frame = pl.DataFrame({"candidate_id": [f"{p}{n}" for p, n in ids]})
    got = frame.sort(natural("candidate_id"))["candidate_id"].to_list()
    expected = [f"{p}{n}" for p, n in sorted(ids, key=lambda t: (t[0], t[1]))]
    assert got == expected


def test_the_listing_people_read_is_natural_while_decisions_keep_text_order() -> None:
    frame = pl.DataFrame({"candidate_id": ["1", "10", "11", "2"]})
    assert frame.sort(natural("candidate_id"))["candidate_id"].to_list() == ["1", "2", "10",
                                                                             "11"]
    assert frame.sort("candidate_id")["candidate_id"].to_list() == ["1", "10", "11", "2"]
