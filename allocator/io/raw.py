"""Tables as read, before any cell is interpreted: every cell text, plus how to name it.

Every source (a CSV folder, a workbook) produces :class:`RawTable` objects so that one
validation (:mod:`allocator.io.validate`) serves them all.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from models.errors import InputError

ROW = "__row"
#: Largest input file read (a CSV, a TOML, a workbook): bigger is refused, not read.
MAX_INPUT_BYTES = 1 << 30


def check_input_file(path: Path, label: str) -> int:
    """Refuse, without opening it, a path that is not a regular file (a folder, a FIFO, a
    device: opening a FIFO would wait for a writer forever) or is too large; return its
    size."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError.one(label, None, None, "thiếu tệp", "file is missing") from None
    except OSError as exc:
        raise InputError.one(label, None, None, f"không đọc được tệp ({exc.strerror})",
                             f"cannot read the file ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError.one(label, None, None, "đây là một thư mục, cần một tệp",
                             "this is a folder, a file is needed")
    if not stat.S_ISREG(info.st_mode):
        raise InputError.one(label, None, None,
                             "không phải tệp thông thường (FIFO, thiết bị…): không mở",
                             "not a regular file (a FIFO, a device…): not opened")
    if info.st_size > MAX_INPUT_BYTES:
        raise InputError.one(label, None, None,
                             f"tệp quá lớn ({info.st_size:,} byte; tối đa {MAX_INPUT_BYTES:,})",
                             f"file too large ({info.st_size:,} bytes; at most "
                             f"{MAX_INPUT_BYTES:,})")
    return info.st_size


def read_input_bytes(path: Path, label: str) -> bytes:
    """The bytes of an input file, checked by :func:`check_input_file` first."""
    check_input_file(path, label)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError.one(label, None, None, f"không đọc được tệp ({exc.strerror})",
                             f"cannot read the file ({exc.strerror})") from None


def read_input_text(path: Path, label: str) -> str:
    """An input text file: UTF-8 (a BOM is dropped), else a clear error naming the byte."""
    data = read_input_bytes(path, label)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as bad:
        raise InputError.one(label, None, None, f"tệp không phải UTF-8 (byte {bad.start})",
                             f"file is not UTF-8 (byte {bad.start})") from None


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """An input TOML file (scenario.toml, a rule set, a variant) as data."""
    text = read_input_text(path, label)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError.one(label, None, None, f"TOML không hợp lệ: {exc}",
                             f"invalid TOML: {exc}") from None


@dataclass(frozen=True)
class RawTable:
    """A table as read: every cell text (``None`` when empty), plus how to name it in errors."""

    label: str  # e.g. "candidates.csv" or "candidates (trang tính/sheet)"
    frame: pl.DataFrame  # all Utf8 columns, cells stripped; column "__row" = spreadsheet row
    headers: dict[str, str] = field(default_factory=dict)  # column → header as the user wrote it


@dataclass(frozen=True)
class RawScenario:
    """A whole scenario as read: the settings as parsed from TOML (or a sheet) and the tables
    present, by table name."""

    source: Path
    settings: dict[str, Any]
    settings_label: str
    tables: dict[str, RawTable]
    base_dir: Path  # where relative paths (rule_set_file) resolve
    #: candidates' ``__row`` → (list label: file › sheet, spreadsheet row), shown to people.
    origins: dict[int, tuple[str, int]] = field(default_factory=dict)
    #: When the candidates table merges several lists: its ``__row`` → (part label, row),
    #: so that a problem found in the merged table names the sheet and row it came from.
    merged: dict[int, tuple[str, int]] = field(default_factory=dict)
    notes: tuple[tuple[str, str], ...] = ()  # (vi, en): sheets read, rows skipped
    #: the workbook's own award table (award name → level), for the agencies' lists too
    award_levels: tuple[tuple[str, str], ...] = ()
    #: candidates' ``__row`` → the award as written, where it was words mapped to a level
    award_texts: dict[int, str] = field(default_factory=dict)
    #: candidates' ``__row`` → the list's own columns (header as written → text)
    extra_cells: dict[int, dict[str, str]] = field(default_factory=dict)


#: The label of a candidates table merged from several lists (its problems are renamed).
MERGED_LABEL = "danh sách ứng viên (nhiều danh sách)/candidate lists"


def merge_tables(parts: list[RawTable]) -> tuple[RawTable, dict[int, tuple[str, int]]]:
    """One table from several (the candidate sheets of several workbooks), numbered 1, 2, …
    in order, with where each row came from: merged ``__row`` → (part label, row)."""
    frames: list[pl.DataFrame] = []
    where: dict[int, tuple[str, int]] = {}
    headers: dict[str, str] = {}
    n = 0
    for part in parts:
        rows = part.frame[ROW].to_list()
        for i, r in enumerate(rows, start=n + 1):
            where[i] = (part.label, int(r))
        frames.append(part.frame.with_columns(
            pl.Series(ROW, range(n + 1, n + 1 + len(rows)), pl.Int64)))
        n += len(rows)
        for k, v in part.headers.items():
            headers.setdefault(k, v)
    frame = pl.concat(frames, how="diagonal") if frames else pl.DataFrame({ROW: []})
    return RawTable(MERGED_LABEL, frame, headers), where


def read_csv_table(path: Path, label: str) -> RawTable:
    """Read one CSV file as text cells. UTF-8 (with or without BOM) only.

    A malformed file is named with the row where reading failed, never with its content
    (the cells are personal data)."""
    data = read_input_bytes(path, label)
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise InputError.one(label, 1, None, "tệp rỗng, thiếu dòng tiêu đề",
                             "file is empty: the header row is missing")
    try:
        frame = pl.read_csv(data, infer_schema=False, has_header=True,
                            truncate_ragged_lines=False)
    except Exception as exc:  # polars raises several error types for malformed CSV
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise InputError.one(
                label, None, None, f"tệp không phải UTF-8 (byte {bad.start})",
                f"file is not UTF-8 (byte {bad.start})",
            ) from None
        del exc  # its text quotes the file
        raise csv_problem(data, label) from None
    duplicated = _duplicate_headers(frame.columns, data)
    if duplicated:
        raise InputError([InputError.one(label, 1, name, "tiêu đề cột bị lặp",
                                         "duplicated column header").problems[0]
                          for name in duplicated])
    return RawTable(label, tidy_raw(frame))


def _duplicate_headers(columns: list[str], data: bytes) -> list[str]:
    """Headers written more than once (polars renames the second ``x_duplicated_0``)."""
    first = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(first, newline="")))
    except (StopIteration, csv.Error):
        header = columns
    seen: set[str] = set()
    duplicated: list[str] = []
    for name in (h.strip() for h in header):
        if name in seen and name not in duplicated:
            duplicated.append(name)
        seen.add(name)
    return duplicated


def csv_problem(data: bytes, label: str) -> InputError:
    """Where a CSV file that cannot be read goes wrong: the row (header = row 1) and what is
    wrong there, without quoting any cell."""
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width: int | None = None
    row = 0
    try:
        for row, record in enumerate(reader, start=1):
            if width is None:
                width = len(record)
            elif record and len(record) != width:
                return InputError.one(label, row, None,
                                      f"dòng có {len(record)} ô, dòng tiêu đề có {width}",
                                      f"the row has {len(record)} cells, the header {width}")
    except csv.Error:
        return InputError.one(label, row + 1, None,
                              "dấu ngoặc kép (\") chưa đóng hoặc đặt sai chỗ từ dòng này",
                              "a quote (\") is not closed, or misplaced, from this row on")
    return InputError.one(label, None, None, "CSV không đọc được", "CSV cannot be parsed")


def tidy_raw(frame: pl.DataFrame, first_row: int = 2) -> pl.DataFrame:
    """Strip header names and cells; empty cells become null; add the spreadsheet row number."""
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    frame = frame.select(pl.col(c).cast(pl.Utf8).str.strip_chars().alias(c)
                         for c in frame.columns)
    frame = frame.with_columns(
        pl.when(pl.all().str.len_bytes() == 0).then(None).otherwise(pl.all()).name.keep())
    return frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
