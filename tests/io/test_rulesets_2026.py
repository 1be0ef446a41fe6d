"""Choosing the rule set of a round from 2026-07-01 and reading its ``[plan]`` (SCENARIO.md,
"Rounds under the 2026 law")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from allocator.io import rulesets
from allocator.io.validate import round_settings
from models.enums import Criterion
from models.errors import InputError
from models.levels import split_code, title_code

PLAN: dict[str, Any] = {"source": "Đề án số 15/ĐA-SNV ngày 01/10/2026",
                        "min_months_at_level": 36, "min_rating": "tot",
                        "priority": ["female", "achievement", "older", "longer_service"]}


def _settings(deadline: dt.date, **extra: Any) -> dict[str, Any]:
    return {"name": "Kỳ xét", "deadline": deadline, "review_year": deadline.year, **extra}


def _choose(settings: dict[str, Any]) -> Any:
    return rulesets.for_round(round_settings(settings, "scenario.toml"), Path("."),
                              "scenario.toml")


def test_a_round_from_july_2026_applies_nd232_with_its_plan() -> None:
    rs = _choose(_settings(dt.date(2026, 11, 30), plan=PLAN))
    assert rs.id == "nd232-2026" and rs.regime == "levels"
    assert rs.priority == (Criterion.female, Criterion.achievement, Criterion.older,
                           Criterion.longer_service)
    assert rs.conditions["tenure"].source == PLAN["source"]
    assert rs.conditions["no_position"].source.endswith("232/2026/NĐ-CP")
    infosec = next(t for t in rs.transitions if t.to_title == title_code("CM.057", 4))
    assert infosec.from_title == title_code("CM.057", 3) and infosec.tenure_months == 36
    # An Annex I manager's position has no level, so no title of its own.
    assert not any(split_code(t.code)[0] == "QL.01" for t in rs.titles)
    assert rs.level_caps is not None and rs.level_caps.two_levels_reading == "10.2c"


@pytest.mark.parametrize("drop", [None, "source", "min_months_at_level", "min_rating",
                                  "priority"])
def test_a_missing_plan_or_plan_key_exits_listing_what_to_state(drop: str | None) -> None:
    extra = {} if drop is None else {"plan": {k: v for k, v in PLAN.items() if k != drop}}
    with pytest.raises(InputError) as caught:
        _choose(_settings(dt.date(2026, 11, 30), **extra))
    (problem,) = caught.value.problems
    assert problem.file == "scenario.toml" and problem.column == "plan"
    wanted = list(PLAN) if drop is None else [drop]
    for key in PLAN:
        assert (f"{key}:" in problem.en) == (key in wanted), key
        assert (f"{key}:" in problem.vi) == (key in wanted), key


def test_the_old_rule_set_after_july_2026_needs_a_transitional_basis() -> None:
    old = "nd115-2020+nd85-2023"
    with pytest.raises(InputError) as caught:
        _choose(_settings(dt.date(2026, 8, 1), rule_set=old))
    assert caught.value.problems[0].column == "transitional_basis"
    rs = _choose(_settings(dt.date(2026, 8, 1), rule_set=old,
                           transitional_basis="Công văn số 1/UBND"))
    assert rs.id == old
    # A 2024 round keeps its rule set without a word.
    assert _choose(_settings(dt.date(2024, 10, 29))).id == old


def test_plan_keys_of_a_workbook_sheet_are_the_plan_table() -> None:
    cells = {"plan.source": "ĐA 15", "plan.min_months_at_level": "4=36; 5=72",
             "plan.min_rating": "tot", "plan.priority": "achievement, female, older",
             "plan.degree_min": "5=thac_si", "plan.language_it_required": "true"}
    settings = round_settings(_settings(dt.date(2026, 11, 30), **cells), "scenario")
    plan = settings.plan
    assert plan is not None
    assert plan.months_for(4) == 36 and plan.months_for(5) == 72 and plan.months_for(3) is None
    assert plan.priority == (Criterion.achievement, Criterion.female, Criterion.older)
    assert plan.language_it_required and str(plan.degree_min[5]) == "thac_si"


def test_a_user_file_adds_a_position(tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text(
        'extends = "nd232-2026"\nid = "nd232-2026+dien-bien"\n[[positions]]\ncode = "DB.01"\n'
        'name_vi = "Quản trị hệ thống dữ liệu tỉnh"\nsector = "Khoa học và công nghệ"\n'
        'lowest_level = 2\nhighest_level = 4\n', encoding="utf-8")
    settings = round_settings(_settings(dt.date(2026, 11, 30), plan=PLAN,
                                        rule_set_file="rules.toml"), "scenario.toml")
    rs = rulesets.for_round(settings, tmp_path, "scenario.toml")
    assert rs.position("DB.01").levels == (2, 3, 4)
    assert rs.position("CM.057").levels == (3, 4, 5)  # the built-in catalogue is kept
    assert title_code("DB.01", 4) in rs.title_codes


def test_a_round_finishing_under_old_rules_warns(tmp_path: Path) -> None:
    import shutil

    from allocator.engine.flow import run

    folder = tmp_path / "round"
    shutil.copytree(Path(__file__).resolve().parents[2] / "scenarios" / "dien-bien-2024",
                    folder)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8").replace("2024-10-29", "2026-08-03") \
        .replace("review_year = 2024", "review_year = 2026")
    toml.write_text(text + 'rule_set = "nd115-2020+nd85-2023"\n'
                    'transitional_basis = "Công văn số 99/UBND-NC (hư cấu)"\n',
                    encoding="utf-8")
    summary = run(folder).summary
    (warning,) = summary.warnings
    assert "99/UBND-NC" in warning and "2026-08-03" in warning and "CẢNH BÁO" in warning
    assert '"warnings": [' in summary.to_json()
