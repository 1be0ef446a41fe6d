"""A cell that cannot be read: a message naming sheet, row and column, exit 2, nothing written."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from tests.support.sheets import ExcelError, settings_rows, table_rows, write_sheets

NAME = "dien-bien-2024"
runner = CliRunner()


def base_sheets() -> dict[str, list[list[Any]]]:
    """The Điện Biên round as a workbook with the contract's English headers, text cells."""
    return {"scenario": settings_rows(NAME),
            **{t: table_rows(NAME, t) for t in ("units", "candidates", "quotas", "staff")}}


def _set(sheets: dict[str, list[list[Any]]], sheet: str, data_row: int, column: str,
         value: Any) -> None:
    header = sheets[sheet][0]
    if column not in header:
        header.append(column)
        for row in sheets[sheet][1:]:
            row.append(None)
    sheets[sheet][1 + data_row][header.index(column)] = value


def _run(path: Path, tmp_path: Path) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--no-history"])
    return result.exit_code, " ".join(result.output.split()), out


# (case id, sheet, data row (0 = first under the header), column, value, words expected)
CELL_CASES = [
    ("impossible birth date", "candidates", 2, "birth_date", "31/02/1987",
     ["candidates (trang tính/sheet), dòng 4, cột birth_date", "31/02/1987", "row 4"]),
    ("year where a full date is needed", "candidates", 0, "rank_since", "2019",
     ["dòng 2, cột rank_since", "'2019'", "dd/mm/yyyy"]),
    ("excel error cell", "candidates", 5, "service_start", ExcelError("#N/A"),
     ["dòng 7, cột service_start", "#N/A", "Excel error"]),
    ("rating in unknown words", "candidates", 1, "rating_prev_year", "giỏi",
     ["dòng 3, cột rating_prev_year", "'giỏi'", "unreadable value"]),
    ("unknown ethnic group", "candidates", 3, "ethnicity", "Klingon",
     ["dòng 5, cột ethnicity", "Klingon", "54"]),
    ("unreadable yes/no", "candidates", 4, "degree_field_ok", "maybe",
     ["dòng 6, cột degree_field_ok", "'maybe'"]),
    ("award no table knows", "candidates", 0, "achievement", "Kỷ niệm chương",
     ["dòng 2, cột achievement", "Kỷ niệm chương", "award_levels"]),
    ("education level unknown", "candidates", 6, "recruitment_level", "Tiểu học",
     ["dòng 8, cột recruitment_level", "Tiểu học"]),
    ("sex unknown", "candidates", 7, "sex", "không rõ", ["dòng 9, cột sex", "không rõ"]),
    ("fractional quota", "quotas", 0, "quota", "1.5",
     ["quotas (trang tính/sheet), dòng 2, cột quota", "1.5"]),
    ("unit that does not exist", "candidates", 2, "unit_id", "XYZ",
     ["candidates (trang tính/sheet), dòng 4, cột unit_id", "XYZ"]),
    ("duplicate candidate id", "candidates", 1, "candidate_id", "DB01",
     ["dòng 3, cột candidate_id", "DB01"]),
    ("text in a count column", "candidates", 2, "equivalent_months", "hai",
     ["dòng 4, cột equivalent_months", "hai"]),
]


@pytest.mark.parametrize(("case", "sheet", "row", "column", "value", "words"), CELL_CASES,
                         ids=[c[0] for c in CELL_CASES])
def test_unreadable_cell_is_named_and_nothing_is_written(
        tmp_path: Path, case: str, sheet: str, row: int, column: str, value: Any,
        words: list[str]) -> None:
    sheets = base_sheets()
    _set(sheets, sheet, row, column, value)
    code, output, out = _run(write_sheets(tmp_path / "round.xlsx", sheets), tmp_path)
    assert code == 2, output
    assert not out.exists()
    assert "Nothing was written" in output
    for w in words:
        assert w in output, (case, w, output)


def test_vietnamese_header_is_named_with_the_contract_name(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["candidates"][0] = ["Ngày tháng năm sinh" if h == "birth_date" else h
                               for h in sheets["candidates"][0]]
    _set(sheets, "candidates", 0, "Ngày tháng năm sinh", "10-13-1987")
    code, output, out = _run(write_sheets(tmp_path / "round.xlsx", sheets), tmp_path)
    assert code == 2 and not out.exists()
    assert "dòng 2, cột Ngày tháng năm sinh (birth_date)" in output


def test_rows_and_columns_are_counted_from_the_sheet_not_the_table(tmp_path: Path) -> None:
    """A table that starts at C4 (title above, empty columns left) reports real rows."""
    sheets = base_sheets()
    _set(sheets, "candidates", 3, "birth_date", "1987/13/45")
    table = sheets["candidates"]
    sheets["candidates"] = [["", "", "DANH SÁCH ỨNG VIÊN"], [], [],
                            *[[None, None, *r] for r in table]]
    code, output, out = _run(write_sheets(tmp_path / "round.xlsx", sheets), tmp_path)
    assert code == 2 and not out.exists()
    assert "dòng 8, cột birth_date" in output  # header on row 4, fourth data row on row 8


def test_both_nam_and_nu_filled(tmp_path: Path) -> None:
    sheets = base_sheets()
    header = sheets["candidates"][0]
    s = header.index("sex")
    header[s] = "Nam"
    header.insert(s + 1, "Nữ")
    for i, row in enumerate(sheets["candidates"][1:]):
        sex = row[s]
        row[s] = "x" if sex == "male" or i == 2 else None
        row.insert(s + 1, "x" if sex == "female" else None)
    code, output, out = _run(write_sheets(tmp_path / "round.xlsx", sheets), tmp_path)
    assert code == 2 and not out.exists()
    assert "dòng 4, cột Nữ" in output and "both the Nam and Nữ columns" in output


@pytest.mark.parametrize(("key", "value", "words"), [
    ("deadline", "30/02/2024", ["scenario (trang tính/sheet), dòng", "30/02/2024"]),
    ("review_year", "năm nay", ["review_year", "năm nay"]),
    ("objective", "nhanh", ["objective", "nhanh"]),
])
def test_unreadable_setting(tmp_path: Path, key: str, value: str, words: list[str]) -> None:
    sheets = base_sheets()
    for row in sheets["scenario"]:
        if row[0] == key:
            row[1] = value
    code, output, out = _run(write_sheets(tmp_path / "round.xlsx", sheets), tmp_path)
    assert code == 2 and not out.exists()
    for w in words:
        assert w in output


def test_missing_sheet(tmp_path: Path) -> None:
    sheets = base_sheets()
    del sheets["candidates"]
    code, output, out = _run(write_sheets(tmp_path / "round.xlsx", sheets), tmp_path)
    assert code == 2 and not out.exists()
    assert "round.xlsx: thiếu trang tính 'candidates'" in output


def test_unknown_award_in_the_awards_sheet(tmp_path: Path) -> None:
    sheets = copy.deepcopy(base_sheets())
    sheets["awards"] = [["candidate_id", "award"], ["DB01", "Giấy khen"],
                        ["DB02", "Huy hiệu Đoàn"]]
    code, output, out = _run(write_sheets(tmp_path / "round.xlsx", sheets), tmp_path)
    assert code == 2 and not out.exists()
    assert "awards (trang tính/sheet), dòng 3, cột award" in output
    assert "Huy hiệu Đoàn" in output


@pytest.mark.parametrize("content", [b"not a workbook", b"PK\x03\x04broken zip"])
def test_a_file_that_is_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "round.xlsx"
    path.write_bytes(content)
    code, output, out = _run(path, tmp_path)
    assert code == 2 and not out.exists()
    assert "không đọc được tệp Excel" in output


def test_an_error_in_a_previous_output_folder_leaves_it_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "decisions.csv").write_text("old", encoding="utf-8")
    sheets = base_sheets()
    _set(sheets, "candidates", 0, "birth_date", "99/99/9999")
    path = write_sheets(tmp_path / "round.xlsx", sheets)
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--no-history"])
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["decisions.csv"]
    assert (out / "decisions.csv").read_text(encoding="utf-8") == "old"


def test_an_empty_optional_sheet_is_absent_but_an_empty_required_one_is_an_error(
        tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["limits"] = []
    code, output, out = _run(write_sheets(tmp_path / "ok.xlsx", sheets), tmp_path)
    assert code == 0, output
    assert (out / "decisions.csv").exists()
    sheets["quotas"] = []
    code, output, out = _run(write_sheets(tmp_path / "bad.xlsx", sheets), tmp_path / "x")
    assert code == 2 and not out.exists()
    assert "quotas (trang tính/sheet): trang tính rỗng" in output
