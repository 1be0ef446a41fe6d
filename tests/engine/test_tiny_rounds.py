"""The tiny rounds of tests/data, each decided as worked out by hand from SCENARIO.md.

Every candidate is a plain eligible one (tests/support/scenario_files.py defaults); the
expected tables are derived in each docstring, never from the engine."""

from __future__ import annotations

from allocator.verify.checker import check
from models.result import RunResult
from models.scenario import Scenario


def _table(result: RunResult) -> list[tuple[str, str, str | None, str | None]]:
    return [(r["candidate_id"], r["status"], r["decided_by"], r["tie_group"])
            for r in result.decisions.iter_rows(named=True)]


def _passes_checker(result: RunResult) -> None:
    sc: Scenario = result.scenario
    assert check(sc, result.decisions, result.escalations, pools=result.pools) == []


def test_tie_for_last_seat(tie_for_last_seat: RunResult) -> None:
    """A (born 1980) is older than B and C (both 1985-05-05, equal on every criterion): A
    takes the first seat; B and C share the second, which only the managing agency of their
    units (U1, U2 → K1) may give."""
    assert _table(tie_for_last_seat) == [("A", "selected", None, None),
                                         ("B", "escalated", None, "T001"),
                                         ("C", "escalated", None, "T001")]
    esc = tie_for_last_seat.escalations.row(0, named=True)
    assert (esc["managing_agency_id"], esc["seats"], esc["candidate_ids"]) == ("K1", 1, "B;C")
    _passes_checker(tie_for_last_seat)


def test_limit_couples_two_pools(limit_couples_two_pools: RunResult) -> None:
    """IT quota 1 (A), InfoSec quota 2 (B older than C), but at most 2 rank-III winners in
    K1: A and B come first in the priority order, so C loses to the limit, not to a quota."""
    assert _table(limit_couples_two_pools) == [("A", "selected", None, None),
                                               ("B", "selected", None, None),
                                               ("C", "not_selected", "limit:L1", None)]
    pools = {(r["target_title"], r["quota"], r["selected"], r["unused"])
             for r in limit_couples_two_pools.pools.iter_rows(named=True)}
    assert pools == {("V.11.06.14", 1, 1, 0), ("V.11.05.11", 2, 1, 1)}
    _passes_checker(limit_couples_two_pools)


def test_budget_couples_two_pools(budget_couples_two_pools: RunResult) -> None:
    """Budget 1.0; A (0.7, oldest) first, then B (0.7), then C (0.3): A + B = 1.4 does not
    fit, A + C = 1.0 does. B is the higher-priority of the two but the budget decides."""
    assert _table(budget_couples_two_pools) == [("A", "selected", None, None),
                                                ("B", "not_selected", "budget", None),
                                                ("C", "selected", None, None)]
    assert budget_couples_two_pools.summary.solver.budget_binding
    _passes_checker(budget_couples_two_pools)


def test_year_only_birth_lone_pool(year_only_birth_lone_pool: RunResult) -> None:
    """One seat. X was born some day of 1985, Y on 1985-06-15, Z in 1990: Z loses to both on
    age whatever X's day; who of X and Y is older is unknowable, so both are escalated, for
    that reason, and never ordered by a later criterion."""
    assert _table(year_only_birth_lone_pool) == [("X", "escalated", None, "T001"),
                                                 ("Y", "escalated", None, "T001"),
                                                 ("Z", "not_selected", "older", None)]
    (group,) = year_only_birth_lone_pool.summary.tie_groups
    assert group.reason == "incomplete_birth_date"
    _passes_checker(year_only_birth_lone_pool)
