"""Hypothesis strategies, one per entity: component problems and whole small scenarios."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from allocator.solve.problem import ComponentProblem
from models.enums import Objective
from tests.support.builders import candidate


@st.composite
def component_problems(draw: st.DrawFn, max_n: int = 9, objective: Objective | None = None,
                       budget: bool | None = None) -> ComponentProblem:
    """Random packing problems in priority order, rich in exact ties: priority classes of one
    to three candidates, pools and limits with small caps, limits drawn member by member."""
    sizes: list[int] = []
    while sum(sizes) < max_n and (not sizes or draw(st.integers(0, 4)) > 0):
        sizes.append(min(draw(st.sampled_from([1, 1, 2, 2, 3])), max_n - sum(sizes)))
    n = sum(sizes)
    cls = [c for c, size in enumerate(sizes) for _ in range(size)]
    n_pools = draw(st.integers(1, 4))
    pool = [draw(st.integers(0, n_pools - 1)) for _ in range(n)]
    caps = [draw(st.integers(0, 2)) for _ in range(n_pools)]
    kinds = ["quota"] * n_pools
    labels = [f"A|T{p}" for p in range(n_pools)]
    rows: list[list[tuple[int, int]]] = [[(pool[i], 1)] for i in range(n)]
    for lim in range(draw(st.integers(0, 3))):
        k = len(caps)
        caps.append(draw(st.integers(0, 2)))
        kinds.append("limit")
        labels.append(f"L{lim}")
        for i in range(n):
            if draw(st.booleans()):
                rows[i].append((k, 1))
    if budget if budget is not None else draw(st.booleans()):
        k = len(caps)
        coefs = [draw(st.integers(0, 4)) for _ in range(n)]
        caps.append(draw(st.integers(0, 10)))
        kinds.append("budget")
        labels.append("budget")
        for i in range(n):
            if coefs[i]:
                rows[i].append((k, coefs[i]))
    obj = objective or draw(st.sampled_from(list(Objective)))
    return ComponentProblem(
        name="C", ids=tuple(f"c{i:02d}" for i in range(n)), cls=tuple(cls), caps=tuple(caps),
        kinds=tuple(kinds), labels=tuple(labels),
        rows=tuple(tuple(sorted(r)) for r in rows), objective=obj,
    ).validate()


@st.composite
def flow_problems(draw: st.DrawFn, max_n: int = 9, objective: Objective | None = None,
                  budget: bool | None = None, forced: bool = False, scale: int = 1,
                  ) -> ComponentProblem:
    """Random problems whose rows are two laminar families, as a province's are: pools
    (each candidate in one), department limits over some pools; unit limits over a unit's
    members of one rank, and limits over several units of that rank. The families cross each
    other freely. Classes of one to three candidates (many exact ties); an optional budget
    with a few distinct costs; with ``forced``, some candidates ruled in or out. ``scale``
    multiplies every cap (and the number of pools and units, up to three times); above 1,
    at least half of ``max_n`` candidates."""
    sizes: list[int] = []
    least = max_n // 2 if scale > 1 else 0
    while sum(sizes) < max_n and (sum(sizes) < least or not sizes
                                  or draw(st.integers(0, 4)) > 0):
        sizes.append(min(draw(st.sampled_from([1, 1, 2, 2, 3])), max_n - sum(sizes)))
    n = sum(sizes)
    cls = [c for c, size in enumerate(sizes) for _ in range(size)]
    n_pools = draw(st.integers(1, 3 * min(scale, 3)))
    n_units = draw(st.integers(1, 3 * min(scale, 3)))
    pool = [draw(st.integers(0, n_pools - 1)) for _ in range(n)]
    unit = [draw(st.integers(0, n_units - 1)) for _ in range(n)]
    senior = [draw(st.booleans()) for _ in range(n)]
    caps: list[int] = [draw(st.integers(0, 3 * scale)) for _ in range(n_pools)]
    kinds = ["quota"] * n_pools
    rows: list[list[tuple[int, int]]] = [[(pool[i], 1)] for i in range(n)]

    def limit(members: list[int], cap: int) -> None:
        k = len(caps)
        caps.append(cap)
        kinds.append("limit")
        for i in members:
            rows[i].append((k, 1))

    if n_pools > 1 and draw(st.booleans()):  # a department over some pools
        chosen = draw(st.sets(st.integers(0, n_pools - 1), min_size=2))
        limit([i for i in range(n) if pool[i] in chosen], draw(st.integers(0, 3 * scale)))
    for u in range(n_units):  # unit structure limits, seniors only
        if draw(st.booleans()):
            limit([i for i in range(n) if unit[i] == u and senior[i]],
                  draw(st.integers(0, 2 * scale)))
    if n_units > 1 and draw(st.booleans()):  # several units' seniors
        chosen = draw(st.sets(st.integers(0, n_units - 1), min_size=2))
        limit([i for i in range(n) if unit[i] in chosen and senior[i]],
              draw(st.integers(0, 3 * scale)))
    if budget if budget is not None else draw(st.booleans()):
        k = len(caps)
        costs = [draw(st.sampled_from([0, 1, 2, 3])) for _ in range(n)]
        caps.append(draw(st.integers(0, 8 * scale)))
        kinds.append("budget")
        for i in range(n):
            if costs[i]:
                rows[i].append((k, costs[i]))
    rulings: tuple[int, ...] = ()
    if forced:
        rulings = tuple(draw(st.sampled_from([-1, -1, -1, 0, 1])) for _ in range(n))
    return ComponentProblem(
        name="F", ids=tuple(f"c{i:02d}" for i in range(n)), cls=tuple(cls), caps=tuple(caps),
        kinds=tuple(kinds), labels=tuple(f"K{k}" for k in range(len(caps))),
        rows=tuple(tuple(sorted(r)) for r in rows),
        objective=objective or draw(st.sampled_from(list(Objective))), forced=rulings,
    ).validate()


TRANSITIONS = [("V.11.06.15", "V.11.06.14"), ("V.11.05.12", "V.11.05.11"),
               ("V.05.01.04", "V.05.01.03")]
UNIT_IDS = ["P", "D1", "D2", "U1", "U2", "U3"]
UNITS = [
    {"unit_id": "P", "name": "Tỉnh", "parent_id": ""},
    {"unit_id": "D1", "name": "Sở 1", "parent_id": "P"},
    {"unit_id": "D2", "name": "Sở 2", "parent_id": "P"},
    {"unit_id": "U1", "name": "Đơn vị 1", "parent_id": "D1"},
    {"unit_id": "U2", "name": "Đơn vị 2", "parent_id": "D1"},
    {"unit_id": "U3", "name": "Đơn vị 3", "parent_id": "D2"},
]


@st.composite
def scenarios(draw: st.DrawFn, max_candidates: int = 10, coupled: bool = True,
              incomplete_births: bool = False, objective: str | None = None,
              ineligible: bool = False, homogeneous: bool = False) -> dict[str, Any]:
    """A small round as builder arguments: few distinct values, so exact ties are common.

    Quotas sit at the province or a department; with ``coupled`` there may be limits and a
    budget. Every candidate is eligible unless ``ineligible``.
    """
    n = draw(st.integers(1, max_candidates))
    births = ["1980-05-01", "1982-03-15", "1982-03-15"]
    if incomplete_births:
        births += ["1982", "1982-03", "1982-03-20"]
    cands = []
    for i in range(n):
        cur, tgt = draw(st.sampled_from(TRANSITIONS))
        fields: dict[str, Any] = dict(
            unit_id=draw(st.sampled_from(["U1", "U2", "U3"])),
            current_title=cur, target_title=tgt,
            achievement="" if homogeneous else draw(st.sampled_from(["", "", "C", "A"])),
            sex="male" if homogeneous else draw(st.sampled_from(["male", "female"])),
            ethnicity="Kinh" if homogeneous else draw(st.sampled_from(["Kinh", "Kinh", "Thái"])),
            birth_date=draw(st.sampled_from(births)),
            service_start=draw(st.sampled_from(["2005-01-01", "2008-06-01"])),
            rank_since="2015-01-01",
            salary_increase=draw(st.sampled_from(["0.33", "0.5", "0.67"])),
        )
        if ineligible and draw(st.integers(0, 4)) == 0:
            fields["rating_prev_year"] = "hoan_thanh"
        cands.append(candidate(f"C{i:02d}", **fields))
    quotas = []
    for _, tgt in TRANSITIONS:
        for agency in draw(st.lists(st.sampled_from(["P", "D1", "D2"]), unique=True,
                                    min_size=1, max_size=2)):
            quotas.append({"agency_id": agency, "target_title": tgt,
                           "quota": str(draw(st.integers(0, 3)))})
    tables: dict[str, Any] = {"units": UNITS, "candidates": cands, "quotas": quotas}
    settings: dict[str, Any] = {"objective": objective or draw(st.sampled_from(
        ["priority", "fill"]))}
    if coupled:
        limits = []
        for j in range(draw(st.integers(0, 2))):
            limits.append({
                "limit_id": f"L{j}",
                "scope_unit_id": draw(st.sampled_from(UNIT_IDS)),
                "target_title": draw(st.sampled_from(["", "", "V.11.06.14"])),
                "target_rank": draw(st.sampled_from(["", "III"])),
                "max": str(draw(st.integers(0, 3))),
                "max_share": "",
            })
        tables["limits"] = limits
        if draw(st.booleans()):
            settings["budget"] = draw(st.sampled_from([0.5, 1.0, 1.34, 2.0]))
    return {"settings": settings, **tables}
