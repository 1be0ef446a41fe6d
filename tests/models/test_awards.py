"""Award names in words → levels of the coarse and the Decree 98/2023 ladders."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.io import rulesets as rules
from models import awards
from models.awards import (
    COARSE,
    FINE,
    AmbiguousAward,
    AwardMatcher,
    NotProvinceLevel,
    UnknownAward,
)

RULE_SET = rules.builtin_rule_set("nd115-2020+nd85-2023")
FINE_RULE_SET = RULE_SET.model_copy(update={
    "achievement_levels": tuple(
        RULE_SET.achievement_levels[0].model_copy(update={
            "code": lv.code, "name_vi": lv.name_vi, "name_en": lv.name_en, "awards": ()})
        for lv in FINE.levels),
    "excellent_achievement": {},
})

# (award as written, coarse level, fine level)
CASES = [
    ("Huân chương Sao vàng", "A", "SAO_VANG"),
    ("Huân chương Hồ Chí Minh", "A", "HO_CHI_MINH"),
    ("Huân chương Độc lập hạng Nhì", "A", "DOC_LAP_2"),
    ("Huân chương Quân công hạng Ba", "A", "DOC_LAP_3"),
    ("Huân chương Lao động hạng Nhất", "A", "LAO_DONG_1"),
    ("HCLĐ hạng Nhì", "A", "LAO_DONG_2"),
    ("Huân chương Đại đoàn kết dân tộc", "A", "LAO_DONG_2"),
    ("Huân chương Lao động hạng Ba", "A", "LAO_DONG_3"),
    ("Huân chương Bảo vệ Tổ quốc hạng III", "A", "LAO_DONG_3"),
    ("Huân chương Dũng cảm", "A", "LAO_DONG_3"),
    ("Chiến sĩ thi đua toàn quốc", "A", "LAO_DONG_3"),
    ("Bằng khen của Thủ tướng Chính phủ", "B", "BK_THU_TUONG"),
    ("BK TTg", "B", "BK_THU_TUONG"),
    ("Chiến sĩ thi đua cấp tỉnh", "B", "CSTD_TINH"),
    ("CSTĐ cấp Bộ", "B", "CSTD_TINH"),
    ("Bằng khen của Chủ tịch UBND tỉnh", "C", "BK_TINH"),
    ("Bằng khen của Bộ trưởng Bộ Nội vụ", "C", "BK_TINH"),
    ("bang khen cap tinh", "C", "BK_TINH"),
    ("Chiến sĩ thi đua cơ sở", "C", "BK_TINH"),
    ("CSTĐCS", "C", "BK_TINH"),
    ("Giấy khen của Giám đốc Sở", "D", "GIAY_KHEN"),
    ("Lao động tiên tiến", "D", "GIAY_KHEN"),
]


@pytest.mark.parametrize(("written", "coarse", "fine"), CASES)
def test_award_words_map_to_both_ladders(written: str, coarse: str, fine: str) -> None:
    assert AwardMatcher(RULE_SET).level_of(written) == coarse
    assert AwardMatcher(FINE_RULE_SET).level_of(written) == fine


def test_the_fine_ladder_refines_the_coarse_one() -> None:
    """A higher fine level never has a lower coarse level (Decree 98 order vs seed 001)."""
    coarse_rank = {c: i for i, c in enumerate(COARSE.codes)}
    fine_rank = {c: i for i, c in enumerate(FINE.codes)}
    pairs = sorted({(fine_rank[f], coarse_rank[c]) for _w, c, f in CASES})
    assert [c for _f, c in pairs] == sorted(c for _f, c in pairs)


@pytest.mark.parametrize("written", ["", "Không", "không có", "-"])
def test_no_achievement(written: str) -> None:
    assert AwardMatcher(RULE_SET).level_of(written) is None


@pytest.mark.parametrize("written", ["b", "C", " d "])
def test_level_codes_pass_through(written: str) -> None:
    assert AwardMatcher(RULE_SET).level_of(written) == written.strip().upper()


@pytest.mark.parametrize("written", ["Kỷ niệm chương", "Huy hiệu", "Cờ thi đua"])
def test_unknown_awards_are_refused(written: str) -> None:
    with pytest.raises(UnknownAward):
        AwardMatcher(RULE_SET).level_of(written)


def test_an_order_without_its_class_is_refused_on_the_fine_ladder() -> None:
    assert AwardMatcher(RULE_SET).level_of("Huân chương Lao động") == "A"
    with pytest.raises(UnknownAward):
        AwardMatcher(FINE_RULE_SET).level_of("Huân chương Lao động")


def test_the_users_table_comes_first() -> None:
    matcher = AwardMatcher(RULE_SET, [("Kỷ niệm chương", "D"),
                                      ("Bằng khen của Chủ tịch UBND tỉnh", "B")])
    assert matcher.level_of("Kỷ niệm chương vì sự nghiệp thông tin") == "D"
    assert matcher.level_of("Bằng khen của Chủ tịch UBND tỉnh Điện Biên") == "B"


def test_a_ladder_of_its_own_uses_the_rule_sets_award_lists() -> None:
    levels = tuple(lv.model_copy(update={"code": f"L{i}"})
                   for i, lv in enumerate(RULE_SET.achievement_levels))
    rs = RULE_SET.model_copy(update={"achievement_levels": levels,
                                     "excellent_achievement": {}})
    matcher = AwardMatcher(rs)
    assert matcher.ladder is None
    assert matcher.level_of("Chiến sĩ thi đua cơ sở năm 2022") == "L2"
    with pytest.raises(UnknownAward):
        matcher.level_of("Bằng khen của Bộ trưởng")


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3"]), st.sampled_from(COARSE.codes)),
                min_size=1, max_size=12))
def test_aggregate_is_the_highest_level_and_its_count(held: list[tuple[str, str]]) -> None:
    frame = pl.DataFrame({"candidate_id": [c for c, _ in held], "level": [lv for _, lv in held]},
                         schema={"candidate_id": pl.Utf8, "level": pl.Utf8})
    got = {r["candidate_id"]: (r["achievement"], r["achievement_count"])
           for r in awards.aggregate(frame, COARSE.codes).iter_rows(named=True)}
    expected = {}
    for cid in {c for c, _ in held}:
        levels = [lv for c, lv in held if c == cid]
        best = min(levels, key=COARSE.codes.index)
        expected[cid] = (best, levels.count(best))
    assert got == expected


# ---- who issued a "Bằng khen" -------------------------------------------------------------------

@pytest.mark.parametrize(("written", "level"), [
    ("Bằng khen của Chủ tịch UBND tỉnh Điện Biên", "C"),
    ("Bằng khen của Bộ trưởng Bộ Nội vụ", "C"),
    ("Bằng khen của Chủ tịch UBND thành phố Hà Nội", "C"),
    ("Bằng khen của Ban Chấp hành Tổng Liên đoàn Lao động Việt Nam", "C"),
    ("BK cấp tỉnh", "C"),
    ("Bằng khen của Thủ tướng Chính phủ", "B"),
])
def test_a_bang_khen_of_a_ministry_or_province_is_province_level(written: str,
                                                                 level: str) -> None:
    assert AwardMatcher(RULE_SET).level_of(written) == level


@pytest.mark.parametrize("written", [
    "Bằng khen của Chủ tịch UBND huyện Mường Chà",
    "Bằng khen của Chủ tịch UBND huyện Tuy Phước, tỉnh Bình Định",
    "Bằng khen của Chủ tịch UBND thành phố Quy Nhơn",
    "BK UBND huyện",
    "Bằng khen của Giám đốc Sở Y tế",
    "Bằng khen cấp xã",
])
def test_a_bang_khen_issued_below_the_province_is_flagged(written: str) -> None:
    with pytest.raises(NotProvinceLevel):
        AwardMatcher(RULE_SET).level_of(written)
    with pytest.raises(NotProvinceLevel):
        AwardMatcher(FINE_RULE_SET).level_of(written)


@pytest.mark.parametrize("written", ["Bằng khen", "Bằng khen năm 2022", "BK"])
def test_a_bang_khen_without_its_issuer_is_ambiguous(written: str) -> None:
    with pytest.raises(AmbiguousAward):
        AwardMatcher(RULE_SET).level_of(written)


def test_the_users_table_settles_a_flagged_or_ambiguous_award() -> None:
    matcher = AwardMatcher(RULE_SET, [("Bằng khen của Chủ tịch UBND huyện", "D"),
                                      ("Bằng khen", "C")])
    assert matcher.level_of("Bằng khen của Chủ tịch UBND huyện Mường Chà") == "D"
    assert matcher.level_of("Bằng khen") == "C"
