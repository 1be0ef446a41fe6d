"""Input workbooks: the empty template a planner fills in, and a CSV scenario folder turned
into the same workbook (how the ready rounds ship as ``scenarios/<round>.xlsx``).

Sheets carry the file stems of SCENARIO.md as names; headers are Vietnamese (the first
name :data:`allocator.io.workbook.HEADERS` lists for each column), each with a note giving the
contract's English name and what the column means. Enumerated columns get drop-down lists
(titles, rating, sex, ethnicity, achievement, education, yes/no); whole-number columns are
checked as such. Date columns of the template are formatted as text, so that "10/03/1987"
typed in any Excel locale stays day/month/year; Excel date cells are read too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from allocator.io import rulesets as rules
from allocator.io.workbook import HEADERS
from models import awards, ethnic
from models.enums import Rating
from models.ruleset import RuleSet

FIXED_TIME = dt.datetime(2024, 1, 1)  # document properties, so that output is reproducible
TEMPLATE_ROWS = 2000
FONT = "Arial"  # has every Vietnamese letter on Windows, macOS and (as Liberation Sans) Linux
LISTS_SHEET = "Danh mục"
INSTRUCTIONS_SHEET = "Hướng dẫn"

RATING_VI = {
    Rating.xuat_sac.value: "Hoàn thành xuất sắc nhiệm vụ",
    Rating.tot.value: "Hoàn thành tốt nhiệm vụ",
    Rating.hoan_thanh.value: "Hoàn thành nhiệm vụ",
    Rating.khong_hoan_thanh.value: "Không hoàn thành nhiệm vụ",
}
EDUCATION_VI = {"trung_cap": "Trung cấp", "cao_dang": "Cao đẳng", "dai_hoc": "Đại học",
                "thac_si": "Thạc sĩ", "tien_si": "Tiến sĩ"}
SEX_VI = {"male": "Nam", "female": "Nữ"}
YES, NO = "Có", "Không"

# What each column means (shown as the header cell's note), Vietnamese then English.
MEANING: dict[str, str] = {
    "unit_id": "Mã duy nhất của đơn vị / unique unit id",
    "name": "Tên đơn vị / display name",
    "parent_id": "Mã cơ quan quản lý trực tiếp (để trống ở gốc: UBND tỉnh) / managing "
                 "agency's unit_id, empty for the root",
    "candidate_id": "Mã ứng viên, không trùng / unique candidate id",
    "full_name": "Họ và tên / full name",
    "birth_date": "dd/mm/yyyy; chỉ ghi năm (yyyy) nếu hồ sơ chỉ có năm sinh — khi đó nếu cần "
                  "so ngày sinh thì báo cáo cơ quan quản lý / a bare year is accepted and "
                  "escalated when it decides",
    "sex": "Nam / Nữ",
    "ethnicity": "Một trong 54 dân tộc (có hoặc không dấu) / one of the 54 ethnic groups",
    "unit_id@candidates": "Mã đơn vị đang làm việc (trang tính units) / employing unit",
    "current_title": "Mã số chức danh nghề nghiệp hiện giữ, ví dụ V.11.05.12 / current title",
    "target_title": "Mã số chức danh dự xét, ví dụ V.11.05.11 / target title",
    "rank_since": "Ngày bổ nhiệm vào hạng hiện giữ, dd/mm/yyyy / appointed to the rank",
    "equivalent_months": "Số tháng tương đương được tính (điểm d khoản 1 Điều 32 NĐ 115) / "
                         "equivalent months counted",
    "probation_months": "Số tháng tập sự, thử việc trong thời gian giữ hạng (không được tính) / "
                        "probation months, not counted",
    "recruitment_level": "Trình độ khi tuyển dụng / education level when recruited",
    "degree": "Trình độ cao nhất hiện nay / highest degree now",
    "degree_field_ok": "Văn bằng đúng chuyên ngành chức danh dự xét yêu cầu / degree in the "
                       "required field",
    "certificate": "Có chứng chỉ bồi dưỡng theo tiêu chuẩn chức danh dự xét / holds the "
                   "training certificate",
    "rating_prev_year": "Xếp loại chất lượng năm liền trước năm xét / rating of the year "
                        "before the review",
    "under_discipline": "Đang trong thời hạn xử lý kỷ luật / within a disciplinary period",
    "competence_ok": "Thủ trưởng đơn vị xác nhận đáp ứng năng lực chuyên môn / competence "
                     "certified",
    "language_it_ok": "Đáp ứng hoặc được miễn yêu cầu ngoại ngữ, tin học / meets or is exempt "
                      "from language and IT requirements",
    "achievement": "Mức thành tích cao nhất (A, B, C, D) hoặc tên hình thức khen thưởng, ví dụ "
                   "'Bằng khen của Chủ tịch UBND tỉnh' / level or award name",
    "achievement_count": "Số khen thưởng ở mức cao nhất (khi bộ quy tắc so số lượng) / number "
                         "of awards at the highest level",
    "service_start": "Ngày bắt đầu công tác, dd/mm/yyyy / start of working time",
    "points": "Điểm quy đổi kết quả hoạt động chuyên môn trong thời gian giữ hạng / "
              "converted points",
    "points_st": "Trong đó: điểm từ nhiệm vụ KH&CN, dự án, bài báo / of which from S&T tasks",
    "salary_increase": "Mức tăng hệ số lương nếu được thăng hạng (cho ngân sách) / salary "
                       "coefficient increase",
    "agency_id": "Mã cơ quan tổ chức xét, giữ chỉ tiêu / organising agency",
    "target_title@quotas": "Mã số chức danh được giao chỉ tiêu / title of the quota",
    "quota": "Số chỉ tiêu được duyệt (số nguyên ≥ 0) / approved quota",
    "limit_id": "Mã giới hạn / limit id",
    "scope_unit_id": "Giới hạn áp dụng cho ứng viên thuộc đơn vị này và cấp dưới / scope",
    "target_title@limits": "Chỉ tính ứng viên dự xét chức danh này (tuỳ chọn) / optional title",
    "target_rank": "Chỉ tính ứng viên dự xét hạng này: I..V (tuỳ chọn) / optional rank",
    "max": "Tối đa bao nhiêu người trúng tuyển / at most this many winners",
    "max_share": "Thay cho cột tối đa: tỷ lệ 0–1 trên số lượng người làm việc được duyệt / "
                 "instead of max: a share of approved headcount",
    "unit_id@staff": "Mã đơn vị / unit",
    "title": "Mã số chức danh / title code",
    "holders": "Số viên chức đang giữ chức danh / current holders",
    "positions": "Số lượng người làm việc được duyệt cho chức danh (tuỳ chọn) / approved "
                 "headcount",
    "candidate_id@authority_decisions": "Mã ứng viên trong nhóm chờ quyết định / escalated "
                                        "candidate",
    "decision": "Chọn / Không chọn (select / reject)",
    "candidate_id@awards": "Mã ứng viên / candidate",
    "award": "Hình thức khen thưởng, ghi bằng chữ / the award in words",
    "level": "Mức của bộ quy tắc (A, B, C, D …) / a level code of the rule set",
}

SETTING_NOTES: dict[str, str] = {
    "name": "Tên kỳ xét / round name",
    "deadline": "Ngày hết hạn nộp hồ sơ (dd/mm/yyyy): thời gian giữ hạng tính đến ngày này",
    "review_year": "Năm xét; xếp loại của năm liền trước được dùng",
    "certificate_waived": "Có = chưa có chương trình bồi dưỡng, không yêu cầu chứng chỉ",
    "require_excellent_achievement": "Có = áp dụng điều kiện thành tích xuất sắc (Điều 6 "
                                     "thông tư của Bộ TT&TT)",
    "objective": "priority = thứ tự ưu tiên quyết định mọi chỉ tiêu; fill = lấp đầy tối đa "
                 "rồi mới xét ưu tiên",
    "budget": "Tổng mức tăng hệ số lương tối đa (0 = không giới hạn)",
    "rule_set": "Mã bộ quy tắc (để trống: bộ quy tắc có hiệu lực tại hạn nộp hồ sơ)",
    "rule_set_file": "Tệp bộ quy tắc riêng (TOML), đường dẫn tính từ thư mục chứa tệp này",
}
SETTING_ORDER = tuple(SETTING_NOTES)

SHEET_ORDER = ("scenario", "units", "candidates", "quotas", "limits", "staff",
               "authority_decisions", "awards", "award_levels")
SHEET_PURPOSE = {
    "scenario": "Thông tin kỳ xét: tên, hạn nộp hồ sơ, năm xét, các lựa chọn (cột key/value)",
    "units": "Cây tổ chức: mỗi đơn vị một dòng, kèm mã cơ quan quản lý trực tiếp",
    "candidates": "Danh sách viên chức dự xét (theo Mẫu số 06 và các thông tin để xét điều "
                  "kiện, thứ tự ưu tiên)",
    "quotas": "Chỉ tiêu thăng hạng được duyệt theo cơ quan tổ chức xét và chức danh",
    "limits": "Tuỳ chọn: giới hạn chung ràng buộc nhiều chỉ tiêu (cơ cấu hạng, tổng số)",
    "staff": "Tuỳ chọn: số viên chức hiện có theo đơn vị và chức danh (báo cáo Mẫu số 05, "
             "giới hạn theo tỷ lệ)",
    "authority_decisions": "Tuỳ chọn: quyết định của cơ quan quản lý về các trường hợp bằng "
                           "nhau đã báo cáo",
    "awards": "Tuỳ chọn: mỗi khen thưởng của ứng viên một dòng (mức cao nhất và số lượng ở "
              "mức đó được tính tự động)",
    "award_levels": "Tuỳ chọn: bổ sung tên hình thức khen thưởng và mức tương ứng",
}
DATE_COLUMNS = {"birth_date", "rank_since", "service_start"}
COUNT_COLUMNS = {"equivalent_months", "probation_months", "achievement_count", "quota", "max",
                 "holders", "positions"}
NUMBER_COLUMNS = {"points", "points_st", "salary_increase", "max_share"}
BOOL_COLUMNS = {"degree_field_ok", "certificate", "under_discipline", "competence_ok",
                "language_it_ok"}
OPTIONAL_SHEETS = ("limits", "staff", "authority_decisions", "awards", "award_levels")


def header_of(table: str, column: str, *, english: bool = False) -> str:
    """The header the template writes for a column."""
    if english:
        return column
    return HEADERS[table][column][0]


def _meaning(table: str, column: str) -> str:
    return MEANING.get(f"{column}@{table}", MEANING.get(column, ""))


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
        "rank": ["I", "II", "III", "IV", "V"],
        "decision": ["Chọn", "Không chọn"],
        "awards": example_awards,
    }


_LIST_OF = {"current_title": "titles", "target_title": "titles", "title": "titles",
            "rating_prev_year": "rating", "sex": "sex", "ethnicity": "ethnicity",
            "achievement": "achievement", "recruitment_level": "education",
            "degree": "education", "target_rank": "rank", "decision": "decision",
            "award": "awards", "level": "achievement",
            **{c: "yes_no" for c in BOOL_COLUMNS}}
_STRICT_LISTS = {"sex", "rating", "education", "rank", "decision", "yes_no"}


def _table_sheet(wb: Workbook, fmt: _Formats, lists: _Lists, table: str,
                 rows: list[dict[str, Any]] | None, english: bool) -> Worksheet:
    """One table sheet: header with notes, validations, and the rows given."""
    ws = wb.add_worksheet(table)
    columns = list(HEADERS[table])
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
        list_name = _LIST_OF.get(column)
        if table == "units" and column == "name":
            list_name = None
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
            _write_value(ws, fmt, r, c, column, row.get(column))
    return ws


def _write_value(ws: Worksheet, fmt: _Formats, r: int, c: int, column: str,
                 value: Any) -> None:
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
        ws.write_string(r, 2, SETTING_NOTES[name])


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
        ws.merge_range(row, 1, row, 3, SHEET_PURPOSE[name], fmt.cell)
        row += 1
    row += 1
    ws.write_row(row, 0, ["Trang tính", "Cột (tiếng Việt)", "Tên cột (tiếng Anh)", "Ý nghĩa"],
                 fmt.cell_header)
    row += 1
    for table in ("units", "candidates", "quotas", *OPTIONAL_SHEETS):
        for column, names in HEADERS[table].items():
            meaning = _meaning(table, column)
            ws.write_row(row, 0, [table, names[0], column, meaning], fmt.cell)
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
    """An empty input workbook for ``rule_set`` (default: the rule set in force today)."""
    rs = rule_set or rules.rule_set_in_force(dt.date.today()) or rules.builtin_rule_sets()[-1]
    write_workbook(path, rs, {"objective": "priority", "budget": "0"})


def _typed_rows(table: str, frame: Any) -> list[dict[str, Any]]:
    """Rows of a raw (all-text) table as the values a person would type in the workbook."""
    from allocator.io.load import parse_bool, parse_decimal

    out: list[dict[str, Any]] = []
    known = [c for c in HEADERS[table] if c in frame.columns]
    for row in frame.select(known).iter_rows(named=True):
        typed: dict[str, Any] = {}
        for column, value in row.items():
            if value is None:
                continue
            typed[column] = _typed_value(column, value, parse_bool, parse_decimal)
        out.append(typed)
    return out


def _typed_value(column: str, value: str, parse_bool: Any, parse_decimal: Any) -> Any:
    if column in DATE_COLUMNS and len(value) == 10:
        return dt.date.fromisoformat(value)
    if column in COUNT_COLUMNS:
        return int(parse_decimal(value))
    if column in NUMBER_COLUMNS:
        d = parse_decimal(value)
        return int(d) if d == d.to_integral_value() else float(d)
    if column in BOOL_COLUMNS:
        return bool(parse_bool(value))
    if column == "rating_prev_year":
        return RATING_VI.get(value, value)
    if column in ("recruitment_level", "degree"):
        return EDUCATION_VI.get(value, value)
    if column == "sex":
        return SEX_VI.get(value, value)
    if column == "decision":
        return {"select": "Chọn", "reject": "Không chọn"}.get(value, value)
    return value


def scenario_to_workbook(folder: Path, out: Path, *, english_headers: bool = False) -> None:
    """Turn a CSV scenario folder into one input workbook with the same content.

    The folder is validated first (a bad folder raises :class:`InputError` and writes
    nothing). Dates become Excel date cells (a birth date given only as a year or month
    stays text), yes/no columns "Có"/"Không", ratings and education levels Vietnamese words.
    """
    from allocator.io.load import load, read_folder

    scenario = load(folder)
    raw = read_folder(folder)
    tables = {name: _typed_rows(name, t.frame) for name, t in raw.tables.items()}
    settings = dict(raw.settings)
    write_workbook(out, scenario.rule_set, settings, tables, english_headers=english_headers)
