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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

SAFE_OPTIONS: dict[str, Any] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "constant_memory": False,  # the blocks of rows of :class:`Sheet` need the row table
}

# Excel keeps at most this many characters in a cell; longer text is cut, never refused.
MAX_CELL_CHARS = 32_767


def open_workbook(path: Path, options: dict[str, Any] | None = None) -> Workbook:
    """An xlsxwriter workbook that never turns a string into a formula, URL or number.

    ``options`` may add others (fonts, ...); the three conversions stay off whatever it says.
    """
    return SafeWorkbook(str(path), {**(options or {}), **SAFE_OPTIONS})


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


# ---- long tables ---------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_EPOCH_TIME = dt.datetime(1899, 12, 30)
# Text Excel would read as an escaped character (``_x0041_`` is "A"): its underscore escaped.
_EXCEL_ESCAPE = r"_(x[0-9A-Fa-f]{4}_)"
_NOT_IN_XML = r"[\x00-\x08\x0B-\x1F\x7F-\x9F\x{FFFE}\x{FFFF}]"


class Rows:
    """A block of consecutive rows of plain values, rendered as sheet XML in one pass.

    The rows of a long table (one per candidate) cost xlsxwriter a Python call per cell; a
    block keeps them as columns and renders them with polars when the workbook is closed:
    every text an escaped inline string (never a formula, link or number), every finite
    number a number, dates as dates, anything else as its text, exactly as
    :func:`write_cell` writes one cell. ``formats`` gives each column's format; a *band* is a
    row with one text merged across all columns (a section heading) in a format of its own.
    """

    def __init__(self, first_row: int, formats: Sequence[Format]) -> None:
        self.first_row = first_row
        self.formats = list(formats)
        self._columns: list[list[Any]] = [[] for _ in self.formats]
        self._heights: list[float | None] = []
        self._band: list[Format | None] = []
        self.merges: list[tuple[int, int, int, int]] = []

    @property
    def end(self) -> int:
        """The first row after the block."""
        return self.first_row + len(self._heights)

    def __len__(self) -> int:
        return len(self._heights)

    def append(self, values: Sequence[Any], height: float | None = None) -> int:
        """One row of values, left to right (missing ones blank); returns its row number."""
        if len(values) > len(self._columns):
            raise ValueError(f"{len(values)} values for {len(self._columns)} columns")
        for column, value in zip(self._columns, values, strict=False):
            column.append(value)
        for column in self._columns[len(values):]:
            column.append(None)
        self._heights.append(height)
        self._band.append(None)
        return self.end - 1

    def band(self, text: str, fmt: Format, height: float | None = None) -> int:
        """A row holding ``text`` merged across every column, in ``fmt``."""
        row = self.append([text], height)
        self._band[-1] = fmt
        if len(self._columns) > 1:
            self.merges.append((row, 0, row, len(self._columns) - 1))
        return row

    def merge_down(self, first_row: int, col: int) -> None:
        """Merge column ``col`` from ``first_row`` to the block's last row (its value is the
        first row's)."""
        if first_row < self.end - 1:
            self.merges.append((first_row, col, self.end - 1, col))

    def set_height(self, row: int, height: float) -> None:
        """The height of one of the block's rows, in points."""
        self._heights[row - self.first_row] = height

    def height_of(self, row: int) -> float | None:
        """The height of one of the block's rows (None: the default)."""
        return self._heights[row - self.first_row]

    def row_values(self, index: int) -> tuple[list[Any], Format | None]:
        """The values of the block's ``index``-th row and its band format (if a band)."""
        return [column[index] for column in self._columns], self._band[index]

    def render(self) -> str:
        """The ``<row>`` elements of the block, as xlsxwriter would write these cells."""
        if not self._heights:
            return ""
        number = pl.int_range(self.first_row + 1, self.end + 1, eager=True).cast(pl.String)
        band = [None if f is None else f._get_xf_index() for f in self._band]  # noqa: SLF001
        override = pl.Series(band, dtype=pl.Int64)
        cells = [_render_column(values, xl_col_to_name(j), fmt._get_xf_index(),  # noqa: SLF001
                                number, override)
                 for j, (values, fmt) in enumerate(zip(self._columns, self.formats,
                                                       strict=True))]
        frame = pl.DataFrame({"r": number, "h": _row_heights(self._heights)}).with_columns(
            *[c.alias(f"c{j}") for j, c in enumerate(cells)])
        rows = frame.select(pl.concat_str([
            pl.lit('<row r="'), pl.col("r"), pl.col("h"), pl.lit(">"),
            *[pl.col(f"c{j}") for j in range(len(cells))], pl.lit("</row>")])).to_series()
        return str(rows.str.join("").item())


def _row_heights(heights: list[float | None]) -> pl.Series:
    """The row element's height attributes: xlsxwriter's pixels, in points."""
    return pl.Series([
        '"' if h is None else f'" ht="{int(h * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1"'
        for h in heights], dtype=pl.String)


def _split(values: list[Any]) -> tuple[list[str | None], list[str | None], list[str | None]]:
    """A column's texts, numbers and booleans (as XML values); None where blank or another
    kind, each value kind as :func:`write_cell` writes it."""
    texts: list[str | None] = [None] * len(values)
    numbers: list[str | None] = [None] * len(values)
    booleans: list[str | None] = [None] * len(values)
    for i, v in enumerate(values):
        if v is None or v == "":
            continue
        if isinstance(v, str):
            texts[i] = v
        elif isinstance(v, bool):
            booleans[i] = "1" if v else "0"
        elif isinstance(v, int | float) and math.isfinite(v) and abs(v) < 1e300:
            numbers[i] = f"{v:.16g}"
        elif isinstance(v, dt.datetime):
            numbers[i] = f"{(v - _EXCEL_EPOCH_TIME).total_seconds() / 86400:.16g}"
        elif isinstance(v, dt.date):
            numbers[i] = f"{(v - _EXCEL_EPOCH).days}"
        else:
            texts[i] = str(v)
    return texts, numbers, booleans


def _render_column(values: list[Any], letter: str, xf: int, number: pl.Series,
                   override: pl.Series) -> pl.Series:
    """The ``<c>`` elements of one column: escaped inline strings, numbers or blanks."""
    texts, numbers, booleans = _split(values)
    text = (pl.Series(texts, dtype=pl.String)
            .str.replace_all(_NOT_IN_XML, "\ufffd")
            .str.slice(0, MAX_CELL_CHARS)
            .str.replace_all(_EXCEL_ESCAPE, "_x005F_$1")
            .str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True))
    frame = pl.DataFrame({"t": text, "n": pl.Series(numbers, dtype=pl.String),
                          "b": pl.Series(booleans, dtype=pl.String), "r": number,
                          "s": override.fill_null(xf).cast(pl.String)})
    ref = pl.concat_str([pl.lit(f'<c r="{letter}'), pl.col("r"), pl.lit('" s="'), pl.col("s")])
    preserve = pl.col("t").str.contains(r"^\s|\s$")
    return frame.select(
        pl.when(pl.col("t").is_not_null()).then(pl.concat_str([
            ref, pl.lit('" t="inlineStr"><is><t'),
            pl.when(preserve).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit("")),
            pl.lit(">"), pl.col("t"), pl.lit("</t></is></c>")]))
        .when(pl.col("n").is_not_null()).then(pl.concat_str([
            ref, pl.lit('"><v>'), pl.col("n"), pl.lit("</v></c>")]))
        .when(pl.col("b").is_not_null()).then(pl.concat_str([
            ref, pl.lit('" t="b"><v>'), pl.col("b"), pl.lit("</v></c>")]))
        .otherwise(pl.concat_str([ref, pl.lit('"/>')]))
    ).to_series()


class Sheet(Worksheet):  # type: ignore[misc]
    """An xlsxwriter worksheet that also takes :class:`Rows` blocks, written in their place
    among the rows written cell by cell when the workbook is closed."""

    #: Write the blocks through xlsxwriter cell by cell instead (the reference the block
    #: rendering is tested against; slow).
    by_cell = False

    def __init__(self) -> None:
        super().__init__()
        self._blocks: list[Rows] = []
        self._pending = 0

    def rows(self, first_row: int, formats: Sequence[Format]) -> Rows:
        """A new block of rows from ``first_row``, one format per column."""
        if any(b.first_row <= first_row < b.end or first_row < b.first_row
               for b in self._blocks):
            raise ValueError(f"row {first_row} is not after the sheet's last block")
        block = Rows(first_row, formats)
        self._blocks.append(block)
        return block

    def _assemble_xml_file(self) -> None:
        taken = {r for r, cells in self.table.items() if cells} | set(self.row_info)
        for block in self._blocks:
            clash = sorted(r for r in taken if block.first_row <= r < block.end)
            if clash:
                raise ValueError(f"row {clash[0] + 1} is written both cell by cell and in a block")
            if not len(block):
                continue
            for row, col in ((block.first_row, 0), (block.end - 1, len(block.formats) - 1)):
                if self._check_dimensions(row, col):
                    raise ValueError(f"row {row + 1} is beyond what a sheet holds")
            self.merge.extend([list(m) for m in block.merges])
        self._pending = 0
        super()._assemble_xml_file()

    def write_blocks_by_cell(self) -> None:
        """Write the blocks through xlsxwriter's own cell writer (before the workbook is
        closed: its shared strings are written before the sheets)."""
        for block in self._blocks:
            self._write_by_cell(block)
        self._blocks = []

    def _write_by_cell(self, block: Rows) -> None:
        for i, row in enumerate(range(block.first_row, block.end)):
            values, fmt = block.row_values(i)
            for col, value in enumerate(values):
                write_cell(self, row, col, value, fmt or block.formats[col])
            height = block.height_of(row)
            if height is not None:
                self.set_row(row, height)
        for first_row, first_col, last_row, last_col in block.merges:
            self.merge.append([first_row, first_col, last_row, last_col])

    def _flush_blocks(self, before: int | None) -> None:
        while self._pending < len(self._blocks) and (
                before is None or self._blocks[self._pending].first_row < before):
            self.fh.write(self._blocks[self._pending].render())
            self._pending += 1

    def _write_row(self, row: int, spans: str | None, row_info: Any = None,
                   empty_row: bool = False) -> None:
        self._flush_blocks(row)
        super()._write_row(row, spans, row_info, empty_row)

    def _write_rows(self) -> None:
        super()._write_rows()
        self._flush_blocks(None)


class SafeWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """A workbook whose sheets are :class:`Sheet` s."""

    worksheet_class = Sheet

    def close(self) -> None:
        """Close the workbook (with every block written by cell in the reference mode)."""
        if Sheet.by_cell:
            for ws in self.worksheets():
                ws.write_blocks_by_cell()
        super().close()
