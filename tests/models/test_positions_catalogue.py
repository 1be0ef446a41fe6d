"""The Decree 232/2026/NĐ-CP job-position catalogue (models/rulesets/nd232-2026-positions.csv).

Reads the CSV with the csv module only, so the data are checked independently of the loader.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

RULESETS = Path(__file__).resolve().parents[2] / "models" / "rulesets"
POSITIONS = RULESETS / "nd232-2026-positions.csv"
LEVELS = RULESETS / "nd232-2026-levels.csv"

COLUMNS = ["code", "name", "sector", "annex", "number", "lowest_level", "highest_level", "note"]

# Counted by hand from the annex text of the decree (the independent oracle): the running
# number (TT) of each annex, and each section's own count where the OCR prints one.
PER_ANNEX: dict[str, int] = {"I": 10, "II": 155, "III": 61}
PER_SECTOR: dict[tuple[str, str], int] = {
    ("I", "Quản lý"): 10,
    ("II", "Nội vụ"): 6,  # TT 1-6
    ("II", "Tư pháp"): 7,  # TT 7-13
    ("II", "Nông nghiệp và môi trường"): 28,  # TT 14-41
    ("II", "Xây dựng"): 12,  # TT 42-53
    ("II", "Khoa học và công nghệ"): 12,  # TT 54-65
    ("II", "Giáo dục và đào tạo"): 15,  # TT 66-80
    ("II", "Y tế"): 22,  # TT 81-102
    ("II", "Văn hóa, thể thao và du lịch"): 19,  # TT 103-121
    ("II", "Ngân hàng"): 2,  # TT 122-123
    ("II", "Công thương"): 14,  # TT 124-137
    ("II", "Tài chính"): 1,  # TT 138
    ("II", "Khác"): 5,  # TT 139-143
    ("II", "Dịch vụ tổng hợp ở cấp xã"): 12,  # TT 144-155
    ("III", "Xây dựng"): 25,  # TT 1-25 (remark "Ngành, lĩnh vực xây dựng")
    ("III", "Giáo dục"): 12,  # TT 26-37 (remark "Ngành, lĩnh vực giáo dục")
    ("III", "Y tế"): 5,  # TT 38-42 (remark "Ngành, lĩnh vực [y tế]")
    ("III", "Hỗ trợ"): 19,  # TT 43-61 (no sector remark)
}
CODE_PATTERN: dict[str, str] = {"I": r"QL\.\d{2}", "II": r"CM\.\d{3}", "III": r"HT\.\d{2}"}
CODE_WIDTH: dict[str, tuple[str, int]] = {"I": ("QL", 2), "II": ("CM", 3), "III": ("HT", 2)}

# Positions the decree gives no (complete) level range: Annex I (managers, Art. 7.1/7.4),
# the ship crew HT.08-HT.25 ("Không áp dụng bậc"), Kế toán trưởng HT.55 (keeps the level
# of the support position held), and CM.100, whose OCR row is unreadable (lowest 2 only).
WITHOUT_RANGE: frozenset[str] = frozenset(
    [f"QL.{n:02d}" for n in range(1, 11)]
    + [f"HT.{n:02d}" for n in range(8, 26)]
    + ["HT.55", "CM.100"]
)

# (annex, sector, name) -> (lowest, highest), read against the annex text.
SAMPLES: list[tuple[str, str, str, int, int]] = [
    ("II", "Khoa học và công nghệ", "An toàn thông tin", 3, 5),
    ("II", "Giáo dục và đào tạo", "Giáo viên tiểu học", 3, 4),
    ("II", "Y tế", "Điều dưỡng", 2, 5),
    ("II", "Y tế", "Bác sĩ", 3, 5),
    ("II", "Tài chính", "Kế toán", 1, 5),
    ("II", "Nội vụ", "Lưu trữ", 1, 5),
    ("II", "Tư pháp", "Hỗ trợ pháp lý", 3, 4),
    ("II", "Nông nghiệp và môi trường", "Khuyến nông", 1, 4),
    ("II", "Xây dựng", "Kiến trúc sư", 3, 5),
    ("II", "Văn hóa, thể thao và du lịch", "Hướng dẫn viên", 1, 2),
    ("II", "Ngân hàng", "Thông tin tín dụng", 3, 5),
    ("II", "Dịch vụ tổng hợp ở cấp xã", "Quản lý chợ", 1, 4),
    ("II", "Y tế", "Y sĩ", 1, 2),
    ("III", "Hỗ trợ", "Kế toán", 1, 4),
    ("III", "Hỗ trợ", "Thủ quỹ", 1, 3),
    ("III", "Giáo dục", "Hỗ trợ giáo dục người khuyết tật", 2, 3),
    ("III", "Xây dựng", "Quản lý bến xe", 1, 4),
]

TRIVIAL_NOTES = frozenset(["-", "?", "n/a", "na", "none", "todo", "tbd", "ok", "x", "uncertain"])


def _rows() -> list[dict[str, str]]:
    with POSITIONS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return [{key: value for key, value in row.items()} for row in reader]


ROWS = _rows()


def _level(text: str) -> int | None:
    return int(text) if text else None


def test_counts_per_annex() -> None:
    assert Counter(row["annex"] for row in ROWS) == Counter(PER_ANNEX)


def test_counts_per_sector() -> None:
    assert Counter((row["annex"], row["sector"]) for row in ROWS) == Counter(PER_SECTOR)


def test_codes_are_unique_and_follow_the_running_number() -> None:
    codes = [row["code"] for row in ROWS]
    assert len(codes) == len(set(codes))
    for row in ROWS:
        assert re.fullmatch(CODE_PATTERN[row["annex"]], row["code"]), row["code"]
        prefix, width = CODE_WIDTH[row["annex"]]
        assert row["code"] == f"{prefix}.{int(row['number']):0{width}d}"
        assert row["code"].isascii()


@pytest.mark.parametrize("annex", sorted(PER_ANNEX))
def test_running_numbers_are_contiguous(annex: str) -> None:
    numbers = [int(row["number"]) for row in ROWS if row["annex"] == annex]
    assert numbers == list(range(1, PER_ANNEX[annex] + 1))


def test_levels_are_in_range() -> None:
    for row in ROWS:
        low, high = _level(row["lowest_level"]), _level(row["highest_level"])
        for level in (low, high):
            assert level is None or 1 <= level <= 5, row["code"]
        if low is not None and high is not None:
            assert low <= high, row["code"]


def test_positions_without_a_full_range_are_the_known_ones_and_say_why() -> None:
    without = {
        row["code"] for row in ROWS if not (row["lowest_level"] and row["highest_level"])
    }
    assert without == WITHOUT_RANGE
    for row in ROWS:
        if row["code"] in WITHOUT_RANGE:
            assert row["note"], row["code"]


def test_sections_are_contiguous_blocks() -> None:
    seen: list[tuple[str, str]] = []
    for row in ROWS:
        key = (row["annex"], row["sector"])
        if not seen or seen[-1] != key:
            assert key not in seen, key
            seen.append(key)


@pytest.mark.parametrize(("annex", "sector", "name", "lowest", "highest"), SAMPLES)
def test_sample_levels(annex: str, sector: str, name: str, lowest: int, highest: int) -> None:
    found = [
        row
        for row in ROWS
        if (row["annex"], row["sector"], row["name"]) == (annex, sector, name)
    ]
    assert len(found) == 1
    assert (_level(found[0]["lowest_level"]), _level(found[0]["highest_level"])) == (
        lowest,
        highest,
    )


def test_positions_without_levels_by_name() -> None:
    by_name = {(row["annex"], row["name"]): row for row in ROWS}
    for key in [
        ("III", "Thuyền trưởng"),
        ("III", "Kế toán trưởng (Phụ trách kế toán)"),
        ("I", "Tổ trưởng Tổ chuyên môn và tương đương"),
    ]:
        row = by_name[key]
        assert (row["lowest_level"], row["highest_level"]) == ("", ""), key


def test_names_are_unique_within_a_sector() -> None:
    names = Counter((row["annex"], row["sector"], row["name"]) for row in ROWS)
    assert [key for key, count in names.items() if count > 1] == []


def test_names_are_clean() -> None:
    for row in ROWS:
        name = row["name"]
        assert name == name.strip() and "  " not in name, row["code"]
        assert not re.search(r"[|§®¡Š\[\]]", name) or row["code"] == "CM.100", row["code"]


def test_notes_are_empty_or_meaningful() -> None:
    for row in ROWS:
        note = row["note"]
        if not note:
            continue
        assert note == note.strip(), row["code"]
        assert note.lower() not in TRIVIAL_NOTES, row["code"]
        assert len(note) >= 20 and len(re.findall(r"[A-Za-z]{2,}", note)) >= 3, row["code"]


def test_salary_class_per_level() -> None:
    with LEVELS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["level", "salary_class", "source"]
        table = {row["level"]: (row["salary_class"], row["source"]) for row in reader}
    assert {level: cls for level, (cls, _) in table.items()} == {
        "1": "B",
        "2": "A0",
        "3": "A1",
        "4": "A2.1",
        "5": "A3.1",
    }
    for _, source in table.values():
        assert source.startswith("Nghị định 232/2026/NĐ-CP Điều 7 khoản 3")
