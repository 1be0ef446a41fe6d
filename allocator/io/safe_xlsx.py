"""The one way the tool opens a workbook for writing: every cell is a plain value.

Names, ids and every other text in a workbook come from files many hands have filled in.
A text such as ``=cmd|' /C calc'!A0`` (a DDE payload), ``@SUM(1)`` or ``http://x`` must
reach the reader as that text, never as a formula, a hyperlink or a number. Every workbook
the tool writes (result, template, compare, sweep) is opened here, with xlsxwriter's
conversions of strings switched off, and cells written through :func:`write_cell` go to
``write_string``/``write_number``/``write_blank`` only. ``tests/io/test_safe_xlsx.py`` checks
that no other module opens an xlsxwriter workbook.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

SAFE_OPTIONS: dict[str, Any] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}

# Excel keeps at most this many characters in a cell; longer text is cut, never refused.
MAX_CELL_CHARS = 32_767


def open_workbook(path: Path, options: dict[str, Any] | None = None) -> Workbook:
    """An xlsxwriter workbook that never turns a string into a formula, URL or number.

    ``options`` may add others (fonts, ...); the three conversions stay off whatever it says.
    """
    return xlsxwriter.Workbook(str(path), {**(options or {}), **SAFE_OPTIONS})


def clean_text(text: str) -> str:
    """A text as a cell may hold it: control characters other than tab and line feed shown as
    U+FFFD (an XML file cannot carry them), cut to Excel's cell limit."""
    return "".join(ch if _xml_safe(ch) else "\ufffd" for ch in text)[:MAX_CELL_CHARS]


def _xml_safe(ch: str) -> bool:
    code = ord(ch)
    if code < 32:
        return ch in "\t\n"
    return not (0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF))


def write_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """One cell from data: numbers as numbers, dates as dates, everything else as text."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float) and math.isfinite(value) and abs(value) < 1e300:
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_string(row, col, clean_text(str(value)), fmt)


def write_row(ws: Worksheet, row: int, col: int, values: Iterable[Any], fmt: Any = None) -> None:
    """A row of cells from data, each through :func:`write_cell`."""
    for offset, value in enumerate(values):
        write_cell(ws, row, col + offset, value, fmt)
