"""complete-columns: a unit's bare Mẫu 06 gets exactly the missing columns, with drop-downs;
filled in, the list decides as the CSV round."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.documents.complete import NOT_ASKED, complete_columns
from allocator.engine.flow import run
from allocator.io import rulesets
from allocator.io.workbook import list_layout
from models import schema
from models.errors import InputError
from tests.support.agency_books import ROUND_FILE, write_agency_round
from tests.support.sheets import SCENARIOS, csv_rows, decisions_of

runner = CliRunner()
FIRST_EXTRA = 13  # the appended columns of the shipped lists start at column M


def _bare(src: Path, out: Path) -> Path:
    """The list as the official form has it: the appended columns removed."""
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        for rng in list(ws.merged_cells.ranges):
            if rng.max_col >= FIRST_EXTRA:
                ws.unmerge_cells(str(rng))
        ws.delete_cols(FIRST_EXTRA, ws.max_column)
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("books")
    write_agency_round(SCENARIOS / "dien-bien-2024", out)
    return out


def test_exactly_the_missing_columns_are_added_with_drop_downs(books: Path,
                                                              tmp_path: Path) -> None:
    bare = _bare(books / "01-TTCNTT.xlsx", tmp_path / "bare.xlsx")
    before = bare.read_bytes()
    added = complete_columns(bare, tmp_path / "done.xlsx", rulesets.builtin_rule_sets()[0])
    assert bare.read_bytes() == before
    present = set(list_layout(bare)[0].columns) | {"sex"}
    expected = [c.headers_vi[0] for c in schema.CANDIDATES.columns_in()
                if c.name not in present and c.name not in NOT_ASKED]
    assert [a.headers for a in added] == [tuple(expected)] * 2
    assert "Dân tộc" not in expected and "Mã ứng viên" in expected
    after = list_layout(tmp_path / "done.xlsx")
    wanted = {c.name for c in schema.CANDIDATES.columns_in() if c.name not in NOT_ASKED}
    assert all(wanted <= set(layout.columns) for layout in after)
    wb = openpyxl.load_workbook(tmp_path / "done.xlsx")
    ws = wb.worksheets[0]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) >= 6  # yes/no columns, the rating, the target title …
    assert ws.cell(7, 2).value == "Họ và tên" and ws.cell(10, 2).value is not None


def test_a_completed_and_filled_list_decides_as_the_folder(books: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(books, folder)
    bare = _bare(folder / "01-TTCNTT.xlsx", tmp_path / "bare.xlsx")
    (folder / "01-TTCNTT.xlsx").unlink()
    result = runner.invoke(app, ["complete-columns", str(bare), str(folder / "01.xlsx")])
    assert result.exit_code == 0, result.output
    rows = {r["full_name"]: r for r in csv_rows("dien-bien-2024", "candidates")}
    wb = openpyxl.load_workbook(folder / "01.xlsx")
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        columns = {ws.cell(7, j).value: j for j in range(FIRST_EXTRA, ws.max_column + 1)}
        by_header = {h: c.name for c in schema.CANDIDATES.columns_in()
                     for h in c.headers_vi[:1]}
        for r in range(10, ws.max_row + 1):
            person = rows.get(str(ws.cell(r, 2).value))
            if person is None:
                continue
            for header, j in columns.items():
                value = person[by_header[header]]
                ws.cell(r, j, value if value not in ("true", "false") else
                        {"true": "Có", "false": "Không"}[value])
    wb.save(folder / "01.xlsx")
    got = run(folder / ROUND_FILE, lists=[folder])
    assert decisions_of(got) == decisions_of(run(SCENARIOS / "dien-bien-2024"))


def test_the_input_is_never_overwritten(books: Path, tmp_path: Path) -> None:
    bare = _bare(books / "02-VPS.xlsx", tmp_path / "bare.xlsx")
    before = bare.read_bytes()
    with pytest.raises(InputError):
        complete_columns(bare, bare, rulesets.builtin_rule_sets()[0])
    result = runner.invoke(app, ["complete-columns", str(bare), str(bare)])
    assert result.exit_code == 2 and bare.read_bytes() == before
