"""A staff or candidate list kept by professional title, turned into career levels
(Decree 232/2026/NĐ-CP Art. 18.2), so that a unit can carry its lists into the 2026 regime.

* **Candidates** (``current_title``, ``target_title``, ``rank_since``): one row per
  candidate; ``current_title`` becomes ``job_position`` and ``current_level``,
  ``target_title`` becomes ``target_level`` (``current_level + 1``), ``rank_since`` becomes
  ``level_since``. Every other column is kept as it is.
* **Staff** (``unit_id``, ``title``, ``holders``): rows become ``unit_id``, ``job_position``,
  ``level``, ``holders``; titles that land on the same level of the same position in a unit
  are added up.

The level is the one of the title's salary class (:mod:`models.title_levels`, with its
source). The job position is the input's ``job_position`` where the list has that column,
else the one the data suggests for the title (the unit assigns positions, Art. 18.1.b).
Every row gets a note (``conversion_note``) that says which point of Art. 18.2 it used,
whether the salary class was assumed, and anything the unit must still decide:

* Art. 18.2.a, second paragraph — a title whose standard a Circular raised from trung cấp to
  cao đẳng (A0): a candidate whose ``degree`` is still ``trung_cap`` goes to level 1 (paid
  as class B until the standard is met), unless ``standardisation`` is off; a staff row
  cannot tell who that is, so its note asks the unit to move those holders to level 1;
* a level outside the range the catalogue gives the position;
* ``level_since`` taken from ``rank_since`` (an assumption: Decree 259/2026, which would
  say how time at a level counts, is not in hand — the round's plan decides);
* a target title whose class is not the next level.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import polars as pl

from allocator.io import rulesets
from allocator.io.raw import ROW, RawTable, read_csv_table
from allocator.io.safe_xlsx import open_workbook
from allocator.io.workbook import read_list
from models import levels_schema
from models.errors import Collector, InputError
from models.title_levels import (
    CONVERSION_SOURCE,
    POINT_OF_CLASS,
    STANDARDISING_SOURCE,
    TitleClass,
    catalogue,
    title_classes,
)

FIXED_TIME = dt.datetime(2024, 1, 1)  # document properties, so that output is reproducible
ASSIGN_SOURCE = "điểm b khoản 1 Điều 18 Nghị định 232/2026/NĐ-CP"
OLD_RULE_SET = "nd115-2020+nd85-2023"
NOTE = "conversion_note"
FROM = "converted_from_title"
NOTE_HEADER_VI = "Ghi chú chuyển đổi"
FROM_HEADER_VI = "Chức danh trước khi chuyển đổi"
#: A list is a candidate list when it has the first column, a staff list with the second.
MARKERS = {"candidates": "current_title", "staff": "title"}
_WHOLE = re.compile(r"^\d+(?:\.0+)?$")
_BELOW_CAO_DANG = frozenset({"trung_cap"})


class ListKind(StrEnum):
    candidates = "candidates"
    staff = "staff"


@dataclass(frozen=True)
class Converted:
    """The converted list: all-text columns in output order."""

    kind: ListKind
    frame: pl.DataFrame


def _title_of(code: str | None, row: int, column: str, label: str,
              problems: Collector) -> TitleClass | None:
    classes = title_classes()
    if code is None:
        problems.add(label, row, column, "ô trống, cần mã chức danh",
                     "empty cell, a title code is expected")
        return None
    if code not in classes:
        known = ", ".join(sorted(classes))
        problems.add(label, row, column,
                     f"chức danh '{code}' không có hạng lương trong dữ liệu chuyển đổi "
                     f"(có: {known})",
                     f"title '{code}' has no salary class in the conversion data "
                     f"(known: {known})")
        return None
    return classes[code]


def _base_note(tc: TitleClass, level: int) -> list[str]:
    point = POINT_OF_CLASS[tc.salary_class]
    note = [f"{tc.code} loại {tc.salary_class} → bậc {level} (điểm {point} "
            f"{CONVERSION_SOURCE[0].lower()}{CONVERSION_SOURCE[1:]}); loại lương theo "
            f"{tc.source}"]
    if tc.assumed:
        note.append("loại lương là giả định, cần đối chiếu thông tư (salary class assumed: "
                    "check the Circular)")
    return note


def _range_note(position: str, level: int) -> list[str]:
    found = catalogue().get(position)
    if found is None or found.lowest_level is None or found.highest_level is None:
        return []
    if found.lowest_level <= level <= found.highest_level:
        return []
    return [f"bậc {level} ngoài phạm vi bậc {found.lowest_level}–{found.highest_level} của vị "
            f"trí '{found.name}': đơn vị bố trí lại (level outside the position's range)"]


def _position_note(given: str | None, tc: TitleClass) -> list[str]:
    """Where the job position came from: the list, or the data's suggestion for the title."""
    if given:
        return []
    name = catalogue()[tc.job_position].name if tc.job_position in catalogue() else ""
    return [f"vị trí việc làm '{name}' ({tc.job_position}) gợi ý theo chức danh, đơn vị "
            f"quyết định bố trí ({ASSIGN_SOURCE}) (position suggested by the title: the unit "
            "assigns it)"]


def _need(raw: RawTable, columns: tuple[str, ...], problems: Collector) -> bool:
    missing = [c for c in columns if c not in raw.frame.columns]
    for c in missing:
        problems.add(raw.label, 1, c, "thiếu cột bắt buộc", "required column missing")
    return not missing


def convert_candidates(raw: RawTable, *, standardisation: bool = True) -> pl.DataFrame:
    """The candidate list by levels (see the module's docstring)."""
    problems = Collector()
    if not _need(raw, ("current_title", "rank_since"), problems):
        problems.raise_if_any()
    has_position = "job_position" in raw.frame.columns
    rows = raw.frame.to_dicts()
    out_rows: list[dict[str, str | None]] = []
    for r in rows:
        row_no = int(r[ROW])
        tc = _title_of(r["current_title"], row_no, "current_title", raw.label, problems)
        since = r["rank_since"]
        if since is None:
            problems.add(raw.label, row_no, "rank_since", "ô trống, cần ngày", "empty cell, a "
                         "date is expected")
        else:
            try:
                dt.date.fromisoformat(since)
            except ValueError:
                problems.add(raw.label, row_no, "rank_since",
                             f"không đọc được ngày '{since}', cần YYYY-MM-DD",
                             f"unreadable date '{since}', expected YYYY-MM-DD")
        target = r.get("target_title")
        target_tc = None
        if target is not None:
            target_tc = _title_of(target, row_no, "target_title", raw.label, problems)
        if tc is None:
            continue
        level = tc.level
        notes = _base_note(tc, level)
        if tc.standard_raised_from_b:
            degree = r.get("degree")
            if degree in _BELOW_CAO_DANG and standardisation:
                level = 1
                notes.append(f"trình độ trung cấp, đang chuẩn hoá lên cao đẳng: bậc 1, giữ "
                             f"lương loại B đến khi đạt chuẩn ({STANDARDISING_SOURCE}) "
                             "(below the raised standard: level 1)")
            elif degree in _BELOW_CAO_DANG:
                notes.append(f"trình độ trung cấp: nếu đang chuẩn hoá thì xếp bậc 1 "
                             f"({STANDARDISING_SOURCE}) (below the raised standard: level 1 "
                             "while being standardised)")
            elif degree is None:
                notes.append(f"không rõ trình độ: người chưa đạt chuẩn cao đẳng xếp bậc 1 "
                             f"({STANDARDISING_SOURCE}) (degree unknown)")
        given = r.get("job_position") if has_position else None
        position = given or tc.job_position
        notes += _position_note(given, tc)
        notes += _range_note(position, level)
        notes.append("ngày xếp bậc lấy theo ngày bổ nhiệm hạng (giả định; đề án quyết định) "
                     "(level_since = rank_since, assumed)")
        next_level = level + 1 if level < max(levels_schema.LEVELS) else None
        if next_level is None:
            notes.append("bậc 5 là bậc cao nhất: không có bậc dự xét (no higher level)")
        elif target_tc is not None and target_tc.level != next_level:
            notes.append(f"chức danh dự xét {target_tc.code} tương ứng bậc {target_tc.level}, "
                         f"không phải bậc liền kề {next_level} (target title is not the next "
                         "level)")
        out_rows.append(_candidate_row(r, position, level, next_level, notes))
    problems.raise_if_any()
    return _text_frame(out_rows, _candidate_columns(raw.frame.columns))


def _candidate_row(r: dict[str, str | None], position: str, level: int,
                   next_level: int | None, notes: list[str]) -> dict[str, str | None]:
    out = {k: v for k, v in r.items() if k != ROW}
    out["job_position"] = position
    out["current_level"] = str(level)
    out["target_level"] = str(next_level) if next_level is not None else None
    out["level_since"] = r["rank_since"]
    out[FROM] = r["current_title"]
    out[NOTE] = "; ".join(notes)
    return out


def _candidate_columns(columns: list[str]) -> list[str]:
    """The input's columns, the title columns replaced in place by the level columns."""
    out: list[str] = []
    for c in columns:
        if c == ROW:
            continue
        if c == "current_title":
            if "job_position" not in columns:
                out.append("job_position")
            out.append("current_level")
            if "target_title" not in columns:
                out.append("target_level")
        elif c == "target_title":
            out.append("target_level")
        elif c == "rank_since":
            out.append("level_since")
        else:
            out.append(c)
    return [*out, FROM, NOTE]


@dataclass
class _StaffGroup:
    """The staff rows that land on one level of one position in one unit."""

    holders: int = 0
    titles: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def convert_staff(raw: RawTable) -> pl.DataFrame:
    """The staff list by levels: one row per unit, position and level."""
    problems = Collector()
    if not _need(raw, ("unit_id", "title", "holders"), problems):
        problems.raise_if_any()
    has_position = "job_position" in raw.frame.columns
    groups: dict[tuple[str, str, int], _StaffGroup] = {}
    for r in raw.frame.to_dicts():
        row_no = int(r[ROW])
        tc = _title_of(r["title"], row_no, "title", raw.label, problems)
        unit, holders = r["unit_id"], r["holders"]
        if unit is None:
            problems.add(raw.label, row_no, "unit_id", "ô trống", "empty cell")
        if holders is None or not _WHOLE.match(holders):
            problems.add(raw.label, row_no, "holders",
                         f"cần số nguyên ≥ 0, có '{holders or ''}'",
                         f"a whole number ≥ 0 is expected, got '{holders or ''}'")
        if tc is None or unit is None or holders is None or not _WHOLE.match(holders):
            continue
        given = r.get("job_position") if has_position else None
        position = given or tc.job_position
        group = groups.setdefault((unit, position, tc.level), _StaffGroup())
        group.holders += int(float(holders))
        group.titles.append(tc.code)
        new = _base_note(tc, tc.level)
        if tc.standard_raised_from_b:
            new.append(f"người chưa đạt chuẩn cao đẳng, đang chuẩn hoá: chuyển sang bậc 1 "
                       f"({STANDARDISING_SOURCE}); tách số này khỏi bậc {tc.level} "
                       "(holders still being standardised go to level 1: move them)")
        new += _position_note(given, tc)
        new += _range_note(position, tc.level)
        group.notes.extend(n for n in new if n not in group.notes)
    problems.raise_if_any()
    rows: list[dict[str, str | None]] = [
        {"unit_id": unit, "job_position": position, "level": str(level),
         "holders": str(g.holders), FROM: ";".join(g.titles), NOTE: "; ".join(g.notes)}
        for (unit, position, level), g in groups.items()]
    return _text_frame(rows, ["unit_id", "job_position", "level", "holders", FROM, NOTE])


def _text_frame(rows: list[dict[str, str | None]], columns: list[str]) -> pl.DataFrame:
    data = {c: [r.get(c) for r in rows] for c in columns}
    return pl.DataFrame(data, schema=dict.fromkeys(columns, pl.Utf8))


def convert(raw: RawTable, kind: ListKind, *, standardisation: bool = True) -> Converted:
    if kind is ListKind.candidates:
        return Converted(kind, convert_candidates(raw, standardisation=standardisation))
    return Converted(kind, convert_staff(raw))


def read(path: Path) -> tuple[ListKind, RawTable]:
    """A list file (CSV or xlsx) and what it is; exit-2 problems name the place."""
    if path.suffix.lower() == ".xlsx":
        name, raw = read_list(path, MARKERS, rulesets.builtin_rule_set(OLD_RULE_SET))
        return ListKind(name), raw
    if path.suffix.lower() != ".csv":
        raise InputError.one(path.name, None, None, "cần tệp .csv hoặc .xlsx",
                             "a .csv or .xlsx file is expected")
    raw = read_csv_table(path, path.name)
    for name, marker in MARKERS.items():
        if marker in raw.frame.columns:
            return ListKind(name), raw
    wanted = " hoặc ".join(f"'{m}'" for m in MARKERS.values())
    raise InputError.one(path.name, 1, None, f"không có cột {wanted}: không phải danh sách "
                         "ứng viên hay cơ cấu viên chức theo chức danh",
                         "no column 'current_title' or 'title': neither a candidate nor a "
                         "staff list by title")


def headers_vi(kind: ListKind, raw: RawTable, columns: list[str]) -> list[str]:
    """The header of each output column in a workbook: as the user wrote it where the column
    came from the input, else the Vietnamese header of the level regime."""
    new = {c.name: c.headers_vi[0] for c in levels_schema.LEVEL_COLUMNS[kind.value]}
    new |= {NOTE: NOTE_HEADER_VI, FROM: FROM_HEADER_VI}
    return [new[c] if c in new else raw.headers.get(c, c) for c in columns]


def write(converted: Converted, raw: RawTable, path: Path) -> None:
    """Write the converted list to ``path``: CSV, or one sheet of an xlsx workbook (every
    cell as text, never a formula)."""
    frame = converted.frame
    if path.suffix.lower() != ".xlsx":
        frame.write_csv(path)
        return
    book = open_workbook(path)
    book.set_properties({"title": "Danh sách chuyển sang bậc nghề nghiệp",
                         "created": FIXED_TIME, "author": "allocator"})
    try:
        sheet = book.add_worksheet(converted.kind.value)
        bold = book.add_format({"bold": True, "text_wrap": True})
        for j, header in enumerate(headers_vi(converted.kind, raw, frame.columns)):
            sheet.write_string(0, j, header, bold)
        for i, row in enumerate(frame.iter_rows(), start=1):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write_string(i, j, str(value))
    finally:
        book.close()
