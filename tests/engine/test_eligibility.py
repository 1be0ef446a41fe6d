"""One test per eligibility rule (DOMAIN.md §3), with the boundary dates of the law."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.engine.eligibility import full_months
from allocator.engine.flow import decide
from allocator.engine.options import Options
from tests.support.builders import candidate, scenario

DEADLINE = dt.date(2024, 10, 29)
IT = {"current_title": "V.11.06.15", "target_title": "V.11.06.14"}
RESEARCH_II = {"current_title": "V.05.01.03", "target_title": "V.05.01.02", "degree": "thac_si",
               "rank_since": "2010-01-01", "points": "3", "points_st": "1"}
ENGINEER_II = {"current_title": "V.05.02.07", "target_title": "V.05.02.06",
               "rank_since": "2010-01-01", "points": "2", "points_st": "1"}


def reasons(settings: dict[str, Any] | None = None, /, **fields: Any) -> str | None:
    """The failed rule ids of one candidate (None when eligible)."""
    sc = scenario(settings, candidates=[candidate("X", **fields)], quotas=[
        {"agency_id": "D", "target_title": t, "quota": "1"}
        for t in ("V.11.06.14", "V.11.05.11", "V.05.01.03", "V.05.01.02", "V.05.02.07",
                  "V.05.02.06")])
    row = decide(sc, Options()).decisions.row(0, named=True)
    value: str | None = row["reasons"]
    return value


# -- full calendar months -------------------------------------------------------------------

def _anniversary(start: dt.date, k: int) -> dt.date:
    """The day k months after ``start``; a month that lacks that day (31 April) ends the
    period on its last day (Bộ luật Dân sự 2015 Điều 148, as SCENARIO.md says)."""
    y, m = divmod(start.month - 1 + k, 12)
    year, month = start.year + y, m + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _months_by_walking(start: dt.date, end: dt.date) -> int:
    """Reference: how many monthly anniversaries of ``start`` fall on or before ``end``."""
    k = 0
    while _anniversary(start, k + 1) <= end:
        k += 1
    return k


@pytest.mark.parametrize(("start", "months"), [
    ("2022-10-29", 24), ("2022-10-30", 23), ("2022-10-28", 24), ("2021-10-29", 36),
    ("2023-10-29", 12), ("2023-10-30", 11), ("2024-10-29", 0), ("2024-10-30", -1),
    ("2022-01-31", 32),
])
def test_full_months_to_the_deadline(start: str, months: int) -> None:
    got = pl.select(full_months(pl.lit(dt.date.fromisoformat(start)), DEADLINE)).item()
    assert got == months


@pytest.mark.parametrize(("start", "end", "months"), [
    ("2023-08-31", "2024-09-30", 13),  # September has no 31st: full on its last day
    ("2023-08-31", "2024-09-29", 12),
    ("2022-01-31", "2022-02-28", 1),   # February of a common year
    ("2024-01-30", "2024-02-29", 1),   # a leap February
    ("2024-01-29", "2024-02-28", 0),
    ("2023-05-31", "2024-04-30", 11),
])
def test_full_months_civil_code_end_of_month(start: str, end: str, months: int) -> None:
    got = pl.select(full_months(pl.lit(dt.date.fromisoformat(start)),
                                dt.date.fromisoformat(end))).item()
    assert got == months


@given(st.dates(dt.date(1990, 1, 1), dt.date(2024, 10, 29)),
       st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
def test_full_months_matches_counting_anniversaries(start: dt.date, end: dt.date) -> None:
    if start > end:
        return
    got = pl.select(full_months(pl.lit(start), end)).item()
    assert got == _months_by_walking(start, end)


# -- tenure ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("rank_since", "expected"), [
    ("2022-10-29", None),       # 24 full months on the deadline
    ("2022-10-30", "tenure"),   # 23
])
def test_tenure_24_vs_23_months(rank_since: str, expected: str | None) -> None:
    assert reasons(rank_since=rank_since, **IT) == expected


@pytest.mark.parametrize(("rank_since", "expected"), [
    ("2021-10-29", None),       # trung cấp: 36 months needed, 36 held
    ("2021-10-30", "tenure"),   # 35
    ("2022-10-29", "tenure"),   # 24 would be enough for cao đẳng or higher, not here
])
def test_tenure_36_months_when_recruited_at_trung_cap(rank_since: str,
                                                     expected: str | None) -> None:
    assert reasons(rank_since=rank_since, recruitment_level="trung_cap", **IT) == expected
    assert reasons(rank_since="2022-10-29", recruitment_level="cao_dang", **IT) is None


@pytest.mark.parametrize(("rank_since", "equivalent", "expected"), [
    ("2023-10-29", 14, None),                 # 12 months in rank + 14 equivalent
    ("2023-10-30", 14, "tenure_12_months"),   # 11 months in rank: equivalent time not usable
    ("2023-10-30", 13, "tenure_12_months"),   # 11 + 13 = 24 but the 12-month rule fails
    ("2023-10-30", 12, "tenure;tenure_12_months"),  # 11 + 12 = 23: both fail
    ("2023-10-30", 0, "tenure"),              # no equivalent time: only the minimum applies
])
def test_equivalent_time_needs_12_months_in_the_rank(rank_since: str, equivalent: int,
                                                     expected: str | None) -> None:
    assert reasons(rank_since=rank_since, equivalent_months=equivalent, **IT) == expected


@pytest.mark.parametrize(("probation", "expected"), [(2, None), (3, "tenure")])
def test_probation_inside_the_window_is_not_counted(probation: int,
                                                   expected: str | None) -> None:
    # 2022-08-29 → 2024-10-29 is 26 full months.
    assert reasons(rank_since="2022-08-29", probation_months=probation, **IT) == expected


def test_108_months_for_principal_titles() -> None:
    assert reasons(**{**RESEARCH_II, "rank_since": "2015-10-29"}) is None       # 108
    assert reasons(**{**RESEARCH_II, "rank_since": "2015-10-30"}) == "tenure"   # 107


# -- the other conditions ---------------------------------------------------------------------

@pytest.mark.parametrize(("rating", "expected"), [
    ("xuat_sac", None), ("tot", None), ("hoan_thanh", "rating"),
    ("khong_hoan_thanh", "rating"), ("Hoàn thành tốt nhiệm vụ", None),
])
def test_rating_of_the_previous_year(rating: str, expected: str | None) -> None:
    assert reasons(rating_prev_year=rating) == expected


def test_discipline() -> None:
    assert reasons(under_discipline="true") == "discipline"
    assert reasons(under_discipline="false") is None


def test_competence() -> None:
    assert reasons(competence_ok="false") == "competence"


def test_language_and_it() -> None:
    assert reasons(language_it_ok="0") == "language_it"


@pytest.mark.parametrize(("degree", "field_ok", "expected"), [
    ("dai_hoc", "true", None), ("thac_si", "true", None), ("cao_dang", "true", "degree"),
    ("dai_hoc", "false", "degree"),
])
def test_degree_level_and_field(degree: str, field_ok: str, expected: str | None) -> None:
    assert reasons(degree=degree, degree_field_ok=field_ok) == expected


def test_principal_researcher_needs_a_masters_degree() -> None:
    assert reasons(**{**RESEARCH_II, "degree": "dai_hoc"}) == "degree"
    assert reasons(**{**RESEARCH_II, "degree": "tien_si"}) is None


def test_certificate_and_its_waiver() -> None:
    assert reasons(certificate="false") == "certificate"
    assert reasons({"certificate_waived": True}, certificate="false") is None


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, None),
    ({"points": "2.5"}, "points"),
    ({"points_st": "0.5"}, "points_st"),
    ({"points": "2", "points_st": "0"}, "points;points_st"),
])
def test_converted_points_for_principal_researcher(fields: dict[str, str],
                                                   expected: str | None) -> None:
    assert reasons(**{**RESEARCH_II, **fields}) == expected


def test_converted_points_for_principal_engineer() -> None:
    assert reasons(**ENGINEER_II) is None
    assert reasons(**{**ENGINEER_II, "points": "1.5"}) == "points"


@pytest.mark.parametrize(("achievement", "expected"), [
    ("A", None), ("B", None), ("C", None), ("D", "excellent_achievement"),
    ("", "excellent_achievement"),
])
def test_excellent_achievement_when_the_round_requires_it(achievement: str,
                                                          expected: str | None) -> None:
    assert reasons({"require_excellent_achievement": True}, achievement=achievement) == expected
    assert reasons(achievement=achievement) is None


def test_excellent_achievement_for_rank_ii_needs_level_b() -> None:
    strict = {"require_excellent_achievement": True}
    assert reasons(strict, **{**ENGINEER_II, "achievement": "C"}) == "excellent_achievement"
    assert reasons(strict, **{**ENGINEER_II, "achievement": "B"}) is None


def test_no_quota_above_the_unit() -> None:
    sc = scenario(candidates=[candidate("X", **IT)],
                  quotas=[{"agency_id": "U2", "target_title": "V.11.06.14", "quota": "1"}])
    row = decide(sc, Options()).decisions.row(0, named=True)
    assert row["reasons"] == "no_quota"
    assert row["agency_id"] is None


def test_every_failed_rule_is_listed_in_a_fixed_order() -> None:
    got = reasons(rating_prev_year="khong_hoan_thanh", under_discipline="true",
                  certificate="false", rank_since="2024-01-01", language_it_ok="false")
    assert got == "rating;discipline;certificate;language_it;tenure"
