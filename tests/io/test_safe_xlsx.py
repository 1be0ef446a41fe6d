"""No workbook cell written from data is a formula or a hyperlink (compare, sweep, result and
template workbooks alike), and no module opens a workbook any other way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.io.safe_xlsx import clean_text, open_workbook, write_row
from tests.support.hostile import (
    DDE,
    PAYLOADS,
    formula_or_link_cells,
    hostile_round,
    texts,
)
from tests.support.variants import write_variant

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_no_module_opens_a_workbook_but_the_safe_writer() -> None:
    opened = re.compile(r"xlsxwriter\.Workbook\(|from xlsxwriter import Workbook")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "allocator").rglob("*.py")
                 if p.name != "safe_xlsx.py" and opened.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=30)), min_size=1,
                max_size=6))
def test_any_text_comes_back_as_that_text(tmp_path_factory: pytest.TempPathFactory,
                                          values: list[str]) -> None:
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    book = open_workbook(path)
    write_row(book.add_worksheet("s"), 0, 0, values)
    book.close()
    assert formula_or_link_cells(path) == []
    import openpyxl

    ws = openpyxl.load_workbook(path).worksheets[0]
    got = [ws.cell(1, i + 1).value for i in range(len(values))]
    assert got == [clean_text(v) or None for v in values]


def test_control_characters_are_shown_not_written() -> None:
    assert clean_text("a\x00b\x1fc\td\ne") == "a\ufffdb\ufffdc\td\ne"


def test_compare_workbook_keeps_formulas_and_links_as_text(tmp_path: Path) -> None:
    base = hostile_round(tmp_path / "base")
    variant = write_variant(tmp_path / "more.toml", base,
                            {"quotas": [{"agency_id": "K1", "target_title": "V.11.06.14",
                                         "add": 1}]})
    out = tmp_path / "cmp"
    res = runner.invoke(app, ["compare", str(base), str(variant), "--out", str(out),
                              "--no-history", "-q"])
    assert res.exit_code == 0, res.output
    assert formula_or_link_cells(out / "compare.xlsx") == []
    assert DDE in texts(out / "compare.xlsx")
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert "<a " not in page and "=cmd|&#x27; /C calc&#x27;!A0" in page


def test_sweep_workbook_keeps_formulas_and_links_as_text(tmp_path: Path) -> None:
    base = hostile_round(tmp_path / "base")
    out = tmp_path / "sweep"
    res = runner.invoke(app, ["sweep", str(base), "--out", str(out), "--workers", "0",
                              "--no-history", "-q"])
    assert res.exit_code == 0, res.output
    books = list(out.rglob("*.xlsx"))
    assert books
    for book in books:
        assert formula_or_link_cells(book) == [], book


def test_result_and_input_workbooks_keep_formulas_as_text(tmp_path: Path) -> None:
    base = hostile_round(tmp_path / "base")
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(base), "--out", str(out), "--no-history", "-q"])
    assert res.exit_code == 0, res.output
    assert formula_or_link_cells(out / "ket-qua.xlsx") == []
    assert DDE in texts(out / "ket-qua.xlsx")
    book = tmp_path / "input.xlsx"
    res = runner.invoke(app, ["to-workbook", str(base), str(book)])
    assert res.exit_code == 0, res.output
    assert formula_or_link_cells(book) == []
    assert {DDE, "http://x", "@SUM(1)"} <= texts(book)
