"""The whole-scenario cross-check: rules that relate rows and tables of typed frames.

Reading a file checks each cell on its own (a date is a date, a count a whole number ≥ 0:
:mod:`allocator.io.validate`). The rules here need more than one cell: ids are unique,
references point at something (a unit, a title of the rule set, a candidate), the unit
tree is a tree, dates fall before the deadline, a limit gives exactly one bound. They run
on typed frames — after a folder or a workbook is read, and again on every
:meth:`models.scenario.Scenario.replace` — so a what-if variant is checked by the very rules
a file is.

Each rule reports one problem per offending row (the first few, then a count), naming the
table as the user knows it (``Place``: file or sheet label, the headers as written) and the
spreadsheet row (the frames' ``__row`` column). Null cells are never judged here: a cell that
could not be read was reported when it was read.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import polars as pl

from models.errors import Collector
from models.ruleset import RuleSet
from models.text import fold

MAX_ROWS_REPORTED = 5
ROW = "__row"
#: How close (difflib ratio) a known value must be to be offered as "did you mean".
CLOSE_ENOUGH = 0.75


@dataclass(frozen=True)
class Place:
    """How problems name one table: its label (file or sheet) and the headers as written."""

    label: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        """The column as the user wrote it, with the contract's name where they differ."""
        written = self.headers.get(name, name)
        return name if written == name else f"{written} ({name})"


#: A cell quoted in a message is cut to this many characters (a cell may hold a whole
#: pasted file: personal data that a message must not spill).
MAX_QUOTED_CHARS = 60


def shown_value(text: str) -> str:
    """A cell's text as a message quotes it: one line, at most :data:`MAX_QUOTED_CHARS`."""
    one_line = " ".join(text.split())
    if len(one_line) <= MAX_QUOTED_CHARS:
        return one_line
    return one_line[:MAX_QUOTED_CHARS - 1] + "…"


Hint = Callable[[str], tuple[str, str]]
"""A value → what to add to its problem (Vietnamese, English): "did you mean …"."""


def report_rows(problems: Collector, place: Place, rows: pl.Series, mask: pl.Series,
                column: str | None, vi: str, en: str, values: pl.Series | None = None,
                hint: Hint | None = None) -> None:
    """One problem per row where ``mask`` holds (the first few, then how many more), naming
    the row's value when ``values`` is given (and what ``hint`` says of it)."""
    idx = mask.fill_null(False).arg_true()
    shown_column = place.column(column) if column is not None else None
    for i in idx.head(MAX_ROWS_REPORTED).to_list():
        shown = shown_en = ""
        if values is not None and values[i] is not None:
            shown = shown_en = f" '{shown_value(str(values[i]))}'"
            if hint is not None:
                more_vi, more_en = hint(str(values[i]))
                shown, shown_en = shown + more_vi, shown_en + more_en
        problems.add(place.label, int(rows[i]), shown_column, vi + shown, en + shown_en)
    if len(idx) > MAX_ROWS_REPORTED:
        n = len(idx) - MAX_ROWS_REPORTED
        problems.add(place.label, None, shown_column, f"… và {n} dòng khác cùng lỗi",
                     f"… and {n} more rows with the same problem")


@dataclass
class Judge:
    """Reports the problems of one table's rows."""

    frame: pl.DataFrame
    place: Place
    problems: Collector
    unread: Mapping[str, pl.Series] = field(default_factory=dict)

    def report(self, mask: pl.Series | pl.Expr, column: str | None, vi: str, en: str,
               values: pl.Series | pl.Expr | None = None, hint: Hint | None = None) -> None:
        frame = self.frame
        mask_s = mask if isinstance(mask, pl.Series) else frame.select(mask).to_series()
        values_s = values if not isinstance(values, pl.Expr) else frame.select(values).to_series()
        report_rows(self.problems, self.place, frame[ROW], mask_s, column, vi, en, values_s,
                    hint)

    def given(self, column: str) -> pl.Series:
        """Rows whose cell was filled in the file, whether or not it could be read."""
        filled = self.frame[column].is_not_null()
        unread = self.unread.get(column)
        return filled if unread is None else filled | unread


# ---------------------------------------------------------------------------------------------
# Shared rules
# ---------------------------------------------------------------------------------------------


def unique(j: Judge, column: str) -> None:
    """An id column names each row once."""
    col = j.frame[column]
    j.report(col.is_duplicated() & col.is_not_null(), column, "mã bị trùng", "duplicate id", col)


def close_to(choices: Mapping[str, str]) -> Hint:
    """A hint naming the known values closest to a mistyped one (difflib on the folded
    text): ``choices`` maps each known spelling to how it is shown."""
    folded: dict[str, str] = {}
    for spelling, shown in choices.items():
        folded.setdefault(" ".join(fold(spelling).split()), shown)
    keys = list(folded)

    def hint(value: str) -> tuple[str, str]:
        typed = " ".join(fold(value).split())
        close = difflib.get_close_matches(typed, keys, n=2, cutoff=CLOSE_ENOUGH)
        if close and close[0] == typed:
            close = close[:1]  # the same but for accents or case: that one
        names = list(dict.fromkeys(folded[c] for c in close))
        if not names:
            return "", ""
        return (f"; có phải {' hoặc '.join(repr(n) for n in names)}?",
                f"; did you mean {' or '.join(repr(n) for n in names)}?")

    return hint


def unit_choices(unit_ids: pl.Series, names: pl.Series | None) -> dict[str, str]:
    """Unit ids and names → 'name (id)', for :func:`close_to`."""
    ids = [str(u) for u in unit_ids.to_list()]
    shown = ids if names is None else [f"{n} ({u})" for u, n in zip(ids, names.to_list(),
                                                                      strict=True)]
    choices = dict(zip(ids, shown, strict=True))
    if names is not None:
        choices.update({str(n): s for n, s in zip(names.to_list(), shown, strict=True)})
    return choices


def title_choices(rs: RuleSet) -> dict[str, str]:
    """Title codes and Vietnamese names → 'code (name)', for :func:`close_to`."""
    choices = {t.code: f"{t.code} ({t.name_vi})" for t in rs.titles}
    choices.update({t.name_vi: f"{t.code} ({t.name_vi})" for t in rs.titles})
    return choices


def in_units(j: Judge, column: str, unit_ids: pl.Series, units_label: str,
             names: pl.Series | None = None) -> None:
    """A unit reference names a unit of units.csv (with the closest units' names)."""
    col = j.frame[column]
    j.report(col.is_not_null() & ~col.is_in(unit_ids.implode()), column,
             f"đơn vị không có trong {units_label}", f"unit not in {units_label}", col,
             close_to(unit_choices(unit_ids, names)))


def known_title(j: Judge, column: str, rs: RuleSet) -> None:
    """A title reference names a title of the rule set."""
    col = j.frame[column]
    j.report(col.is_not_null() & ~col.is_in(sorted(rs.title_codes)), column,
             "mã chức danh không có trong bộ quy tắc", "title code not in the rule set", col,
             close_to(title_choices(rs)))


def unique_pair(j: Judge, first: str, second: str, vi: str, en: str) -> None:
    """No two rows share (first, second); reported on ``second``."""
    pair = j.frame.select(first, second)
    dup = pair.is_duplicated() & j.frame[first].is_not_null() & j.frame[second].is_not_null()
    j.report(dup, second, vi, en, j.frame[second])


# ---------------------------------------------------------------------------------------------
# Table by table
# ---------------------------------------------------------------------------------------------


def unit_tree(j: Judge) -> None:
    """One root, every parent present, no cycles (the unit tree must be a tree)."""
    units, label, problems = j.frame, j.place.label, j.problems
    ids = set(units["unit_id"].drop_nulls().to_list())
    roots = units.filter(pl.col("parent_id").is_null())
    if roots.height == 0:
        problems.add(label, None, "parent_id", "không có đơn vị gốc (parent_id trống)",
                     "no root unit (a row with empty parent_id)")
    elif roots.height > 1:
        for row in roots[ROW].to_list()[1:MAX_ROWS_REPORTED]:
            problems.add(label, row, "parent_id", "có nhiều hơn một đơn vị gốc",
                         "more than one root unit")
    orphans = units.filter(pl.col("parent_id").is_not_null()
                           & ~pl.col("parent_id").is_in(sorted(ids)))
    for row, parent in orphans.select(ROW, "parent_id").head(MAX_ROWS_REPORTED).iter_rows():
        problems.add(label, row, "parent_id", f"đơn vị cấp trên '{parent}' không tồn tại",
                     f"parent unit '{parent}' does not exist")
    _cycles(units, label, problems)


def _cycles(units: pl.DataFrame, label: str, problems: Collector) -> None:
    """Each cycle of parent links once, named from its first unit in id order."""
    parent = dict(units.select("unit_id", "parent_id").drop_nulls("unit_id").iter_rows())
    rows = dict(units.select("unit_id", ROW).drop_nulls("unit_id").iter_rows())
    state: dict[str, int] = {}  # 1 = on the path being walked, 2 = done
    for start in sorted(parent):
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node):] if node in path else [node]
            loop = " → ".join([*cycle, cycle[0]])
            problems.add(label, rows[cycle[0]], "parent_id", f"vòng lặp cấp trên: {loop}",
                         f"parent cycle: {loop}")
        for n in path:
            state[n] = 2


def title_pairs(j: Judge, rs: RuleSet) -> None:
    """(current_title, target_title) is a transition of the rule set."""
    known = [f"{tr.from_title}\t{tr.to_title}" for tr in rs.transitions]
    pair = j.frame.select(pl.concat_str(["current_title", "target_title"], separator="\t"))
    pair_s = pair.to_series()
    titles = close_to(title_choices(rs))

    def hint(pair_text: str) -> tuple[str, str]:
        parts = [titles(code) for code in pair_text.split(" → ") if code not in rs.title_codes]
        return "".join(p[0] for p in parts), "".join(p[1] for p in parts)

    j.report(pair_s.is_not_null() & ~pair_s.is_in(known), "target_title",
             f"cặp chức danh (current_title → target_title) không có trong bộ quy tắc {rs.id}",
             f"unknown title pair (current_title → target_title) for rule set {rs.id}",
             pair_s.str.replace("\t", " → ", literal=True), hint)


def before_deadline(j: Judge, deadline: dt.date) -> None:
    """Rank and service dates, and the earliest possible birth date, are not after the
    dossier deadline."""
    vi, en = f"sau hạn nộp hồ sơ {deadline}", f"after the dossier deadline {deadline}"
    for name in ("rank_since", "service_start"):
        j.report(pl.col(name) > deadline, name, vi, en, pl.col(name).cast(pl.Utf8))
    j.report(pl.col("birth_lo") > deadline, "birth_date", vi, en, pl.col("birth_date"))


def achievement_levels(j: Judge, rs: RuleSet) -> None:
    """An achievement is a level of the rule set's ladder."""
    codes = [a.code for a in rs.achievement_levels]
    col = j.frame["achievement"]
    j.report(col.is_not_null() & ~col.is_in(codes), "achievement",
             f"giá trị không hợp lệ, cần một bậc thành tích {'/'.join(codes)} hoặc để trống",
             f"invalid value, expected an achievement level {'/'.join(codes)} or empty", col)


def quota_titles(j: Judge, rs: RuleSet) -> None:
    """A quota is for the target title of some transition."""
    col = j.frame["target_title"]
    targets = sorted({tr.to_title for tr in rs.transitions})
    j.report(col.is_not_null() & ~col.is_in(targets), "target_title",
             "chức danh không phải đích của chuyển hạng nào trong bộ quy tắc",
             "not the target title of any transition in the rule set", col)


def limit_bounds(j: Judge) -> None:
    """A limit gives exactly one of max and max_share; a share is a fraction 0–1."""
    max_given, share_given = j.given("max"), j.given("max_share")
    j.report(max_given == share_given, "max", "cần đúng một trong hai cột max và max_share",
             "give exactly one of max and max_share")
    share = j.frame["max_share"]
    j.report(share.cast(pl.Float64, strict=False) > 1, "max_share", "tỉ lệ phải từ 0 đến 1",
             "must be a fraction 0–1", share)


def limit_shares(j: Judge, has_staff: bool) -> None:
    """A share limit needs staff.csv, and a title or a rank to count holders of."""
    share_given = j.given("max_share")
    if not has_staff:
        j.report(share_given, "max_share", "max_share cần tệp staff.csv",
                 "max_share needs staff.csv")
    j.report(share_given & ~j.given("target_title") & ~j.given("target_rank"), "max_share",
             "max_share cần target_title hoặc target_rank",
             "max_share needs target_title or target_rank")


def ruled_candidates(j: Judge, candidate_ids: pl.Series, candidates_label: str) -> None:
    """A ruling names a candidate of candidates.csv."""
    col = j.frame["candidate_id"]
    j.report(col.is_not_null() & ~col.is_in(candidate_ids.implode()), "candidate_id",
             f"không có ứng viên này trong {candidates_label}",
             f"no such candidate in {candidates_label}", col)


def rulings_name_their_people(j: Judge, candidates: pl.DataFrame, candidates_label: str,
                              names_required: bool) -> None:
    """A ruling's name (and birth date, where given) are those of the candidate its id
    names: a ruling keyed by a row number that now points at someone else is caught.
    ``names_required``: the ids are row numbers (STT/TT), so a ruling must give the name."""
    people = candidates.select("candidate_id", pl.col("full_name").alias("_name"),
                               pl.col("birth_date").alias("_birth"))
    frame = j.frame.with_columns(pl.lit(None, pl.Utf8).alias(c) for c in
                                 ("full_name", "birth_date") if c not in j.frame.columns)
    frame = frame.join(people, on="candidate_id", how="left", maintain_order="left")
    folded = pl.col("full_name").map_elements(_name_key, return_dtype=pl.Utf8)
    theirs = pl.col("_name").map_elements(_name_key, return_dtype=pl.Utf8)
    judge = Judge(frame, j.place, j.problems, j.unread)
    judge.report(pl.col("full_name").is_not_null() & pl.col("_name").is_not_null()
                 & (folded != theirs), "full_name",
                 f"họ tên khác với ứng viên có mã này trong {candidates_label} (danh sách đã "
                 "sắp xếp lại?)",
                 f"the name differs from the candidate with this id in {candidates_label} "
                 "(was the list re-sorted?)",
                 pl.concat_str([pl.col("full_name"), pl.lit("' ≠ '"), pl.col("_name")]))
    judge.report(pl.col("birth_date").is_not_null() & pl.col("_birth").is_not_null()
                 & (pl.col("birth_date") != pl.col("_birth")), "birth_date",
                 f"ngày sinh khác với ứng viên có mã này trong {candidates_label}",
                 f"the birth date differs from the candidate with this id in "
                 f"{candidates_label}",
                 pl.concat_str([pl.col("birth_date"), pl.lit("' ≠ '"), pl.col("_birth")]))
    if names_required:
        judge.report(pl.col("full_name").is_null() & pl.col("candidate_id").is_not_null(),
                     "full_name",
                     "mã ứng viên là số thứ tự (STT/TT): quyết định phải ghi cả họ tên",
                     "the candidate ids are row numbers (STT/TT): a ruling must give the name "
                     "too")


def _name_key(name: str) -> str:
    return " ".join(fold(name).split())
