"""Read a whole scenario from one Excel workbook (SCENARIO.md "The same scenario as one
workbook").

Sheets are named as the file stems (``scenario``, ``units``, ``candidates``, ``quotas``,
``limits``, ``staff``, ``authority_decisions``; optional ``awards`` and ``award_levels``) or
in Vietnamese ("Ứng viên", "Chỉ tiêu", …). Headers are the contract's English names or
Vietnamese: the wording of Mẫu số 06 (Decree 115/2020) where the form has one — "Họ và
tên", "Ngày tháng năm sinh" or a "Nam" and a "Nữ" column holding the birth date or an
"x", "Dân tộc", "Mã số chức danh nghề nghiệp hiện giữ" … — and natural Vietnamese for the
other columns. A sheet may carry title rows above its header, a two-row header with merged
group cells, a numbering row "(1) (2) …" and a signature block below the table, as the
official forms do.

Cells may be text, numbers or Excel dates; dates may be written dd/mm/yyyy or ISO; a birth
date may be a bare year (the core treats it as incomplete and escalates rather than guess);
ratings, education levels, booleans, sex, titles, units and awards may be written in words.
Everything is converted to the contract's text form so that
:func:`allocator.io.validate.validate` checks it exactly as it checks CSV files. Sheet names,
headers and the spellings of values come from :mod:`models.schema` and
:mod:`models.vocabulary`.

A cell that cannot be read is reported with its sheet, row and column, in Vietnamese and
English, and nothing is decided. Values are read with fastexcel (Rust calamine) and
converted column-wise with polars; the sheet XML is scanned once for error cells (#N/A,
#DIV/0! …), which calamine would otherwise turn into empty cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import fastexcel
import polars as pl

from allocator.io import rulesets
from allocator.io.parse import map_distinct, safely
from allocator.io.raw import (
    MERGED_LABEL,
    RawScenario,
    RawTable,
    check_input_file,
    merge_tables,
)
from allocator.io.validate import round_settings
from models import awards as award_names
from models import ethnic, levels_schema, schema, vocabulary
from models.errors import Collector, InputError, Problem
from models.ruleset import RuleSet
from models.scenario import RoundSettings
from models.schema import Kind
from models.text import fold
from models.title_levels import catalogue

SHEET_WORD_VI = "trang tính"
HEADER_SCAN_ROWS = 25
#: A sheet not named as a table is a candidate list when one header row names this many
#: candidate columns (the name or the id among them).
LIST_MIN_HEADERS = 3
#: Frame columns holding what a unit's list has beyond the contract (and the degree as
#: written), by position: kept as text for the documents, never validated.
EXTRA = "__x"
MAX_ROWS_REPORTED = 5
#: A workbook is refused, before anything is unpacked, when its parts would unpack to more
#: than this (a 1.7 MB "zip bomb" can unpack to gigabytes), or has more parts than this.
MAX_UNZIPPED_BYTES = 512 << 20
MAX_PARTS = 10_000
#: Excel's own limit of rows in a sheet; a sheet said to have more is refused.
MAX_SHEET_ROWS = 1_048_576
#: Every table a workbook may hold: the schema's and the positions of a level round.
_POSITIONS_EXTRA: tuple[schema.Table, ...] = (
    () if any(t.name == levels_schema.POSITIONS.name for t in schema.TABLES)
    else (levels_schema.POSITIONS,))
ALL_TABLES = (*schema.TABLES, *_POSITIONS_EXTRA)
#: The folder's tables, and the workbook-only sheets of awards, read in this order.
SHEET_TABLES = tuple(t for t in ALL_TABLES if not t.key_value)
#: The tables a scenario folder has as files.
FOLDER_TABLES = (*schema.FOLDER_TABLES, *_POSITIONS_EXTRA)
_TABLE_OF = {t.name: t for t in ALL_TABLES}


def _spec(table: str) -> schema.Table:
    return _TABLE_OF[table]


def _level_columns(table: str) -> tuple[schema.Column, ...]:
    """Columns a sheet of ``table`` may carry in a level round besides the title round's."""
    spec = _spec(table)
    return tuple(c for c in levels_schema.LEVEL_COLUMNS.get(table, ()) if not spec.has(c.name))


@functools.lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    """Comparison form of a header: folded, punctuation as spaces ('Họ và tên' → 'ho va ten')."""
    return " ".join(re.sub(r"[^a-z0-9&]+", " ", fold(text).replace("_", " ")).split())


def _vocabulary(table: str) -> dict[str, str]:
    """Header key → column name for one table: the contract's names and the schema's
    Vietnamese headers (and the extra columns a sheet may carry: Mẫu 06's Nam / Nữ, TT)."""
    spec = _spec(table)
    vocab: dict[str, str] = {}
    for column in (*spec.columns, *spec.sheet_columns,
                   *levels_schema.LEVEL_COLUMNS.get(table, ())):
        if not column.name.startswith("__"):
            vocab[header_key(column.name)] = column.name
        for name in column.headers_vi:
            vocab.setdefault(header_key(name), column.name)
    return vocab


def _match_header(text: str, vocab: dict[str, str]) -> str | None:
    """The column a header names: the whole header, without a parenthesis, or inside it;
    then without a year or a date ("Xếp loại chất lượng năm 2024", "… đến 31/12/2024");
    then the longest known header of two words or more that the header starts with (extra
    words: "Họ và tên viên chức")."""
    whole = header_key(text)
    if whole in vocab:
        return vocab[whole]
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", text.strip(), re.S)
    if m:
        for part in (m.group(1), m.group(2)):
            if header_key(part) in vocab:
                return vocab[header_key(part)]
    bare = " ".join(_DATED.sub(" ", " " + whole + " ").split())
    if bare in vocab:
        return vocab[bare]
    words = bare.split()
    for n in range(len(words) - 1, 1, -1):
        prefix = " ".join(words[:n])
        if prefix in vocab:
            return vocab[prefix]
    return None


#: A year or a date inside a header, with the words that introduce it ("năm 2024", "tính
#: đến ngày 31/12/2024"), as :func:`header_key` writes them.
_DATED = re.compile(r"(?: (?:tinh )?(?:den|tu)?(?: ngay)?(?: \d{1,2}){0,2} (?:19|20)\d\d"
                    r"| nam (?:19|20)\d\d| (?:19|20)\d\d)(?= )")


# ---------------------------------------------------------------------------------------------
# The xlsx file: values (fastexcel), cell offsets and error cells (sheet XML)
# ---------------------------------------------------------------------------------------------

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_VALUED_CELL = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<(?:v|is)\b')
_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")


def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells as text: ``frame`` columns c0, c1, … are spreadsheet columns
    ``first_col`` onward; row i of the frame is spreadsheet row ``first_row + i``."""

    name: str
    frame: pl.DataFrame
    first_row: int  # 1-based
    first_col: int  # 0-based
    errors: tuple[tuple[int, int, str], ...]  # (row 1-based, column 0-based, text)


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside the archive."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    paths = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        rid = sheet.get(f"{{{_NS['r']}}}id")
        path = target.get(rid, "")
        path = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
        paths[sheet.get("name", "")] = path
    return paths


def _scan(xml: bytes) -> tuple[int, int, tuple[tuple[int, int, str], ...]]:
    """First valued row (1-based) and column (0-based) of a sheet, and its error cells."""
    refs = _VALUED_CELL.findall(xml)
    first_row = min((int(r) for _c, r in refs), default=1)
    first_col = min((_column_index(c.decode()) for c in {c for c, _r in refs}), default=0)
    errors: list[tuple[int, int, str]] = []
    if b't="e"' in xml:
        for attrs, body in _ERROR_CELL.findall(xml):
            ref = _REF.search(attrs)
            value = _ERROR_VALUE.search(body)
            if ref:
                errors.append((int(ref.group(2)), _column_index(ref.group(1).decode()),
                               value.group(1).decode() if value else "#ERROR"))
    return first_row, first_col, tuple(errors)


def check_archive(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse a workbook that would unpack to too much (sizes as its directory says; the
    reading below never unpacks more than a part's stated size)."""
    parts = archive.infolist()
    total = sum(info.file_size for info in parts)
    if len(parts) > MAX_PARTS or total > MAX_UNZIPPED_BYTES:
        raise InputError.one(
            label, None, None,
            f"tệp Excel giải nén ra quá lớn ({total:,} byte, {len(parts):,} phần; tối đa "
            f"{MAX_UNZIPPED_BYTES:,} byte, {MAX_PARTS:,} phần)",
            f"the Excel file unpacks to too much ({total:,} bytes, {len(parts):,} parts; at "
            f"most {MAX_UNZIPPED_BYTES:,} bytes, {MAX_PARTS:,} parts)")


def _too_many_rows(label: str, sheet: str) -> InputError:
    return InputError.one(f"{label}: {_sheet_label(sheet)}", None, None,
                          f"trang tính có hơn {MAX_SHEET_ROWS:,} dòng",
                          f"the sheet has more than {MAX_SHEET_ROWS:,} rows")


def open_workbook(path: Path) -> dict[str, Sheet]:
    """Every sheet of an .xlsx file as text cells, with positions and error cells."""
    label = path.name
    if not path.exists():
        raise InputError.one(str(path), None, None, "không tìm thấy tệp", "file not found")
    check_input_file(path, label)
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(archive, label)
            parts = _sheet_paths(archive)
            xml = {name: archive.read(p) if p in archive.namelist() else b""
                   for name, p in parts.items()}
        reader = fastexcel.read_excel(path)
        sheets: dict[str, Sheet] = {}
        for name in reader.sheet_names:
            frame = reader.load_sheet(name, header_row=None, dtypes="string",
                                      n_rows=MAX_SHEET_ROWS + 1).to_polars()
            if frame.height > MAX_SHEET_ROWS:
                raise _too_many_rows(label, name)
            frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
            first_row, first_col, errors = _scan(xml.get(name, b""))
            sheets[name] = Sheet(name, frame, first_row, first_col, errors)
    except InputError:
        raise
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise InputError.one(label, None, None, f"không đọc được tệp Excel (.xlsx): {exc}",
                             f"cannot read the Excel (.xlsx) file: {exc}") from None
    except BaseException as exc:  # fastexcel raises its own error types for damaged files
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # Ctrl-C, SIGTERM, exit: not the file's fault
        # A Rust panic (e.g. a date cell beyond chrono's range) is a damaged file too; its
        # text is Rust's, not the file's content.
        raise InputError.one(label, None, None, f"không đọc được tệp Excel (.xlsx): {exc}",
                             f"cannot read the Excel (.xlsx) file: {exc}") from None
    return sheets


def _sheet_label(name: str) -> str:
    return f"{name} ({SHEET_WORD_VI}/sheet)"


def find_sheets(sheets: Iterable[str]) -> dict[str, str]:
    """Table → sheet name, by the stem or a Vietnamese name (case and diacritics ignored)."""
    by_key = {header_key(s): s for s in sheets}
    found: dict[str, str] = {}
    for table in ALL_TABLES:
        for name in table.sheet_names:
            if header_key(name) in by_key:
                found[table.name] = by_key[header_key(name)]
                break
    return found


# ---------------------------------------------------------------------------------------------
# One table sheet: header detection and typed conversions
# ---------------------------------------------------------------------------------------------


class _TableSheet:
    """A sheet being read as one table: named columns, spreadsheet rows, problems."""

    def __init__(self, table: str, sheet: Sheet, problems: Collector) -> None:
        self.table = table
        self.sheet = sheet
        self.label = _sheet_label(sheet.name)
        self.problems = problems
        self.headers: dict[str, str] = {}  # column → header as written
        self.frame = pl.DataFrame()
        self.rows = pl.Series("__row", [], pl.Int64)
        self.first_data_row = sheet.first_row
        self.header_row = sheet.first_row  # the (first) header row, 1-based
        #: rows not read as the table's rows: (row, its text, why in Vietnamese, English)
        self.skipped: list[tuple[int, str, str, str]] = []
        self.seen_headers: list[str] = []  # the header row's cells as written
        self.has_numbering = False  # a row "(1) (2) …" under the header
        self.award_texts: dict[int, str] = {}  # row → the award as written, when in words
        self.extra_headers: dict[str, str] = {}  # frame column → the unit's own header
        self._read()

    # -- reporting --------------------------------------------------------------------------
    def where(self, column: str) -> str:
        written = self.headers.get(column, column)
        if column.startswith("__") or header_key(written) == header_key(column):
            return written
        return f"{written} ({column})"

    def report(self, mask: pl.Series, column: str, vi: str, en: str,
               values: pl.Series | None = None) -> None:
        idx = mask.fill_null(False).arg_true()
        for i in idx.head(MAX_ROWS_REPORTED).to_list():
            shown = ""
            if values is not None and values[i] is not None:
                shown = f" '{values[i]}'"
            self.problems.add(self.label, int(self.rows[i]), self.where(column), vi + shown,
                              en + shown)
        if len(idx) > MAX_ROWS_REPORTED:
            n = len(idx) - MAX_ROWS_REPORTED
            self.problems.add(self.label, None, self.where(column), f"… và {n} dòng khác cùng lỗi",
                              f"… and {n} more rows with the same problem")

    # -- layout -----------------------------------------------------------------------------
    def _read(self) -> None:
        sheet = self.sheet
        frame = sheet.frame
        if frame.height == 0:
            self.problems.add(self.label, None, None, "trang tính rỗng, thiếu dòng tiêu đề",
                              "the sheet is empty: the header row is missing")
            return
        vocab = _vocabulary(self.table)
        cells = frame.head(HEADER_SCAN_ROWS).rows()
        scores = [sum(1 for v in row if v is not None and _match_header(v, vocab))
                  for row in cells]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        if scores[best] == 0:
            self.problems.add(self.label, None, None,
                              "không tìm thấy dòng tiêu đề (tên cột) của bảng",
                              "no header row (column names) found")
            return
        # A two-row header (merged group cells above sub-columns, as in Mẫu 06): the best
        # row may be either of the two.
        if best > 0 and scores[best - 1] and self._is_subheader(cells[best - 1], cells[best],
                                                                  vocab):
            best -= 1
        top = list(cells[best])
        names: list[str | None] = [_match_header(v, vocab) if v else None for v in top]
        written: list[str | None] = list(top)
        start = best + 1
        if start < len(cells) and self._is_subheader(top, cells[start], vocab):
            for i, v in enumerate(cells[start]):
                if v is not None:
                    names[i] = _match_header(v, vocab)
                    written[i] = v
            start += 1
        if start < len(cells) and _is_numbering(cells[start]):
            start += 1
            self.has_numbering = True
        self.first_data_row = sheet.first_row + start
        self.header_row = sheet.first_row + best
        self.seen_headers = [" ".join(str(v).split()) for v in top if v is not None]
        seen: dict[str, int] = {}
        columns: dict[str, pl.Series] = {}
        for i, name in enumerate(names):
            if name is None:
                if self.table == "candidates" and written[i] is not None:
                    # a column of the unit's own (salary coefficient, position …): kept as
                    # written, for the regenerated Mẫu 06
                    self.extra_headers[f"{EXTRA}{i}"] = " ".join(str(written[i]).split())
                    columns[f"{EXTRA}{i}"] = frame[f"c{i}"]
                continue
            if name in seen:
                self.problems.add(self.label, sheet.first_row + best,
                                  f"{written[i]} ({column_letter(sheet.first_col + i)})",
                                  f"hai cột cùng nghĩa '{name}' (cột "
                                  f"{column_letter(sheet.first_col + seen[name])} và "
                                  f"{column_letter(sheet.first_col + i)})",
                                  f"two columns mean '{name}'")
                continue
            seen[name] = i
            self.headers[name] = " ".join(str(written[i]).split())
            columns[name] = frame[f"c{i}"]
        body = pl.DataFrame(columns).with_columns(
            pl.Series("__row", range(sheet.first_row, sheet.first_row + frame.height),
                      pl.Int64)
        ).slice(start)
        body = body.with_columns(
            pl.col(c).str.strip_chars().replace("", None) for c in body.columns if c != "__row"
        )
        data_cols = [c for c in body.columns if c != "__row" and not c.startswith(EXTRA)]
        if data_cols:
            body = body.filter(pl.any_horizontal(pl.col(data_cols).is_not_null()))
        body = self._drop_footer(body, frame)
        self.frame = body.drop("__row")
        self.rows = body["__row"]
        self._error_cells(seen)

    @staticmethod
    def _is_subheader(top: tuple[Any, ...] | list[Any], row: tuple[Any, ...],
                      vocab: dict[str, str]) -> bool:
        """A second header row: it names a column under an empty (merged) cell of the first."""
        return any(v is not None and top[i] is None and _match_header(v, vocab)
                   for i, v in enumerate(row))

    def _drop_footer(self, body: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
        """Skip what is not a row of the table: total rows, notes and a signature block (with
        the names under it), wherever they are; then rows below an empty row after the last
        row with a key. Every skipped row is kept in ``skipped`` with the reason."""
        if body.height == 0:
            return body
        drop: dict[int, tuple[str, str, str]] = {}
        in_signature = False
        previous = -2
        for position, r in self._suspects(body, frame):
            cells = [v.strip() for v in frame.row(r - self.sheet.first_row)
                     if v is not None and v.strip()]
            if position != previous + 1:
                in_signature = False  # a row of the table came in between
            previous = position
            kind = footer_kind(cells)
            if in_signature and len(cells) <= SIGNATURE_MAX_CELLS:
                kind = kind or "signature"
            elif kind is None:
                in_signature = False
            if kind is not None:
                in_signature = in_signature or kind == "signature"
                drop[r] = (" | ".join(cells), *FOOTER_REASONS[kind])
        body = body.filter(~pl.col("__row").is_in(sorted(drop)))
        self.skipped.extend((r, *drop[r]) for r in sorted(drop))
        key_col = _spec(self.table).row_key
        if key_col == "candidate_id" and key_col not in body.columns:
            key_col = "full_name" if "full_name" in body.columns else "__tt"
        if key_col is None or key_col not in body.columns or body.height == 0:
            return body
        keyed = body.filter(pl.col(key_col).is_not_null())
        if keyed.height == 0:
            return body
        last = int(keyed["__row"].max())  # type: ignore[arg-type]
        after = body.filter(pl.col("__row") > last)
        if after.height == 0:
            return body
        # An entirely empty spreadsheet row between the table and the rest marks a footer.
        first_after = int(after["__row"].min())  # type: ignore[arg-type]
        gap = frame.slice(last - self.sheet.first_row + 1, first_after - last - 1)
        if gap.height and gap.null_count().sum_horizontal()[0] == gap.height * gap.width:
            for r in after["__row"].to_list():
                cells = [v.strip() for v in frame.row(r - self.sheet.first_row)
                         if v is not None and v.strip()]
                self.skipped.append((r, " | ".join(cells), *FOOTER_REASONS["below"]))
            return body.filter(pl.col("__row") <= last)
        return body

    def _suspects(self, body: pl.DataFrame, frame: pl.DataFrame) -> list[tuple[int, int]]:
        """(position in ``body``, spreadsheet row) of the rows that may be outside the table:
        few cells filled in the whole sheet row, or a first cell that may open a total row."""
        texts = [pl.col(c).str.strip_chars().replace("", None) for c in frame.columns]
        marks = frame.select(
            pl.sum_horizontal(t.is_not_null() for t in texts).alias("n"),
            pl.coalesce(texts).str.to_lowercase().alias("first"),
        ).with_row_index("i")
        marks = marks.filter(
            (pl.col("n") <= SIGNATURE_MAX_CELLS)
            | pl.col("first").str.contains(r"^(?:t.{1,3}ng|c.{1,3}ng)")
        )
        offsets = set((marks["i"] + self.sheet.first_row).to_list())
        rows = body["__row"].to_list()
        return [(i, r) for i, r in enumerate(rows) if r in offsets]

    def _error_cells(self, seen: dict[str, int]) -> None:
        """Cells holding an Excel error (#N/A, #DIV/0!, #REF! …) in a column that is read."""
        if not self.sheet.errors:
            return
        col_of = {self.sheet.first_col + i: name for name, i in seen.items()}
        for row, col, text in self.sheet.errors:
            if row >= self.first_data_row and col in col_of:
                self.problems.add(self.label, row, self.where(col_of[col]),
                                  f"ô chứa lỗi công thức Excel '{text}', không đọc được",
                                  f"the cell holds an Excel error '{text}' and cannot be read")

    # -- typed conversions (results are contract text) --------------------------------------
    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def col(self, column: str) -> pl.Series:
        if self.has(column):
            return self.frame[column]
        return pl.Series(column, [None] * self.frame.height, pl.Utf8)

    def put(self, column: str, values: pl.Series) -> None:
        self.frame = self.frame.with_columns(values.alias(column))

    def convert(self, column: str, fn: Callable[[str], str | None], what_vi: str,
                what_en: str) -> None:
        """Map each distinct value through ``fn`` (None or an exception = unreadable)."""
        if not self.has(column):
            return
        raw = self.col(column)
        converted = map_distinct(raw, fn, pl.Utf8())
        self.report(raw.is_not_null() & converted.is_null(), column,
                    f"không đọc được giá trị, cần {what_vi}",
                    f"unreadable value, expected {what_en}", raw)
        self.put(column, converted)

    def dates(self, column: str, *, birth: bool = False) -> None:
        if not self.has(column):
            return
        raw = self.col(column)
        parsed = pl.select(date_text(pl.lit(raw), birth=birth)).to_series()
        if birth:
            vi = "ngày sinh dd/mm/yyyy (hoặc chỉ năm yyyy, tháng mm/yyyy)"
            en = "a birth date dd/mm/yyyy (or a bare year yyyy, or mm/yyyy)"
        else:
            vi, en = "ngày dạng dd/mm/yyyy", "a date dd/mm/yyyy"
        self.report(raw.is_not_null() & parsed.is_null(), column,
                    f"không đọc được ngày, cần {vi}", f"unreadable date, expected {en}", raw)
        self.put(column, parsed)

    def extra_cells(self) -> dict[int, dict[str, str]]:
        """Row → the unit's own columns (header as written → cell text), where filled."""
        out: dict[int, dict[str, str]] = {}
        if not self.extra_headers:
            return out
        cols = [c for c in self.extra_headers if c in self.frame.columns]
        for r, *values in zip(self.rows.to_list(), *[self.frame[c].to_list() for c in cols],
                              strict=True):
            cells = {self.extra_headers[c]: str(v) for c, v in zip(cols, values, strict=True)
                     if v is not None}
            if cells:
                out[int(r)] = cells
        return out

    def frame_for_core(self) -> pl.DataFrame:
        """All-text frame with ``__row``, as :class:`allocator.io.raw.RawTable` expects."""
        frame = self.frame.select([c for c in self.frame.columns if not c.startswith("__")])
        return frame.with_columns(self.rows.alias("__row")).select(
            "__row", *[pl.col(c).cast(pl.Utf8) for c in frame.columns])


#: A signature block's rows hold few cells (a title, "(Ký tên, đóng dấu)", a name, left and
#: right); a row with more is a row of the table.
SIGNATURE_MAX_CELLS = 3
_TOTAL = re.compile(r"^(?:tong cong|tong so|cong|tong)(?: \d.*| nguoi.*| so .*| cong .*)?$")
_NOTE = re.compile(r"^(?:ghi chu|luu y|chu thich|chu y|nguon)(?: .*)?$")
_SIGNATURE = re.compile(
    r"^(?:nguoi lap(?: bieu)?|ky(?: va)?(?: ghi ro)?(?: ho)? ten|ky dong dau|dong dau|"
    r"thu truong|giam doc|pho giam doc|chu tich|pho chu tich|truong phong|ke toan|"
    r"xac nhan|noi nhan|hieu truong|vien truong)(?: .*)?$|^(?:tm|kt|tl|tuq|q) \S")
_DATE_LINE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")
FOOTER_REASONS = {
    "total": ("dòng tổng cộng", "a total row"),
    "note": ("dòng ghi chú", "a note"),
    "signature": ("khối chữ ký", "the signature block"),
    "below": ("dưới bảng, sau một dòng trống, không có mã", "below the table after an empty "
              "row, without an id"),
}


def footer_kind(cells: list[str]) -> str | None:
    """What a row outside the table is, by its cells as written: 'total' ("Tổng cộng: 09
    người", "Cộng", "Tổng số"), 'note' ("Ghi chú: …", "* …") or 'signature' ("Người lập
    biểu", "(Ký tên, đóng dấu)", "THỦ TRƯỞNG ĐƠN VỊ", "….., ngày … tháng … năm …");
    None for a row of the table."""
    if not cells:
        return None
    first = header_key(cells[0])
    if _TOTAL.match(first):
        return "total"
    if len(cells) <= SIGNATURE_MAX_CELLS:
        if _NOTE.match(first) or cells[0].startswith("*") or cells[0].startswith("(*)"):
            return "note"
        if any(_SIGNATURE.match(header_key(c)) or _DATE_LINE.search(header_key(c))
               for c in cells):
            return "signature"
    return None


def _is_numbering(row: tuple[Any, ...]) -> bool:
    """The row "(1) (2) (3) …" (or 1 2 3 …) that official forms put under the header."""
    values = [v.strip() for v in row if v is not None and v.strip()]
    if len(values) < 2:
        return False
    if all(re.fullmatch(r"\(\d+\)", v) for v in values):
        return True
    digits = [v for v in values if re.fullmatch(r"\d+", v)]
    return len(digits) == len(values) and [int(v) for v in digits] == list(
        range(int(digits[0]), int(digits[0]) + len(digits)))


# ---------------------------------------------------------------------------------------------
# Value conversions (vectorised where the input can be large)
# ---------------------------------------------------------------------------------------------


def date_text(expr: pl.Expr, *, birth: bool = False) -> pl.Expr:
    """ISO text of a date written as an Excel date, ISO (with or without a time), or
    d/m/yyyy (also with '-' or '.'); with ``birth``, also a bare year or m/yyyy.

    Null where the text is not a valid date.
    """
    s = expr.cast(pl.Utf8).str.strip_chars()
    iso = s.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", 1)
    dmy = s.str.extract_groups(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
    from_dmy = pl.concat_str([dmy.struct.field("3"), dmy.struct.field("2").str.zfill(2),
                              dmy.struct.field("1").str.zfill(2)], separator="-")
    iso_parts = iso.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    from_iso = pl.concat_str([iso_parts.struct.field("1"),
                              iso_parts.struct.field("2").str.zfill(2),
                              iso_parts.struct.field("3").str.zfill(2)], separator="-")
    full = pl.coalesce(from_iso, from_dmy)
    valid = full.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    result: pl.Expr = pl.when(valid).then(full)
    if birth:
        year = s.str.extract(r"^(\d{4})(?:\.0+)?$", 1)
        my = s.str.extract_groups(r"^(\d{1,2})[/.\-](\d{4})$")
        month = my.struct.field("1").cast(pl.Int64, strict=False)
        from_my = pl.when(month.is_between(1, 12)).then(
            pl.concat_str([my.struct.field("2"), my.struct.field("1").str.zfill(2)],
                          separator="-"))
        ym = s.str.extract_groups(r"^(\d{4})-(\d{1,2})$")
        ym_month = ym.struct.field("2").cast(pl.Int64, strict=False)
        from_ym = pl.when(ym_month.is_between(1, 12)).then(
            pl.concat_str([ym.struct.field("1"), ym.struct.field("2").str.zfill(2)],
                          separator="-"))
        year_ok = year.cast(pl.Int64, strict=False).is_between(1900, 2100)
        result = (pl.when(valid).then(full).when(year_ok).then(year)
                  .otherwise(pl.coalesce(from_my, from_ym)))
    return result


def _bool_word(value: str, *, exempt: bool = False) -> str:
    """'true' or 'false' for a yes/no cell in words ("Có", "Đạt", "✓", "Chưa" …); with
    ``exempt``, "Miễn …" is yes. KeyError when the words mean neither."""
    if exempt and any(f.split()[:1] == [vocabulary.EXEMPT_PREFIX]
                      for f in vocabulary.sheet_forms(value)):
        return "true"
    code = vocabulary.YES_NO.sheet_code_of(value)
    if code is None:
        raise KeyError(value)
    return code


def _title_lookup(rs: RuleSet) -> dict[str, str]:
    """Folded code or Vietnamese/English title name → title code."""
    table: dict[str, str] = {}
    for t in rs.titles:
        table[_code_key(t.code)] = t.code
        table[header_key(t.name_vi)] = t.code
        table[header_key(t.name_en)] = t.code
    return table


def _code_key(text: str) -> str:
    return re.sub(r"[\s.]+", "", fold(text))


def _map_title(value: str, table: dict[str, str]) -> str:
    return table.get(_code_key(value)) or table.get(header_key(value)) or value


@cache
def _position_lookup() -> dict[str, str]:
    """Folded catalogue code or name → position code (names that only one position has)."""
    names: dict[str, list[str]] = {}
    for p in catalogue().values():
        names.setdefault(header_key(p.name), []).append(p.code)
    table = {k: v[0] for k, v in names.items() if len(v) == 1}
    table |= {_code_key(code): code for code in catalogue()}
    return table


def _map_position(value: str) -> str:
    """A job position as its catalogue code where the workbook names it by code or name;
    anything else as written, for the validation to judge (a user's rule set may add
    positions)."""
    table = _position_lookup()
    return table.get(_code_key(value)) or table.get(header_key(value)) or value


def _unit_names(ids: pl.Series, names: pl.Series) -> dict[str, str]:
    """Folded unit name → unit id, for names that only one unit has."""
    frame = pl.DataFrame({"id": ids, "name": map_distinct(names, header_key, pl.Utf8())})
    frame = frame.drop_nulls()
    unique = frame.filter(pl.col("name").is_unique())
    return dict(unique.select("name", "id").iter_rows())


def _map_unit(value: str, ids: set[str], names: dict[str, str]) -> str:
    if value in ids:
        return value
    return names.get(header_key(value), value)


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def _read_settings(sheet: Sheet, problems: Collector) -> dict[str, Any]:
    """The ``scenario`` sheet: one setting per row, key in the first column, value next."""
    label = _sheet_label(sheet.name)
    frame = sheet.frame
    vocab = {header_key(c.name): c.name for c in schema.SETTINGS.columns}
    for c in schema.SETTINGS.columns:
        for n in c.headers_vi:
            vocab[header_key(n)] = c.name
    for n in levels_schema.TRANSITIONAL_BASIS_VI:
        vocab.setdefault(header_key(n), "transitional_basis")
    header_words = {header_key(w) for w in (*schema.SETTINGS_KEY_HEADERS_VI,
                                            *schema.SETTINGS_VALUE_HEADERS_VI)}
    header_words |= {"key", "value"}
    settings: dict[str, Any] = {}
    rows = frame.rows()
    key_col = 0
    value_col = 1
    start = 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        words = [header_key(v) if v else "" for v in row]
        if sum(1 for w in words if w in header_words) >= 2:
            key_col = next(j for j, w in enumerate(words) if w in header_words)
            value_col = next(j for j, w in enumerate(words) if w in header_words and j > key_col)
            start = i + 1
            break
    errors = {(r, c): t for r, c, t in sheet.errors}
    for i, row in enumerate(rows[start:], start=start):
        if key_col >= len(row) or value_col >= len(row):
            continue
        name, value = row[key_col], row[value_col]
        if name is None or not name.strip():
            continue
        row_no = sheet.first_row + i
        setting = vocab.get(header_key(name), name.strip())
        error = errors.get((row_no, sheet.first_col + value_col))
        if error is not None:
            problems.add(label, row_no, "value", f"ô chứa lỗi công thức Excel '{error}'",
                         f"the cell holds an Excel error '{error}'")
            continue
        if value is None or not value.strip():
            continue
        if setting.startswith(PLAN_PREFIX):
            key = setting.removeprefix(PLAN_PREFIX)
            plan_value = _plan_value(key, value.strip())
            if plan_value is None:
                problems.add(label, row_no, f"value ({setting})",
                             f"không đọc được giá trị '{value}'", f"unreadable value '{value}'")
            else:
                settings.setdefault("plan", {})[key] = plan_value
            continue
        converted = _setting_value(setting, value.strip())
        if converted is None:
            problems.add(label, row_no, f"value ({setting})",
                         f"không đọc được giá trị '{value}'", f"unreadable value '{value}'")
            continue
        settings[setting] = converted
    return settings


PLAN_PREFIX = "plan."
_PLAN_BOOLS = frozenset({"certificate_required", "competence_required", "discipline_bars",
                         "language_it_required"})


def _per_level(value: str, item: Callable[[str], Any]) -> dict[str, Any] | None:
    """'4: 36; 5: 72' (or '4=36, 5=72') → {"4": 36, "5": 72}; None when unreadable."""
    out: dict[str, Any] = {}
    for part in re.split(r"[;,\n]", value):
        if not part.strip():
            continue
        m = re.fullmatch(r"\s*(?:bậc\s*)?([1-5])\s*[:=]\s*(.+?)\s*", part, re.I)
        converted = safely(item, m.group(2)) if m else None
        if m is None or converted is None:
            return None
        out[m.group(1)] = converted
    return out or None


def _whole(value: str) -> int:
    m = re.fullmatch(r"(\d+)(?:\.0+)?", value.strip())
    if m is None:
        raise ValueError(value)
    return int(m.group(1))


def _plan_value(key: str, value: str) -> Any:
    """A ``plan.<key>`` row of the scenario sheet as scenario.toml's ``[plan]`` holds it
    (None when unreadable); a key the plan does not know keeps its text, for the
    validation to refuse."""
    if key == "min_months_at_level":
        whole = safely(_whole, value)
        return whole if whole is not None else _per_level(value, _whole)
    if key == "min_rating":
        return vocabulary.RATING.sheet_code_of(value)
    if key == "priority":
        items = [p.strip() for p in re.split(r"[;,\n]", value) if p.strip()]
        return items or None
    if key == "degree_min":
        return _per_level(value, lambda v: vocabulary.EDUCATION.sheet_code_of(v) or None)
    if key in _PLAN_BOOLS:
        return safely(lambda v: _bool_word(v) == "true", value)
    return value


def _setting_value(setting: str, value: str) -> Any:
    """A setting's value from its cell, by the setting's kind (None when unreadable); a key
    the schema does not know keeps its text, for the validation to refuse."""
    if not schema.SETTINGS.has(setting):
        return value
    column = schema.SETTINGS.column(setting)
    if column.kind is Kind.date:
        text = pl.select(date_text(pl.lit(value))).item()
        return dt.date.fromisoformat(text) if text else None
    if column.kind is Kind.year:
        m = re.fullmatch(r"(\d{4})(?:\.0+)?", value)
        return int(m.group(1)) if m else None
    if column.kind is Kind.bool:
        return safely(lambda v: _bool_word(v) == "true", value)
    if column.kind is Kind.term:
        return vocabulary.VOCABULARIES[str(column.vocabulary)].sheet_code_of(value)
    if column.kind is Kind.number:
        return value.replace(",", ".").replace(" ", "")
    return value


# ---------------------------------------------------------------------------------------------
# The whole workbook
# ---------------------------------------------------------------------------------------------


def read_workbook(path: Path, *, lists_follow: bool = False) -> RawScenario:
    """Read a scenario workbook into the raw tables that :func:`validate` checks: every cell
    converted to the contract's text by its column's kind in the schema.

    Every candidate sheet is read (one per transition, say): a sheet named as the candidates
    table, or any other sheet whose header row names candidate columns. With
    ``lists_follow`` the workbook is a round's own (settings, units, quotas …) and the
    candidates may come from agency workbooks only (:func:`read_lists`)."""
    sheets = open_workbook(path)
    found = find_sheets(sheets)
    candidate_names = candidate_sheets(sheets, found)
    problems = Collector()
    for table in ALL_TABLES:
        if table is schema.CANDIDATES and (candidate_names or lists_follow):
            continue
        if table.required and table.name not in found:
            names = ", ".join(f"'{n}'" for n in table.sheet_names[:2])
            problems.add(path.name, None, None, f"thiếu trang tính {names}",
                         f"sheet {names} is missing")
    problems.raise_if_any()
    settings_sheet = sheets[found["scenario"]]
    settings = _read_settings(settings_sheet, problems)
    problems.raise_if_any()
    settings_label = _sheet_label(settings_sheet.name)
    # The rule set names titles and awards here; settings the round's model does not know
    # are left to the whole validation with the scenario, which refuses them.
    core = {k: v for k, v in settings.items() if k in RoundSettings.model_fields}
    rs = rulesets.for_round(round_settings(core, settings_label), path.parent,
                            settings_label)

    # An optional sheet left entirely empty counts as absent; a required one is an error.
    readers = {t.name: _TableSheet(t.name, sheets[found[t.name]], problems)
               for t in SHEET_TABLES if t.name in found and t is not schema.CANDIDATES
               and (t.required or sheets[found[t.name]].frame.height > 0)}
    units = readers["units"]
    refs = _References(set(units.col("unit_id").drop_nulls().to_list()),
                       _unit_names(units.col("unit_id"), units.col("name")), _title_lookup(rs),
                       award_names.AwardMatcher(
                           rs, _award_levels(readers.get("award_levels"), rs, problems)))
    for table in FOLDER_TABLES:
        if table.name in readers:
            _convert_sheet(readers[table.name], table, refs)
            _required_columns(readers[table.name], table)
    lists = [_TableSheet("candidates", sheets[n], problems) for n in candidate_names]
    for t in lists:
        _convert_sheet(t, schema.CANDIDATES, refs)
        _required_columns(t, schema.CANDIDATES)
    if "awards" in readers and lists:
        _apply_awards(readers["awards"], lists, refs.awards)
    problems.raise_if_any()
    tables = {t.name: RawTable(readers[t.name].label, readers[t.name].frame_for_core(),
                               dict(readers[t.name].headers))
              for t in FOLDER_TABLES if t.name in readers}
    raw = RawScenario(path, settings, settings_label, tables, path.parent,
                      notes=tuple(_notes(path.name, readers.values(), prefix=False)),
                      award_levels=tuple(refs.awards.extra))
    return _with_lists(raw, [(path.name, t) for t in lists])


def read_lists(raw: RawScenario, paths: Sequence[Path]) -> RawScenario:
    """The round ``raw`` (a folder or a round workbook) with the candidates of the agency
    workbooks ``paths`` (files, or folders of .xlsx files): every candidate sheet of each,
    read against the round's units, titles and awards. The same person in two lists (same
    id; or same name and birth date) is an error naming both places."""
    settings = round_settings(raw.settings, raw.settings_label)
    rs = rulesets.for_round(settings, raw.base_dir, raw.settings_label)
    units = raw.tables["units"].frame
    ids = units["unit_id"] if "unit_id" in units.columns else pl.Series([], dtype=pl.Utf8)
    names = units["name"] if "name" in units.columns else pl.Series([None] * len(ids),
                                                                    dtype=pl.Utf8)
    refs = _References(set(ids.drop_nulls().to_list()), _unit_names(ids, names),
                       _title_lookup(rs), award_names.AwardMatcher(rs, raw.award_levels))
    problems = Collector()
    lists: list[tuple[str, _TableSheet]] = []
    for file in list_files(paths, problems):
        if file == raw.source.resolve():
            continue  # the round workbook, in the folder of the lists
        sheets = open_workbook(file)
        chosen = candidate_sheets(sheets, find_sheets(sheets))
        if not chosen:
            problems.add(file.name, None, None,
                         "không có trang tính nào là danh sách ứng viên (cần dòng tiêu đề có "
                         "'Họ và tên', 'Ngày tháng năm sinh' …)",
                         "no sheet is a candidate list (a header row with 'Họ và tên', "
                         "'Ngày tháng năm sinh' … is expected)")
        for name in chosen:
            t = _TableSheet("candidates", sheets[name], problems)
            t.label = f"{file.name} › {t.label}"
            _convert_sheet(t, schema.CANDIDATES, refs)
            _required_columns(t, schema.CANDIDATES)
            lists.append((file.name, t))
    problems.raise_if_any()
    own = raw.tables.get("candidates")
    before = [(own, raw.origins)] if own is not None else []
    return _with_lists(raw, lists, before=before)


def list_files(paths: Sequence[Path], problems: Collector) -> list[Path]:
    """The agency workbooks: each file given, and every .xlsx file of a folder given (by
    name; Excel's lock files '~$…' aside), each once."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() == ".xlsx"
                            and not p.name.startswith("~$"))
            if not inside:
                problems.add(str(path), None, None, "thư mục không có tệp .xlsx nào",
                             "the folder holds no .xlsx file")
            files.extend(inside)
        elif not path.exists():
            problems.add(str(path), None, None, "không tìm thấy tệp", "file not found")
        elif path.suffix.lower() != ".xlsx":
            problems.add(path.name, None, None, "danh sách của đơn vị phải là tệp .xlsx",
                         "an agency list must be an .xlsx workbook")
        else:
            files.append(path)
    return list(dict.fromkeys(p.resolve() for p in files))


def candidate_sheets(sheets: dict[str, Sheet], found: dict[str, str]) -> list[str]:
    """The sheets that are candidate lists, in the workbook's order: the one named as the
    candidates table, and every sheet not named as another table whose header row names at
    least :data:`LIST_MIN_HEADERS` candidate columns, one of them the name or the id."""
    others = {v for k, v in found.items() if k != "candidates"}
    vocab = _vocabulary("candidates")
    chosen = []
    for name, sheet in sheets.items():
        if name in others:
            continue
        if found.get("candidates") == name:
            chosen.append(name)
            continue
        for row in sheet.frame.head(HEADER_SCAN_ROWS).rows():
            matched = {_match_header(v, vocab) for v in row if v is not None}
            matched.discard(None)
            if len(matched) >= LIST_MIN_HEADERS and matched & {"full_name", "candidate_id"}:
                chosen.append(name)
                break
    return chosen


@dataclass(frozen=True)
class ListLayout:
    """Where a candidate sheet's table is: header row (1-based) and how many header rows,
    the first and last data rows, the last used column (1-based), the columns it names."""

    sheet: str
    header_row: int
    header_rows: int
    first_data_row: int
    last_data_row: int
    last_column: int
    columns: tuple[str, ...]


def list_layout(path: Path) -> list[ListLayout]:
    """The layout of every candidate sheet of a unit's workbook (to add columns to it)."""
    sheets = open_workbook(path)
    layouts = []
    for name in candidate_sheets(sheets, find_sheets(sheets)):
        sheet = sheets[name]
        t = _TableSheet("candidates", sheet, Collector())
        present = set(t.frame.columns)
        if "__male" in present or "__female" in present:
            _sex_columns(t)
            present |= set(t.frame.columns)
        data_rows = t.rows.to_list()
        numbering = 1 if t.has_numbering else 0
        layouts.append(ListLayout(
            name, t.header_row, max(1, t.first_data_row - t.header_row - numbering),
            t.first_data_row, max(data_rows) if data_rows else t.first_data_row,
            sheet.first_col + sheet.frame.width, tuple(sorted(present))))
    return layouts


def _required_columns(t: _TableSheet, table: schema.Table) -> None:
    """A required column the sheet lacks: named by its Vietnamese header, at the header's
    row, with the headers the sheet has."""
    if t.frame.height == 0 and not t.headers:
        return
    titles_own = set(table.names(schema.Regime.titles))
    levels = levels_schema.LEVEL_COLUMNS.get(table.name, ())
    level_sheet = any(t.has(c.name) for c in levels if c.name not in titles_own)
    regime = schema.Regime.levels if level_sheet else schema.Regime.titles
    missing = [n for n in table.required_names(regime) if not t.has(n)]
    missing += [g[0] for g in table.one_of if not any(t.has(n) for n in g)]
    if level_sheet:  # the level columns stand in for the title columns they replace
        replaced = levels_schema.REPLACED.get(table.name, ())
        missing = [n for n in missing if n not in replaced]
        missing += [c.name for c in levels if c.required and not t.has(c.name)
                    and c.name not in missing]
    seen = "; ".join(f"'{h}'" for h in t.seen_headers) or "—"
    by_name = {c.name: c for c in (*table.columns, *levels)}
    for name in missing:
        column = by_name[name]
        vi_name = column.headers_vi[0] if column.headers_vi else name
        t.problems.add(t.label, t.header_row, f"{vi_name} ({name})",
                       f"thiếu cột bắt buộc '{vi_name}'; các cột đã thấy ở dòng tiêu đề: {seen}",
                       f"required column '{vi_name}' ({name}) missing; headers seen: {seen}")


def _notes(file: str, readers: Iterable[_TableSheet], *,
           prefix: bool) -> list[tuple[str, str]]:
    """Per sheet read: how many rows, and the rows skipped and why."""
    notes: list[tuple[str, str]] = []
    for t in readers:
        label = f"{file} › {t.label}" if prefix else t.label
        for row, text, vi, en in t.skipped:
            shown = text if len(text) <= 60 else text[:57] + "…"
            notes.append((f"{label}, dòng {row}: bỏ qua — {vi} '{shown}'",
                          f"{label}, row {row}: skipped — {en} '{shown}'"))
    return notes


def _with_lists(raw: RawScenario, lists: list[tuple[str, _TableSheet]], *,
                before: list[tuple[RawTable, dict[int, tuple[str, int]]]] | None = None,
                ) -> RawScenario:
    """``raw`` whose candidates are the rows of ``lists`` (file, sheet read), after the
    round's own candidates ``before``; one summary line per list, the rows skipped."""
    parts: list[RawTable] = []
    shown: list[dict[int, str]] = []
    awards: list[dict[int, str]] = []
    extras: list[dict[int, dict[str, str]]] = []
    for table, known in before or []:
        parts.append(table)
        rows = table.frame["__row"].to_list()
        shown.append({r: known.get(r, (table.label, r))[0] for r in rows})
        awards.append(dict(raw.award_texts))
        extras.append(dict(raw.extra_cells))
    notes = list(raw.notes)
    for file, t in lists:
        table = RawTable(t.label, t.frame_for_core(), dict(t.headers))
        parts.append(table)
        awards.append(t.award_texts)
        extras.append(t.extra_cells())
        place = t.label  # an agency list's label names its file; the round's own sheets not
        shown.append({r: place for r in table.frame["__row"].to_list()})
        n = table.frame.height
        first, last = (int(t.rows.min()), int(t.rows.max())) if n else (0, 0)  # type: ignore[arg-type]
        span = "" if not n else f", dòng {first}" if first == last else f", dòng {first}–{last}"
        span_en = span.replace("dòng", "rows")
        notes.append((f"{place}: {n} ứng viên{span}; bỏ qua {len(t.skipped)} dòng",
                      f"{place}: {n} candidates{span_en}; {len(t.skipped)} rows skipped"))
        notes.extend(_notes(file, [t], prefix=False))
    tables = dict(raw.tables)
    if not parts:
        return dataclasses.replace(raw, notes=tuple(notes))
    if len(parts) == 1:
        tables["candidates"] = parts[0]
        origins = {r: (shown[0][r], r) for r in shown[0]}
        return dataclasses.replace(raw, tables=tables, origins=origins, notes=tuple(notes),
                                   award_texts=awards[0], extra_cells=extras[0])
    merged, where = merge_tables(parts)
    where = {i: raw.merged.get(r, (label, r)) if label == MERGED_LABEL else (label, r)
             for i, (label, r) in where.items()}  # the round's own lists, merged already
    tables["candidates"] = merged
    origins = {}
    award_texts: dict[int, str] = {}
    extra_cells: dict[int, dict[str, str]] = {}
    i = 0
    for part, places, texts, cells in zip(parts, shown, awards, extras, strict=True):
        for r in part.frame["__row"].to_list():
            i += 1
            origins[i] = (places[r], r)
            if r in texts:
                award_texts[i] = texts[r]
            if r in cells:
                extra_cells[i] = cells[r]
    problems = same_people(merged, origins)
    if problems:
        raise InputError(problems)
    return dataclasses.replace(raw, tables=tables, origins=origins, merged=where,
                               notes=tuple(notes), award_texts=award_texts,
                               extra_cells=extra_cells)


def same_people(merged: RawTable, origins: dict[int, tuple[str, int]]) -> list[Problem]:
    """The same person in two places of the merged lists: the same id, or (different ids)
    the same name and birth date; each problem names both places."""
    frame = merged.frame
    found: list[Problem] = []

    def place(row: int) -> str:
        label, r = origins[row]
        return f"{label}, dòng {r}"

    def place_en(row: int) -> str:
        label, r = origins[row]
        return f"{label}, row {r}"

    def report(key: list[str], vi: str, en: str) -> None:
        if any(k not in frame.columns for k in key):
            return
        groups = (frame.filter(pl.all_horizontal(pl.col(key).is_not_null()))
                  .group_by(key, maintain_order=True).agg(pl.col("__row"))
                  .filter(pl.col("__row").list.len() > 1))
        for values in groups.iter_rows(named=True):
            rows = values["__row"]
            label, r = origins[rows[1]]
            what = " / ".join(str(values[k]) for k in key)
            found.append(Problem(label, r, merged.headers.get(key[0], key[0]),
                                 f"{vi} '{what}' đã có ở {place(rows[0])}",
                                 f"{en} '{what}' is also at {place_en(rows[0])}"))

    report(["candidate_id"], "trùng người: cùng mã", "the same person twice: the id")
    if "full_name" in frame.columns and "birth_date" in frame.columns:
        named = frame.with_columns(pl.col("full_name").map_elements(
            header_key, return_dtype=pl.Utf8).alias("__name"))
        if "candidate_id" in frame.columns:
            named = named.unique(["candidate_id"], keep="first", maintain_order=True)
        groups = (named.filter(pl.col("__name").is_not_null() & pl.col("birth_date")
                               .is_not_null())
                  .group_by(["__name", "birth_date"], maintain_order=True)
                  .agg(pl.col("__row"), pl.col("full_name").first())
                  .filter(pl.col("__row").list.len() > 1))
        for values in groups.iter_rows(named=True):
            rows = values["__row"]
            label, r = origins[rows[1]]
            what = f"{values['full_name']}, {values['birth_date']}"
            found.append(Problem(label, r, merged.headers.get("full_name", "full_name"),
                                 f"trùng người: cùng họ tên và ngày sinh '{what}' đã có ở "
                                 f"{place(rows[0])}",
                                 f"the same person twice: name and birth date '{what}' are "
                                 f"also at {place_en(rows[0])}"))
    return found


@dataclass(frozen=True)
class _References:
    """What names in a workbook may refer to: units (by id or unique name), titles (by code
    or name) and awards (by level or name)."""

    unit_ids: set[str]
    unit_names: dict[str, str]
    titles: dict[str, str]
    awards: award_names.AwardMatcher


def _convert_sheet(t: _TableSheet, table: schema.Table, refs: _References) -> None:
    """Convert every column written in words, dates, marks or names to contract text."""
    if table is schema.CANDIDATES:
        if t.has("degree"):
            t.put(f"{EXTRA}degree", t.col("degree"))
            t.extra_headers[f"{EXTRA}degree"] = t.headers.get("degree", "degree")
        if not t.has("candidate_id") and t.has("__tt"):
            t.put("candidate_id", t.col("__tt"))
            t.headers["candidate_id"] = t.headers.get("__tt", "TT")
        _sex_columns(t)
    for column in _columns_of_any_regime(table):
        _convert_column(t, column, refs)


def _columns_of_any_regime(table: schema.Table) -> tuple[schema.Column, ...]:
    """The columns a sheet of ``table`` may carry in a round of either regime (each once;
    a level column as the workbook's level headers define it)."""
    levels = {c.name: c for c in levels_schema.LEVEL_COLUMNS.get(table.name, ())}
    own = [levels.pop(c.name, c) for c in table.columns]
    return (*own, *levels.values())


def _convert_column(t: _TableSheet, column: schema.Column, refs: _References) -> None:
    """One column to contract text, by its kind; kinds the validation reads from text as
    written (ids, counts, numbers …) are left as they are."""
    name, kind = column.name, column.kind
    if name == "job_position":
        t.convert(name, _map_position, "mã hoặc tên vị trí việc làm", "a job position")
    elif kind is Kind.unit:
        t.convert(name, lambda v: _map_unit(v, refs.unit_ids, refs.unit_names), "mã đơn vị",
                  "a unit id")
    elif kind is Kind.title_code:
        t.convert(name, lambda v: _map_title(v, refs.titles), "mã chức danh", "a title code")
    elif kind in (Kind.date, Kind.birth_date):
        t.dates(name, birth=kind is Kind.birth_date)
    elif kind is Kind.bool and column.exempt:
        t.convert(name, lambda v: _bool_word(v, exempt=True), vocabulary.EXEMPT_EXPECTED_VI,
                  vocabulary.EXEMPT_EXPECTED_EN)
    elif kind is Kind.bool:
        t.convert(name, _bool_word, vocabulary.YES_NO.sheet_expected_vi,
                  vocabulary.YES_NO.sheet_expected_en)
    elif kind is Kind.term:
        words = vocabulary.VOCABULARIES[str(column.vocabulary)]
        t.convert(name, words.sheet_code_of, words.sheet_expected_vi, words.sheet_expected_en)
    elif kind is Kind.ethnic_group:
        t.convert(name, lambda v: v if ethnic.normalise(v) else None,
                  "tên một trong 54 dân tộc Việt Nam",
                  "the name of one of Vietnam's 54 ethnic groups")
    elif kind is Kind.achievement:
        _achievement_column(t, refs.awards)


def _achievement_column(t: _TableSheet, matcher: award_names.AwardMatcher) -> None:
    if not t.has("achievement"):
        return
    raw = t.col("achievement")
    table: dict[str, str] = {}
    bad: dict[type[award_names.UnknownAward], set[str]] = {}
    for value in raw.drop_nulls().unique().to_list():
        try:
            level = matcher.level_of(value)
        except award_names.UnknownAward as exc:
            bad.setdefault(type(exc), set()).add(value)
            continue
        table[value] = level if level is not None else ""
    for kind, values in sorted(bad.items(), key=lambda kv: kv[0].__name__):
        t.report(raw.is_in(sorted(values)), "achievement",
                 f"{kind.reason_vi}; ghi mức {matcher.describe()} hoặc thêm vào trang tính "
                 "'Quy đổi khen thưởng' (hình thức khen thưởng → mức)",
                 f"{kind.reason_en}; write a level {matcher.describe()} or add it to the "
                 "'award_levels' sheet (award → level)", raw)
    converted = raw.replace_strict(table, default=None, return_dtype=pl.Utf8).replace("", None)
    t.award_texts.update({int(r): str(v) for r, v, c in zip(t.rows.to_list(), raw.to_list(),
                                                           converted.to_list(), strict=True)
                          if v is not None and c is not None and v != c})
    t.put("achievement", converted)


def _sex_columns(t: _TableSheet) -> None:
    """Mẫu 06 layout: the birth date (or an x) under "Nam" or under "Nữ"."""
    if not (t.has("__male") or t.has("__female")):
        return
    male, female = t.col("__male"), t.col("__female")
    both = male.is_not_null() & female.is_not_null()
    t.report(both, "__female", "ghi ở cả hai cột Nam và Nữ", "both the Nam and Nữ columns are "
             "filled")
    if not t.has("sex"):
        neither = male.is_null() & female.is_null()
        t.report(neither, "__male", "trống cả hai cột Nam và Nữ: không biết giới tính",
                 "both the Nam and Nữ columns are empty: sex unknown")
        sex = pl.select(pl.when(female.is_not_null()).then(pl.lit("female"))
                        .when(male.is_not_null()).then(pl.lit("male"))).to_series()
        t.put("sex", sex)
        t.headers["sex"] = f"{t.headers.get('__male', 'Nam')}/{t.headers.get('__female', 'Nữ')}"
    marked = pl.select(pl.coalesce(female, male)).to_series()
    is_mark = map_distinct(marked, lambda v: fold(v) in vocabulary.MARKS, pl.Boolean())
    in_column = pl.select(pl.when(~is_mark.fill_null(True)).then(marked)).to_series()
    if in_column.is_not_null().any():
        if t.has("birth_date"):
            given = t.col("birth_date")
            a = pl.select(date_text(pl.lit(given), birth=True)).to_series()
            b = pl.select(date_text(pl.lit(in_column), birth=True)).to_series()
            differ = given.is_not_null() & in_column.is_not_null() & (a != b).fill_null(True)
            t.report(differ, "birth_date", "khác ngày sinh ghi ở cột Nam/Nữ",
                     "differs from the birth date written under Nam/Nữ", given)
            t.put("birth_date", pl.select(pl.coalesce(given, in_column)).to_series())
        else:
            t.put("birth_date", in_column)
            t.headers["birth_date"] = t.headers.get("sex", "Nam/Nữ")


def _award_levels(t: _TableSheet | None, rs: RuleSet,
                  problems: Collector) -> list[tuple[str, str]]:
    """The user's award table: award name → level code of the rule set."""
    if t is None:
        return []
    codes = {fold(a.code): a.code for a in rs.achievement_levels}
    for column in ("award", "level"):
        if not t.has(column):
            problems.add(t.label, None, column, "thiếu cột bắt buộc", "required column missing")
            return []
    t.report(t.col("award").is_null(), "award", "ô trống", "empty cell")
    level = t.col("level")
    mapped = map_distinct(level, lambda v: codes[fold(v)], pl.Utf8())
    t.report(level.is_null() | mapped.is_null(), "level",
             f"cần một mức của bộ quy tắc {'/'.join(codes.values())}",
             f"expected a level of the rule set {'/'.join(codes.values())}", level)
    pairs = pl.DataFrame({"a": t.col("award"), "l": mapped}).drop_nulls()
    return list(pairs.iter_rows())


def _apply_awards(t: _TableSheet, lists: list[_TableSheet],
                  matcher: award_names.AwardMatcher) -> None:
    """One row per award held → achievement (highest) and achievement_count per candidate,
    in every candidate sheet."""
    for column in ("candidate_id", "award"):
        if not t.has(column):
            t.problems.add(t.label, 1, column, "thiếu cột bắt buộc", "required column missing")
            return
    cid, award = t.col("candidate_id"), t.col("award")
    t.report(cid.is_null(), "candidate_id", "ô trống", "empty cell")
    known = {c for cands in lists for c in cands.col("candidate_id").drop_nulls().to_list()}
    t.report(cid.is_not_null() & ~cid.is_in(sorted(known)), "candidate_id",
             "không có ứng viên này trong trang tính ứng viên",
             "no such candidate in the candidates sheet", cid)
    table: dict[str, str] = {}
    why: dict[str, award_names.UnknownAward] = {}
    for value in award.drop_nulls().unique().to_list():
        try:
            level = matcher.level_of(value)
        except award_names.UnknownAward as exc:
            why[value] = exc
            continue
        if level is not None:
            table[value] = level
    levels = award.replace_strict(table, default=None, return_dtype=pl.Utf8)
    for kind in sorted({type(e) for e in why.values()}, key=lambda k: k.__name__):
        values = sorted(v for v, e in why.items() if type(e) is kind)
        t.report(award.is_in(values), "award",
                 f"{kind.reason_vi}; thêm vào trang tính 'Quy đổi khen thưởng' "
                 f"(mức {matcher.describe()})",
                 f"{kind.reason_en}; add it to the 'award_levels' sheet "
                 f"(levels {matcher.describe()})", award)
    held = pl.DataFrame({"candidate_id": cid, "level": levels}).drop_nulls()
    if held.height == 0:
        return
    best = award_names.aggregate(held, matcher.codes)
    texts = (pl.DataFrame({"candidate_id": cid, "award": award, "level": levels}).drop_nulls()
             .join(best.select("candidate_id", pl.col("achievement").alias("level")),
                   on=["candidate_id", "level"])
             .group_by("candidate_id", maintain_order=True).agg(pl.col("award").unique(
                 maintain_order=True).str.join("; ")))
    text_of = dict(texts.iter_rows())
    for cands in lists:
        _held_awards(cands, best)
        cands.award_texts.update({int(r): text_of[c] for r, c in zip(
            cands.rows.to_list(), cands.col("candidate_id").to_list(), strict=True)
            if c in text_of})


def _held_awards(cands: _TableSheet, best: pl.DataFrame) -> None:
    """One candidate sheet's achievement and count from the awards held (``best``)."""
    joined = pl.DataFrame({"candidate_id": cands.col("candidate_id")}).join(
        best, on="candidate_id", how="left", maintain_order="left")
    given = cands.col("achievement")
    has_awards = joined["achievement"].is_not_null()
    cands.report(has_awards & given.is_not_null() & (given != joined["achievement"]),
                 "achievement", "khác mức cao nhất trong trang tính khen thưởng",
                 "differs from the highest level in the awards sheet", given)
    count_given = cands.col("achievement_count")
    count_text = joined["achievement_count"].cast(pl.Utf8)
    cands.report(has_awards & count_given.is_not_null()
                 & (count_given.str.replace(r"\.0+$", "") != count_text),
                 "achievement_count", "khác số khen thưởng ở mức cao nhất trong trang tính "
                 "khen thưởng", "differs from the count in the awards sheet", count_given)
    cands.put("achievement", pl.select(pl.coalesce(joined["achievement"], given)).to_series())
    cands.put("achievement_count",
              pl.select(pl.coalesce(count_text, count_given)).to_series())
    cands.headers.setdefault("achievement", "achievement")
    cands.headers.setdefault("achievement_count", "achievement_count")


# ---------------------------------------------------------------------------------------------
# One list on its own (a staff or candidate list, for conversion)
# ---------------------------------------------------------------------------------------------


def read_list(path: Path, markers: dict[str, str], rs: RuleSet) -> tuple[str, RawTable]:
    """A workbook holding one list: the first sheet (in the workbook's order) whose header
    names the marker column of one of ``markers`` (table → column). Returns the table's name
    and the list as contract text (titles by code, dates ISO); awards are kept as written.
    Problems name the sheet, row and column; none is found: the workbook is named."""
    sheets = open_workbook(path)
    refs = _References(set(), {}, _title_lookup(rs), award_names.AwardMatcher(rs))
    for sheet in sheets.values():
        for name, marker in markers.items():
            problems = Collector()
            t = _TableSheet(name, sheet, problems)
            if not t.has(marker):
                continue
            spec = schema.table(name)
            for column in spec.columns_in():
                if column.kind is not Kind.achievement:
                    _convert_column(t, column, refs)
            problems.raise_if_any()
            return name, RawTable(t.label, t.frame_for_core(), dict(t.headers))
    wanted = ", ".join(f"'{m}'" for m in markers.values())
    raise InputError.one(path.name, None, None,
                         f"không có trang tính nào có cột {wanted}",
                         f"no sheet has a column {wanted}")
