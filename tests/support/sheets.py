"""Writing small workbooks the way people fill them in, and reading result workbooks back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import xlsxwriter

from allocator.io.folder import read_folder

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

STATUS_VI = {"Trúng tuyển": "selected", "Không trúng tuyển": "not_selected",
             "Không đủ điều kiện": "ineligible", "Chờ cơ quan quản lý quyết định": "escalated"}


@dataclass(frozen=True)
class ExcelError:
    """A formula cell whose cached value is an Excel error (#N/A, #DIV/0! …)."""

    text: str = "#N/A"


@dataclass(frozen=True)
class Merged:
    """A cell merged across ``span`` columns (a group header of an official form)."""

    text: str
    span: int


@dataclass(frozen=True)
class Tall:
    """A header cell merged down over two rows."""

    text: str


def write_sheets(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook with the given cells: dates become Excel date cells, numbers numbers."""
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            c = 0
            for value in row:
                if isinstance(value, Merged):
                    ws.merge_range(r, c, r, c + value.span - 1, value.text)
                    c += value.span
                    continue
                if isinstance(value, Tall):
                    ws.merge_range(r, c, r + 1, c, value.text)
                elif isinstance(value, ExcelError):
                    ws.write_formula(r, c, "=NA()", None, value.text)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                elif value is not None:
                    ws.write_string(r, c, str(value))
                c += 1
    wb.close()
    return path


def csv_rows(round_name: str, table: str) -> list[dict[str, str | None]]:
    """A table of a ready round as written in its CSV file."""
    raw = read_folder(SCENARIOS / round_name)
    return raw.tables[table].frame.drop("__row").to_dicts()


def settings_rows(round_name: str) -> list[list[Any]]:
    raw = read_folder(SCENARIOS / round_name)
    return [["key", "value"], *[[k, v] for k, v in raw.settings.items()]]


def table_rows(round_name: str, table: str) -> list[list[Any]]:
    """Header (contract names) and rows of a ready round's table, text cells."""
    rows = csv_rows(round_name, table)
    columns = list(rows[0])
    return [columns, *[[r[c] for c in columns] for r in rows]]


def result_statuses(path: Path) -> dict[str, str]:
    """candidate_id → status read back from the 'Danh sách' sheet of ket-qua.xlsx, by the
    Vietnamese outcome words (and checked against the status code column)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb["Danh sách"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "TT")
    header = list(rows[header_at])
    cid, outcome, code = (header.index("Mã ứng viên"), header.index("Kết quả"),
                          header.index("Mã kết quả (status)"))
    out = {}
    for r in rows[header_at + 1:]:
        if r[cid] is None:
            continue
        status = STATUS_VI[r[outcome]]
        assert status == r[code]
        out[r[cid]] = status
    return out


def sheet_values(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]


def decisions_of(result: Any) -> dict[str, str]:
    frame: pl.DataFrame = result.decisions
    return dict(frame.select("candidate_id", "status").iter_rows())
