"""The Vietnamese result workbook ``ket-qua.xlsx`` (written by ``allocator run`` beside the
CSV outputs unless ``--no-xlsx``).

Sheets, in order:

* **Kỳ xét** — the round, the rule set, the counts, and what each sheet holds;
* **Chỉ tiêu** — one row per pool: quota, eligible, selected, seats awaiting the managing
  agency, unused seats;
* **Trúng tuyển** — the winners, pool by pool, in priority order;
* **Không trúng tuyển** — the eligible who did not win, with the deciding criterion in words
  and both candidates' values on it (or the limit, budget or quota that decided);
* **Không đủ điều kiện** — one row per failed condition: the condition in words, the
  candidate's own facts, and its legal source;
* **Chờ quyết định** — the escalated ties: group, seats, reason, the managing agency, every
  tied candidate's values on the five criteria and a column for the decision;
* **Danh sách** — every candidate with the outcome (also as the English status code);
* **Mẫu 05** — current staff by rank and proposed quotas per unit, laid out like Form 05 of
  Decree 115/2020;
* **Mẫu 06** — the list of eligible candidates per transition, laid out like Form 06.

Content depends on the run only (no clock): the same run writes the same workbook. A run
of more than :data:`MAX_LISTED` candidates (beyond what a person reads in Excel, and slow
to write) keeps the summary sheets and Mẫu 05; its per-candidate sheets say to use
decisions.csv and ``allocator explain`` instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import polars as pl
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from allocator.documents import regime
from allocator.documents.explain import (
    CRITERION,
    EDUCATION,
    STATUS,
    TIE_REASON,
    Context,
    fmt_birth,
    fmt_date,
    months_text,
)
from allocator.io.safe_xlsx import Sheet, open_workbook, write_cell, write_row
from allocator.io.workbook import header_key
from models import ethnic, vocabulary
from models.enums import Objective, SolveStatus
from models.result import RunResult
from models.text import natural

FILE_NAME = "ket-qua.xlsx"
MAX_LISTED = 100_000  # above this, per-candidate sheets point to decisions.csv instead
FIXED_TIME = dt.datetime(2024, 1, 1)
FONT = "Times New Roman"
RANKS = ("I", "II", "III", "IV", "V")
POOL = "_pool"

SHEETS = {
    "Kỳ xét": "Thông tin kỳ xét, bộ quy tắc áp dụng, số liệu tổng hợp",
    "Chỉ tiêu": "Mỗi chỉ tiêu (cơ quan tổ chức xét, chức danh): số đủ điều kiện, trúng tuyển, "
                "chờ quyết định, chưa sử dụng",
    "Trúng tuyển": "Danh sách trúng tuyển theo từng chỉ tiêu, theo thứ tự ưu tiên",
    "Không trúng tuyển": "Người đủ điều kiện nhưng không trúng tuyển và tiêu chí quyết định",
    "Không đủ điều kiện": "Từng điều kiện không đáp ứng, thực tế của ứng viên và căn cứ pháp lý",
    "Chờ quyết định": "Các trường hợp bằng nhau báo cáo cơ quan quản lý viên chức quyết định",
    "Quyết định cấp trên": "Quyết định của cơ quan quản lý đã áp dụng, số và ngày văn bản",
    "Khen thưởng": "Thang thành tích dùng để xét ưu tiên và mức của từng ứng viên, kèm hình "
                   "thức khen thưởng như danh sách ghi",
    "Danh sách": "Toàn bộ ứng viên và kết quả",
    "Mẫu 05": "Báo cáo số lượng, cơ cấu chức danh hiện có và đề nghị chỉ tiêu (Mẫu số 05)",
    "Mẫu 06": "Danh sách viên chức đủ tiêu chuẩn, điều kiện dự xét (Mẫu số 06)",
}
#: What differs in a level round (pools by job position and target level).
SHEETS_LEVELS = {
    **SHEETS,
    "Chỉ tiêu": "Mỗi chỉ tiêu (cơ quan tổ chức xét, vị trí việc làm, bậc dự xét): số đủ điều "
                "kiện, trúng tuyển, chờ quyết định, chưa sử dụng",
    "Mẫu 05": "Không áp dụng: mẫu của Nghị định 115/2020/NĐ-CP cho xét thăng hạng chức danh",
    "Mẫu 06": "Không áp dụng: mẫu của Nghị định 115/2020/NĐ-CP cho xét thăng hạng chức danh",
}
NOT_FOR_LEVELS = ("Mẫu số {n} ban hành kèm theo Nghị định số 115/2020/NĐ-CP dùng cho xét thăng "
                  "hạng chức danh nghề nghiệp; kỳ xét này là xét thay đổi bậc nghề nghiệp của vị "
                  "trí việc làm (Nghị định 232/2026/NĐ-CP) nên mẫu này không áp dụng. Danh sách "
                  "và kết quả ở các trang tính trước. / Form {n} of Decree 115/2020 is for title "
                  "promotions and does not apply to a career-level round.")


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 11}
        self.wb = wb
        self.title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center",
                                    "valign": "vcenter", "text_wrap": True})
        self.subtitle = wb.add_format({**base, "italic": True, "align": "center"})
        self.left_bold = wb.add_format({**base, "bold": True})
        self.text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.head = wb.add_format({**base, "bold": True, "border": 1, "align": "center",
                                   "valign": "vcenter", "text_wrap": True,
                                   "bg_color": "#E2EFDA"})
        self.num_head = wb.add_format({**base, "italic": True, "border": 1, "align": "center",
                                       "font_size": 9})
        self.cell = wb.add_format({**base, "border": 1, "valign": "top", "text_wrap": True})
        self.center = wb.add_format({**base, "border": 1, "valign": "top", "align": "center",
                                     "text_wrap": True})
        self.section = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#F2F2F2",
                                      "text_wrap": True, "valign": "top"})
        self.section_center = wb.add_format({**base, "bold": True, "border": 1,
                                             "bg_color": "#F2F2F2", "align": "center",
                                             "valign": "top"})
        self.sign = wb.add_format({**base, "bold": True, "align": "center"})
        self.sign_note = wb.add_format({**base, "italic": True, "align": "center"})


@functools.lru_cache(maxsize=1 << 16)
def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column of ``width`` characters (word wrap, estimated)."""
    per_line = max(1, int(width * 1.3))
    if len(text) <= per_line and "\n" not in text:
        return 1
    total = 0
    for paragraph in text.split("\n"):
        line, count = 0, 1
        for word in paragraph.split():
            need = len(word) + (1 if line else 0)
            if line + need > per_line and line:
                count += 1
                line = len(word)
            else:
                line += need
        total += count
    return total


def _fit(ws: Worksheet, row: int, cells: list[tuple[float, str]], minimum: float = 15) -> None:
    """Make a row tall enough for its wrapped cells (xlsxwriter does not measure text)."""
    lines = max((_lines(text, width) for width, text in cells if text), default=1)
    current = ws.row_sizes.get(row, [None])[0] if hasattr(ws, "row_sizes") else None
    if lines == 1 and current is None:
        return  # the default height fits one line
    height = max(minimum, 14.5 * lines + 3)
    if current is None or height > current:
        ws.set_row(row, height)


def _widths(ws: Worksheet) -> list[float]:
    return list(getattr(ws, "fit_widths", []))


def _merge(ws: Worksheet, row: int, first: int, last: int, text: str, fmt: Any) -> None:
    """A merged cell across columns, with the row sized for its text."""
    ws.merge_range(row, first, row, last, text, fmt)
    widths = _widths(ws)
    _fit(ws, row, [(sum(widths[first:last + 1]) or 60.0, text)])


def _setup(ws: Worksheet, widths: list[float], *, landscape: bool = True) -> None:
    setattr(ws, "fit_widths", widths)  # noqa: B010 - a note for _fit, on the sheet itself
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)


def _title(ws: Worksheet, st: _Styles, row: int, ncols: int, text: str,
           height: float = 36) -> int:
    ws.merge_range(row, 0, row, ncols - 1, text, st.title)
    ws.set_row(row, height)
    return row + 1


def _header(ws: Worksheet, st: _Styles, row: int, names: list[str],
            height: float = 32) -> int:
    write_row(ws, row, 0, names, st.head)
    ws.set_row(row, height)
    return row + 1


def _write(ws: Worksheet, row: int, values: list[Any], fmt: Any,
           center: set[int] | None = None, center_fmt: Any = None) -> None:
    """One row of cells, each written by its type (never as a formula), the row made tall
    enough for its wrapped texts."""
    for c, v in enumerate(values):
        f = center_fmt if center and c in center else fmt
        if v is None:
            ws.write_blank(row, c, None, f)
        elif isinstance(v, str):
            ws.write_string(row, c, v, f)
        elif isinstance(v, bool):
            ws.write_string(row, c, "x" if v else "", f)
        else:
            write_cell(ws, row, c, v, f)  # numbers (finite), dates, the rest as text
    widths: list[float] | None = getattr(ws, "fit_widths", None)
    if widths:
        # Only texts longer than their column can wrap: the rest need no measuring.
        long = [(widths[c], v) for c, v in enumerate(values[:len(widths)])
                if isinstance(v, str) and (len(v) > widths[c] or "\n" in v)]
        if long or row in getattr(ws, "row_sizes", {}):
            _fit(ws, row, long)


class _Table:
    """Consecutive rows of a long table, written as one block (:class:`Rows`): the cells as
    :func:`_write` writes them, each row as tall as its wrapped texts."""

    def __init__(self, ws: Sheet, row: int, ncols: int, fmt: Any,
                 center: set[int] | None = None, center_fmt: Any = None) -> None:
        self.widths = _widths(ws)
        self.block = ws.rows(row, [center_fmt if center and c in center else fmt
                                   for c in range(ncols)])

    @property
    def row(self) -> int:
        """The first row after the table."""
        return self.block.end

    def add(self, values: list[Any]) -> int:
        """One row (booleans as "x" or blank); returns its row number."""
        cells = [("x" if v else "") if isinstance(v, bool) else v for v in values]
        long = [(self.widths[c], v) for c, v in enumerate(cells[:len(self.widths)])
                if isinstance(v, str) and (len(v) > self.widths[c] or "\n" in v)]
        return self.block.append(cells, _height(long))

    def band(self, text: str, fmt: Any) -> int:
        """A row with ``text`` across every column (a section heading)."""
        return self.block.band(text, fmt, _height([(sum(self.widths) or 60.0, text)]))

    def merge_down(self, first: int, cols: range) -> None:
        """Merge ``cols`` from row ``first`` to the last row added (the first row's values)."""
        for c in cols:
            self.block.merge_down(first, c)


def _height(cells: list[tuple[float, str]], minimum: float = 15) -> float | None:
    """The height a new row needs for its wrapped cells (None: the default, one line)."""
    lines = max((_lines(text, width) for width, text in cells if text), default=1)
    return None if lines == 1 else max(minimum, 14.5 * lines + 3)


# ---------------------------------------------------------------------------------------------


def write_result_workbook(result: RunResult, folder: Path) -> None:
    """Write ``ket-qua.xlsx`` for a run into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    wb = open_workbook(path)
    ctx = Context.of(result)
    what = "xét thay đổi bậc nghề nghiệp" if ctx.levels else "xét thăng hạng"
    wb.set_properties({"title": f"Kết quả {what} — {result.scenario.settings.name}",
                       "created": FIXED_TIME, "author": "allocator"})
    st = _Styles(wb)
    ctx.rows.many(c for g in result.groups for c in g.members)  # one look-up for all
    ctx.index_sheet_rows()  # the list and Mẫu 06 name every candidate's source row
    frame = _ordered(result.candidates)
    large = frame.height > MAX_LISTED
    _round_sheet(wb, st, ctx)
    _pools_sheet(wb, st, ctx)
    for name, writer in (("Trúng tuyển", _winners_sheet),
                         ("Không trúng tuyển", _not_selected_sheet),
                         ("Không đủ điều kiện", _ineligible_sheet)):
        if large:
            _too_large(wb, st, name, frame.height)
        else:
            writer(wb, st, ctx, frame)
    _escalated_sheet(wb, st, ctx)
    _rulings_sheet(wb, st, ctx)
    _awards_sheet(wb, st, ctx, large)
    if large:
        _too_large(wb, st, "Danh sách", frame.height)
    else:
        _list_sheet(wb, st, ctx, frame)
    if ctx.levels:
        _not_for_levels(wb, st, "Mẫu 05", "05")
        _not_for_levels(wb, st, "Mẫu 06", "06")
    else:
        _form05_sheet(wb, st, ctx)
        if large:
            _too_large(wb, st, "Mẫu 06", frame.height)
        else:
            _form06_sheet(wb, st, ctx, frame)
    wb.close()


def _not_for_levels(wb: Workbook, st: _Styles, name: str, number: str) -> None:
    """A form of Decree 115/2020 in a level round: said not to apply."""
    ws = wb.add_worksheet(name)
    _setup(ws, [120])
    ws.write_string(0, 0, NOT_FOR_LEVELS.format(n=number), st.text)


def _too_large(wb: Workbook, st: _Styles, name: str, n: int) -> None:
    """A per-candidate sheet left out of a very large run (see :data:`MAX_LISTED`)."""
    ws = wb.add_worksheet(name)
    _setup(ws, [120])
    ws.write_string(0, 0, f"Kỳ xét có {n} ứng viên, quá {MAX_LISTED} nên danh sách từng người "
                          "không đưa vào tệp Excel này; xem decisions.csv (mở được bằng Excel) "
                          "và dùng lệnh 'allocator explain' cho từng ứng viên.", st.text)
    ws.write_string(1, 0, f"The round has {n} candidates, more than {MAX_LISTED}: the "
                          "per-candidate list is in decisions.csv.", st.text)


def _ordered(frame: pl.DataFrame) -> pl.DataFrame:
    """Candidates by pool (agency, title, or agency, position, level), then priority rank,
    then id (ids in natural order)."""
    levels = "target_title" not in frame.columns
    return frame.sort([*regime.pool_columns(levels), "priority_rank", *natural("candidate_id")],
                      nulls_last=True, maintain_order=True)


def _round_sheet(wb: Workbook, st: _Styles, ctx: Context) -> None:
    ws = wb.add_worksheet("Kỳ xét")
    _setup(ws, [34, 90], landscape=False)
    sc = ctx.result.scenario
    s = ctx.result.summary
    c = s.counts
    row = _title(ws, st, 0, 2, "KẾT QUẢ XÉT THAY ĐỔI BẬC NGHỀ NGHIỆP VIÊN CHỨC" if ctx.levels
                 else "KẾT QUẢ XÉT THĂNG HẠNG CHỨC DANH NGHỀ NGHIỆP VIÊN CHỨC")
    row = _title(ws, st, row, 2, sc.settings.name, 24)
    row += 1
    for warning in regime.warnings_of(ctx.result):
        _write(ws, row, ["CẢNH BÁO / WARNING", warning], st.section)
        row += 1
    sources = [("Căn cứ điều kiện và thứ tự ưu tiên (đề án)", ctx.plan_source or ""),
               ("Căn cứ tỷ lệ viên chức theo bậc", regime.CAPS_SOURCE)] if ctx.levels else [
        ("Căn cứ thứ tự ưu tiên", ctx.priority_source)]
    info = [
        ("Hạn nộp hồ sơ", fmt_date(sc.settings.deadline)),
        ("Năm xét", str(sc.settings.review_year)),
        ("Bộ quy tắc", f"{ctx.rs.name_vi} ({ctx.rs.id}, phiên bản {ctx.rs.version})"),
        ("Thứ tự ưu tiên", "; ".join(f"{i}. {CRITERION['vi'][p.value]}"
                                     for i, p in enumerate(ctx.rs.priority, start=1))),
        *sources,
        ("Mục tiêu phân bổ", "Theo thứ tự ưu tiên" if s.objective is Objective.priority
         else "Lấp đầy chỉ tiêu, sau đó theo thứ tự ưu tiên"),
        ("Số ứng viên", str(c.candidates)),
        ("Đủ điều kiện", str(c.eligible)),
        ("Không đủ điều kiện", str(c.ineligible)),
        ("Tổng chỉ tiêu", str(c.seats)),
        ("Trúng tuyển", str(c.selected)),
        ("Không trúng tuyển", str(c.not_selected)),
        ("Chờ cơ quan quản lý quyết định",
         f"{c.escalated} người, {c.escalated_seats} chỉ tiêu, {c.tie_groups} nhóm"),
        ("Chỉ tiêu chưa sử dụng", str(c.unused_seats)),
        ("Trạng thái lời giải", "tối ưu, đã chứng minh" if s.solver.status is SolveStatus.optimal
         else s.solver.status.value),
        ("Mã kiểm tra dữ liệu đầu vào", s.input_digest),
        ("Phiên bản phần mềm", f"allocator {s.engine_version}"),
    ]
    for k, v in info:
        _write(ws, row, [k, v], st.cell)
        row += 1
    row += 1
    row = _header(ws, st, row, ["Trang tính", "Nội dung"], 20)
    for name, what in (SHEETS_LEVELS if ctx.levels else SHEETS).items():
        _write(ws, row, [name, what], st.cell)
        row += 1
    ws.activate()


def _pools_sheet(wb: Workbook, st: _Styles, ctx: Context) -> None:
    ws = wb.add_worksheet("Chỉ tiêu")
    what = ["Vị trí việc làm, bậc dự xét", "Mã vị trí việc làm"] if ctx.levels else [
        "Chức danh dự xét", "Mã chức danh"]
    names = ["TT", "Cơ quan tổ chức xét", "Mã cơ quan", *what,
             "Chỉ tiêu", "Đủ điều kiện", "Trúng tuyển", "Chỉ tiêu chờ quyết định",
             "Chưa sử dụng"]
    _setup(ws, [5, 40, 12, 36, 13, 10, 12, 12, 14, 12])
    row = _title(ws, st, 0, len(names), "TỔNG HỢP CHỈ TIÊU THĂNG HẠNG")
    row = _header(ws, st, row + 1, names)
    ws.freeze_panes(row, 0)
    pools: pl.DataFrame = ctx.result.pools
    totals = [0, 0, 0, 0, 0]
    for i, p in enumerate(pools.iter_rows(named=True), start=1):
        if ctx.levels:
            title = f"{regime.position_name(p['job_position'], ctx.rs)}, bậc {p['target_level']}"
            code = p["job_position"]
        else:
            title, code = ctx.rs.title(p["target_title"]).name_vi, p["target_title"]
        nums = [p["quota"], p["eligible"], p["selected"], p["escalated_seats"], p["unused"]]
        totals = [a + b for a, b in zip(totals, nums, strict=True)]
        _write(ws, row, [i, ctx.unit(p["agency_id"]), p["agency_id"], title, code,
                         *nums], st.cell, set(range(5, 10)) | {0}, st.center)
        row += 1
    _write(ws, row, ["", "Tổng cộng", "", "", "", *totals], st.section,
           set(range(5, 10)), st.section_center)


def _winners_sheet(wb: Workbook, st: _Styles, ctx: Context, frame: pl.DataFrame) -> None:
    ws = wb.add_worksheet("Trúng tuyển")
    names = ["TT", "Mã ứng viên", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc",
             "Đơn vị công tác", "Thành tích", "Thứ tự ưu tiên"]
    _setup(ws, [5, 12, 26, 13, 9, 12, 36, 12, 10])
    start = _doc_heading(ws, st, ctx, len(names))
    row = _title(ws, st, start, len(names), "DANH SÁCH TRÚNG TUYỂN THEO TỪNG CHỈ TIÊU")
    row = _header(ws, st, row + 1, names)
    ws.repeat_rows(row - 1)
    ws.freeze_panes(row, 0)
    pools: pl.DataFrame = ctx.result.pools
    winners = frame.filter(pl.col("status") == "selected")
    columns = regime.pool_columns(ctx.levels)
    by_pool = winners.partition_by(columns, as_dict=True, maintain_order=True)
    empty = winners.clear()
    table = _Table(ws, row, len(names), st.cell, {0, 3, 4, 7, 8}, st.center)
    for p in pools.iter_rows(named=True):
        part = by_pool.get(tuple(p[c] for c in columns), empty)
        note = f"; {p['escalated_seats']} chỉ tiêu chờ cơ quan quản lý quyết định" \
            if p["escalated_seats"] else ""
        pool = ctx.pool_of(p)
        table.band(f"{pool[:1].upper()}{pool[1:]} — chỉ tiêu {p['quota']}, "
                   f"trúng tuyển {p['selected']}{note}", st.section)
        for i, r in enumerate(part.iter_rows(named=True), start=1):
            table.add([i, r["candidate_id"], r["full_name"], fmt_birth(r),
                       vocabulary.SEX.label(r["sex"], cell=True), _ethnic(r),
                       ctx.unit(r["unit_id"]), r["achievement"] or "", r["priority_rank"]])
    row = table.row
    _write_total(ws, st, row, len(names), winners.height)
    _council_signature(ws, st, ctx, row + 1, len(names))


def _write_total(ws: Worksheet, st: _Styles, row: int, ncols: int, n: int) -> None:
    ws.merge_range(row, 0, row, ncols - 1, f"Tổng cộng: {n:02d} người", st.left_bold)


def _ethnic(row: dict[str, Any]) -> str:
    return ethnic.normalise(row["ethnicity"] or "") or row["ethnicity"] or ""


def _not_selected_sheet(wb: Workbook, st: _Styles, ctx: Context, frame: pl.DataFrame) -> None:
    ws = wb.add_worksheet("Không trúng tuyển")
    names = ["TT", "Mã ứng viên", "Họ và tên", "Đơn vị công tác",
             "Vị trí việc làm, bậc dự xét" if ctx.levels else "Chức danh dự xét",
             "Cơ quan tổ chức xét", "Thứ tự ưu tiên", "Tiêu chí quyết định", "Chi tiết"]
    _setup(ws, [5, 11, 20, 24, 20, 22, 8, 24, 50])
    row = _title(ws, st, 0, len(names),
                 "NGƯỜI ĐỦ ĐIỀU KIỆN NHƯNG KHÔNG TRÚNG TUYỂN VÀ TIÊU CHÍ QUYẾT ĐỊNH")
    row = _header(ws, st, row + 1, names)
    ws.freeze_panes(row, 0)
    part = frame.filter(pl.col("status") == "not_selected")
    table = _Table(ws, row, len(names), st.cell, {0, 6}, st.center)
    for i, r in enumerate(part.iter_rows(named=True), start=1):
        by = r["decided_by"]
        criterion = CRITERION["vi"].get(by) if by else None
        what = (criterion[0].upper() + criterion[1:]) if criterion else ctx.deciding(r)
        table.add([i, r["candidate_id"], r["full_name"], ctx.unit(r["unit_id"]),
                   _target_short(ctx, r), ctx.unit(r["agency_id"]), r["priority_rank"], what,
                   ctx.deciding_detail(r) or ctx.deciding(r)])


def _ineligible_sheet(wb: Workbook, st: _Styles, ctx: Context, frame: pl.DataFrame) -> None:
    ws = wb.add_worksheet("Không đủ điều kiện")
    names = ["TT", "Mã ứng viên", "Họ và tên", "Đơn vị công tác",
             "Vị trí việc làm, bậc dự xét" if ctx.levels else "Chức danh dự xét",
             "Điều kiện không đáp ứng", "Mã điều kiện", "Thực tế của ứng viên",
             "Căn cứ pháp lý"]
    _setup(ws, [5, 10, 18, 20, 20, 34, 12, 36, 40])
    row = _title(ws, st, 0, len(names),
                 "DANH SÁCH KHÔNG ĐỦ TIÊU CHUẨN, ĐIỀU KIỆN VÀ CĂN CỨ")
    row = _header(ws, st, row + 1, names)
    ws.freeze_panes(row, 0)
    part = frame.filter(pl.col("status") == "ineligible").sort(natural("candidate_id"),
                                                                 maintain_order=True)
    table = _Table(ws, row, len(names), st.cell, {0, 6}, st.center)
    for i, r in enumerate(part.iter_rows(named=True), start=1):
        head: list[Any] = [i, r["candidate_id"], r["full_name"], ctx.unit(r["unit_id"]),
                           ctx.target(r) if ctx.levels else ctx.title(r["target_title"])]
        first = table.row
        for k, (rule, label, detail, source) in enumerate(ctx.failed(r)):
            table.add([*(head if k == 0 else [None] * len(head)), label, rule, detail, source])
        table.merge_down(first, range(len(head)))


def _escalated_sheet(wb: Workbook, st: _Styles, ctx: Context) -> None:
    ws = wb.add_worksheet("Chờ quyết định")
    crit = [p.value for p in ctx.rs.priority]
    names = ["TT", "Mã ứng viên", "Họ và tên", "Đơn vị công tác",
             *[CRITERION["vi"][c].split(" (")[0].capitalize() for c in crit],
             "Quyết định (Chọn / Không chọn)"]
    _setup(ws, [5, 11, 20, 24, *[20] * len(crit), 14])
    row = _title(ws, st, 0, len(names),
                 "CÁC TRƯỜNG HỢP BẰNG NHAU BÁO CÁO CƠ QUAN QUẢN LÝ VIÊN CHỨC QUYẾT ĐỊNH")
    _merge(ws, row, 0, len(names) - 1,
                   f"Căn cứ {ctx.priority_source}: trường hợp vẫn không xác định được người "
                   "trúng tuyển thì người đứng đầu cơ quan tổ chức xét báo cáo bằng văn bản để "
                   "người đứng đầu cơ quan quản lý viên chức xem xét, quyết định. Ghi quyết định "
                   "vào trang tính authority_decisions (hoặc tệp authority_decisions.csv) rồi "
                   "chạy lại để hoàn tất kết quả.", st.text)
    row = _header(ws, st, row + 2, names)
    if not ctx.result.groups:
        _merge(ws, row, 0, len(names) - 1, "Không có trường hợp nào.", st.cell)
        return
    table = _Table(ws, row, len(names), st.cell, {0}, st.center)
    for g in ctx.result.groups:
        pools = "; ".join(ctx.pool(*p.split("|", 1)) for p in g.pools)
        table.band(f"Nhóm {g.tie_group} — {pools}: {g.seats} chỉ tiêu cho {len(g.members)} "
                   f"người; lý do: {TIE_REASON['vi'][g.reason]}; cơ quan quyết định: "
                   f"{ctx.unit(g.managing_agency_id)} ({g.managing_agency_id})", st.section)
        for i, cid in enumerate(g.members, start=1):
            r = ctx.rows[cid]
            values = ctx.criteria(r)
            table.add([i, cid, r["full_name"], ctx.unit(r["unit_id"]),
                       *[values[c] for c in crit], ""])


def _rulings_sheet(wb: Workbook, st: _Styles, ctx: Context) -> None:
    """The managing agency's rulings applied, with the document that made each one and
    where it was read."""
    sc = ctx.result.scenario
    ws = wb.add_worksheet("Quyết định cấp trên")
    names = ["TT", "Mã ứng viên", "Họ và tên", "Quyết định", "Số văn bản", "Ngày văn bản",
             "Nguồn (tệp, dòng)"]
    _setup(ws, [6, 12, 24, 14, 18, 13, 30])
    row = _title(ws, st, 0, len(names), "QUYẾT ĐỊNH CỦA CƠ QUAN QUẢN LÝ ĐÃ ÁP DỤNG")
    row = _header(ws, st, row + 1, names)
    if sc.decisions.height == 0:
        ws.write_string(row, 0, "Chưa có quyết định nào của cơ quan quản lý trong kỳ xét này. / "
                        "No rulings in this round.", st.text)
        return
    label = sc.labels.get("authority_decisions", "authority_decisions.csv")
    words = vocabulary.VOCABULARIES["decision"]
    ruled = sc.decisions.sort(natural("candidate_id"), nulls_last=False)
    for i, r in enumerate(ruled.iter_rows(named=True), start=1):
        person = ctx.rows.get(r["candidate_id"])
        name = r.get("full_name") or (person["full_name"] if person else "")
        _write(ws, row, [i, r["candidate_id"], name, words.label(r["decision"], cell=True),
                         r.get("document_no") or "", fmt_date(r.get("document_date")),
                         f"{label}, dòng {r['__row']}"], st.cell, {0}, st.center)
        row += 1


def _awards_sheet(wb: Workbook, st: _Styles, ctx: Context, large: bool) -> None:
    """The achievement ladder that decides seats (the rule set's, high to low), then each
    candidate's level with the award as the list wrote it."""
    sc = ctx.result.scenario
    ws = wb.add_worksheet("Khen thưởng")
    names = ["TT", "Mã ứng viên", "Họ và tên", "Mức", "Tên mức", "Ghi trong danh sách"]
    _setup(ws, [6, 12, 24, 8, 46, 46])
    row = _title(ws, st, 0, len(names), f"THANG THÀNH TÍCH KHEN THƯỞNG DÙNG ĐỂ XÉT ƯU TIÊN "
                                         f"(bộ quy tắc {sc.rule_set.id})")
    row = _header(ws, st, row + 1, ["Thứ bậc", "Mức", "Tên mức (cao xuống thấp)"])
    levels = {a.code: a.name_vi for a in sc.rule_set.achievement_levels}
    for i, (code, name) in enumerate(levels.items(), start=1):
        _write(ws, row, [i, code, name], st.cell, {0, 1}, st.center)
        row += 1
    row = _title(ws, st, row + 1, len(names), "MỨC THÀNH TÍCH CỦA TỪNG ỨNG VIÊN")
    row = _header(ws, st, row + 1, names)
    if large:
        return
    people = sc.candidates.filter(pl.col("achievement").is_not_null()).select(
        "candidate_id", "full_name", "achievement", "__row")
    ordered = people.sort(natural("candidate_id"), nulls_last=False)
    table = _Table(ws, row, len(names), st.cell, {0, 3}, st.center)
    for i, r in enumerate(ordered.iter_rows(named=True), start=1):
        written = sc.award_texts.get(r["__row"], "(ghi mã mức)")
        table.add([i, r["candidate_id"], r["full_name"], r["achievement"],
                   levels.get(r["achievement"], ""), written])


def _list_sheet(wb: Workbook, st: _Styles, ctx: Context, frame: pl.DataFrame) -> None:
    ws = wb.add_worksheet("Danh sách")
    held = ["Vị trí việc làm", "Bậc hiện giữ → dự xét"] if ctx.levels else [
        "Chức danh hiện giữ", "Chức danh dự xét"]
    names = ["TT", "Mã ứng viên", "Họ và tên", "Đơn vị công tác", *held,
             "Cơ quan tổ chức xét", "Kết quả", "Thứ tự ưu tiên",
             "Lý do / tiêu chí quyết định", "Nhóm chờ quyết định", "Mã kết quả (status)",
             "Nguồn (tệp › trang tính, dòng)"]
    _setup(ws, [6, 11, 20, 24, 12, 12, 22, 18, 8, 40, 10, 12, 30])
    start = _doc_heading(ws, st, ctx, len(names))
    row = _title(ws, st, start, len(names), "DANH SÁCH ỨNG VIÊN VÀ KẾT QUẢ")
    row = _header(ws, st, row + 1, names)
    ws.repeat_rows(row - 1)
    ws.freeze_panes(row, 3)
    ws.autofilter(row - 1, 0, row - 1 + frame.height, len(names) - 1)
    by_id = frame.sort(natural("candidate_id"), maintain_order=True)
    table = _Table(ws, row, len(names), st.cell, {0, 8, 10}, st.center)
    for i, r in enumerate(by_id.iter_rows(named=True), start=1):
        status = r["status"]
        if status == "ineligible":
            why = "; ".join(label for _rule, label, _d, _s in ctx.failed(r))
        elif status == "not_selected":
            why = ctx.deciding(r)
        elif status == "escalated":
            why = TIE_REASON["vi"].get(ctx.groups[r["tie_group"]].reason, "") \
                if r["tie_group"] in ctx.groups else ""
        else:
            why = ""
        table.add([i, r["candidate_id"], r["full_name"], ctx.unit(r["unit_id"]),
                   *_held(ctx, r), ctx.unit(r["agency_id"]), STATUS["vi"][status],
                   r["priority_rank"], why, r["tie_group"], status,
                   ctx.read_from(r["candidate_id"])])
    row = table.row
    _write_total(ws, st, row, len(names), by_id.height)
    _council_signature(ws, st, ctx, row + 1, len(names))


def _target_short(ctx: Context, r: dict[str, Any]) -> str:
    if ctx.levels:
        name = regime.position_name(r.get("job_position"), ctx.rs)
        return f"{name}, bậc {r.get('target_level')}"
    return ctx.rs.title(r["target_title"]).name_vi


def _held(ctx: Context, r: dict[str, Any]) -> list[Any]:
    """The list sheet's two columns on what a candidate holds and is reviewed for."""
    if ctx.levels:
        return [r.get("job_position"), f"{r.get('current_level')} → {r.get('target_level')}"]
    return [r["current_title"], r["target_title"]]


# ---- the official forms --------------------------------------------------------------------


def _organisers(ctx: Context) -> list[str]:
    """The organising agencies of the round (the quotas' agencies), by name."""
    ids = list(dict.fromkeys(ctx.result.pools["agency_id"].to_list()))
    return [ctx.unit(a) for a in ids]


def _place(ctx: Context) -> str:
    """The place of the date line: the province, from the root unit's name."""
    tree_root = ctx.result.scenario.units.filter(pl.col("parent_id").is_null())
    root = str(tree_root["name"][0]) if tree_root.height else ""
    for word in ("tỉnh ", "thành phố "):
        if word in root:
            return root.split(word, 1)[1].strip()
    return root or "….."


def _doc_heading(ws: Worksheet, st: _Styles, ctx: Context, ncols: int) -> int:
    """The heading of a signable list (Mẫu 05/06 style): the organising agency and its
    review council on the left, the national motto on the right. Returns the next row."""
    half = max(ncols // 2, 1)
    organisers = _organisers(ctx)
    agency = organisers[0] if len(organisers) == 1 else "; ".join(organisers)
    ws.merge_range(0, 0, 0, half - 1, agency.upper(), st.sign_note)
    ws.merge_range(1, 0, 1, half - 1, regime.council(ctx.levels).upper(), st.sign)
    ws.merge_range(0, half, 0, ncols - 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.sign)
    ws.merge_range(1, half, 1, ncols - 1, "Độc lập - Tự do - Hạnh phúc", st.sign)
    ws.merge_range(2, half, 2, ncols - 1, f"{_place(ctx)}, ngày ..... tháng ..... năm "
                   f"{ctx.result.scenario.settings.review_year}", st.sign_note)
    return 4


def _council_signature(ws: Worksheet, st: _Styles, ctx: Context, row: int, ncols: int) -> int:
    """The signature blocks under a signable list: the clerk on the left, the council's
    chair on the right. Returns the row after them."""
    half = max(ncols // 2, 1)
    row += 1
    ws.merge_range(row, 0, row, half - 1, "NGƯỜI LẬP BIỂU", st.sign)
    short = "HỘI ĐỒNG XÉT THAY ĐỔI BẬC" if ctx.levels else "HỘI ĐỒNG XÉT THĂNG HẠNG"
    ws.merge_range(row, half, row, ncols - 1, f"TM. {short}", st.sign)
    ws.merge_range(row + 1, 0, row + 1, half - 1, "(Ký, ghi rõ họ tên)", st.sign_note)
    ws.merge_range(row + 1, half, row + 1, ncols - 1, "CHỦ TỊCH", st.sign)
    ws.merge_range(row + 2, half, row + 2, ncols - 1, "(Ký tên, đóng dấu)", st.sign_note)
    return row + 7


def _form_heading(ws: Worksheet, st: _Styles, ctx: Context, row: int, ncols: int) -> int:
    tree_root = ctx.result.scenario.units.filter(pl.col("parent_id").is_null())
    root = tree_root["name"][0] if tree_root.height else ""
    ws.merge_range(row, 0, row, ncols - 1, f"TÊN BỘ, NGÀNH, ĐỊA PHƯƠNG: {root.upper()}",
                   st.left_bold)
    return row + 1


def _signature(ws: Worksheet, st: _Styles, row: int, ncols: int) -> int:
    left = max(ncols - 6, 0)
    ws.merge_range(row + 1, left, row + 1, ncols - 1, "....., ngày ..... tháng ..... năm .....",
                   st.sign_note)
    ws.merge_range(row + 2, left, row + 2, ncols - 1, "THỦ TRƯỞNG BỘ, NGÀNH, ĐỊA PHƯƠNG",
                   st.sign)
    ws.merge_range(row + 3, left, row + 3, ncols - 1, "(Ký tên, đóng dấu)", st.sign_note)
    return row + 8


def _profession_label(ctx: Context, codes: list[str]) -> str:
    """A profession named by its titles: the common part of their names, or the names."""
    names = [re.sub(r"\s*\(.*?\)|\s+hạng\s+[IVX]+$", "", ctx.rs.title(c).name_vi).strip()
             for c in codes]
    distinct = list(dict.fromkeys(names))
    return distinct[0] if len(distinct) == 1 else " / ".join(distinct)


def _form05_sheet(wb: Workbook, st: _Styles, ctx: Context) -> None:
    ws = wb.add_worksheet("Mẫu 05")
    ncols = 14
    _setup(ws, [5, 40, 9, *[9] * 10, 28])
    sc = ctx.result.scenario
    row = _form_heading(ws, st, ctx, 0, ncols)
    row = _title(ws, st, row + 1, ncols,
                 "BÁO CÁO SỐ LƯỢNG, CƠ CẤU CHỨC DANH NGHỀ NGHIỆP VIÊN CHỨC HIỆN CÓ VÀ ĐỀ NGHỊ SỐ "
                 "LƯỢNG CHỈ TIÊU THĂNG HẠNG CHỨC DANH NGHỀ NGHIỆP CỦA TỪNG CHỨC DANH VIÊN CHỨC "
                 f"NĂM {sc.settings.review_year}", 48)
    ws.merge_range(row, 0, row, ncols - 1,
                   "(Mẫu số 05 ban hành kèm theo Nghị định số 115/2020/NĐ-CP)", st.subtitle)
    row += 2
    top, sub = row, row + 1
    for c, text in ((0, "TT"), (1, "Tên cơ quan, tổ chức, đơn vị"), (2, "Tổng số"),
                    (13, "Ghi chú")):
        ws.merge_range(top, c, sub, c, text, st.head)
    ws.merge_range(top, 3, top, 7, "Số lượng, cơ cấu chức danh nghề nghiệp viên chức hiện có",
                   st.head)
    ws.merge_range(top, 8, top, 12,
                   "Đề nghị số lượng chỉ tiêu thăng hạng của từng hạng viên chức", st.head)
    for i, rank in enumerate(RANKS):
        ws.write_string(sub, 3 + i, f"Chức danh nghề nghiệp hạng {rank}", st.head)
        ws.write_string(sub, 8 + i, f"Chức danh nghề nghiệp hạng {rank}", st.head)
    ws.set_row(top, 32)
    ws.set_row(sub, 60)
    _write(ws, sub + 1, [f"({i})" for i in range(1, ncols + 1)], st.num_head)
    row = sub + 2
    ws.repeat_rows(top, sub + 1)

    titles = pl.DataFrame({"title": [t.code for t in ctx.rs.titles],
                           "profession": [t.profession for t in ctx.rs.titles],
                           "rank": [t.rank.value for t in ctx.rs.titles]})
    staff = sc.staff.join(titles, on="title", how="left")
    quotas = sc.quotas.join(titles.rename({"title": "target_title"}), on="target_title",
                            how="left")
    order = {u: i for i, u in enumerate(sc.units["unit_id"].to_list())}
    professions = list(dict.fromkeys(
        [t.profession for t in ctx.rs.titles
         if t.code in set(staff["title"].to_list()) | set(quotas["target_title"].to_list())]))
    grand = [0] * 11
    for n, prof in enumerate(professions, start=1):
        codes = [t.code for t in ctx.rs.titles if t.profession == prof]
        used = [c for c in codes if c in set(staff["title"].to_list())
                | set(quotas["target_title"].to_list())]
        ws.write_string(row, 0, _roman(n), st.section_center)
        _merge(ws, row, 1, ncols - 1,
                       f"Chức danh nghề nghiệp viên chức {_profession_label(ctx, used)}",
                       st.section)
        row += 1
        s_part = staff.filter(pl.col("profession") == prof)
        q_part = quotas.filter(pl.col("profession") == prof)
        held_by = _sums_by_rank(s_part, "unit_id", "holders")
        asked_by = _sums_by_rank(q_part, "agency_id", "quota")
        approved = {u: int(n) for u, n in s_part.group_by("unit_id").agg(
            pl.col("positions").sum(), pl.col("positions").is_not_null().any().alias("any")
        ).filter(pl.col("any")).select("unit_id", "positions").iter_rows()}
        units = sorted(set(s_part["unit_id"].to_list()) | set(q_part["agency_id"].to_list()),
                       key=lambda u: (order.get(u, 10**9), u))
        for i, unit in enumerate(units, start=1):
            held = held_by.get(unit, [0] * len(RANKS))
            asked = asked_by.get(unit, [0] * len(RANKS))
            notes = []
            if unit in approved:
                notes.append(f"Số lượng người làm việc được duyệt: {approved[unit]}")
            if unit in asked_by:
                notes.append("Cơ quan tổ chức xét")
            values = [sum(held), *held, *asked]
            grand = [a + b for a, b in zip(grand, values, strict=True)]
            _write(ws, row, [i, ctx.unit(unit), *[v or None for v in values],
                             "; ".join(notes)], st.cell, set(range(0, 13)) - {1}, st.center)
            row += 1
    ws.write_string(row, 0, "", st.section)
    ws.write_string(row, 1, "Tổng cộng", st.section)
    for c, v in enumerate(grand, start=2):
        ws.write_number(row, c, v, st.section_center)
    ws.write_string(row, 13, "", st.section)
    _signature(ws, st, row + 1, ncols)


def _sums_by_rank(frame: pl.DataFrame, unit: str, value: str) -> dict[str, list[int]]:
    """Per unit, the sum of ``value`` at each rank of :data:`RANKS` (0 where none)."""
    sums = frame.group_by(unit, "rank").agg(pl.col(value).sum())
    out: dict[str, list[int]] = {}
    for u, rank, total in sums.iter_rows():
        if rank in RANKS:
            out.setdefault(u, [0] * len(RANKS))[RANKS.index(rank)] = int(total or 0)
        else:
            out.setdefault(u, [0] * len(RANKS))
    return out


def _roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


#: The form's columns where the unit's own wording replaces the engine's (the position, the
#: degree as written rather than its level).
UNIT_WORDING = frozenset({4, 9})
_FORM06_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TT", ()),
    ("Họ và tên", ()),
    ("Ngày tháng năm sinh", ("Nam", "Nữ")),
    ("Chức vụ hoặc chức danh công tác", ()),
    ("Cơ quan đơn vị đang làm việc", ()),
    ("Thời gian giữ chức danh nghề nghiệp (kể cả thời gian giữ ngạch hoặc hạng tương đương)",
     ()),
    ("Mức lương hiện hưởng", ("Hệ số lương", "Mã số chức danh nghề nghiệp hiện giữ")),
    ("Văn bằng, chứng chỉ theo yêu cầu của hạng dự xét",
     ("Trình độ chuyên môn", "Trình độ lý luận chính trị", "Trình độ quản lý nhà nước",
      "Trình độ tin học", "Trình độ ngoại ngữ", "Có đề án, công trình")),
    ("Được miễn thi", ("Tin học", "Ngoại ngữ")),
    ("Ngoại ngữ đăng ký thi", ()),
    ("Ghi chú", ()),
)


def _form06_columns() -> list[str]:
    """The form's column headers, left to right (sub-headers under their groups)."""
    return [h for group, subs in _FORM06_GROUPS for h in (subs or (group,))]


def _form06_header(ws: Worksheet, st: _Styles, row: int, extra: list[str] | None = None) -> int:
    col = 0
    groups = list(_FORM06_GROUPS)
    if extra:
        groups.append(("Thông tin khác do đơn vị cung cấp", tuple(extra)))
    for group, subs in groups:
        if subs:
            ws.merge_range(row, col, row, col + len(subs) - 1, group, st.head)
            for i, s in enumerate(subs):
                ws.write_string(row + 1, col + i, s, st.head)
            col += len(subs)
        else:
            ws.merge_range(row, col, row + 1, col, group, st.head)
            col += 1
    ws.set_row(row, 36)
    ws.set_row(row + 1, 64)
    _write(ws, row + 2, [f"({i})" for i in range(1, col + 1)], st.num_head)
    return row + 3


def _form06_sheet(wb: Workbook, st: _Styles, ctx: Context, frame: pl.DataFrame) -> None:
    ws = wb.add_worksheet("Mẫu 06")
    ncols = sum(max(1, len(s)) for _g, s in _FORM06_GROUPS)
    _setup(ws, [5, 22, 11, 11, 18, 26, 14, 8, 13, 12, 9, 9, 9, 9, 9, 9, 9, 9, 12])
    eligible = frame.filter(pl.col("eligible"))
    form = _form06_columns()
    form_keys = {header_key(h) for h in form}
    row = 0
    breaks: list[int] = []
    year = ctx.result.scenario.settings.review_year
    for tr in ctx.rs.transitions:
        part = eligible.filter((pl.col("current_title") == tr.from_title)
                               & (pl.col("target_title") == tr.to_title))
        if part.height == 0:
            continue
        if row:
            breaks.append(row)
        row = _form_heading(ws, st, ctx, row, ncols)
        src = ctx.rs.title(tr.from_title).name_vi
        dst = ctx.rs.title(tr.to_title).name_vi
        row = _title(ws, st, row + 1, ncols,
                     "DANH SÁCH VIÊN CHỨC CÓ ĐỦ CÁC TIÊU CHUẨN, ĐIỀU KIỆN DỰ XÉT THĂNG HẠNG CHỨC "
                     f"DANH NGHỀ NGHIỆP TỪ CHỨC DANH {src.upper()} ({tr.from_title}) LÊN CHỨC "
                     f"DANH {dst.upper()} ({tr.to_title}) NĂM {year}", 48)
        ws.merge_range(row, 0, row, ncols - 1,
                       "(Mẫu số 06 ban hành kèm theo Nghị định số 115/2020/NĐ-CP)", st.subtitle)
        part = part.sort(["agency_id", "priority_rank", *natural("candidate_id")],
                         nulls_last=True, maintain_order=True)
        # every column the unit supplied: into the form's column of the same name, the
        # rest after the form's
        supplied = {cid: ctx.unit_cells(cid) for cid in part["candidate_id"].to_list()}
        extra = list(dict.fromkeys(h for cells in supplied.values() for h in cells
                                   if header_key(h) not in form_keys))
        row = _form06_header(ws, st, row + 2, extra)
        table = _Table(ws, row, ncols + len(extra), st.cell, {0, 2, 3, 6, 8}, st.center)
        for i, r in enumerate(part.iter_rows(named=True), start=1):
            birth = fmt_birth(r)
            female = r["sex"] == "female"
            held = (r["months_in_rank"] or 0) + (r["equivalent_months"] or 0)
            degree = EDUCATION["vi"].get(r["degree"], r["degree"])
            values: list[Any] = [
                i, r["full_name"], None if female else birth, birth if female else None,
                ctx.rs.title(r["current_title"]).name_vi, ctx.unit(r["unit_id"]),
                months_text(held), None, r["current_title"], degree.capitalize(),
                None, None, None, None, None, None, None, None, None,
            ]
            cells = {header_key(h): v for h, v in supplied[r["candidate_id"]].items()}
            for k, h in enumerate(form):
                if header_key(h) in cells and (values[k] is None or k in UNIT_WORDING):
                    values[k] = cells[header_key(h)]
            values += [supplied[r["candidate_id"]].get(h) for h in extra]
            table.add(values)
        row = _signature(ws, st, table.row, ncols)
    if not breaks and row == 0:
        ws.write_string(0, 0, "Không có viên chức đủ tiêu chuẩn, điều kiện.", st.text)
    ws.set_h_pagebreaks(breaks)
