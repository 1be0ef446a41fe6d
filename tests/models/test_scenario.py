"""Scenario.replace: a validated copy, checked by the rules that read what was replaced."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from allocator.io import rulesets
from models.errors import InputError
from models.scenario import Scenario, scale_money
from tests.support.builders import candidate, scenario

QUOTAS = [{"agency_id": "D", "target_title": "V.11.06.14", "quota": "1"}]


@pytest.fixture()
def base() -> Scenario:
    return scenario({"budget": "0.5"},
                    candidates=[candidate("A1", salary_increase="0.3"),
                                candidate("A2", unit_id="U2")],
                    quotas=QUOTAS)


def test_replacing_nothing_is_the_same_scenario(base: Scenario) -> None:
    same = base.replace()
    for part in ("settings", "rule_set", "units", "candidates", "quotas", "limits", "staff",
                 "decisions"):
        assert getattr(same, part) is getattr(base, part), part
    assert base.replace(quotas=base.quotas).quotas is base.quotas


def test_a_quota_for_an_unknown_agency_is_refused(base: Scenario) -> None:
    quotas = base.quotas.with_columns(pl.lit("NOPE").alias("agency_id"))
    with pytest.raises(InputError) as info:
        base.replace(quotas=quotas)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        ("quotas.csv", 2, "agency_id")]


def test_an_earlier_deadline_checks_the_dates_again(base: Scenario) -> None:
    early = base.settings.model_copy(update={"deadline": dt.date(2015, 1, 1),
                                             "review_year": 2015})
    with pytest.raises(InputError) as info:
        base.replace(settings=early)
    assert {p.column for p in info.value.problems} == {"rank_since"}


def test_another_rule_set_checks_the_titles_again(base: Scenario) -> None:
    rs = rulesets.builtin_rule_set(base.rule_set.id)
    narrow = rs.model_copy(update={"transitions": tuple(
        t for t in rs.transitions if t.to_title != "V.11.06.14")})
    with pytest.raises(InputError) as info:
        base.replace(rule_set=narrow)
    assert {(p.file, p.column) for p in info.value.problems} == {
        ("candidates.csv", "target_title"), ("quotas.csv", "target_title")}


def test_only_rules_reading_a_replaced_part_run(base: Scenario) -> None:
    """A candidate problem left in the scenario (built unchecked) is not reported when only
    the quotas are replaced, and is when the candidates are."""
    broken = dataclasses.replace(base, candidates=base.candidates.with_columns(
        pl.lit("NOPE").alias("unit_id")))
    assert broken.replace(quotas=base.quotas.with_columns(pl.lit(2, pl.Int64).alias("quota")))
    with pytest.raises(InputError, match=r"unit not in units\.csv"):
        broken.replace(candidates=broken.candidates.clone())


def test_money_is_scaled_again_when_candidates_or_budget_change(base: Scenario) -> None:
    assert (base.money_scale, base.budget_units) == (10, 5)
    finer = base.candidates.with_columns(
        pl.when(pl.col("candidate_id") == "A2").then(0.125).otherwise(pl.col("salary_increase"))
        .alias("salary_increase"))
    changed = base.replace(candidates=finer)
    assert (changed.money_scale, changed.budget_units) == (1000, 500)
    assert changed.candidates["salary_units"].to_list() == [300, 125]
    cheaper = base.replace(settings=base.settings.model_copy(update={"budget": Decimal(2)}))
    assert (cheaper.money_scale, cheaper.budget_units) == (10, 20)


def test_money_scale_stops_at_six_decimals() -> None:
    frame = pl.DataFrame({"salary_increase": [0.1234567, 0.5]})
    scaled, scale, budget = scale_money(frame, Decimal("1"))
    assert (scale, budget) == (10**6, 10**6)
    assert scaled["salary_units"].to_list() == [123456, 500000]
