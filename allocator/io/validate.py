"""Stage 1 — validate a raw scenario (every cell text) into a :class:`Scenario`.

Two steps, whatever the source (a CSV folder, a workbook, the cells a what-if variant
writes): each cell is read by its column's kind in :mod:`models.schema` (a date is a date, a
count a whole number ≥ 0, a rating one of the rating vocabulary's spellings …), then the
whole-scenario cross-check of :mod:`models.checks` runs on the typed frames (ids unique,
references known, the unit tree a tree, dates before the deadline …). Every problem names
the file, the row a person sees in a spreadsheet (header = row 1) and the column; all are
reported together.

Typed frames have the schema's columns in its order (an optional column the file lacks is
filled with its default), ``__row``, and these derived columns: ``birth_lo`` / ``birth_hi``
(the interval a birth date known only to the year or month spans) after ``birth_date``,
``ethnic_minority`` after ``ethnicity``, and ``salary_units`` (see
:func:`models.scenario.scale_money`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import polars as pl
from pydantic import ValidationError

from allocator.io import levels, rulesets
from allocator.io.parse import (
    parse_birth,
    parse_bool,
    parse_count,
    parse_decimal,
    parse_iso_date,
    safely,
)
from allocator.io.raw import ROW, RawScenario, RawTable
from models import ethnic, schema
from models.checks import Place, report_rows
from models.errors import Collector, InputError
from models.plan import nested_plan
from models.ruleset import RuleSet
from models.scenario import TABLE_OF, RoundSettings, Scenario, unit_problems
from models.schema import Column, Kind, Table
from models.text import fold
from models.vocabulary import VOCABULARIES, YES_NO

#: Kinds read as the text they are (a reference is checked by the cross-check).
TEXT_KINDS = frozenset({Kind.text, Kind.id, Kind.unit, Kind.candidate, Kind.title_code, Kind.award})
#: Derived columns: written right after their column.
BIRTH_LO, BIRTH_HI, MINORITY = "birth_lo", "birth_hi", "ethnic_minority"
#: What a valid value of each kind looks like in a file (Vietnamese, English).
EXPECTED: dict[Kind, tuple[str, str]] = {
    Kind.date: ("ngày dạng YYYY-MM-DD", "a date YYYY-MM-DD"),
    Kind.birth_date: ("ngày sinh YYYY-MM-DD (hoặc YYYY, YYYY-MM nếu chỉ biết năm/tháng)",
                      "a birth date YYYY-MM-DD (or YYYY / YYYY-MM when only that is known)"),
    Kind.bool: (YES_NO.expected_vi, YES_NO.expected_en),
    Kind.whole_number: ("số nguyên ≥ 0", "a whole number ≥ 0"),
    Kind.number: ("số ≥ 0", "a number ≥ 0"),
    Kind.share: ("tỉ lệ từ 0 đến 1", "a fraction 0–1"),
    Kind.ethnic_group: ("tên một trong 54 dân tộc Việt Nam",
                        "the name of one of Vietnam's 54 ethnic groups"),
}
_DTYPE: dict[Kind, pl.DataType] = {
    Kind.date: pl.Date(), Kind.birth_date: pl.Date(), Kind.bool: pl.Boolean(),
    Kind.whole_number: pl.Int64(), Kind.number: pl.Float64(), Kind.share: pl.Utf8(),
    Kind.term: pl.Utf8(), Kind.ethnic_group: pl.Boolean(), Kind.achievement: pl.Utf8(),
}


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def round_settings(settings: Mapping[str, Any], label: str) -> RoundSettings:
    """The validated settings (scenario.toml or a workbook's ``scenario`` sheet)."""
    try:
        return RoundSettings.model_validate(nested_plan(dict(settings)))
    except ValidationError as exc:
        problems = Collector()
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or None
            if err["type"] == "extra_forbidden":
                problems.add(label, None, loc, "khoá không được hỗ trợ", "unknown setting")
            elif err["type"] == "missing":
                problems.add(label, None, loc, "thiếu thiết lập bắt buộc",
                             "required setting missing")
            else:
                problems.add(label, None, loc, f"giá trị không hợp lệ: {err['msg']}",
                             f"invalid value: {err['msg']}")
        raise InputError(problems.problems) from None


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """How to read the cells of one column: the text → value function (None for text kinds),
    the value type, and what a valid value looks like."""

    column: Column
    fn: Callable[[str], Any] | None
    dtype: pl.DataType
    expected_vi: str
    expected_en: str


def reading(column: Column, rs: RuleSet) -> Reading:
    """The reading of a column by its kind (the achievement ladder is the rule set's)."""
    kind = column.kind
    if kind in TEXT_KINDS:
        return Reading(column, None, pl.Utf8(), "", "")
    if kind is Kind.term:
        vocabulary = VOCABULARIES[str(column.vocabulary)]
        return Reading(column, vocabulary.code_of, pl.Utf8(), vocabulary.expected_vi,
                       vocabulary.expected_en)
    if kind is Kind.achievement:
        codes = [a.code for a in rs.achievement_levels]
        by_fold = {fold(c): c for c in codes}
        return Reading(column, lambda v: by_fold[fold(v)], pl.Utf8(),
                       f"một bậc thành tích {'/'.join(codes)} hoặc để trống",
                       f"an achievement level {'/'.join(codes)} or empty")
    most = schema.most_of(column.name, kind)
    functions: dict[Kind, Callable[[str], Any]] = {
        Kind.date: _plausible_date, Kind.birth_date: _plausible_birth,
        Kind.bool: parse_bool, Kind.whole_number: lambda v: _at_most(parse_count(v), most),
        Kind.number: lambda v: float(_at_most(parse_decimal(v), most)),
        Kind.share: lambda v: str(parse_decimal(v)), Kind.ethnic_group: ethnic.minority_of,
    }
    if kind not in functions:
        raise ValueError(f"{column.name}: a {kind} column is not read from a table")
    vi, en = EXPECTED[kind]
    if most is not None and kind in (Kind.whole_number, Kind.number):
        vi, en = f"{vi}, tối đa {most:_}".replace("_", "."), f"{en}, at most {most:,}"
    elif kind is Kind.date:
        vi, en = (f"{vi} từ {schema.EARLIEST_DATE:%Y} trở đi",
                  f"{en} from {schema.EARLIEST_DATE:%Y} on")
    elif kind is Kind.birth_date:
        vi, en = (f"{vi} từ năm {schema.EARLIEST_BIRTH_YEAR}",
                  f"{en} from {schema.EARLIEST_BIRTH_YEAR} on")
    return Reading(column, functions[kind], _DTYPE[kind], vi, en)


_N = TypeVar("_N", int, Decimal)


def _at_most(value: _N, most: int | None) -> _N:
    if most is not None and value > most:
        raise ValueError(value)
    return value


def _plausible_date(text: str) -> dt.date:
    day = parse_iso_date(text)
    if not schema.EARLIEST_DATE <= day <= schema.LATEST_DATE:
        raise ValueError(text)
    return day


def _plausible_birth(text: str) -> dt.date:
    day = parse_birth(text)[0]
    if not schema.EARLIEST_BIRTH_YEAR <= day.year <= schema.LATEST_DATE.year:
        raise ValueError(text)
    return day


def age_problems(candidates: pl.DataFrame, deadline: dt.date, place: Place,
                 problems: Collector) -> None:
    """A birth date must give an age within a working life at the deadline
    (:data:`models.schema.WORKING_AGE`): even the latest day it may mean is too old, or the
    earliest too young, is refused."""
    youngest, oldest = schema.WORKING_AGE
    if candidates.height == 0 or BIRTH_LO not in candidates.columns:
        return
    too_young = candidates[BIRTH_LO] > _years_before(deadline, youngest)
    too_old = candidates[BIRTH_HI] <= _years_before(deadline, oldest + 1)
    report_rows(problems, place, candidates[ROW], too_young, "birth_date",
                f"dưới {youngest} tuổi vào hạn nộp hồ sơ {deadline}",
                f"younger than {youngest} at the dossier deadline {deadline}",
                candidates["birth_date"])
    report_rows(problems, place, candidates[ROW], too_old, "birth_date",
                f"trên {oldest} tuổi vào hạn nộp hồ sơ {deadline}",
                f"older than {oldest} at the dossier deadline {deadline}",
                candidates["birth_date"])


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class TableReader:
    """Reads the text cells of one raw table into typed columns, by the schema; collects the
    problems, and remembers the cells that were filled but could not be read (``unread``)."""

    def __init__(self, raw: RawTable, table: Table, rs: RuleSet, problems: Collector) -> None:
        self.raw = raw
        self.table = table
        self.rs = rs
        self.problems = problems
        self.frame = raw.frame
        self.place = Place(raw.label, raw.headers)
        self.unread: dict[str, pl.Series] = {}
        self.regime = schema.Regime(rs.regime)

    def has_required_columns(self) -> bool:
        """Every required column is present, and one of each ``one_of`` group; else say so."""
        columns = set(self.frame.columns)
        missing = [n for n in self.table.required_names(self.regime) if n not in columns]
        for group in self.table.one_of:
            if not columns & set(group):
                missing.append(group[0])
        for name in missing:
            self.problems.add(self.raw.label, 1, name, "thiếu cột bắt buộc",
                              "required column missing")
        return not missing

    def read(self, names: Sequence[str] | None = None) -> pl.DataFrame:
        """The typed frame of the given columns (every column of the table when None):
        ``__row`` first, then each column (and its derived columns) in the schema's order."""
        columns = [c for c in self.table.columns_in(self.regime)
                   if names is None or c.name in names]
        readings = [reading(c, self.rs) for c in columns]
        looked_up = self._look_up([r for r in readings if r.fn is not None])
        out: dict[str, pl.Series] = {ROW: self.frame[ROW]}
        for r in readings:
            out.update(self._column(r, looked_up))
        return pl.DataFrame(list(out.values()))

    def _text(self, name: str) -> pl.Series:
        if name in self.frame.columns:
            return self.frame[name]
        return pl.Series(name, [None] * self.frame.height, pl.Utf8)

    def _look_up(self, readings: list[Reading]) -> dict[str, pl.Series]:
        """Each mapped column converted in one pass: the distinct values of every column, the
        function on each, then one look-up per column."""
        present = [r for r in readings if r.column.name in self.frame.columns]
        if not present:
            return {}
        distinct = self.frame.select(
            pl.col(r.column.name).drop_nulls().unique().implode() for r in present).row(0)
        tables: dict[str, dict[str, Any]] = {}
        for r, values in zip(present, distinct, strict=True):
            assert r.fn is not None
            fn = r.fn
            tables[r.column.name] = {v: out for v in values
                                     if (out := safely(fn, v)) is not None}
        converted = self.frame.select(
            pl.col(r.column.name).replace_strict(tables[r.column.name], default=None,
                                                 return_dtype=r.dtype)
            for r in present)
        return {name: converted[name] for name in converted.columns}

    def _report(self, mask: pl.Series, column: str, vi: str, en: str,
                values: pl.Series | None = None) -> None:
        report_rows(self.problems, self.place, self.frame[ROW], mask, column, vi, en, values)

    def _column(self, r: Reading, looked_up: Mapping[str, pl.Series]) -> dict[str, pl.Series]:
        """One column's typed series (and derived ones), its problems reported: a value that
        cannot be read, an empty cell where one is not allowed."""
        column, name = r.column, r.column.name
        text = self._text(name)
        if r.fn is None:
            typed = text
        else:
            typed = looked_up.get(name, pl.Series(name, [None] * self.frame.height, r.dtype))
            bad = text.is_not_null() & typed.is_null()
            self._report(bad, name, f"giá trị không hợp lệ, cần {r.expected_vi}",
                         f"invalid value, expected {r.expected_en}", text)
            self.unread[name] = bad
        if not column.blank_ok:
            self._report(text.is_null(), name, "ô trống", "empty cell")
        if column.default is not None:
            typed = typed.fill_null(pl.lit(column.default, r.dtype))
        typed = typed.alias(name)
        if column.kind is Kind.birth_date:
            return {name: text, BIRTH_LO: typed.alias(BIRTH_LO),
                    BIRTH_HI: _birth_hi(text, typed).alias(BIRTH_HI)}
        if column.kind is Kind.ethnic_group:
            return {name: text, MINORITY: typed.alias(MINORITY)}
        return {name: typed}


def _birth_hi(text: pl.Series, lo: pl.Series) -> pl.Series:
    """The last day a birth date can be: the year's or the month's end when only that is
    known."""
    length = text.str.len_chars()
    return pl.select(
        pl.when(length == 4).then(lo.dt.offset_by("1y").dt.offset_by("-1d"))
        .when(length == 7).then(lo.dt.month_end())
        .otherwise(lo)
    ).to_series()


def read_table(raw: RawTable, table: Table, rs: RuleSet, problems: Collector, *,
               names: Sequence[str] | None = None) -> tuple[pl.DataFrame | None,
                                                            dict[str, pl.Series]]:
    """A raw table's typed frame (None when a required column is missing; only the given
    columns with ``names``, whose presence is not required) and its unread cells."""
    reader = TableReader(raw, table, rs, problems)
    if names is None and not reader.has_required_columns():
        return None, reader.unread
    return reader.read(names), reader.unread


def empty_frame(table: Table, regime: schema.Regime = schema.Regime.titles) -> pl.DataFrame:
    """The typed frame of a table with no rows (an optional table the scenario lacks)."""
    columns: dict[str, pl.DataType] = {ROW: pl.Int64()}
    for c in table.columns_in(regime):
        if c.kind is Kind.birth_date:
            columns.update({c.name: pl.Utf8(), BIRTH_LO: pl.Date(), BIRTH_HI: pl.Date()})
        elif c.kind is Kind.ethnic_group:
            columns.update({c.name: pl.Utf8(), MINORITY: pl.Boolean()})
        else:
            columns[c.name] = pl.Utf8() if c.kind in TEXT_KINDS else _DTYPE[c.kind]
    return pl.DataFrame(schema=columns)


# ---------------------------------------------------------------------------------------------
# The whole scenario
# ---------------------------------------------------------------------------------------------


def validate(raw: RawScenario) -> Scenario:
    """Validate a raw scenario: settings, rule set, every cell, then the cross-check."""
    settings = round_settings(raw.settings, raw.settings_label)
    rs = rulesets.for_round(settings, raw.base_dir, raw.settings_label)
    problems = Collector()
    units, _ = read_table(raw.tables["units"], schema.UNITS, rs, problems)
    problems.raise_if_any()
    assert units is not None
    unit_place = Place(raw.tables["units"].label, raw.tables["units"].headers)
    problems.extend(unit_problems(units, unit_place))
    problems.raise_if_any()

    frames: dict[str, pl.DataFrame] = {}
    unread: dict[str, dict[str, pl.Series]] = {}
    skip: set[str] = set()
    for frame_name in ("candidates", "quotas", "staff", "limits", "decisions"):
        table = schema.table(TABLE_OF[frame_name])
        present = raw.tables.get(table.name)
        if frame_name == "decisions" and not _has_column(raw, "candidates", "candidate_id"):
            present = None  # rulings cannot be checked against candidates without ids
        typed = None
        if present is not None:
            typed, unread[table.name] = read_table(present, table, rs, problems)
        if typed is None:
            skip.add(frame_name)
            typed = empty_frame(table, schema.Regime(rs.regime))
        frames[frame_name] = typed
    positions = pl.DataFrame()
    if rs.regime == "levels":
        positions = _positions(raw, rs, problems)
        problems.raise_if_any()
        frames = levels.as_titles(frames, positions, rs, settings, raw, problems)
        problems.raise_if_any()

    if "candidates" not in skip:
        cands = raw.tables["candidates"]
        age_problems(frames["candidates"], settings.deadline, Place(cands.label, cands.headers),
                     problems)
    labels = {name: tbl.label for name, tbl in raw.tables.items()}
    labels["scenario"] = raw.settings_label
    draft = Scenario.of(
        source=raw.source, settings=settings, rule_set=rs, units=units,
        candidates=frames["candidates"], quotas=frames["quotas"], limits=frames["limits"],
        staff=frames["staff"], decisions=frames["decisions"], labels=labels,
        headers={name: tbl.headers for name, tbl in raw.tables.items()}, positions=positions)
    problems.extend(draft.problems(_ALL_BUT_UNITS, unread=unread, skip=skip))
    problems.raise_if_any()
    return draft


def _positions(raw: RawScenario, rs: RuleSet, problems: Collector) -> pl.DataFrame:
    """positions.csv of a round of career levels, read and checked (required there)."""
    table = schema.POSITIONS
    if table.name not in raw.tables:
        problems.add(table.file, None, None,
                     f"thiếu tệp: kỳ xét theo {rs.id} cần danh mục vị trí việc làm của đơn vị",
                     f"file is missing: a round under {rs.id} needs the units' job positions")
        return pl.DataFrame()
    typed, _ = read_table(raw.tables[table.name], table, rs, problems)
    if typed is None:
        return pl.DataFrame()
    return levels.positions_frame(typed, raw, rs, problems)


def _has_column(raw: RawScenario, table: str, column: str) -> bool:
    return table in raw.tables and column in raw.tables[table].frame.columns


_ALL_BUT_UNITS = frozenset({"settings", "rule_set", "candidates", "quotas", "limits", "staff",
                            "decisions", "labels"})
