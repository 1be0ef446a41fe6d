"""``allocator convert-levels``: lists by professional title turned into career levels
(Decree 232/2026 Art. 18.2). Expected values are derived by hand from the article and the
salary classes in models/rulesets/nd115-2020-title-classes.csv."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.documents.convert_levels import convert_staff
from allocator.io.raw import ROW, RawTable

runner = CliRunner()

CANDIDATES = """candidate_id,full_name,unit_id,current_title,target_title,rank_since,degree
C1,Lò Thị Mai,U1,V.11.05.12,V.11.05.11,2020-03-01,dai_hoc
C2,Quàng Văn An,U1,V.11.06.15,V.11.06.14,2019-01-15,trung_cap
C3,Nguyễn Văn Bình,U2,V.05.02.07,V.05.02.06,2015-05-05,dai_hoc
C4,Lê Thị Cúc,U2,V.05.01.01,,2010-01-01,tien_si
"""
STAFF = """unit_id,title,holders,job_position
U1,V.11.05.11,3,CM.057
U1,V.11.06.14,2,CM.057
U1,V.11.05.12,1,
U2,V.05.02.08,4,
"""


def _convert(tmp_path: Path, text: str, *args: str, suffix: str = ".csv") -> pl.DataFrame:
    src = tmp_path / f"in{suffix}"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out" / f"levels{suffix}"
    result = runner.invoke(app, ["convert-levels", str(src), str(out), *args])
    assert result.exit_code == 0, result.output
    return pl.read_csv(out, infer_schema=False)


def test_candidates_move_to_the_level_of_their_salary_class(tmp_path: Path) -> None:
    got = _convert(tmp_path, CANDIDATES)
    # A0 → 2 (Art. 18.2.b); A0 with trung cấp in a raised title → 1 (18.2.a, 2nd para.);
    # A1 → 3 (18.2.c); A3.1 → 5 (18.2.đ), which has no higher level.
    assert got["current_level"].to_list() == ["2", "1", "3", "5"]
    assert got["target_level"].to_list() == ["3", "2", "4", None]
    assert got["job_position"].to_list() == ["CM.057", "CM.056", "CM.055", "CM.054"]
    assert got["level_since"].to_list() == ["2020-03-01", "2019-01-15", "2015-05-05",
                                           "2010-01-01"]
    assert got.columns == ["candidate_id", "full_name", "unit_id", "job_position",
                           "current_level", "target_level", "level_since", "degree",
                           "converted_from_title", "conversion_note"]
    notes = got["conversion_note"].to_list()
    assert "điểm b khoản 2 Điều 18" in notes[0] and "ngoài phạm vi bậc 3–5" in notes[0]
    assert "Đoạn 2 điểm a khoản 2 Điều 18" in notes[1] and "bậc 1" in notes[1]
    assert "không phải bậc liền kề 2" in notes[1]  # the target title (A1) is level 3
    assert "ngoài phạm vi" not in notes[2]
    assert "bậc 5 là bậc cao nhất" in notes[3]


def test_without_the_standardisation_rule_the_level_stays_and_a_note_says_so(
        tmp_path: Path) -> None:
    got = _convert(tmp_path, CANDIDATES, "--no-standardisation")
    assert got["current_level"].to_list() == ["2", "2", "3", "5"]
    assert "nếu đang chuẩn hoá thì xếp bậc 1" in got["conversion_note"][1]


def test_staff_rows_on_one_level_of_one_position_are_added_up(tmp_path: Path) -> None:
    got = _convert(tmp_path, STAFF)
    assert got.select("unit_id", "job_position", "level", "holders",
                      "converted_from_title").rows() == [
        ("U1", "CM.057", "3", "5", "V.11.05.11;V.11.06.14"),  # two A1 titles, one position
        ("U1", "CM.057", "2", "1", "V.11.05.12"),  # A0 → 2, outside the position's 3–5
        ("U2", "CM.055", "1", "4", "V.05.02.08"),  # B → 1
    ]
    notes = got["conversion_note"].to_list()
    assert "tách số này khỏi bậc 2" in notes[1] and "ngoài phạm vi bậc 3–5" in notes[1]
    assert "điểm a khoản 2 Điều 18" in notes[2]


@pytest.mark.parametrize(("text", "where"), [
    # an unknown title code: the row and the column are named
    (CANDIDATES.replace("V.05.02.07,V.05.02.06", "V.99.99.99,V.05.02.06"),
     "dòng 4, cột current_title"),
    # a date that is not a date
    (CANDIDATES.replace("2015-05-05", "05/05/2015x"), "dòng 4, cột rank_since"),
    # a candidate list without rank_since
    (CANDIDATES.replace(",rank_since,", ",since,"), "dòng 1, cột rank_since"),
    # a negative count of holders
    (STAFF.replace("U2,V.05.02.08,4", "U2,V.05.02.08,-4"), "dòng 5, cột holders"),
    # neither a candidate nor a staff list
    ("unit_id,name\nU1,Sở\n", "dòng 1"),
])
def test_bad_input_exits_2_names_the_place_and_writes_nothing(
        tmp_path: Path, text: str, where: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "levels.csv"
    result = runner.invoke(app, ["convert-levels", str(src), str(out)])
    assert result.exit_code == 2, result.output
    assert where in result.output and "Nothing was written" in result.output
    assert not (tmp_path / "out").exists()


def test_a_different_output_format_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(STAFF, encoding="utf-8")
    result = runner.invoke(app, ["convert-levels", str(src), str(tmp_path / "o.xlsx")])
    assert result.exit_code == 2 and not (tmp_path / "o.xlsx").exists()


def test_a_workbook_list_is_converted_into_a_workbook(tmp_path: Path) -> None:
    src = tmp_path / "ds.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách"
    ws.append(["DANH SÁCH VIÊN CHỨC"])
    ws.append(["Mã ứng viên", "Họ và tên", "Chức danh nghề nghiệp hiện giữ",
               "Ngày bổ nhiệm hạng hiện giữ", "Trình độ đào tạo"])
    ws.append(["C1", "Lò Thị Mai", "An toàn thông tin hạng III", dt.datetime(2018, 4, 2),
               "Đại học"])
    ws.append(["C2", "Quàng Văn An", "V.11.06.15", "15/01/2019", "Trung cấp"])
    wb.save(src)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["convert-levels", str(src), str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Mã ứng viên", "Họ và tên", "Vị trí việc làm", "Bậc hiện giữ",
                       "Bậc dự xét", "Ngày xếp bậc hiện giữ", "Trình độ đào tạo",
                       "Chức danh trước khi chuyển đổi", "Ghi chú chuyển đổi")
    assert rows[1][:7] == ("C1", "Lò Thị Mai", "CM.057", "3", "4", "2018-04-02", "dai_hoc")
    assert rows[2][:7] == ("C2", "Quàng Văn An", "CM.056", "1", "2", "2019-01-15",
                           "trung_cap")
    again = tmp_path / "again.xlsx"
    assert runner.invoke(app, ["convert-levels", str(src), str(again)]).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_help_is_in_vietnamese_first() -> None:
    result = runner.invoke(app, ["convert-levels", "--help"])
    assert result.exit_code == 0
    assert "Chuyển danh sách theo chức danh sang bậc nghề nghiệp" in result.output


def test_a_suggested_position_says_so_and_a_given_one_is_kept(tmp_path: Path) -> None:
    got = _convert(tmp_path, STAFF)
    notes = got["conversion_note"].to_list()
    assert "gợi ý theo chức danh" not in notes[0]  # CM.057 given in the list
    assert "'Kỹ sư' (CM.055) gợi ý theo chức danh" in notes[2]


def test_a_staff_workbook_is_converted(tmp_path: Path) -> None:
    src = tmp_path / "cc.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Cơ cấu"
    ws.append(["Mã đơn vị", "Mã số chức danh", "Số người đang giữ"])
    ws.append(["U1", "Kỹ sư chính (hạng II)", 2])
    ws.append(["U1", "V.05.02.05", 1])
    ws.append(["U2", "V.05.02.06", 4])
    wb.save(src)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["convert-levels", str(src), str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Mã đơn vị", "Vị trí việc làm", "Bậc", "Số người giữ bậc")
    # A2.1 → 4, A3.1 → 5 (Art. 18.2.d, đ)
    assert [r[:4] for r in rows[1:]] == [("U1", "CM.055", "4", "2"), ("U1", "CM.055", "5", "1"),
                                         ("U2", "CM.055", "4", "4")]


#: Title → (salary class, suggested position), read from the data file with the csv module.
_CLASSES = {r["code"]: (r["salary_class"], r["job_position"]) for r in csv.DictReader(
    (Path(__file__).resolve().parents[2] / "models" / "rulesets"
     / "nd115-2020-title-classes.csv").open(encoding="utf-8"))}
_ART_18_2 = {"B": 1, "A0": 2, "A1": 3, "A2.1": 4, "A3.1": 5}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["U1", "U2", "U3"]), st.sampled_from(sorted(_CLASSES)),
                          st.integers(0, 40)), max_size=25))
def test_staff_conversion_keeps_every_holder_at_the_level_of_the_class(
        rows: list[tuple[str, str, int]]) -> None:
    frame = pl.DataFrame({"unit_id": [r[0] for r in rows], "title": [r[1] for r in rows],
                          "holders": [str(r[2]) for r in rows]},
                         schema={"unit_id": pl.Utf8, "title": pl.Utf8, "holders": pl.Utf8})
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    got = convert_staff(RawTable("staff.csv", frame))
    expected: dict[tuple[str, str, str], int] = {}
    for unit, title, holders in rows:
        salary_class, position = _CLASSES[title]
        key = (unit, position, str(_ART_18_2[salary_class]))
        expected[key] = expected.get(key, 0) + holders
    assert {(u, p, lv): int(h) for u, p, lv, h in got.select(
        "unit_id", "job_position", "level", "holders").iter_rows()} == expected
    assert got.height == len(expected)
