"""Blocks of rows (:class:`allocator.io.safe_xlsx.Rows`) read back exactly as the same cells
written one by one through xlsxwriter: values, formats, merges and row heights.

The reference is xlsxwriter itself (``Sheet.by_cell``), so the block's own XML is checked
against an independent writer, on generated blocks and on the result workbooks of the ready
rounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastexcel
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.documents.result_workbook import FILE_NAME, write_result_workbook
from allocator.io.safe_xlsx import Sheet, open_workbook
from models.result import RunResult
from tests.support.hostile import PAYLOADS


@pytest.fixture
def by_cell() -> Iterator[None]:
    Sheet.by_cell = True
    try:
        yield
    finally:
        Sheet.by_cell = False


def _look(path: Path) -> dict[str, Any]:
    """Everything a reader sees: values (calamine, which reads Excel's ``_xHHHH_`` escapes in
    inline strings as Excel does; openpyxl does not), and per cell its font, fill, border and
    alignment, the merged ranges and the row heights (openpyxl)."""
    book = openpyxl.load_workbook(path)
    seen: dict[str, Any] = {}
    for ws in book.worksheets:
        seen[ws.title] = {
            "values": fastexcel.read_excel(path).load_sheet(
                ws.title, header_row=None).to_polars().rows() if ws.max_row > 1 else [],
            "styles": [[(c.font.b, c.font.i, c.font.sz, c.fill.fgColor.rgb, c.border.left.style,
                         c.alignment.horizontal, c.alignment.wrap_text) for c in row]
                        for row in ws.iter_rows()],
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
            "dimension": ws.dimensions,
        }
    return seen


ESCAPES = ["_x0041_", "a_x00E9_b_x005F_x0041_", " cách đầu", "cuối\t", "1 < 2 & 3 > 2",
           "=A1", "dòng\nmới"]
values = st.one_of(st.none(), st.sampled_from([*PAYLOADS, *ESCAPES]), st.text(max_size=40),
                   st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                   st.booleans(), st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)))
rows = st.lists(st.tuples(st.lists(values, max_size=5),
                          st.one_of(st.none(), st.floats(10, 200)), st.booleans()),
                max_size=12)


def _write(path: Path, block_rows: list[tuple[list[Any], float | None, bool]],
           merge_from: int | None) -> None:
    wb = open_workbook(path)
    ws = wb.add_worksheet("S")
    bold = wb.add_format({"bold": True, "border": 1})
    wrap = wb.add_format({"italic": True, "text_wrap": True, "align": "center"})
    band = wb.add_format({"bold": True, "bg_color": "#F2F2F2"})
    ws.write_string(0, 0, "đầu", bold)
    block = ws.rows(2, [bold, wrap, bold, wrap, bold])
    for cells, height, is_band in block_rows:
        if is_band:
            block.band(str(cells[0]) if cells else "", band, height)
        else:
            block.append(cells, height)
    if merge_from is not None and len(block):
        block.merge_down(block.first_row + min(merge_from, len(block) - 1), 4)
    ws.write_string(block.end + 1, 1, "cuối", wrap)
    wb.close()


@settings(max_examples=60, deadline=None)
@given(rows, st.one_of(st.none(), st.integers(0, 11)))
def test_a_block_reads_back_as_the_same_cells_written_one_by_one(
        tmp_path_factory: pytest.TempPathFactory,
        block_rows: list[tuple[list[Any], float | None, bool]], merge_from: int | None) -> None:
    folder = tmp_path_factory.mktemp("rows")
    _write(folder / "block.xlsx", block_rows, merge_from)
    Sheet.by_cell = True
    try:
        _write(folder / "cells.xlsx", block_rows, merge_from)
    finally:
        Sheet.by_cell = False
    assert _look(folder / "block.xlsx") == _look(folder / "cells.xlsx")


def test_a_row_written_both_ways_is_refused(tmp_path: Path) -> None:
    wb = open_workbook(tmp_path / "x.xlsx")
    ws = wb.add_worksheet("S")
    ws.rows(1, [None]).append(["a"])
    ws.write_string(1, 0, "b")
    with pytest.raises(ValueError, match="row 2"):
        wb.close()


@pytest.mark.parametrize("name", ["dien_bien", "binh_dinh"])
def test_the_result_workbook_reads_back_as_written_cell_by_cell(
        tmp_path: Path, request: pytest.FixtureRequest, name: str) -> None:
    result: RunResult = request.getfixturevalue(name)
    write_result_workbook(result, tmp_path / "block")
    Sheet.by_cell = True
    try:
        write_result_workbook(result, tmp_path / "cells")
    finally:
        Sheet.by_cell = False
    block, cells = _look(tmp_path / "block" / FILE_NAME), _look(tmp_path / "cells" / FILE_NAME)
    assert block.keys() == cells.keys()
    for sheet in block:
        assert block[sheet] == cells[sheet], sheet
