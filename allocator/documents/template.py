"""Input workbooks: the empty template a planner fills in, and a CSV scenario folder turned
into the same workbook (how the ready rounds ship as ``scenarios/<round>.xlsx``).

Sheets carry the file stems of SCENARIO.md as names; headers are Vietnamese (the first
header :mod:`models.schema` lists for each column), each with a note giving the contract's
English name and what the column means. Enumerated columns get drop-down lists
(titles, rating, sex, ethnicity, achievement, education, yes/no); whole-number columns are
checked as such. Date columns of the template are formatted as text, so that "10/03/1987"
typed in any Excel locale stays day/month/year; Excel date cells are read too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from allocator.io import rulesets as rules
from allocator.io.folder import read_folder
from allocator.io.loader import load
from allocator.io.parse import parse_bool, parse_decimal
from models import awards, ethnic, schema
from models.ruleset import RuleSet
from models.schema import Kind
from models.vocabulary import DECISION, EDUCATION, RATING, SEX, VOCABULARIES, YES_NO

FIXED_TIME = dt.datetime(2024, 1, 1)  # document properties, so that output is reproducible
TEMPLATE_ROWS = 2000
FONT = "Arial"  # has every Vietnamese letter on Windows, macOS and (as Liberation Sans) Linux
LISTS_SHEET = "Danh mục"
INSTRUCTIONS_SHEET = "Hướng dẫn"

RATING_VI = RATING.labels("vi", cell=True)
EDUCATION_VI = EDUCATION.labels("vi", cell=True)
SEX_VI = SEX.labels("vi", cell=True)
YES, NO = YES_NO.label("true", cell=True), YES_NO.label("false", cell=True)

SETTING_ORDER = schema.SETTINGS.names()
SHEET_ORDER = tuple(t.name for t in schema.TABLES)
COUNT_COLUMNS = {c.name for t in schema.TABLES if not t.key_value for c in t.columns
                 if c.kind is Kind.whole_number}
NUMBER_COLUMNS = {c.name for t in schema.TABLES if not t.key_value for c in t.columns
                  if c.kind in (Kind.number, Kind.share)}


def header_of(table: str, column: str, *, english: bool = False) -> str:
    """The header the template writes for a column."""
    if english:
        return column
    return schema.table(table).column(column).headers_vi[0]


def _meaning(table: str, column: str) -> str:
    return schema.table(table).column(column).meaning


class _Formats:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 11}
        self.header = wb.add_format({**base, "bold": True, "text_wrap": True, "valign": "vcenter",
                                     "align": "center", "border": 1, "bg_color": "#DDEBF7"})
        self.text = wb.add_format({**base, "num_format": "@"})
        self.date = wb.add_format({**base, "num_format": "dd/mm/yyyy"})
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.bold = wb.add_format({**base, "bold": True})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.cell_header = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDEBF7",
                                          "text_wrap": True, "valign": "top"})
        self.cell = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})


class _Lists:
    """The hidden sheet of drop-down values (one list per column), written last."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self.values = values
        self.ranges: dict[str, str] = {}
        for col, (name, items) in enumerate(values.items()):
            letter = xlsxwriter.utility.xl_col_to_name(col)
            self.ranges[name] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(items) + 1}"

    def write(self, wb: Workbook, fmt: _Formats) -> None:
        ws = wb.add_worksheet(LISTS_SHEET)
        for col, (name, items) in enumerate(self.values.items()):
            ws.write(0, col, name, fmt.bold)
            for i, v in enumerate(items, start=1):
                ws.write_string(i, col, v)
            ws.set_column(col, col, max(12, min(60, max(len(v) for v in items) + 2)))
        ws.hide()


def _list_values(rs: RuleSet) -> dict[str, list[str]]:
    codes = [a.code for a in rs.achievement_levels]
    matcher = awards.AwardMatcher(rs)
    example_awards = [a for level in rs.achievement_levels for a in level.awards]
    if matcher.ladder is awards.COARSE or not example_awards:
        example_awards = example_awards or ["Giấy khen"]
    return {
        "titles": sorted(t.code for t in rs.titles),
        "rating": list(RATING_VI.values()),
        "sex": list(SEX_VI.values()),
        "ethnicity": list(ethnic.CANONICAL),
        "achievement": codes,
        "education": list(EDUCATION_VI.values()),
        "yes_no": [YES, NO, "x"],
        "rank": list(VOCABULARIES["rank"].labels("vi", cell=True).values()),
        "decision": list(DECISION.labels("vi", cell=True).values()),
        "awards": example_awards,
    }


_LIST_OF_KIND = {Kind.title_code: "titles", Kind.ethnic_group: "ethnicity",
                 Kind.achievement: "achievement", Kind.award: "awards", Kind.bool: "yes_no"}
_STRICT_LISTS = {"sex", "rating", "education", "rank", "decision", "yes_no"}


def _list_of(column: schema.Column) -> str | None:
    """The drop-down list of a column: its vocabulary's, or its kind's."""
    return column.vocabulary if column.kind is Kind.term else _LIST_OF_KIND.get(column.kind)


def _table_sheet(wb: Workbook, fmt: _Formats, lists: _Lists, table: str,
                 rows: list[dict[str, Any]] | None, english: bool) -> Worksheet:
    """One table sheet: header with notes, validations, and the rows given."""
    ws = wb.add_worksheet(table)
    spec = schema.table(table)
    columns = list(spec.names())
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_row(0, 45)
    last = max(TEMPLATE_ROWS, len(rows or []) + 200)
    for c, column in enumerate(columns):
        header = header_of(table, column, english=english)
        ws.write_string(0, c, header, fmt.header)
        ws.write_comment(0, c, f"{column}: {_meaning(table, column)}",
                         {"x_scale": 2.2, "y_scale": 1.4})
        width = max(12, min(34, len(header) + 2))
        cell_format = fmt.text if column not in COUNT_COLUMNS | NUMBER_COLUMNS else None
        ws.set_column(c, c, width, cell_format)
        message = {"input_title": column[:32], "input_message": _meaning(table, column)[:255]}
        list_name = _list_of(spec.column(column))
        if list_name is not None:
            strict = list_name in _STRICT_LISTS
            ws.data_validation(1, c, last, c, {
                "validate": "list", "source": lists.ranges[list_name],
                "error_type": "stop" if strict else "warning",
                "error_title": "Giá trị không có trong danh mục",
                "error_message": "Chọn một giá trị trong danh sách." if strict else
                "Giá trị không có trong danh mục; vẫn có thể ghi tên khác nếu chương trình "
                "nhận ra được (ví dụ tên không dấu).",
                **message,
            })
        elif column in COUNT_COLUMNS:
            ws.data_validation(1, c, last, c, {
                "validate": "integer", "criteria": ">=", "value": 0,
                "error_title": "Cần số nguyên", "error_message": "Nhập số nguyên ≥ 0.",
                **message})
        elif column in NUMBER_COLUMNS:
            ws.data_validation(1, c, last, c, {
                "validate": "decimal", "criteria": ">=", "value": 0,
                "error_title": "Cần số", "error_message": "Nhập số ≥ 0.", **message})
        else:
            ws.data_validation(1, c, last, c, {"validate": "any", **message})
    for r, row in enumerate(rows or [], start=1):
        for c, column in enumerate(columns):
            _write_value(ws, fmt, r, c, row.get(column))
    return ws


def _write_value(ws: Worksheet, fmt: _Formats, r: int, c: int, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), fmt.date)
    elif isinstance(value, bool):
        ws.write_string(r, c, YES if value else NO)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


def _settings_sheet(wb: Workbook, fmt: _Formats, settings: dict[str, Any]) -> None:
    ws = wb.add_worksheet("scenario")
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.write_row(0, 0, ["key", "value", "Ghi chú"], fmt.header)
    ws.set_column(0, 0, 30, fmt.text)
    ws.set_column(1, 1, 44, fmt.text)
    ws.set_column(2, 2, 90)
    ws.freeze_panes(1, 0)
    for r, name in enumerate(SETTING_ORDER, start=1):
        ws.write_string(r, 0, name)
        value = settings.get(name)
        if isinstance(value, dt.date):
            ws.write_datetime(r, 1, dt.datetime(value.year, value.month, value.day), fmt.date)
        elif isinstance(value, bool):
            ws.write_string(r, 1, YES if value else NO)
        elif value is not None:
            ws.write_string(r, 1, str(value))
        ws.write_string(r, 2, schema.SETTINGS.column(name).meaning_vi)


def _instructions(wb: Workbook, fmt: _Formats, rs: RuleSet) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 38)
    ws.set_column(2, 2, 22)
    ws.set_column(3, 3, 70)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.write(0, 0, "HƯỚNG DẪN NHẬP DỮ LIỆU XÉT THĂNG HẠNG CHỨC DANH NGHỀ NGHIỆP VIÊN CHỨC",
             fmt.title)
    lines = [
        f"Bộ quy tắc: {rs.name_vi} ({rs.id}).",
        "1. Trang tính 'scenario': ghi tên kỳ xét, hạn nộp hồ sơ (dd/mm/yyyy), năm xét và các "
        "lựa chọn vào cột 'value'.",
        "2. Trang tính 'units': mỗi cơ quan, đơn vị một dòng; đơn vị gốc (UBND tỉnh) để trống "
        "mã cơ quan quản lý.",
        "3. Trang tính 'candidates': mỗi viên chức dự xét một dòng. Ngày ghi dd/mm/yyyy; nếu hồ "
        "sơ chỉ có năm sinh thì ghi năm (yyyy). Có thể thay cột 'Giới tính' bằng hai cột 'Nam' "
        "và 'Nữ' như Mẫu số 06 (ghi ngày sinh hoặc dấu x vào cột tương ứng).",
        "4. Trang tính 'quotas': chỉ tiêu được duyệt theo cơ quan tổ chức xét và chức danh.",
        "5. Các trang tính tuỳ chọn: 'limits' (giới hạn chung), 'staff' (cơ cấu hiện có — cần "
        "cho Mẫu số 05), 'awards' (mỗi khen thưởng một dòng), 'award_levels' (bổ sung tên khen "
        "thưởng), 'authority_decisions' (quyết định của cơ quan quản lý với trường hợp bằng "
        "nhau). Trang tính không dùng có thể để trống hoặc xoá.",
        "6. Chạy: allocator run <tệp này>.xlsx --out <thư mục kết quả>. Kết quả bằng tiếng Việt "
        "ở tệp ket-qua.xlsx; dữ liệu sai được báo theo trang tính, dòng, cột và không ghi kết "
        "quả nào.",
        "Tên cột có thể ghi bằng tiếng Việt (như mẫu này) hoặc tên tiếng Anh trong ghi chú của "
        "ô tiêu đề. Dân tộc, xếp loại, trình độ, khen thưởng có thể ghi bằng chữ, có dấu hoặc "
        "không dấu.",
    ]
    row = 2
    for line in lines:
        ws.merge_range(row, 0, row, 3, line, fmt.wrap)
        ws.set_row(row, 32)
        row += 1
    row += 1
    ws.write_row(row, 0, ["Trang tính", "Nội dung"], fmt.cell_header)
    row += 1
    for name in SHEET_ORDER:
        ws.write(row, 0, name, fmt.cell)
        ws.merge_range(row, 1, row, 3, schema.table(name).purpose_vi, fmt.cell)
        row += 1
    row += 1
    ws.write_row(row, 0, ["Trang tính", "Cột (tiếng Việt)", "Tên cột (tiếng Anh)", "Ý nghĩa"],
                 fmt.cell_header)
    row += 1
    for table in SHEET_ORDER[1:]:
        for column in schema.table(table).columns_in():
            meaning = column.meaning
            ws.write_row(row, 0, [table, column.headers_vi[0], column.name, meaning], fmt.cell)
            ws.set_row(row, 15 * (1 + len(meaning) // 75))
            row += 1
    row += 1
    ws.write_row(row, 0, ["Mức thành tích", "Nội dung", "", "Ví dụ tên khen thưởng"],
                 fmt.cell_header)
    row += 1
    for level in rs.achievement_levels:
        examples = "; ".join(level.awards)
        ws.write_row(row, 0, [level.code, level.name_vi, "", examples], fmt.cell)
        ws.set_row(row, 15 * (1 + max(len(examples) // 75, len(level.name_vi) // 42)))
        row += 1
    ws.activate()


def write_workbook(path: Path, rs: RuleSet, settings: dict[str, Any] | None = None,
                   tables: dict[str, list[dict[str, Any]]] | None = None, *,
                   english_headers: bool = False) -> None:
    """Write an input workbook: instructions, settings, one sheet per table, lists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"default_format_properties": {"font_name": FONT,
                                                                        "font_size": 11}})
    wb.set_properties({"title": "Dữ liệu xét thăng hạng chức danh nghề nghiệp",
                       "created": FIXED_TIME, "author": "allocator"})
    fmt = _Formats(wb)
    _instructions(wb, fmt, rs)
    _settings_sheet(wb, fmt, settings or {})
    lists = _Lists(_list_values(rs))
    for table in SHEET_ORDER[1:]:
        _table_sheet(wb, fmt, lists, table, (tables or {}).get(table), english_headers)
    lists.write(wb, fmt)
    wb.close()


def write_template(path: Path, rule_set: RuleSet | None = None) -> None:
    """An empty input workbook for ``rule_set`` (default: the rule set of titles in force
    today, else the latest; the workbook of career levels is not written yet)."""
    today = rules.rule_set_in_force(dt.date.today())
    titles = [r for r in rules.builtin_rule_sets() if r.regime == "titles"]
    rs = rule_set or (today if today is not None and today.regime == "titles" else None) \
        or max(titles, key=lambda r: r.valid_from)
    write_workbook(path, rs, {"objective": "priority", "budget": "0"})


def _typed_rows(table: str, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows of a raw (all-text) table as the values a person would type in the workbook."""
    spec = schema.table(table)
    out: list[dict[str, Any]] = []
    known = [c for c in spec.names() if c in frame.columns]
    for row in frame.select(known).iter_rows(named=True):
        out.append({column: _typed_value(spec.column(column), value)
                    for column, value in row.items() if value is not None})
    return out


def _typed_value(column: schema.Column, value: str) -> Any:
    """A contract value as a person types it: dates as dates, numbers as numbers, yes/no
    and the vocabularies' codes as their Vietnamese words."""
    kind = column.kind
    if kind in (Kind.date, Kind.birth_date) and len(value) == 10:
        return dt.date.fromisoformat(value)
    if kind is Kind.whole_number:
        return int(parse_decimal(value))
    if kind in (Kind.number, Kind.share):
        d = parse_decimal(value)
        return int(d) if d == d.to_integral_value() else float(d)
    if kind is Kind.bool:
        return parse_bool(value)
    if kind is Kind.term:
        labels = VOCABULARIES[str(column.vocabulary)].labels("vi", cell=True)
        return labels.get(value, value)
    return value


def scenario_to_workbook(folder: Path, out: Path, *, english_headers: bool = False) -> None:
    """Turn a CSV scenario folder into one input workbook with the same content.

    The folder is validated first (a bad folder raises :class:`InputError` and writes
    nothing). Dates become Excel date cells (a birth date given only as a year or month
    stays text), yes/no columns "Có"/"Không", ratings and education levels Vietnamese words.
    """
    scenario = load(folder)
    raw = read_folder(folder)
    tables = {name: _typed_rows(name, t.frame) for name, t in raw.tables.items()}
    settings = dict(raw.settings)
    write_workbook(out, scenario.rule_set, settings, tables, english_headers=english_headers)
