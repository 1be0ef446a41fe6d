"""The winners list and the outcome list are signable: the organising agency and its review
council, the national motto, the place-and-date line, a total row and the signature blocks
(the clerk left, the council's chair right), as Mẫu 05 and Mẫu 06 have them."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.documents.result_workbook import write_result_workbook
from models.result import RunResult
from tests.support.sheets import sheet_values


@pytest.mark.parametrize("sheet", ["Trúng tuyển", "Danh sách"])
def test_the_lists_carry_heading_date_line_total_and_signatures(
        dien_bien: RunResult, tmp_path: Path, sheet: str) -> None:
    write_result_workbook(dien_bien, tmp_path)
    rows = sheet_values(tmp_path / "ket-qua.xlsx", sheet)
    cells = [str(v) for r in rows for v in r if v is not None]
    assert rows[0][0] == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH ĐIỆN BIÊN"
    assert rows[1][0] == "HỘI ĐỒNG XÉT THĂNG HẠNG CHỨC DANH NGHỀ NGHIỆP"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in rows[0]
    assert "Độc lập - Tự do - Hạnh phúc" in rows[1]
    assert "Điện Biên, ngày ..... tháng ..... năm 2024" in rows[2]
    n = dien_bien.decisions.height if sheet == "Danh sách" else int(
        (dien_bien.decisions["status"] == "selected").sum())
    total = next(i for i, r in enumerate(rows) if r[0] == f"Tổng cộng: {n:02d} người")
    below = [str(v) for r in rows[total + 1:] for v in r if v is not None]
    assert below[:5] == ["NGƯỜI LẬP BIỂU", "TM. HỘI ĐỒNG XÉT THĂNG HẠNG", "(Ký, ghi rõ họ tên)",
                         "CHỦ TỊCH", "(Ký tên, đóng dấu)"]
    assert cells.count("Tổng cộng: " + f"{n:02d} người") == 1


def test_the_regenerated_form06_keeps_every_column_the_unit_supplied(tmp_path: Path) -> None:
    """The unit's salary coefficient, position and degree as written come back in their form
    columns; a column of its own that the form lacks comes back after the form's."""
    import openpyxl

    from allocator.engine.flow import run
    from tests.support.agency_books import ROUND_FILE, write_agency_round
    from tests.support.sheets import SCENARIOS

    books = tmp_path / "books"
    write_agency_round(SCENARIOS / "dien-bien-2024", books)
    wb = openpyxl.load_workbook(books / "01-TTCNTT.xlsx")
    ws = wb.worksheets[0]
    name = ws.cell(10, 2).value
    end = ws.max_column
    for j, (header, value) in enumerate([("Trình độ lý luận chính trị", "Trung cấp"),
                                         ("Số điện thoại", "0912 345 678")], start=end + 1):
        ws.cell(7, j, header)
        ws.cell(10, j, value)
    ws.cell(10, 11, "Đại học Công nghệ thông tin")  # the degree as the unit wrote it
    wb.save(books / "01-TTCNTT.xlsx")
    result = run(books / ROUND_FILE, lists=[books])
    write_result_workbook(result, tmp_path / "out")
    rows = sheet_values(tmp_path / "out" / "ket-qua.xlsx", "Mẫu 06")
    header_at = next(i for i, r in enumerate(rows) if r[0] == "TT" and "Nam" in rows[i + 1])
    subs = [b or a for a, b in zip(rows[header_at], rows[header_at + 1], strict=True)]
    (listed,) = [r for r in rows[header_at + 3:] if r[1] == name]
    row = dict(zip(subs, listed, strict=True))
    assert row["Hệ số lương"] == "2.34"
    assert row["Chức vụ hoặc chức danh công tác"] == "Viên chức"
    assert row["Trình độ chuyên môn"] == "Đại học Công nghệ thông tin"
    assert row["Trình độ lý luận chính trị"] == "Trung cấp"
    assert row["Số điện thoại"] == "0912 345 678"
