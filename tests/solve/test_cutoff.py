"""The lone-pool cut: exact against brute force, including incomplete birth dates."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.engine.flow import decide
from allocator.engine.options import Options
from models.enums import Method
from tests.support.builders import candidate, scenario

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

BIRTHS = ["1982", "1982-03", "1982-03-15", "1982-03-20", "1982-07-01", "1981-12-31", "1983-01-01"]


def _interval(text: str) -> tuple[dt.date, dt.date]:
    if len(text) == 4:
        return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    if len(text) == 7:
        y, m = int(text[:4]), int(text[5:])
        end = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
        return dt.date(y, m, 1), end
    d = dt.date.fromisoformat(text)
    return d, d


def _completion_statuses(rows: list[tuple[str, str, str, str]], quota: int) -> dict[str, str]:
    """Union over every completion of the incomplete birth dates of the plain cut.

    Each row: (id, sex, birth text, service start). A completion gives every candidate a
    day inside its interval; the candidate points tried are every interval end and every
    day next to one, which realises every relative order.
    """
    points = sorted({d + dt.timedelta(days=k) for _, _, b, _ in rows for d in _interval(b)
                     for k in (-1, 0, 1)})
    options = []
    for _, _, b, _ in rows:
        lo, hi = _interval(b)
        options.append([p for p in points if lo <= p <= hi])
    seen: dict[str, set[str]] = {r[0]: set() for r in rows}
    for dates in itertools.product(*options):
        keys = {r[0]: (r[1] != "female", dates[i], r[3]) for i, r in enumerate(rows)}
        for cid, key in keys.items():
            above = sum(1 for o, k in keys.items() if o != cid and k < key)
            equal = sum(1 for o, k in keys.items() if o != cid and k == key)
            if above + equal < quota:
                seen[cid].add("selected")
            elif above >= quota:
                seen[cid].add("not_selected")
            else:
                seen[cid].add("escalated")
    return {c: (s.pop() if len(s) == 1 else "escalated") for c, s in seen.items()}


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["male", "female"]), st.sampled_from(BIRTHS),
                          st.sampled_from(["2005-01-01", "2007-01-01"])),
                min_size=1, max_size=5),
       st.integers(0, 4))
def test_cut_with_incomplete_birth_dates_equals_every_completion(
        people: list[tuple[str, str, str]], quota: int) -> None:
    rows = [(f"C{i}", sex, birth, service) for i, (sex, birth, service) in enumerate(people)]
    sc = scenario(
        candidates=[candidate(cid, sex=sex, birth_date=birth, service_start=service)
                    for cid, sex, birth, service in rows],
        quotas=[{"agency_id": "D", "target_title": "V.11.06.14", "quota": str(quota)}],
    )
    got = dict(decide(sc, Options()).decisions.select("candidate_id", "status").iter_rows())
    expected = _completion_statuses(rows, quota)
    assert got == expected


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["", "C", "A"]), st.sampled_from(["male", "female"]),
                          st.sampled_from(["Kinh", "Thái"]),
                          st.sampled_from(["1980-01-01", "1982-06-30"]),
                          st.sampled_from(["2005-01-01", "2007-01-01"]),
                          st.sampled_from(["U1", "U2"]),
                          st.sampled_from(["V.11.06.14", "V.11.05.11"])),
                min_size=1, max_size=12),
       st.integers(0, 4), st.integers(0, 4))
def test_cut_equals_cpsat_on_uncoupled_pools(people: list[tuple[Any, ...]], q1: int,
                                            q2: int) -> None:
    cands = []
    for i, (ach, sex, eth, birth, service, unit, tgt) in enumerate(people):
        cur = "V.11.06.15" if tgt == "V.11.06.14" else "V.11.05.12"
        cands.append(candidate(f"C{i:02d}", achievement=ach, sex=sex, ethnicity=eth,
                               birth_date=birth, service_start=service, unit_id=unit,
                               current_title=cur, target_title=tgt))
    sc = scenario(candidates=cands, quotas=[
        {"agency_id": "D", "target_title": "V.11.06.14", "quota": str(q1)},
        {"agency_id": "U1", "target_title": "V.11.05.11", "quota": str(q2)},
        {"agency_id": "D", "target_title": "V.11.05.11", "quota": str(q2)},
    ])
    fast = decide(sc, Options())
    exact = decide(sc, Options(method=Method.cpsat))
    assert fast.decisions.equals(exact.decisions)
    assert fast.escalations.equals(exact.escalations)
    assert fast.pools.equals(exact.pools)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["", "C"]), st.sampled_from(["male", "female"]),
                          st.sampled_from(["1980", "1980-01-01", "1982-06-30"])),
                min_size=1, max_size=10),
       st.integers(0, 5), st.integers(1, 3))
def test_raising_a_quota_never_turns_a_winner_into_a_loser(
        people: list[tuple[str, str, str]], quota: int, extra: int) -> None:
    cands = [candidate(f"C{i:02d}", achievement=a, sex=s, birth_date=b)
             for i, (a, s, b) in enumerate(people)]

    def statuses(q: int) -> dict[str, str]:
        sc = scenario(candidates=cands,
                      quotas=[{"agency_id": "D", "target_title": "V.11.06.14", "quota": str(q)}])
        return dict(decide(sc, Options()).decisions.select("candidate_id", "status").iter_rows())

    before, after = statuses(quota), statuses(quota + extra)
    for cid, status in before.items():
        if status == "selected":
            assert after[cid] == "selected"
        if status == "escalated":
            assert after[cid] in ("selected", "escalated")
