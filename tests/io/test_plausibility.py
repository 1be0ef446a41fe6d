"""Impossible data is bad input: exit 2, the place named, nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from tests.support.hostile import tiny_copy

runner = CliRunner()
DEADLINE = dt.date(2024, 10, 29)  # the tiny round's


def _edit_cell(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = (folder / file).read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        if column not in header:
            lines[0] += f",{column}"
            lines[1:] = [line + "," for line in lines[1:]]
            header.append(column)
        cells = lines[row - 1].split(",")
        cells[header.index(column)] = value
        lines[row - 1] = ",".join(cells)
        (folder / file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return edit


def _setting(line: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        with (folder / "scenario.toml").open("a", encoding="utf-8") as f:
            f.write(line + "\n")
    return edit


def _both(a: Callable[[Path], None], b: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        a(folder)
        b(folder)
    return edit


CASES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("birth year 0001", _edit_cell("candidates.csv", 2, "birth_date", "0001-01-01"),
     ["candidates.csv", "dòng 2", "birth_date", "row 2"]),
    ("bare birth year 0001", _edit_cell("candidates.csv", 3, "birth_date", "0001"),
     ["candidates.csv", "dòng 3", "birth_date"]),
    ("fifteen years old", _edit_cell("candidates.csv", 2, "birth_date", "2009-10-30"),
     ["dòng 2", "birth_date", "younger than 16"]),
    ("eighty-one years old", _edit_cell("candidates.csv", 4, "birth_date", "1943-10-29"),
     ["dòng 4", "birth_date", "older than 80"]),
    ("rank date before 1940", _edit_cell("candidates.csv", 2, "rank_since", "1939-12-31"),
     ["dòng 2", "rank_since", "from 1940 on"]),
    ("service start year 0001", _edit_cell("candidates.csv", 3, "service_start", "0001-01-01"),
     ["dòng 3", "service_start"]),
    ("quota 1e400", _edit_cell("quotas.csv", 2, "quota", "1e400"),
     ["quotas.csv", "dòng 2", "quota", "at most"]),
    ("quota ten million", _edit_cell("quotas.csv", 2, "quota", "10000000"),
     ["quotas.csv", "dòng 2", "quota"]),
    ("points 1e400", _edit_cell("candidates.csv", 2, "points", "1e400"),
     ["dòng 2", "points"]),
    ("salary increase 10^20 with a budget",
     _both(_edit_cell("candidates.csv", 2, "salary_increase", "1" + "0" * 20),
           _setting("budget = 1.5")),
     ["dòng 2", "salary_increase", "at most 100"]),
    ("budget 1e400", _setting("budget = 1e400"), ["scenario.toml", "budget"]),
    ("months 10^9", _edit_cell("candidates.csv", 2, "equivalent_months", "1000000000"),
     ["dòng 2", "equivalent_months"]),
]


@pytest.mark.parametrize(("edit", "words"), [(e, w) for _, e, w in CASES],
                         ids=[c[0] for c in CASES])
def test_impossible_values_are_refused(tmp_path: Path, edit: Callable[[Path], None],
                                       words: list[str]) -> None:
    folder = tiny_copy(tmp_path / "round")
    edit(folder)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(folder), "--out", str(out), "--no-history"])
    text = " ".join(res.output.split())
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    for w in words:
        assert w in text, f"{w!r} not in {text}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["round"]


def test_a_duplicated_csv_header_is_refused(tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round")
    (folder / "quotas.csv").write_text("agency_id,target_title,quota,quota\n"
                                       "K1,V.11.06.14,2,5\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", str(folder)])
    assert res.exit_code == 2
    assert "quotas.csv, dòng 1, cột quota" in res.output
    assert "duplicated column header" in res.output


@pytest.mark.parametrize("serial", [0, -3, 0.5, 3e6, 1e300, -1e18])
def test_excel_serials_zero_or_below_are_refused(tmp_path: Path, serial: float) -> None:
    book = tmp_path / "round.xlsx"
    assert runner.invoke(app, ["to-workbook", str(tiny_copy(tmp_path / "r")),
                               str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["candidates"]
    col = 1 + [str(c.value) for c in ws[1]].index("Ngày tháng năm sinh")
    ws.cell(2, col).value = serial
    ws.cell(2, col).number_format = "dd/mm/yyyy"
    wb.save(book)
    res = runner.invoke(app, ["validate", str(book)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    if serial == -1e18:  # beyond the reader's dates: the file is named, not the cell
        assert "round.xlsx" in res.output
    else:
        assert "dòng 2" in res.output and "birth_date" in res.output


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(dt.date(1900, 1, 1), dt.date(2024, 10, 29)))
def test_a_birth_date_is_accepted_exactly_within_a_working_life(
        tmp_path_factory: pytest.TempPathFactory, birth: dt.date) -> None:
    folder = tiny_copy(tmp_path_factory.mktemp("age") / "round")
    _edit_cell("candidates.csv", 2, "birth_date", birth.isoformat())(folder)
    res = runner.invoke(app, ["validate", str(folder)])
    expected = 0 if 16 <= _age(birth, DEADLINE) <= 80 else 2
    assert res.exit_code == expected, (birth, res.output)
