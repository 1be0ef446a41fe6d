"""Tests of the brute-force oracle itself, against expectations derived by hand.

Unless a test says otherwise: deadline 2024-10-29, review year 2024, objective priority, units
P (root) → K1, K2; U1, U2 under K1; U3 under K2; every candidate column not named is that of a
plain eligible candidate (male, Kinh, born 1980-01-01, service from 2005-01-01, IT IV→III).
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.support.oracle import (
    DateSpec,
    OracleResult,
    birth_orders,
    dense_ranks,
    full_months,
    parse_birth,
    solve_folder,
)
from tests.support.scenario_files import (
    Row,
    ScenarioInput,
    small_coupled_scenarios,
    write_scenario,
)

IT = ("V.11.06.15", "V.11.06.14")
INFOSEC = ("V.11.05.12", "V.11.05.11")
ENG = ("V.05.02.08", "V.05.02.07")
RESEARCH_III = ("V.05.01.03", "V.05.01.02")

UNITS: list[Row] = [
    {"unit_id": "P", "parent_id": ""},
    {"unit_id": "K1", "parent_id": "P"},
    {"unit_id": "K2", "parent_id": "P"},
    {"unit_id": "U1", "parent_id": "K1"},
    {"unit_id": "U2", "parent_id": "K1"},
    {"unit_id": "U3", "parent_id": "K2"},
]


def cand(cid: str, transition: tuple[str, str] = IT, unit: str = "U1", **cols: object) -> Row:
    return {
        "candidate_id": cid,
        "unit_id": unit,
        "current_title": transition[0],
        "target_title": transition[1],
        **cols,
    }


def quota(agency: str, title: str, n: int) -> Row:
    return {"agency_id": agency, "target_title": title, "quota": n}


def solve(
    tmp_path: Path,
    candidates: list[Row],
    quotas: list[Row],
    *,
    settings: Row | None = None,
    units: list[Row] | None = None,
    limits: list[Row] | None = None,
    staff: list[Row] | None = None,
    decisions: list[Row] | None = None,
) -> OracleResult:
    folder = write_scenario(
        tmp_path / "scenario",
        settings=settings or {},
        units=units if units is not None else UNITS,
        candidates=candidates,
        quotas=quotas,
        limits=limits,
        staff=staff,
        decisions=decisions,
    )
    return solve_folder(folder)


# ---------------------------------------------------------------------------------------------
# The four cases of issue 9
# ---------------------------------------------------------------------------------------------


def test_issue9_case1_budget_couples_two_pools_through_an_incomplete_date(
    tmp_path: Path,
) -> None:
    """b and c (female, born 1985, 0.7 each) head the order; their order is unknown.
    b older: b takes the P seat, c cannot (0.7 + 0.7 > 1.0), a
    cannot (quota of P taken) → {b}.  c older: c wins, b cannot (budget), a fits
    (0.7 + 0.3 = 1.0) → {c, a}.  b = c: one class {b, c}, only one fits; {c, a} has vector
    (1, 1) > (1, 0) of {b} → {c, a}.  Sets {b} and {a, c}: everyone escalated."""
    result = solve(
        tmp_path,
        [
            cand("a", ENG, birth_date="1980-01-01", salary_increase="0.3"),
            cand("b", ENG, birth_date="1985", sex="female", salary_increase="0.7"),
            cand("c", IT, "U3", birth_date="1985", sex="female", salary_increase="0.7"),
        ],
        [quota("P", "V.05.02.07", 1), quota("K2", "V.11.06.14", 1)],
        settings={"budget": 1.0},
    )
    assert result.status == {"a": "escalated", "b": "escalated", "c": "escalated"}
    assert set(result.optimal_sets) == {frozenset("b"), frozenset("ac")}
    assert result.pool["c"] == ("K2", "V.11.06.14")


def test_issue9_case2_limit_couples_pools_through_incomplete_dates(tmp_path: Path) -> None:
    """Only birth dates differ.  x (June 1985) older than z (1985-06-15): x takes the IT seat
    unless y (1985) is older still: y older than x → y, then z (limit K1 holds only z)
    → {y, z}; else {x} (y loses the IT seat, z the K1 limit).  z older than x: z, then x is
    blocked by the limit, y takes IT → {y, z}.  Sets {x} and {y, z}: all escalated."""
    people = {"sex": "male", "service_start": "2008-08-08"}
    result = solve(
        tmp_path,
        [
            cand("x", IT, "U1", birth_date="1985-06", **people),
            cand("y", IT, "U3", birth_date="1985", **people),
            cand("z", INFOSEC, "U2", birth_date="1985-06-15", **people),
        ],
        [quota("P", "V.11.06.14", 1), quota("P", "V.11.05.11", 1)],
        limits=[{"limit_id": "L0", "scope_unit_id": "K1", "max": 1}],
    )
    assert result.status == {"x": "escalated", "y": "escalated", "z": "escalated"}
    assert set(result.optimal_sets) == {frozenset("x"), frozenset("yz")}


CASE3 = [
    cand("s", IT, birth_date="1984-06-15", salary_increase="0.3"),
    cand("x", ENG, birth_date="1984", salary_increase="0.3"),
    cand("y", IT, birth_date="1984-06-15", service_start="2008-08-08", salary_increase="0.7"),
    cand("z", ENG, birth_date="1985-03-03", salary_increase="0.3"),
]
CASE3_QUOTAS = [quota("P", "V.11.06.14", 2), quota("P", "V.05.02.07", 2)]


def test_issue9_case3_rulings_that_no_optimal_allocation_holds_are_refused(
    tmp_path: Path,
) -> None:
    """s beats y (same birth date, longer service); z is youngest.  x before 1984-06-15:
    x, s (0.6), y no (1.3), z yes (0.9) → {x, s, z}.  x = 1984-06-15: x and s tie, both fit,
    then as before → {x, s, z}.  x after: s, y (1.0), x no, z no → {s, y}.  No set holds
    both x and y, so the rulings x select, y select are refused."""
    result = solve(
        tmp_path,
        CASE3,
        CASE3_QUOTAS,
        settings={"budget": 1.0},
        decisions=[
            {"candidate_id": "x", "decision": "select"},
            {"candidate_id": "y", "decision": "select"},
        ],
    )
    assert set(result.optimal_sets) == {frozenset("xsz"), frozenset("sy")}
    assert result.refused is not None


def test_issue9_case3_without_rulings(tmp_path: Path) -> None:
    """The same two sets {x, s, z} and {s, y}: s in both, x, y, z in one only."""
    result = solve(tmp_path, CASE3, CASE3_QUOTAS, settings={"budget": 1.0})
    assert result.refused is None
    assert result.status == {
        "s": "selected",
        "x": "escalated",
        "y": "escalated",
        "z": "escalated",
    }


def test_issue9_case4_rank_limit_below_two_pools_of_one_agency(tmp_path: Path) -> None:
    """Four identical candidates (one class).  The limit allows 2 winners at U, the InfoSec
    pool 1: the optimal sets are the 2-sets with at most one a: {a1, b1}, {a1, b2},
    {a2, b1}, {a2, b2}, {b1, b2}.  Everyone is in some but not all: one group, 2 seats."""
    units: list[Row] = [
        {"unit_id": "P", "parent_id": ""},
        {"unit_id": "S", "parent_id": "P"},
        {"unit_id": "U", "parent_id": "S"},
    ]
    result = solve(
        tmp_path,
        [
            cand("a1", INFOSEC, "U"),
            cand("a2", INFOSEC, "U"),
            cand("b1", IT, "U"),
            cand("b2", IT, "U"),
        ],
        [quota("S", "V.11.05.11", 1), quota("S", "V.11.06.14", 2)],
        units=units,
        limits=[{"limit_id": "L", "scope_unit_id": "U", "target_rank": "III", "max": 2}],
    )
    assert set(result.status.values()) == {"escalated"}
    assert len(result.optimal_sets) == 5
    assert result.tie_groups == [frozenset({"a1", "a2", "b1", "b2"})]
    assert result.tie_seats == [(2,)]


# ---------------------------------------------------------------------------------------------
# Hand-derived cases
# ---------------------------------------------------------------------------------------------


def test_plain_quota_cut(tmp_path: Path) -> None:
    """One pool of 2; achievements A > B > C > none decide: a, b win, c, d lose."""
    result = solve(
        tmp_path,
        [
            cand("a", achievement="A"),
            cand("b", achievement="B"),
            cand("c", achievement="C"),
            cand("d"),
        ],
        [quota("P", "V.11.06.14", 2)],
    )
    assert result.status == {
        "a": "selected",
        "b": "selected",
        "c": "not_selected",
        "d": "not_selected",
    }
    assert result.optimal_sets == [frozenset("ab")]


def test_exact_tie_for_the_last_seat(tmp_path: Path) -> None:
    """a (B) takes the first seat; b and c are equal on all five criteria and compete for the
    second: optimal sets {a, b} and {a, c} → a selected, b and c escalated, one seat."""
    result = solve(
        tmp_path,
        [cand("a", achievement="B"), cand("b", unit="U2"), cand("c", unit="U3")],
        [quota("P", "V.11.06.14", 2)],
    )
    assert result.status == {"a": "selected", "b": "escalated", "c": "escalated"}
    assert result.tie_groups == [frozenset("bc")]
    assert result.tie_seats == [(1,)]


def test_limit_couples_two_pools(tmp_path: Path) -> None:
    """p (B, IT, U1) and q (C, InfoSec, U2) are both under the K1 limit of 1; p is better and
    wins, q loses to the limit although its own pool has a free seat.  r (IT, U3) is outside
    the limit and takes the second IT seat."""
    result = solve(
        tmp_path,
        [
            cand("p", IT, "U1", achievement="B"),
            cand("q", INFOSEC, "U2", achievement="C"),
            cand("r", IT, "U3"),
        ],
        [quota("P", "V.11.06.14", 2), quota("P", "V.11.05.11", 1)],
        limits=[{"limit_id": "L", "scope_unit_id": "K1", "max": 1}],
    )
    assert result.status == {"p": "selected", "q": "not_selected", "r": "selected"}


def test_limit_filtered_by_title(tmp_path: Path) -> None:
    """The same as above with the limit only for V.11.05.11: it covers q alone, so p, q and r
    all win (IT 2 seats, InfoSec 1, limit 1 ≥ 1)."""
    result = solve(
        tmp_path,
        [
            cand("p", IT, "U1", achievement="B"),
            cand("q", INFOSEC, "U2", achievement="C"),
            cand("r", IT, "U3"),
        ],
        [quota("P", "V.11.06.14", 2), quota("P", "V.11.05.11", 1)],
        limits=[{"limit_id": "L", "scope_unit_id": "K1", "target_title": "V.11.05.11", "max": 1}],
    )
    assert set(result.status.values()) == {"selected"}


def test_budget_skips_a_candidate_that_does_not_fit(tmp_path: Path) -> None:
    """Budget 1.0, 3 seats: a (A, 0.7) first; b (B, 0.5) would make 1.2 → out; c (C, 0.3)
    makes exactly 1.0 → in (exact decimals: 0.7 + 0.3 = 1.0)."""
    result = solve(
        tmp_path,
        [
            cand("a", achievement="A", salary_increase="0.7"),
            cand("b", achievement="B", salary_increase="0.5"),
            cand("c", achievement="C", salary_increase="0.3"),
        ],
        [quota("P", "V.11.06.14", 3)],
        settings={"budget": 1.0},
    )
    assert result.status == {"a": "selected", "b": "not_selected", "c": "selected"}


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("priority", {"a": "selected", "b": "not_selected", "c": "not_selected"}),
        ("fill", {"a": "not_selected", "b": "selected", "c": "selected"}),
    ],
)
def test_fill_and_priority_give_different_winners(
    tmp_path: Path, objective: str, expected: dict[str, str]
) -> None:
    """Budget 1.0, 3 seats; a (A, 0.7), b (B, 0.5), c (C, 0.5).  priority: a first, then
    neither b nor c fits (1.2) → {a}.  fill: the most winners is 2, only {b, c} (1.0) → that
    set, although a has the higher priority."""
    result = solve(
        tmp_path,
        [
            cand("a", achievement="A", salary_increase="0.7"),
            cand("b", achievement="B", salary_increase="0.5"),
            cand("c", achievement="C", salary_increase="0.5"),
        ],
        [quota("P", "V.11.06.14", 3)],
        settings={"budget": 1.0, "objective": objective},
    )
    assert result.status == expected


def test_tenure_boundary_full_calendar_months(tmp_path: Path) -> None:
    """IT IV→III needs 24 months.  From 2022-10-29 the 24th month is full on 2024-10-29 (the
    deadline) → eligible; from 2022-10-30 it would be full on 2024-10-30 → 23 → tenure."""
    assert full_months(date(2022, 10, 29), date(2024, 10, 29)) == 24
    assert full_months(date(2022, 10, 30), date(2024, 10, 29)) == 23
    result = solve(
        tmp_path,
        [cand("a", rank_since="2022-10-29"), cand("b", rank_since="2022-10-30")],
        [quota("P", "V.11.06.14", 2)],
    )
    assert result.status == {"a": "selected", "b": "ineligible"}
    assert result.reasons == {"b": ("tenure",)}


def test_tenure_end_of_month_rule(tmp_path: Path) -> None:
    """Deadline 2022-02-28.  From 2020-02-29 the 24th month ends in February 2022, which lacks
    a 29th: it is full on its last day, 2022-02-28 → 24 months, eligible.  From 2020-03-01
    it is full on 2022-03-01 → 23 months → tenure.  From 2021-01-31 one month is full on
    2021-02-28 (the last day of February)."""
    assert full_months(date(2021, 1, 31), date(2021, 2, 28)) == 1
    assert full_months(date(2021, 1, 31), date(2021, 2, 27)) == 0
    result = solve(
        tmp_path,
        [cand("a", rank_since="2020-02-29"), cand("b", rank_since="2020-03-01")],
        [quota("P", "V.11.06.14", 2)],
        settings={"deadline": date(2022, 2, 28), "review_year": 2022},
    )
    assert result.status == {"a": "selected", "b": "ineligible"}
    assert result.reasons == {"b": ("tenure",)}


def test_twelve_month_rule_probation_and_trung_cap(tmp_path: Path) -> None:
    """IT IV→III, 24 months (36 when recruited at trung_cap).
    a: 2023-10-29 → 12 months in rank + 12 equivalent = 24, in rank ≥ 12 → eligible.
    b: 2023-11-15 → 11 months + 13 equivalent = 24, but equivalent time is used and 11 < 12
       → tenure_12_months only.
    c: 11 months, no equivalent time → tenure only (the 12-month rule needs equivalent time).
    d: 11 + 5 = 16 < 24 and 11 < 12 with equivalent time → tenure and tenure_12_months.
    e: 2022-09-29 → 25 months − 1 of probation = 24 → eligible.
    f: trung_cap, 2022-10-29 → 24 < 36 → tenure."""
    result = solve(
        tmp_path,
        [
            cand("a", rank_since="2023-10-29", equivalent_months=12),
            cand("b", rank_since="2023-11-15", equivalent_months=13),
            cand("c", rank_since="2023-11-15"),
            cand("d", rank_since="2023-11-15", equivalent_months=5),
            cand("e", rank_since="2022-09-29", probation_months=1),
            cand("f", rank_since="2022-10-29", recruitment_level="trung_cap"),
        ],
        [quota("P", "V.11.06.14", 5)],
    )
    assert result.reasons == {
        "b": ("tenure_12_months",),
        "c": ("tenure",),
        "d": ("tenure", "tenure_12_months"),
        "f": ("tenure",),
    }
    assert (result.status["a"], result.status["e"]) == ("selected", "selected")


@pytest.mark.parametrize(("seats", "winners"), [(1, "a"), (2, "ab")])
def test_incomplete_date_far_from_the_cut_does_not_matter(
    tmp_path: Path, seats: int, winners: str
) -> None:
    """a born 1980-01-01, b in 1985 (any day), c on 1990-05-05: every completion orders them
    a, b, c, so the seat(s) go to the oldest without escalation."""
    result = solve(
        tmp_path,
        [
            cand("a", birth_date="1980-01-01"),
            cand("b", birth_date="1985"),
            cand("c", birth_date="1990-05-05"),
        ],
        [quota("P", "V.11.06.14", seats)],
    )
    assert result.status == {cid: "selected" if cid in winners else "not_selected" for cid in "abc"}
    assert len(result.optimal_sets) == 1


def test_incomplete_dates_that_may_be_equal_escalate(tmp_path: Path) -> None:
    """b (1985) and c (1985-06) may be in either order or equal: one seat, sets {b}, {c}."""
    result = solve(
        tmp_path,
        [cand("b", birth_date="1985"), cand("c", birth_date="1985-06")],
        [quota("P", "V.11.06.14", 1)],
    )
    assert result.status == {"b": "escalated", "c": "escalated"}


def test_female_minority_and_folding_of_names(tmp_path: Path) -> None:
    """b is female ("Nữ") → first; a is of the Tày minority → second; c writes "KINH" and
    "Nam" (majority, male) → last.  Two seats: b and a."""
    result = solve(
        tmp_path,
        [
            cand("a", ethnicity="Tày"),
            cand("b", sex="Nữ", ethnicity="kinh"),
            cand("c", sex="Nam", ethnicity="KINH"),
        ],
        [quota("P", "V.11.06.14", 2)],
    )
    assert result.status == {"a": "selected", "b": "selected", "c": "not_selected"}


def test_longer_service_breaks_an_otherwise_equal_pair(tmp_path: Path) -> None:
    """Same birth date; a started in 2005, b in 2008 → a has the longer service and wins."""
    result = solve(
        tmp_path,
        [cand("a", service_start="2005-01-01"), cand("b", service_start="2008-08-08")],
        [quota("P", "V.11.06.14", 1)],
    )
    assert result.status == {"a": "selected", "b": "not_selected"}


def test_nearest_agency_with_a_quota_is_the_pool(tmp_path: Path) -> None:
    """Quotas for V.11.06.14 at P and at K1: a (U1, under K1) is in K1's pool, b (U3) in P's;
    c targets V.11.05.11, for which no agency has a quota → no_quota."""
    result = solve(
        tmp_path,
        [cand("a", unit="U1"), cand("b", unit="U3"), cand("c", INFOSEC)],
        [quota("P", "V.11.06.14", 1), quota("K1", "V.11.06.14", 1)],
    )
    assert result.pool == {"a": ("K1", "V.11.06.14"), "b": ("P", "V.11.06.14"), "c": None}
    assert result.status == {"a": "selected", "b": "selected", "c": "ineligible"}
    assert result.reasons == {"c": ("no_quota",)}


def test_reasons_in_the_contract_order(tmp_path: Path) -> None:
    """Every failed rule, in the contract's order; a waived certificate is not one; the
    III→II research transition needs thac_si, 3 points and 1 S&T point; with
    require_excellent_achievement IV→III needs C or higher, III→II B or higher."""
    result = solve(
        tmp_path,
        [
            cand(
                "a",
                rating_prev_year="hoan_thanh",
                under_discipline=True,
                degree="cao_dang",
                certificate=False,
                language_it_ok=False,
                achievement="D",
            ),
            cand("b", RESEARCH_III, points=2, points_st=0, achievement="C"),
            cand("c", achievement="C", competence_ok=False, degree_field_ok=False),
            cand("d", RESEARCH_III, degree="thac_si", points=3, points_st=1, achievement="B"),
        ],
        [quota("P", "V.11.06.14", 3), quota("P", "V.05.01.02", 1)],
        settings={"certificate_waived": True, "require_excellent_achievement": True},
    )
    assert result.reasons == {
        "a": ("rating", "discipline", "degree", "language_it", "excellent_achievement"),
        "b": ("degree", "points", "points_st", "excellent_achievement"),
        "c": ("competence", "degree"),
    }
    assert result.status["d"] == "selected"


def test_share_limit_from_staff(tmp_path: Path) -> None:
    """Staff in K1: V.11.06.14 5 positions, 2 holders; V.11.06.15 5 positions, 4 holders.
    Title limit, share 0.3: positions of the IT profession 10 → floor(3) − 2 = 1 winner: a (A).
    Rank-III limit, share 0.5: all positions 10 → floor(5) − holders of rank III 2 = 3 →
    both win."""
    staff: list[Row] = [
        {"unit_id": "U1", "title": "V.11.06.14", "holders": 2, "positions": 5},
        {"unit_id": "U2", "title": "V.11.06.15", "holders": 4, "positions": 5},
    ]
    people = [cand("a", achievement="A"), cand("b", achievement="B")]
    by_title = solve(
        tmp_path / "title",
        people,
        [quota("P", "V.11.06.14", 3)],
        staff=staff,
        limits=[
            {
                "limit_id": "L",
                "scope_unit_id": "K1",
                "target_title": "V.11.06.14",
                "max_share": "0.3",
            }
        ],
    )
    assert by_title.status == {"a": "selected", "b": "not_selected"}
    by_rank = solve(
        tmp_path / "rank",
        people,
        [quota("P", "V.11.06.14", 3)],
        staff=staff,
        limits=[{"limit_id": "L", "scope_unit_id": "K1", "target_rank": "III", "max_share": "0.5"}],
    )
    assert by_rank.status == {"a": "selected", "b": "selected"}


def test_rulings_settle_a_tie_or_are_refused(tmp_path: Path) -> None:
    """b and c tie for one seat behind a (B).  "b select" keeps only {a, b}: b selected, c not.
    A ruling on a (selected without rulings) is refused; "b select, c select" is held by no
    optimal set → refused."""
    people = [cand("a", achievement="B"), cand("b"), cand("c")]
    quotas = [quota("P", "V.11.06.14", 2)]
    settled = solve(
        tmp_path / "1", people, quotas, decisions=[{"candidate_id": "b", "decision": "select"}]
    )
    assert settled.refused is None
    assert settled.status == {"a": "selected", "b": "selected", "c": "not_selected"}
    on_winner = solve(
        tmp_path / "2", people, quotas, decisions=[{"candidate_id": "a", "decision": "reject"}]
    )
    assert on_winner.refused is not None
    both = solve(
        tmp_path / "3",
        people,
        quotas,
        decisions=[
            {"candidate_id": "b", "decision": "select"},
            {"candidate_id": "c", "decision": "select"},
        ],
    )
    assert both.refused is not None


# ---------------------------------------------------------------------------------------------
# The enumeration of completions, against a day-by-day enumeration
# ---------------------------------------------------------------------------------------------


def _days(spec: DateSpec) -> list[date]:
    return [spec.lo + timedelta(days=k) for k in range((spec.hi - spec.lo).days + 1)]


def day_by_day_orders(specs: list[DateSpec]) -> set[tuple[int, ...]]:
    """Every completion, one day at a time, and the order of the dates it induces."""
    out: set[tuple[int, ...]] = set()
    for days in itertools.product(*(_days(s) for s in specs)):
        out.add(dense_ranks([(d.toordinal(), 0) for d in days]))
    return out


@pytest.mark.parametrize(
    "dates",
    [
        ["1985-06", "1985-06-15", "1985-06"],
        ["1985-06-14", "1985-06-16", "1985-06", "1985-06"],  # a gap of one day
        ["1985-06-14", "1985-06-15", "1985-06", "1985-06"],  # no gap between the two
        ["1985", "1985-06", "1985-06-15"],
        ["1984-12-31", "1985", "1985-01-01", "1985-01"],
        ["1985-02", "1985-02-27", "1985-03"],
    ],
)
def test_birth_orders_equal_a_day_by_day_enumeration(dates: list[str]) -> None:
    """The slot enumeration must yield exactly the orders that completions induce."""
    specs = [parse_birth(d) for d in dates]
    assert birth_orders(specs) == day_by_day_orders(specs)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(example=small_coupled_scenarios())
def test_drawn_scenarios_are_solved_consistently(tmp_path: Path, example: ScenarioInput) -> None:
    """Every drawn scenario is read and solved; statuses agree with the optimal sets, and
    every optimal set respects the quotas (a set never holds more of a pool than its quota)."""
    folder = example.write(Path(tempfile.mkdtemp(dir=tmp_path)))  # tmp_path is shared
    result = solve_folder(folder)
    quotas = {
        (str(q["agency_id"]), str(q["target_title"])): int(str(q["quota"])) for q in example.quotas
    }
    for winners in result.optimal_sets:
        for key, n in quotas.items():
            assert sum(1 for cid in winners if result.pool[cid] == key) <= n
    for cid, status in result.status.items():
        wins = sum(1 for s in result.optimal_sets if cid in s)
        if status == "ineligible":
            assert wins == 0 and result.reasons[cid]
        elif result.refused is None and not example.decisions:
            expected = {len(result.optimal_sets): "selected", 0: "not_selected"}.get(wins)
            assert status == (expected or "escalated")
