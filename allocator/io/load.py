"""Stage 1 — load and validate a scenario folder (SCENARIO.md) into typed polars frames.

Reading happens in two steps so that every source (a CSV folder, a workbook) shares the
same checks: sources produce :class:`RawTable` objects whose cells are all text, and
:func:`build_scenario` turns them into a validated :class:`Scenario`. Every problem names
the file, the row a person sees in a spreadsheet (header = row 1) and the column.
"""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from allocator.io import rulesets as rules
from models import ethnic
from models.enums import EducationLevel, Rank, Rating
from models.errors import Collector, InputError
from models.ruleset import RuleSet
from models.scenario import RoundSettings, Scenario
from models.text import fold, key

TABLES = ("units", "candidates", "quotas", "limits", "staff", "authority_decisions")
REQUIRED_TABLES = ("units", "candidates", "quotas")
MAX_DECIMALS = 6
MAX_ROWS_REPORTED = 5


@dataclass(frozen=True)
class RawTable:
    """A table as read: every cell text (``None`` when empty), plus how to name it in errors."""

    label: str  # e.g. "candidates.csv" or "candidates (trang tính/sheet)"
    frame: pl.DataFrame  # all Utf8 columns, cells stripped; column "__row" = spreadsheet row
    headers: dict[str, str] = field(default_factory=dict)  # column → header as the user wrote it


@dataclass(frozen=True)
class RawScenario:
    source: Path
    settings: dict[str, Any]
    settings_label: str
    tables: dict[str, RawTable]
    base_dir: Path  # where relative paths (rule_set_file) resolve


# ---------------------------------------------------------------------------------------------
# Reading a folder
# ---------------------------------------------------------------------------------------------


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
    return frame.with_row_index("__row", offset=first_row).with_columns(
        pl.col("__row").cast(pl.Int64)
    )


def read_folder(folder: Path) -> RawScenario:
    """Read a scenario folder: scenario.toml and the CSV tables."""
    if not folder.exists():
        raise InputError.one(str(folder), None, None, "không tìm thấy kịch bản",
                             "scenario not found")
    if not folder.is_dir():
        raise InputError.one(str(folder), None, None,
                             "kịch bản phải là một thư mục (hoặc tệp .xlsx)",
                             "a scenario is a folder (or an .xlsx workbook)")
    toml_path = folder / "scenario.toml"
    try:
        settings = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.one("scenario.toml", None, None, "thiếu tệp", "file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError.one("scenario.toml", None, None, f"TOML không hợp lệ: {exc}",
                             f"invalid TOML: {exc}") from None
    tables: dict[str, RawTable] = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if name in REQUIRED_TABLES or path.exists():
            tables[name] = read_csv_table(path, f"{name}.csv")
    return RawScenario(folder, settings, "scenario.toml", tables, folder)


# ---------------------------------------------------------------------------------------------
# Typed columns
# ---------------------------------------------------------------------------------------------

_TRUE = {"true", "1", "x", "yes", "co", "y", "t"}
_FALSE = {"false", "0", "no", "khong", "n", "f"}

_SEX = {"female": "female", "nu": "female", "f": "female", "male": "male", "nam": "male",
        "m": "male"}

_RATING_WORDS = {
    "xuat_sac": Rating.xuat_sac, "hoan_thanh_xuat_sac_nhiem_vu": Rating.xuat_sac,
    "hoan_thanh_xuat_sac": Rating.xuat_sac,
    "tot": Rating.tot, "hoan_thanh_tot_nhiem_vu": Rating.tot, "hoan_thanh_tot": Rating.tot,
    "hoan_thanh": Rating.hoan_thanh, "hoan_thanh_nhiem_vu": Rating.hoan_thanh,
    "khong_hoan_thanh": Rating.khong_hoan_thanh,
    "khong_hoan_thanh_nhiem_vu": Rating.khong_hoan_thanh,
}
_EDUCATION_WORDS = {
    "trung_cap": EducationLevel.trung_cap, "cao_dang": EducationLevel.cao_dang,
    "dai_hoc": EducationLevel.dai_hoc, "thac_si": EducationLevel.thac_si,
    "tien_si": EducationLevel.tien_si, "cu_nhan": EducationLevel.dai_hoc,
    "ky_su": EducationLevel.dai_hoc,
}


@dataclass(frozen=True)
class Conversion:
    """How to read one column: a function on each distinct text value (None or an error
    marks the value invalid), the resulting type, and what to say when a value is wrong."""

    name: str
    mapping: Callable[[str], Any]
    dtype: pl.DataType
    what_vi: str
    what_en: str
    required: bool = True
    default: Any = None


class _Table:
    """Helper that converts the text columns of one raw table, collecting problems."""

    def __init__(self, raw: RawTable, problems: Collector,
                 sources: dict[str, str] | None = None) -> None:
        self.raw = raw
        self.label = raw.label
        self.sources = sources or {}
        self.df = raw.frame
        self.problems = problems
        self.out: dict[str, pl.Series] = {"__row": self.df["__row"]}

    # -- reporting --------------------------------------------------------------------------
    def report(self, mask: pl.Series, column: str | None, vi: str, en: str,
               values: pl.Series | None = None) -> None:
        """Add one problem per offending row (the first few), naming the value when given."""
        idx = mask.fill_null(False).arg_true()
        written = self.raw.headers.get(column or "", column)
        if column is not None and written != column:
            column = f"{written} ({column})"
        for i in idx.head(MAX_ROWS_REPORTED).to_list():
            row = int(self.df["__row"][i])
            shown = ""
            if values is not None and values[i] is not None:
                shown = f" '{values[i]}'"
            self.problems.add(self.label, row, column, vi + shown, en + shown)
        if len(idx) > MAX_ROWS_REPORTED:
            n = len(idx) - MAX_ROWS_REPORTED
            self.problems.add(self.label, None, column, f"… và {n} dòng khác cùng lỗi",
                              f"… and {n} more rows with the same problem")

    def has(self, column: str) -> bool:
        return column in self.df.columns

    def require_columns(self, names: Iterable[str]) -> bool:
        missing = [n for n in names if n not in self.df.columns]
        for name in missing:
            self.problems.add(self.label, 1, name, "thiếu cột bắt buộc", "required column missing")
        return not missing

    def text(self, name: str, *, required: bool = True) -> pl.Series:
        col = self.column(name)
        if required:
            self.report(col.is_null(), name, "ô trống", "empty cell")
        self.out[name] = col
        return col

    def unique_text(self, name: str) -> pl.Series:
        col = self.text(name)
        dup = col.is_duplicated() & col.is_not_null()
        self.report(dup, name, "mã bị trùng", "duplicate id", col)
        return col

    def mapped(self, name: str, mapping: Callable[[str], Any], dtype: pl.DataType,
               what_vi: str, what_en: str, *, required: bool = True,
               default: Any = None) -> pl.Series:
        """Convert a column through a Python function applied to its distinct values only."""
        return self.convert([Conversion(name, mapping, dtype, what_vi, what_en, required,
                                        default)])[0]

    def convert(self, conversions: list[Conversion]) -> list[pl.Series]:
        """Several conversions at once: the distinct values and the look-ups of every column
        in one parallel pass; problems reported column by column, in the order given."""
        present = [c for c in conversions if self.has(c.name)]
        distinct = self.df.select(
            pl.col(c.name).drop_nulls().unique().implode() for c in present
        ).row(0) if present else ()
        tables: dict[str, dict[str, Any]] = {}
        for c, values in zip(present, distinct, strict=True):
            table: dict[str, Any] = {}
            for value in values:
                converted_value = _safe(c.mapping, value)
                if converted_value is not None:
                    table[value] = converted_value
            tables[c.name] = table
        looked_up = self.df.select(
            pl.col(c.name).replace_strict(tables[c.name], default=None, return_dtype=c.dtype)
            for c in present) if present else pl.DataFrame()
        out = []
        for c in conversions:
            raw = self.column(c.name)
            converted = looked_up[c.name] if c.name in tables else \
                pl.Series(c.name, [None] * self.df.height, c.dtype)
            bad = raw.is_not_null() & converted.is_null()
            self.report(bad, c.name, f"giá trị không hợp lệ, cần {c.what_vi}",
                        f"invalid value, expected {c.what_en}", raw)
            if c.required and c.default is None:
                self.report(raw.is_null(), c.name, "ô trống", "empty cell")
            if c.default is not None:
                converted = converted.fill_null(pl.lit(c.default, c.dtype))
            converted = converted.alias(c.name)
            self.out[c.name] = converted
            out.append(converted)
        return out

    def column(self, name: str) -> pl.Series:
        if self.has(name):
            return self.df[name]
        return pl.Series(name, [None] * self.df.height, pl.Utf8)

    def date(self, name: str, *, required: bool = True) -> pl.Series:
        return self.mapped(name, parse_iso_date, pl.Date(), "ngày dạng YYYY-MM-DD",
                           "a date YYYY-MM-DD", required=required)

    @staticmethod
    def as_boolean(name: str, *, default: bool | None = False) -> Conversion:
        return Conversion(name, parse_bool, pl.Boolean(), "true/false (1/0, x/trống)",
                          "true/false (1/0, x/empty)", default is None, default)

    @staticmethod
    def as_count(name: str, *, default: int | None = 0) -> Conversion:
        return Conversion(name, parse_count, pl.Int64(), "số nguyên ≥ 0", "a whole number ≥ 0",
                          default is None, default)

    @staticmethod
    def as_number(name: str, *, default: float | None = 0.0) -> Conversion:
        return Conversion(name, lambda v: float(parse_decimal(v)), pl.Float64(), "số ≥ 0",
                          "a number ≥ 0", default is None, default)

    def boolean(self, name: str, *, default: bool | None = False) -> pl.Series:
        return self.convert([self.as_boolean(name, default=default)])[0]

    def count(self, name: str, *, default: int | None = 0) -> pl.Series:
        return self.convert([self.as_count(name, default=default)])[0]

    def number(self, name: str, *, default: float | None = 0.0) -> pl.Series:
        return self.convert([self.as_number(name, default=default)])[0]

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(list(self.out.values()))


def parse_iso_date(value: str) -> dt.date:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(value)
    return dt.date.fromisoformat(value)


def parse_birth(value: str) -> tuple[dt.date, dt.date]:
    """Birth date as an interval: 'YYYY-MM-DD' exact; 'YYYY-MM' or 'YYYY' incomplete."""
    if len(value) == 10:
        d = parse_iso_date(value)
        return d, d
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        y, m = int(value[:4]), int(value[5:])
        return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
    if len(value) == 4 and value.isdigit():
        y = int(value)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    raise ValueError(value)


def parse_bool(value: str) -> bool:
    word = key(value)
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(value)


def parse_decimal(value: str) -> Decimal:
    text = value.replace(",", ".").replace(" ", "")
    d = Decimal(text)
    if not d.is_finite() or d < 0:
        raise ValueError(value)
    return d


def parse_count(value: str) -> int:
    d = parse_decimal(value)
    if d != d.to_integral_value():
        raise ValueError(value)
    return int(d)


def _scaled_units(values: Iterable[Decimal]) -> int:
    """Smallest power of ten that makes every value an integer (at most 10^MAX_DECIMALS)."""
    decimals = 0
    for v in values:
        exp = v.normalize().as_tuple().exponent
        if isinstance(exp, int) and exp < 0:
            decimals = max(decimals, -exp)
    return 10 ** min(decimals, MAX_DECIMALS)


# ---------------------------------------------------------------------------------------------
# Building the scenario
# ---------------------------------------------------------------------------------------------


def round_settings(raw: RawScenario) -> RoundSettings:
    """The validated settings of a raw scenario."""
    return _settings(raw)


def resolve_rule_set(raw: RawScenario, settings: RoundSettings) -> RuleSet:
    """The rule set a round applies: named, from the user's file, or in force at the deadline."""
    return _rule_set(raw, settings)


def _settings(raw: RawScenario) -> RoundSettings:
    try:
        return RoundSettings.model_validate(raw.settings)
    except ValidationError as exc:
        problems = Collector()
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or None
            if err["type"] == "extra_forbidden":
                problems.add(raw.settings_label, None, loc, "khoá không được hỗ trợ",
                             "unknown setting")
            elif err["type"] == "missing":
                problems.add(raw.settings_label, None, loc, "thiếu thiết lập bắt buộc",
                             "required setting missing")
            else:
                problems.add(raw.settings_label, None, loc, f"giá trị không hợp lệ: {err['msg']}",
                             f"invalid value: {err['msg']}")
        raise InputError(problems.problems) from None


def _rule_set(raw: RawScenario, settings: RoundSettings) -> RuleSet:
    label = raw.settings_label
    if settings.rule_set_file:
        path = (raw.base_dir / settings.rule_set_file)
        rs = rules.load_rule_set_file(path, settings.rule_set_file)
        if settings.rule_set and settings.rule_set != rs.id:
            raise InputError.one(label, None, "rule_set",
                                 f"rule_set '{settings.rule_set}' khác id của tệp ({rs.id})",
                                 f"rule_set '{settings.rule_set}' differs from the file's id "
                                 f"({rs.id})")
        return rs
    if settings.rule_set:
        try:
            return rules.builtin_rule_set(settings.rule_set)
        except KeyError as exc:
            raise InputError.one(label, None, "rule_set", f"không có bộ quy tắc này ({exc})",
                                 str(exc)) from None
    in_force = rules.rule_set_in_force(settings.deadline)
    if in_force is None:
        known = "; ".join(f"{r.id} ({r.valid_from}–{r.valid_to or '…'})"
                          for r in rules.builtin_rule_sets())
        raise InputError.one(
            label, None, "deadline",
            f"không có bộ quy tắc có sẵn còn hiệu lực vào {settings.deadline}; hãy chỉ rõ "
            f"rule_set hoặc rule_set_file (có sẵn: {known})",
            f"no built-in rule set is in force on {settings.deadline}; name one with rule_set "
            f"or rule_set_file (built in: {known})",
        )
    return in_force


def _units(t: _Table) -> pl.DataFrame:
    if not t.require_columns(["unit_id", "name", "parent_id"]):
        return pl.DataFrame()
    t.unique_text("unit_id")
    t.text("name")
    t.text("parent_id", required=False)
    return t.frame()


def _check_tree(units: pl.DataFrame, label: str, problems: Collector) -> None:
    """One root, every parent present, no cycles (the unit tree must be a tree)."""
    ids = set(units["unit_id"].drop_nulls().to_list())
    roots = units.filter(pl.col("parent_id").is_null())
    if roots.height == 0:
        problems.add(label, None, "parent_id", "không có đơn vị gốc (parent_id trống)",
                     "no root unit (a row with empty parent_id)")
    elif roots.height > 1:
        for row in roots["__row"].to_list()[1:MAX_ROWS_REPORTED]:
            problems.add(label, row, "parent_id", "có nhiều hơn một đơn vị gốc",
                         "more than one root unit")
    orphans = units.filter(pl.col("parent_id").is_not_null()
                           & ~pl.col("parent_id").is_in(list(ids)))
    for row, parent in orphans.select("__row", "parent_id").head(MAX_ROWS_REPORTED).iter_rows():
        problems.add(label, row, "parent_id", f"đơn vị cấp trên '{parent}' không tồn tại",
                     f"parent unit '{parent}' does not exist")
    parent = dict(units.select("unit_id", "parent_id").drop_nulls("unit_id").iter_rows())
    rows = dict(units.select("unit_id", "__row").drop_nulls("unit_id").iter_rows())
    state: dict[str, int] = {}
    for start in sorted(parent):
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node):] if node in path else [node]
            problems.add(label, rows[cycle[0]], "parent_id",
                         f"vòng lặp cấp trên: {' → '.join([*cycle, cycle[0]])}",
                         f"parent cycle: {' → '.join([*cycle, cycle[0]])}")
        for n in path:
            state[n] = 2


def _candidates(t: _Table, rs: RuleSet, settings: RoundSettings, unit_ids: set[str]) -> None:
    required = ["candidate_id", "full_name", "birth_date", "sex", "ethnicity", "unit_id",
                "current_title", "target_title", "rank_since", "recruitment_level", "degree",
                "degree_field_ok", "certificate", "rating_prev_year", "under_discipline",
                "competence_ok", "language_it_ok", "service_start"]
    if not t.require_columns(required):
        return
    cid = t.unique_text("candidate_id")
    t.text("full_name")
    unit = t.text("unit_id")
    t.report(unit.is_not_null() & ~unit.is_in(list(unit_ids)), "unit_id",
             f"đơn vị không có trong {t.sources.get('units', 'units.csv')}",
             f"unit not in {t.sources.get('units', 'units.csv')}", unit)
    birth_raw = t.df["birth_date"]
    lo = t.mapped("birth_date", lambda v: parse_birth(v)[0], pl.Date(),
                  "ngày sinh YYYY-MM-DD (hoặc YYYY, YYYY-MM nếu chỉ biết năm/tháng)",
                  "a birth date YYYY-MM-DD (or YYYY / YYYY-MM when only that is known)")
    length = birth_raw.str.len_chars()
    hi = pl.select(
        pl.when(length == 4).then(lo.dt.offset_by("1y").dt.offset_by("-1d"))
        .when(length == 7).then(lo.dt.month_end())
        .otherwise(lo)
    ).to_series()
    t.out["birth_lo"] = lo.alias("birth_lo")
    t.out["birth_hi"] = hi.alias("birth_hi")
    t.out["birth_date"] = birth_raw
    t.mapped("sex", lambda v: _SEX[key(v)], pl.Utf8(), "female/male (Nữ/Nam)",
             "female/male (Nữ/Nam)")
    eth = t.text("ethnicity")
    minority = t.mapped("ethnicity", ethnic.minority_of, pl.Boolean(),
                        "tên một trong 54 dân tộc Việt Nam",
                        "the name of one of Vietnam's 54 ethnic groups")
    t.out["ethnicity"] = eth
    t.out["ethnic_minority"] = minority.alias("ethnic_minority")
    cur = t.text("current_title")
    tgt = t.text("target_title")
    known_pairs = [f"{tr.from_title}\t{tr.to_title}" for tr in rs.transitions]
    pair = pl.select(pl.concat_str([cur, tgt], separator="\t")).to_series()
    t.report(pair.is_not_null() & ~pair.is_in(known_pairs), "target_title",
             f"cặp chức danh (current_title → target_title) không có trong bộ quy tắc {rs.id}",
             f"unknown title pair (current_title → target_title) for rule set {rs.id}",
             pair.str.replace("\t", " → ", literal=True))
    deadline = settings.deadline
    for name in ("rank_since", "service_start"):
        d = t.date(name)
        t.report(d > deadline, name, f"sau hạn nộp hồ sơ {deadline}",
                 f"after the dossier deadline {deadline}", t.df[name])
    t.report(lo > deadline, "birth_date", f"sau hạn nộp hồ sơ {deadline}",
             f"after the dossier deadline {deadline}", birth_raw)
    edu = "trung_cap/cao_dang/dai_hoc/thac_si/tien_si"
    ratings = "xuat_sac/tot/hoan_thanh/khong_hoan_thanh"
    codes = [a.code for a in rs.achievement_levels]
    by_fold = {fold(c): c for c in codes}
    t.convert([
        t.as_count("equivalent_months"),
        t.as_count("probation_months"),
        Conversion("recruitment_level", lambda v: _EDUCATION_WORDS[key(v)].value, pl.Utf8(),
                   edu, edu),
        Conversion("degree", lambda v: _EDUCATION_WORDS[key(v)].value, pl.Utf8(), edu, edu),
        *(t.as_boolean(name) for name in ("degree_field_ok", "certificate",
                                          "under_discipline", "competence_ok",
                                          "language_it_ok")),
        Conversion("rating_prev_year", lambda v: _RATING_WORDS[key(v)].value, pl.Utf8(),
                   ratings, ratings),
        Conversion("achievement", lambda v: by_fold[fold(v)], pl.Utf8(),
                   f"một bậc thành tích {'/'.join(codes)} hoặc để trống",
                   f"an achievement level {'/'.join(codes)} or empty", required=False),
        t.as_count("achievement_count"),
        t.as_number("points"),
        t.as_number("points_st"),
        Conversion("salary_increase", lambda v: str(parse_decimal(v)), pl.Utf8(), "số ≥ 0",
                   "a number ≥ 0", required=False),
    ])
    _ = cid


def _safe(fn: Callable[[str], Any], value: str) -> Any:
    try:
        return fn(value)
    except (ValueError, KeyError, ArithmeticError):
        return None


def _quotas(t: _Table, rs: RuleSet, unit_ids: set[str]) -> None:
    if not t.require_columns(["agency_id", "target_title", "quota"]):
        return
    agency = t.text("agency_id")
    t.report(agency.is_not_null() & ~agency.is_in(list(unit_ids)), "agency_id",
             f"đơn vị không có trong {t.sources.get('units', 'units.csv')}",
             f"unit not in {t.sources.get('units', 'units.csv')}", agency)
    title = t.text("target_title")
    targets = sorted({tr.to_title for tr in rs.transitions})
    t.report(title.is_not_null() & ~title.is_in(targets), "target_title",
             "chức danh không phải đích của chuyển hạng nào trong bộ quy tắc",
             "not the target title of any transition in the rule set", title)
    t.count("quota", default=None)
    pair = pl.DataFrame({"a": agency, "b": title})
    dup = pair.is_duplicated() & agency.is_not_null() & title.is_not_null()
    t.report(dup, "target_title", "chỉ tiêu bị khai báo trùng cho cùng cơ quan và chức danh",
             "duplicate quota for the same agency and title", title)


def _limits(t: _Table, rs: RuleSet, unit_ids: set[str], has_staff: bool) -> None:
    if not t.require_columns(["limit_id", "scope_unit_id", "max"]) and not t.has("max_share"):
        return
    t.unique_text("limit_id")
    scope = t.text("scope_unit_id")
    t.report(scope.is_not_null() & ~scope.is_in(list(unit_ids)), "scope_unit_id",
             f"đơn vị không có trong {t.sources.get('units', 'units.csv')}",
             f"unit not in {t.sources.get('units', 'units.csv')}", scope)
    title = t.text("target_title", required=False)
    t.report(title.is_not_null() & ~title.is_in(sorted(rs.title_codes)), "target_title",
             "mã chức danh không có trong bộ quy tắc", "title code not in the rule set", title)
    t.mapped("target_rank", lambda v: Rank(v.upper()).value, pl.Utf8(), "I/II/III/IV/V",
             "I/II/III/IV/V", required=False)
    mx = t.mapped("max", parse_count, pl.Int64(), "số nguyên ≥ 0", "a whole number ≥ 0",
                  required=False)
    share = t.mapped("max_share", lambda v: str(parse_decimal(v)), pl.Utf8(),
                     "tỉ lệ từ 0 đến 1", "a fraction 0–1", required=False)
    raw_max = t.df["max"] if t.has("max") else pl.Series([None] * t.df.height, dtype=pl.Utf8)
    raw_share = t.df["max_share"] if t.has("max_share") else \
        pl.Series([None] * t.df.height, dtype=pl.Utf8)
    both = raw_max.is_not_null() & raw_share.is_not_null()
    neither = raw_max.is_null() & raw_share.is_null()
    t.report(both | neither, "max", "cần đúng một trong hai cột max và max_share",
             "give exactly one of max and max_share")
    share_gt1 = share.cast(pl.Float64, strict=False) > 1
    t.report(share_gt1, "max_share", "tỉ lệ phải từ 0 đến 1", "must be a fraction 0–1",
             raw_share)
    if not has_staff:
        t.report(raw_share.is_not_null(), "max_share", "max_share cần tệp staff.csv",
                 "max_share needs staff.csv")
    rank_raw = t.df["target_rank"] if t.has("target_rank") else \
        pl.Series([None] * t.df.height, dtype=pl.Utf8)
    t.report(raw_share.is_not_null() & title.is_null() & rank_raw.is_null(), "max_share",
             "max_share cần target_title hoặc target_rank",
             "max_share needs target_title or target_rank")
    _ = mx


def _staff(t: _Table, rs: RuleSet, unit_ids: set[str]) -> None:
    if not t.require_columns(["unit_id", "title", "holders"]):
        return
    unit = t.text("unit_id")
    t.report(unit.is_not_null() & ~unit.is_in(list(unit_ids)), "unit_id",
             f"đơn vị không có trong {t.sources.get('units', 'units.csv')}",
             f"unit not in {t.sources.get('units', 'units.csv')}", unit)
    title = t.text("title")
    t.report(title.is_not_null() & ~title.is_in(sorted(rs.title_codes)), "title",
             "mã chức danh không có trong bộ quy tắc", "title code not in the rule set", title)
    t.count("holders", default=None)
    t.mapped("positions", parse_count, pl.Int64(), "số nguyên ≥ 0", "a whole number ≥ 0",
             required=False)
    dup = pl.DataFrame({"a": unit, "b": title}).is_duplicated() & unit.is_not_null()
    t.report(dup, "title", "khai báo trùng đơn vị và chức danh", "duplicate unit and title",
             title)


def _decisions(t: _Table, candidate_ids: set[str]) -> None:
    if not t.require_columns(["candidate_id", "decision"]):
        return
    cid = t.unique_text("candidate_id")
    t.report(cid.is_not_null() & ~cid.is_in(list(candidate_ids)), "candidate_id",
             f"không có ứng viên này trong {t.sources.get('candidates', 'candidates.csv')}",
             f"no such candidate in {t.sources.get('candidates', 'candidates.csv')}",
             cid)
    words = {"select": "select", "chon": "select", "reject": "reject", "khong_chon": "reject",
             "loai": "reject"}
    t.mapped("decision", lambda v: words[key(v)], pl.Utf8(), "select/reject", "select/reject")


_EMPTY_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "limits": {"__row": pl.Int64(), "limit_id": pl.Utf8(), "scope_unit_id": pl.Utf8(),
               "target_title": pl.Utf8(), "target_rank": pl.Utf8(), "max": pl.Int64(),
               "max_share": pl.Utf8()},
    "staff": {"__row": pl.Int64(), "unit_id": pl.Utf8(), "title": pl.Utf8(),
              "holders": pl.Int64(), "positions": pl.Int64()},
    "authority_decisions": {"__row": pl.Int64(), "candidate_id": pl.Utf8(),
                            "decision": pl.Utf8()},
}


def build_scenario(raw: RawScenario) -> Scenario:
    """Validate a raw scenario: settings, rule set, every table, every cross-reference."""
    settings = _settings(raw)
    rs = _rule_set(raw, settings)
    problems = Collector()
    typed: dict[str, pl.DataFrame] = {}

    ut = _Table(raw.tables["units"], problems)
    units = _units(ut)
    if problems.problems:
        problems.raise_if_any()
    _check_tree(units, ut.label, problems)
    problems.raise_if_any()
    unit_ids = set(units["unit_id"].to_list())

    sources = {name: tbl.label for name, tbl in raw.tables.items()}
    ct = _Table(raw.tables["candidates"], problems, sources)
    _candidates(ct, rs, settings, unit_ids)
    typed["candidates"] = ct.frame() if not problems.problems else pl.DataFrame()

    qt = _Table(raw.tables["quotas"], problems, sources)
    _quotas(qt, rs, unit_ids)
    typed["quotas"] = qt.frame()

    if "staff" in raw.tables:
        st = _Table(raw.tables["staff"], problems, sources)
        _staff(st, rs, unit_ids)
        typed["staff"] = st.frame()
    if "limits" in raw.tables:
        lt = _Table(raw.tables["limits"], problems, sources)
        _limits(lt, rs, unit_ids, "staff" in raw.tables)
        typed["limits"] = lt.frame()
    if "authority_decisions" in raw.tables and "candidate_id" in ct.df.columns:
        dt_ = _Table(raw.tables["authority_decisions"], problems, sources)
        _decisions(dt_, set(ct.df["candidate_id"].drop_nulls().to_list()))
        typed["authority_decisions"] = dt_.frame()
    problems.raise_if_any()

    candidates = typed["candidates"]
    salary_text = candidates["salary_increase"]
    distinct = {v: Decimal(v) for v in salary_text.drop_nulls().unique().to_list()}
    scale = _scaled_units([*distinct.values(), settings.budget])
    candidates = candidates.with_columns(
        salary_text.replace_strict({k: int(v * scale) for k, v in distinct.items()},
                                   default=0, return_dtype=pl.Int64).alias("salary_units"),
        salary_text.replace_strict({k: float(v) for k, v in distinct.items()},
                                   default=0.0, return_dtype=pl.Float64).alias("salary_increase"),
    )
    limits = typed.get("limits")
    if limits is None:
        limits = pl.DataFrame(schema=_EMPTY_SCHEMAS["limits"])
    else:
        for col, dtype in _EMPTY_SCHEMAS["limits"].items():
            if col not in limits.columns:
                limits = limits.with_columns(pl.lit(None, dtype).alias(col))
    staff = typed.get("staff", pl.DataFrame(schema=_EMPTY_SCHEMAS["staff"]))
    decisions = typed.get("authority_decisions",
                          pl.DataFrame(schema=_EMPTY_SCHEMAS["authority_decisions"]))
    labels = {name: tbl.label for name, tbl in raw.tables.items()}
    labels["scenario"] = raw.settings_label
    return Scenario(
        source=raw.source, settings=settings, rule_set=rs, units=units,
        candidates=candidates, quotas=typed["quotas"], limits=limits, staff=staff,
        decisions=decisions, money_scale=scale, budget_units=int(settings.budget * scale),
        labels=labels,
    )


def load(path: Path) -> Scenario:
    """Load and validate a scenario: a folder, an .xlsx workbook, or a variant (.toml)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from allocator.io import workbook

        return build_scenario(workbook.read_workbook(path))
    if suffix == ".toml" and path.is_file():
        from allocator.io import variants

        return variants.load_variant(path)
    return build_scenario(read_folder(path))
