"""The ready rounds as agencies send them (a round workbook and one Mẫu 06 workbook per unit)
decide exactly as their CSV folders: decisions.csv, pools.csv and escalations.csv byte for
byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.engine.flow import run
from allocator.io.output import write_outputs

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
OUTPUTS = ("decisions.csv", "pools.csv", "escalations.csv")


@pytest.mark.parametrize("name", ["dien-bien-2024", "binh-dinh-2024"])
def test_agency_workbooks_decide_byte_for_byte_as_the_folder(name: str, tmp_path: Path) -> None:
    books = ROOT / f"{name}-agencies"
    lists = sorted(books.glob("[0-9][0-9]-*.xlsx"))
    assert len(lists) >= 3  # the round workbook and at least two agencies' lists
    got = run(books / "00-ky-xet.xlsx", lists=[books])
    expected = run(ROOT / name)
    write_outputs(got, tmp_path / "books")
    write_outputs(expected, tmp_path / "csv")
    for f in OUTPUTS:
        assert (tmp_path / "books" / f).read_bytes() == (tmp_path / "csv" / f).read_bytes(), f
    # every list was read, one line each, and its total row and signature block skipped
    notes = [vi for vi, _en in got.scenario.notes]
    assert sum("ứng viên" in n and "bỏ qua" in n and "dòng" in n for n in notes) >= 2
    assert any("dòng tổng cộng 'Tổng cộng:" in n for n in notes)
    assert any("khối chữ ký '(Ký tên, đóng dấu)'" in n for n in notes)
    assert any(n.startswith("Chỉ tiêu") and "dòng tổng cộng" in n for n in notes)
