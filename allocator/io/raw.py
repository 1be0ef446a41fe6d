"""Tables as read, before any cell is interpreted: every cell text, plus how to name it.

Every source (a CSV folder, a workbook) produces :class:`RawTable` objects so that one
validation (:mod:`allocator.io.validate`) serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from models.errors import InputError

ROW = "__row"


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
    """Read one CSV file as text cells. UTF-8 (with or without BOM) only."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError.one(label, None, None, "thiếu tệp", "file is missing") from None
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
        raise InputError.one(
            label, None, None, f"CSV không đọc được: {exc}", f"CSV cannot be parsed: {exc}"
        ) from None
    return RawTable(label, tidy_raw(frame))


def tidy_raw(frame: pl.DataFrame, first_row: int = 2) -> pl.DataFrame:
    """Strip header names and cells; empty cells become null; add the spreadsheet row number."""
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    frame = frame.select(pl.col(c).cast(pl.Utf8).str.strip_chars().alias(c)
                         for c in frame.columns)
    frame = frame.with_columns(
        pl.when(pl.all().str.len_bytes() == 0).then(None).otherwise(pl.all()).name.keep())
    return frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
