"""Agencies' workbooks shaped as units send them (built with openpyxl): every candidate
sheet read, total rows, notes and signature blocks skipped wherever they are, headers as
units write them, and each problem named by file, sheet and row."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine.flow import decide, run
from allocator.io.loader import load
from allocator.io.output import write_outputs
from allocator.io.workbook import footer_kind
from models.errors import InputError
from tests.support.agency_books import (
    ROUND_FILE,
    Options,
    write_agency_book,
    write_agency_round,
    write_round_book,
)
from tests.support.sheets import SCENARIOS, csv_rows, decisions_of

DIEN_BIEN = SCENARIOS / "dien-bien-2024"
OUTPUTS = ("decisions.csv", "pools.csv", "escalations.csv")
TITLES = {"V.11.05.12": "An toàn thông tin hạng IV", "V.11.05.11": "An toàn thông tin hạng III",
          "V.11.06.15": "Công nghệ thông tin hạng IV",
          "V.11.06.14": "Công nghệ thông tin hạng III"}
UNIT = {"unit_id": "TTCNTT", "name": "Trung tâm Công nghệ thông tin và Truyền thông",
        "parent_id": "STTTT"}
UNIT_NAMES = {str(u["unit_id"]): str(u["name"]) for u in csv_rows("dien-bien-2024", "units")}
runner = CliRunner()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("books")
    write_agency_round(DIEN_BIEN, out)
    return out


def _same_outputs(lists_dir: Path, tmp: Path) -> None:
    got = run(lists_dir / ROUND_FILE, lists=[lists_dir])
    write_outputs(got, tmp / "a")
    write_outputs(run(DIEN_BIEN), tmp / "b")
    for f in OUTPUTS:
        assert (tmp / "a" / f).read_bytes() == (tmp / "b" / f).read_bytes(), f


def _problems(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [f"{p.where_vi()}: {p.vi}" for p in exc.value.problems]


# ---- every list, every sheet --------------------------------------------------------------------


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(split=st.lists(st.integers(0, 2), min_size=25, max_size=25),
       text_dates=st.booleans(), blank=st.booleans(), right_only=st.booleans())
def test_any_split_into_lists_and_sheets_decides_as_the_folder(
        tmp_path_factory: pytest.TempPathFactory, split: list[int], text_dates: bool,
        blank: bool, right_only: bool) -> None:
    """The candidates cut into up to three agencies' files (each with a sheet per
    transition), dates typed or real, a blank row before the total or not."""
    out = tmp_path_factory.mktemp("split")
    write_round_book(out / ROUND_FILE, DIEN_BIEN)
    rows = csv_rows("dien-bien-2024", "candidates")
    opts = Options(text_dates=text_dates, blank_before_total=blank,
                   signature_right_only=right_only)
    for k in sorted(set(split)):
        part = [r for r, s in zip(rows, split, strict=True) if s == k]
        write_agency_book(out / f"list-{k}.xlsx", part, UNIT, "Sở TT&TT", TITLES, 2024,
                          "Điện Biên", opts, unit_names=UNIT_NAMES)
    _same_outputs(out, tmp_path_factory.mktemp("outputs"))


def test_a_second_candidate_sheet_is_never_lost(books: Path) -> None:
    """The first failure seen: a workbook with two candidate sheets lost the first one."""
    sc = load(books / ROUND_FILE, lists=[books / "01-TTCNTT.xlsx"])
    assert sc.candidates.height == 23
    lines = [vi for vi, _ in sc.notes if "ứng viên" in vi]
    assert lines == [
        "01-TTCNTT.xlsx › Mẫu 06 (1) (trang tính/sheet): 15 ứng viên, dòng 10–24; bỏ qua 6 dòng",
        "01-TTCNTT.xlsx › Mẫu 06 (2) (trang tính/sheet): 8 ứng viên, dòng 10–17; bỏ qua 6 dòng",
    ]


def test_every_candidate_keeps_its_file_sheet_and_row(books: Path) -> None:
    sc = load(books / ROUND_FILE, lists=[books])
    by_id = dict(zip(sc.candidates["candidate_id"], sc.candidates["__row"], strict=True))
    label, row = sc.origin(by_id["DB24"])
    assert label.startswith("03-CDC.xlsx › Mẫu 06 (1)") and row == 10
    # the rows as the person sees them in the file
    wb = openpyxl.load_workbook(books / "01-TTCNTT.xlsx")
    for cid in ("DB01", "DB09"):
        label, row = sc.origin(by_id[cid])
        sheet = label.split(" › ")[1].removesuffix(" (trang tính/sheet)")
        values = [c.value for c in wb[sheet][row]]
        assert cid in values


def test_the_round_workbook_also_reads_several_candidate_sheets(tmp_path: Path,
                                                                 books: Path) -> None:
    """One workbook holding the round and two agencies' sheets decides as the folder."""
    wb = openpyxl.load_workbook(books / ROUND_FILE)
    for name in ("01-TTCNTT.xlsx", "02-VPS.xlsx", "03-CDC.xlsx"):
        src = openpyxl.load_workbook(books / name)
        for ws in src.worksheets:
            copy = wb.create_sheet(f"{name[3:-5]} {ws.title[-3:]}")
            for row in ws.iter_rows():
                for c in row:
                    if c.value is not None:
                        copy.cell(c.row, c.column, c.value)
            for rng in ws.merged_cells.ranges:
                copy.merge_cells(str(rng))
    wb.save(tmp_path / "one.xlsx")
    got = decide(load(tmp_path / "one.xlsx"))
    assert decisions_of(got) == decisions_of(run(DIEN_BIEN))


# ---- errors, each named where the person will look ----------------------------------------------


def test_the_same_id_in_two_lists_names_both_places(tmp_path: Path, books: Path) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    again = [r for r in csv_rows("dien-bien-2024", "candidates") if r["candidate_id"] == "DB24"]
    write_agency_book(folder / "04-again.xlsx", again, UNIT, "Sở", TITLES, 2024, "Điện Biên")
    with pytest.raises(InputError) as exc:
        load(folder / ROUND_FILE, lists=[folder])
    (message,) = _problems(exc)
    assert message.startswith("04-again.xlsx › Mẫu 06 (1) (trang tính/sheet), dòng 10")
    assert "'DB24' đã có ở 03-CDC.xlsx › Mẫu 06 (1) (trang tính/sheet), dòng 10" in message


def test_the_same_name_and_birth_date_under_two_ids_is_an_error(tmp_path: Path,
                                                                books: Path) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    again = [{**r, "candidate_id": "X1"} for r in csv_rows("dien-bien-2024", "candidates")
             if r["candidate_id"] == "DB02"]
    write_agency_book(folder / "04-again.xlsx", again, UNIT, "Sở", TITLES, 2024, "Điện Biên")
    result = runner.invoke(app, ["run", str(folder / ROUND_FILE), str(folder), "--out",
                                 str(tmp_path / "out"), "--no-history"])
    assert result.exit_code == 2, result.output
    assert "cùng họ tên và ngày sinh 'Lò Thị Bình, 1985-01-20'" in result.output
    assert "01-TTCNTT.xlsx › Mẫu 06 (1)" in result.output
    assert not (tmp_path / "out").exists()


def test_a_bad_cell_in_a_list_is_named_by_file_sheet_and_real_row(tmp_path: Path,
                                                                  books: Path) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    wb = openpyxl.load_workbook(folder / "02-VPS.xlsx")
    ws = wb.worksheets[0]
    unit_col = next(c.column for c in ws[7] if c.value == "Cơ quan đơn vị đang làm việc")
    ws.cell(10, unit_col, "Phòng không có thật")
    wb.save(folder / "02-VPS.xlsx")
    with pytest.raises(InputError) as exc:
        load(folder / ROUND_FILE, lists=[folder])
    (message,) = _problems(exc)
    assert message.startswith("02-VPS.xlsx › Mẫu 06 (1) (trang tính/sheet), dòng 10")


def test_a_missing_column_is_named_in_vietnamese_at_the_header_row(tmp_path: Path,
                                                                   books: Path) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    wb = openpyxl.load_workbook(folder / "03-CDC.xlsx")
    ws = wb.worksheets[0]
    col = next(c.column for c in ws[7] if c.value == "Dân tộc")
    ws.unmerge_cells(start_row=7, start_column=col, end_row=8, end_column=col)
    ws.cell(7, col, "Quê quán")
    wb.save(folder / "03-CDC.xlsx")
    with pytest.raises(InputError) as exc:
        load(folder / ROUND_FILE, lists=[folder])
    (message,) = _problems(exc)
    assert message.startswith("03-CDC.xlsx › Mẫu 06 (1) (trang tính/sheet), dòng 7, "
                              "cột Dân tộc (ethnicity): thiếu cột bắt buộc 'Dân tộc'")
    assert "'Quê quán'" in message and "'Họ và tên'" in message


def test_a_sheet_that_looks_like_a_list_but_cannot_be_read_is_an_error(tmp_path: Path,
                                                                         books: Path) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    wb = openpyxl.load_workbook(folder / "02-VPS.xlsx")
    ws = wb.create_sheet("Bổ sung")
    for j, h in enumerate(["TT", "Họ và tên", "Ngày sinh", "Dân tộc"], start=1):
        ws.cell(1, j, h)
    for j, v in enumerate([1, "Nguyễn Văn Mới", "01/01/1990", "Kinh"], start=1):
        ws.cell(2, j, v)
    wb.save(folder / "02-VPS.xlsx")
    with pytest.raises(InputError) as exc:
        load(folder / ROUND_FILE, lists=[folder])
    assert all(m.startswith("02-VPS.xlsx › Bổ sung (trang tính/sheet), dòng 1") for m in
               _problems(exc))


def test_a_list_file_without_any_candidate_sheet_is_an_error(tmp_path: Path,
                                                             books: Path) -> None:
    wb = openpyxl.Workbook()
    wb.worksheets[0].cell(1, 1, "Công văn đề nghị")
    wb.save(tmp_path / "cong-van.xlsx")
    with pytest.raises(InputError) as exc:
        load(books / ROUND_FILE, lists=[books, tmp_path / "cong-van.xlsx"])
    assert _problems(exc)[0].startswith("cong-van.xlsx: không có trang tính nào")


def test_the_quota_sheets_total_row_is_not_a_unit(books: Path) -> None:
    sc = load(books / ROUND_FILE, lists=[books])
    assert sc.quotas.height == 2
    assert any(vi.startswith("Chỉ tiêu (trang tính/sheet), dòng 6: bỏ qua — dòng tổng cộng")
               for vi, _ in sc.notes)


# ---- rows outside the table ---------------------------------------------------------------------


@pytest.mark.parametrize(("cells", "kind"), [
    (["Tổng cộng: 09 người"], "total"),
    (["Cộng", "5"], "total"),
    (["Tổng số: 12", "", "3,5"], "total"),
    (["Người lập biểu", "THỦ TRƯỞNG ĐƠN VỊ"], "signature"),
    (["(Ký tên, đóng dấu)"], "signature"),
    (["(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"], "signature"),
    (["Điện Biên, ngày 20 tháng 10 năm 2024"], "signature"),
    (["....., ngày ... tháng ... năm ..."], "signature"),
    (["KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"], "signature"),
    (["Ghi chú: xếp theo vần A, B, C"], "note"),
    (["* Danh sách này gồm cả viên chức biệt phái"], "note"),
    (["1", "DB01", "Nguyễn Văn An", "10/03/1987", "Kinh", "TTCNTT"], None),
    (["TM", "Trung tâm Mới"], None),
    (["3", "Công", "Kinh", "x"], None),
    (["Nguyễn Văn Cộng"], None),
])
def test_rows_outside_the_table_are_recognised(cells: list[str], kind: str | None) -> None:
    assert footer_kind(cells) == kind


@given(st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()), min_size=4,
                max_size=20),
       st.sampled_from(["Nguyễn Văn An", "DB01", "1", "Lò Thị Bình"]))
def test_a_row_of_four_cells_or_more_is_never_a_signature_or_a_note(cells: list[str],
                                                                    first: str) -> None:
    """Only a total row may have many cells, and only when its first cell says so."""
    assert footer_kind([first, *cells]) is None


def _cell_rows(path: Path) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path)
    return [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]


def test_a_signature_block_under_the_name_column_is_skipped(tmp_path: Path,
                                                            books: Path) -> None:
    """The four rows of a signature block written under the name column, right after the
    table with no empty row: skipped, and the total row too."""
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    wb = openpyxl.load_workbook(folder / "02-VPS.xlsx")
    ws = wb.worksheets[0]
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row >= 11:
            ws.unmerge_cells(str(rng))
    for r in range(11, ws.max_row + 1):
        for c in range(1, ws.max_column + 1):
            ws.cell(r, c).value = None
    for i, text in enumerate(["Người lập biểu", "(Ký tên, đóng dấu)", None, "Lê Văn Bốn",
                              "Tổng cộng: 01 người"]):
        ws.cell(11 + i, 2, text)
    wb.save(folder / "02-VPS.xlsx")
    _same_outputs(folder, tmp_path)


def test_the_result_workbook_and_explanations_show_where_each_candidate_was_read(
        tmp_path: Path, books: Path) -> None:
    from allocator.documents.explain import explain
    from allocator.documents.result_workbook import write_result_workbook
    from tests.support.sheets import sheet_values

    result = run(books / ROUND_FILE, lists=[books])
    write_result_workbook(result, tmp_path)
    rows = sheet_values(tmp_path / "ket-qua.xlsx", "Danh sách")
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "TT")
    header = list(rows[header_at])
    cid, source = header.index("Mã ứng viên"), header.index("Nguồn (tệp › trang tính, dòng)")
    shown = {r[cid]: r[source] for r in rows[header_at + 1:] if r[cid]}
    assert shown["DB24"] == "03-CDC.xlsx › Mẫu 06 (1) (trang tính/sheet), dòng 10"
    assert len(shown) == 25 and all(" › Mẫu 06 (" in v for v in shown.values())
    assert explain(result, "DB24").endswith(
        "Nguồn dữ liệu: 03-CDC.xlsx › Mẫu 06 (1) (trang tính/sheet), dòng 10.")


# ---- awards as units write them -----------------------------------------------------------------


def _with_award(folder: Path, text: str) -> None:
    """DB02's award in 01-TTCNTT.xlsx replaced by ``text``."""
    wb = openpyxl.load_workbook(folder / "01-TTCNTT.xlsx")
    ws = wb.worksheets[0]
    col = next(c.column for c in ws[8] if c.value == "Thành tích khen thưởng cao nhất")
    row = next(c.row for c in ws["B"] if c.value == "Lò Thị Bình")
    ws.cell(row, col, text)
    wb.save(folder / "01-TTCNTT.xlsx")


@pytest.mark.parametrize(("text", "words"), [
    ("Bằng khen của Chủ tịch UBND huyện Mường Chà", "Bằng khen do cấp dưới tỉnh trao"),
    ("Bằng khen", "Bằng khen không ghi cơ quan trao"),
    ("Kỷ niệm chương", "không nhận ra hình thức khen thưởng"),
])
def test_an_award_the_ladder_cannot_place_is_listed_for_the_user_to_map(
        tmp_path: Path, books: Path, text: str, words: str) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    _with_award(folder, text)
    with pytest.raises(InputError) as exc:
        load(folder / ROUND_FILE, lists=[folder])
    (problem,) = exc.value.problems
    assert problem.file.startswith("01-TTCNTT.xlsx › Mẫu 06 (1)")
    assert problem.vi.startswith(words) and f"'{text}'" in problem.vi
    assert "Quy đổi khen thưởng" in problem.vi


def test_the_round_workbooks_award_table_maps_the_agencies_texts(tmp_path: Path,
                                                                 books: Path) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    text = "Bằng khen của Chủ tịch UBND huyện Mường Chà"
    _with_award(folder, text)
    wb = openpyxl.load_workbook(folder / ROUND_FILE)
    ws = wb.create_sheet("Quy đổi khen thưởng")
    ws.append(["Hình thức khen thưởng", "Mức"])
    ws.append([text, "C"])  # the council decides it counts as C: the round is unchanged
    wb.save(folder / ROUND_FILE)
    result = run(folder / ROUND_FILE, lists=[folder])
    assert decisions_of(result) == decisions_of(run(DIEN_BIEN))
    from allocator.documents.result_workbook import write_result_workbook
    from tests.support.sheets import sheet_values

    write_result_workbook(result, tmp_path / "out")
    rows = sheet_values(tmp_path / "out" / "ket-qua.xlsx", "Khen thưởng")
    level_b = ("Bằng khen của Thủ tướng Chính phủ; Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh, "
               "đoàn thể trung ương")
    assert rows[4][:3] == (2, "B", level_b)
    by_id = {r[1]: r for r in rows if r and r[1] and str(r[1]).startswith("DB")}
    assert by_id["DB02"][3:] == ("C", "Bằng khen cấp bộ, ban, ngành, tỉnh, đoàn thể trung "
                                      "ương; Chiến sĩ thi đua cơ sở", text)
    assert by_id["DB01"][5] == "Bằng khen của Thủ tướng Chính phủ"
