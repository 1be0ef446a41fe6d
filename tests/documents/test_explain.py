"""Plain-language explanations: every candidate, both languages, the facts that decided."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.documents.explain import CRITERION, STATUS, Context, explain
from models.result import RunResult


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_candidate_is_explained(ready_round: tuple[str, RunResult], lang: str) -> None:
    _name, result = ready_round
    ctx = Context.of(result)
    for row in result.decisions.iter_rows(named=True):
        text = explain(result, row["candidate_id"], lang, ctx)
        assert row["candidate_id"] in text.splitlines()[0]
        assert STATUS[lang][row["status"]] in text.splitlines()[1]
        if row["status"] == "ineligible":
            for rule in row["reasons"].split(";"):
                assert f"[{rule}]" in text
                assert result.scenario.rule_set.conditions[rule].source in text
        if row["status"] == "escalated":
            assert row["tie_group"] in text
        if row["status"] == "not_selected" and row["decided_by"] in CRITERION[lang]:
            assert CRITERION[lang][row["decided_by"]] in text


def test_not_selected_names_the_winner_and_the_deciding_criterion(
        dien_bien: RunResult) -> None:
    text = explain(dien_bien, "DB04")
    assert "Quàng Thị Chi (DB03)" in text
    assert "thời gian công tác" in text and "tiêu chí quyết định" in text
    assert "01/09/2013" in text and "01/03/2012" in text
    english = explain(dien_bien, "DB04", "en")
    assert "the deciding criterion" in english and "working time" in english


def test_ineligible_gives_the_facts_and_the_source(dien_bien: RunResult) -> None:
    text = explain(dien_bien, "DB20")
    assert "23 tháng" in text and "yêu cầu 24 tháng" in text
    assert "Điểm d khoản 1 Điều 32 Nghị định 115/2020/NĐ-CP" in text


def test_escalated_names_the_group_seats_and_managing_agency(binh_dinh: RunResult) -> None:
    text = explain(binh_dinh, "BD15")
    assert "T001" in text and "1 chỉ tiêu" in text
    assert "ngày sinh không đầy đủ" in text
    assert "Sở Khoa học và Công nghệ tỉnh Bình Định (SKHCN)" in text


def test_a_limit_is_named(binh_dinh: RunResult) -> None:
    assert "TTUD-HANG-III" in explain(binh_dinh, "BD05")
    assert "shared limit TTUD-HANG-III" in explain(binh_dinh, "BD05", "en")


def test_unknown_candidate_and_language(dien_bien: RunResult) -> None:
    with pytest.raises(KeyError):
        explain(dien_bien, "nobody")
    with pytest.raises(ValueError, match="lang"):
        explain(dien_bien, "DB01", "fr")


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False))
def test_numbers_are_written_the_vietnamese_way_and_read_back(value: Decimal) -> None:
    from allocator.documents.explain import fmt_number

    vi, en = fmt_number(float(value)), fmt_number(float(value), "en")
    assert Decimal(vi.replace(".", "").replace(",", ".")) == value
    assert Decimal(en) == value
    assert "." not in vi.split(",")[-1] or "," not in vi  # thousands dots, decimal comma


def test_a_decimal_is_written_with_a_comma() -> None:
    from allocator.documents.explain import fmt_number

    assert fmt_number(2.5) == "2,5" and fmt_number(1250) == "1.250"
    assert fmt_number(2.5, "en") == "2.5"
