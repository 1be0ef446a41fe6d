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
