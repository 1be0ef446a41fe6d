"""The salary class of each built-in title and the Art. 18.2 conversion table
(models/rulesets/nd115-2020-title-classes.csv, models/title_levels.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from allocator.io.rulesets import builtin_rule_set
from models.title_levels import LEVEL_OF_CLASS, catalogue, title_classes

RULESETS = Path(__file__).resolve().parents[2] / "models" / "rulesets"
OLD = builtin_rule_set("nd115-2020+nd85-2023")
#: Decree 232/2026 Art. 18.2 a–đ, as read from the text.
ART_18_2 = {"B": 1, "A0": 2, "A1": 3, "A2.1": 4, "A2.2": 4, "A3.1": 5, "A3.2": 5}
#: The rank rule of the title Circulars used for ranks I–III.
CLASS_OF_RANK = {"I": "A3.1", "II": "A2.1", "III": "A1"}


def test_conversion_table_is_article_18_2() -> None:
    assert LEVEL_OF_CLASS == ART_18_2


def test_conversion_agrees_with_the_salary_class_of_each_level() -> None:
    """Art. 7.3 pays level L in one class; a holder of that class converts back to L."""
    with (RULESETS / "nd232-2026-levels.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert LEVEL_OF_CLASS[row["salary_class"]] == int(row["level"])


def test_every_builtin_title_has_a_class_with_its_source() -> None:
    classes = title_classes()
    assert set(classes) == OLD.title_codes
    for code, tc in classes.items():
        assert tc.source.startswith(("Thông tư", "Thông tư liên tịch")), code
        assert tc.note, code


@pytest.mark.parametrize("code", sorted(OLD.title_codes))
def test_class_follows_the_rank_or_is_flagged(code: str) -> None:
    rank = OLD.title(code).rank.value
    tc = title_classes()[code]
    if rank in CLASS_OF_RANK:
        assert tc.salary_class == CLASS_OF_RANK[rank]
        assert tc.assumed
    else:  # rank IV: A0 or B depending on the title, and said to be uncertain
        assert tc.salary_class in ("A0", "B")
        assert tc.note.startswith("UNCERTAIN")


def test_suggested_positions_are_in_the_catalogue_and_follow_the_profession() -> None:
    positions = catalogue()
    by_profession: dict[str, set[str]] = {}
    for code, tc in title_classes().items():
        assert tc.job_position in positions, code
        by_profession.setdefault(OLD.title(code).profession, set()).add(tc.job_position)
    assert all(len(p) == 1 for p in by_profession.values()), by_profession
    assert positions["CM.057"].name == "An toàn thông tin"
    assert (positions["CM.057"].lowest_level, positions["CM.057"].highest_level) == (3, 5)


def test_only_a0_titles_can_have_a_raised_standard() -> None:
    for tc in title_classes().values():
        assert not tc.standard_raised_from_b or tc.salary_class == "A0"
