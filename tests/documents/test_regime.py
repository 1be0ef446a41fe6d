"""The wording helpers of the two regimes (allocator/documents/regime.py)."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl

from allocator.documents import regime
from models.enums import Criterion


def test_a_position_is_named_by_the_rule_set_then_the_catalogue_then_its_code() -> None:
    rs = SimpleNamespace(positions=[SimpleNamespace(code="X.01", name_vi="Vị trí riêng")])
    assert regime.position_name("X.01", rs) == "Vị trí riêng"
    assert regime.position_name("CM.067", rs) == "Giáo viên tiểu học"
    assert regime.position_name("ZZ.99") == "ZZ.99"
    assert regime.position_text("CM.067", 4) == "vị trí việc làm Giáo viên tiểu học (CM.067) bậc 4"
    assert regime.position_text("ZZ.99", 2, "en") == "job position ZZ.99, level 2"


def test_pool_keys_of_both_regimes() -> None:
    assert regime.pool_parts("D|V.11.06.14") == ("D", "V.11.06.14", None)
    assert regime.pool_parts("D|CM.057|4") == ("D", "CM.057", "4")
    pools = pl.DataFrame({"agency_id": ["D", "D", "E"], "job_position": ["CM.057"] * 3,
                          "target_level": [4, 5, 4]})
    assert pools.filter(regime.pool_filter("D|CM.057|4")).height == 1
    titles = pl.DataFrame({"agency_id": ["D", "D"], "target_title": ["A", "B"]})
    assert titles.filter(regime.pool_filter("D|B")).height == 1


def test_a_ratio_cap_is_read_from_its_limit_id() -> None:
    text = regime.ratio_cap_text("ratio:U1:CM.067:4", "Trường Tiểu học A")
    assert text is not None and "Giáo viên tiểu học (CM.067) bậc 4 tại Trường Tiểu học A" in text
    assert regime.CAPS_SOURCE in text
    assert regime.ratio_cap_text("L1", "x") is None


def _result(settings: object, summary: object) -> SimpleNamespace:
    return SimpleNamespace(scenario=SimpleNamespace(settings=settings,
                                                    rule_set=SimpleNamespace()),
                           summary=summary, pools=pl.DataFrame({"agency_id": []}))


def test_plan_and_warnings_are_read_where_present_and_absent_otherwise() -> None:
    plan = {"source": "Đề án 1", "priority": ["older", "female"]}
    given = _result(SimpleNamespace(plan=plan), SimpleNamespace(warnings=("W",)))
    assert regime.plan_source(given) == "Đề án 1"  # type: ignore[arg-type]
    assert regime.plan_priority(given) == (Criterion.older, Criterion.female)  # type: ignore[arg-type]
    assert regime.warning_lines(given, "en") == ["Warning: W"]  # type: ignore[arg-type]
    bare = _result(SimpleNamespace(), SimpleNamespace())
    assert regime.plan_source(bare) is None  # type: ignore[arg-type]
    assert regime.plan_priority(bare) is None  # type: ignore[arg-type]
    assert regime.warnings_of(bare) == []  # type: ignore[arg-type]
    assert not regime.is_levels(bare)  # type: ignore[arg-type]
