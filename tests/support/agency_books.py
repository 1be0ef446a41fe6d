"""A round as real provinces send it, built with openpyxl from a CSV folder: one round
workbook (settings, units, quotas, limits, staff) and one workbook per employing unit shaped
like Mẫu số 06 (Decree 115/2020): a title block, merged two-row headers, a numbering row,
one sheet per transition, a total row "Tổng cộng: 09 người" and a signature block left and
right, with the columns the engine needs beyond the form appended under a group header.

``python -m tests.support.agency_books scenarios/dien-bien-2024
scenarios/dien-bien-2024-agencies`` writes the shipped per-agency rounds.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from allocator.io.folder import read_folder
from models import schema, vocabulary

AWARD_WORDS = {"A": "Huân chương Lao động hạng Ba", "B": "Bằng khen của Thủ tướng Chính phủ",
               "C": "Bằng khen của Chủ tịch UBND tỉnh", "D": "Giấy khen của Giám đốc Sở"}
ROUND_FILE = "00-ky-xet.xlsx"


@dataclass(frozen=True)
class Options:
    """How the unit filled its lists (each one as units do)."""

    text_dates: bool = False  # dates typed as dd/mm/yyyy text rather than Excel dates
    blank_before_total: bool = False  # an empty row between the table and the total row
    signature_right_only: bool = False  # only the head's block, on the right


def _date(value: str | None, as_text: bool) -> Any:
    if not value:
        return None
    if len(value) != 10:
        return value  # a year-only (or year-month) birth date as written
    d = dt.date.fromisoformat(value)
    return d.strftime("%d/%m/%Y") if as_text else d


def _word(table: schema.Table, column: str, code: str | None) -> Any:
    """A cell as a clerk writes it: a term in words, yes/no as Có/Không."""
    if code is None or code == "":
        return None
    c = table.column(column)
    if c.kind is schema.Kind.term:
        return vocabulary.VOCABULARIES[str(c.vocabulary)].label(code, cell=True)
    if c.kind is schema.Kind.bool:
        return "Có" if code == "true" else "Không"
    if c.kind is schema.Kind.achievement:
        return AWARD_WORDS.get(code, code)
    return code


#: The form's own columns (header, sub-header) and the appended ones: (group, header,
#: contract column or a function of the candidate row).
FORM_TOP = ["TT", "Họ và tên", "Ngày tháng năm sinh", None, "Dân tộc",
            "Chức vụ hoặc chức danh công tác", "Cơ quan đơn vị đang làm việc",
            "Thời gian giữ chức danh nghề nghiệp (kể cả thời gian giữ ngạch hoặc hạng "
            "tương đương)", "Mức lương hiện hưởng", None,
            "Văn bằng, chứng chỉ theo yêu cầu của hạng dự xét", None]
FORM_SUB = [None, None, "Nam", "Nữ", None, None, None, None, "Hệ số lương",
            "Mã số chức danh nghề nghiệp hiện giữ", "Trình độ chuyên môn",
            "Trình độ đào tạo khi tuyển dụng"]
EXTRA = [("Mã viên chức", "candidate_id"), ("Mã số CDNN dự xét", "target_title"),
         ("Ngày bổ nhiệm hạng hiện giữ", "rank_since"),
         ("Thời gian tương đương (tháng)", "equivalent_months"),
         ("Thời gian tập sự (tháng)", "probation_months"),
         ("Đúng chuyên ngành", "degree_field_ok"),
         ("Chứng chỉ bồi dưỡng", "certificate"),
         ("Xếp loại chất lượng năm {prev}", "rating_prev_year"),
         ("Đang trong thời hạn xử lý kỷ luật", "under_discipline"),
         ("Đáp ứng năng lực chuyên môn", "competence_ok"),
         ("Đáp ứng ngoại ngữ, tin học", "language_it_ok"),
         ("Thành tích khen thưởng cao nhất", "achievement"),
         ("Ngày bắt đầu công tác", "service_start"),
         ("Điểm quy đổi", "points"), ("Điểm quy đổi từ nhiệm vụ KH&CN", "points_st"),
         ("Hệ số lương tăng thêm", "salary_increase")]
DATE_COLUMNS = {"rank_since", "service_start"}


def _form_row(i: int, c: dict[str, Any], unit_name: str, opts: Options) -> list[Any]:
    birth = _date(c["birth_date"], opts.text_dates)
    female = c["sex"] == "female"
    cells: list[Any] = [
        i, c["full_name"], None if female else birth, birth if female else None,
        c["ethnicity"], "Viên chức", unit_name, None, 2.34, c["current_title"],
        _word(schema.CANDIDATES, "degree", c["degree"]),
        _word(schema.CANDIDATES, "recruitment_level", c["recruitment_level"]),
    ]
    for _header, column in EXTRA:
        value = c.get(column)
        if column in DATE_COLUMNS:
            cells.append(_date(value, opts.text_dates))
        elif column in ("equivalent_months", "probation_months", "points", "points_st",
                        "salary_increase") and value not in (None, ""):
            number = float(value)
            cells.append(int(number) if number.is_integer() else number)
        else:
            cells.append(_word(schema.CANDIDATES, column, value))
    return [*cells, None]


def _title_block(ws: Worksheet, agency: str, unit: str, title: str, ncols: int) -> int:
    ws.cell(1, 1, f"TÊN CƠ QUAN, ĐƠN VỊ: {agency.upper()}")
    ws.cell(2, 1, unit.upper()).font = Font(bold=True)
    ws.cell(1, ncols - 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = Font(bold=True)
    ws.cell(2, ncols - 4, "Độc lập - Tự do - Hạnh phúc")
    ws.cell(4, 1, title).font = Font(bold=True)
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=ncols)
    ws.cell(4, 1).alignment = Alignment(horizontal="center", wrap_text=True)
    ws.cell(5, 1, "(Kèm theo Công văn số ....../....... ngày ..... tháng ..... năm .....)")
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=ncols)
    return 7


def _header(ws: Worksheet, row: int, prev: int) -> int:
    """The two header rows (merged group cells, tall cells) and the numbering row."""
    top = [*FORM_TOP, "Thông tin bổ sung để xét (các cột đơn vị bổ sung)",
           *[None] * (len(EXTRA) - 1), "Ghi chú"]
    sub = [*FORM_SUB, *[h.format(prev=prev) for h, _c in EXTRA], None]
    for j, (t, s) in enumerate(zip(top, sub, strict=True), start=1):
        if t is not None:
            ws.cell(row, j, t)
        if s is not None:
            ws.cell(row + 1, j, s)
        ws.cell(row, j).alignment = Alignment(wrap_text=True, vertical="center")
    for j, (t, s) in enumerate(zip(top, sub, strict=True), start=1):
        if t is not None and s is None:
            ws.merge_cells(start_row=row, start_column=j, end_row=row + 1, end_column=j)
    groups = [(3, 4), (9, 10), (11, 12), (13, 12 + len(EXTRA))]
    for a, b in groups:
        ws.merge_cells(start_row=row, start_column=a, end_row=row, end_column=b)
    for j in range(1, len(top) + 1):
        ws.cell(row + 2, j, f"({j})")
    return row + 3


def _signature(ws: Worksheet, row: int, ncols: int, place: str, opts: Options) -> None:
    right = ncols - 4
    ws.cell(row, right, f"{place}, ngày 20 tháng 10 năm 2024").font = Font(italic=True)
    if not opts.signature_right_only:
        ws.cell(row + 1, 2, "NGƯỜI LẬP BIỂU").font = Font(bold=True)
        ws.cell(row + 2, 2, "(Ký, ghi rõ họ tên)")
        ws.cell(row + 6, 2, "Nguyễn Thị Hoa")
    ws.cell(row + 1, right, "THỦ TRƯỞNG ĐƠN VỊ").font = Font(bold=True)
    ws.cell(row + 2, right, "(Ký tên, đóng dấu)")
    ws.cell(row + 6, right, "Trần Văn Nam")


def write_agency_book(path: Path, rows: list[dict[str, Any]], unit: dict[str, Any],
                      agency: str, titles: dict[str, str], review_year: int, place: str,
                      opts: Options = Options(),
                      unit_names: dict[str, str] | None = None) -> Path:
    """One unit's lists: a sheet per transition (current → target title), Mẫu 06 shaped
    (``unit_names``: each candidate's own unit, for a list gathering several units)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    pairs = list(dict.fromkeys((c["current_title"], c["target_title"]) for c in rows))
    ncols = len(FORM_TOP) + len(EXTRA) + 1
    for k, (cur, tgt) in enumerate(pairs, start=1):
        ws = wb.create_sheet(f"Mẫu 06 ({k})")
        title = ("DANH SÁCH VIÊN CHỨC CÓ ĐỦ CÁC TIÊU CHUẨN, ĐIỀU KIỆN DỰ XÉT THĂNG HẠNG "
                 f"CHỨC DANH NGHỀ NGHIỆP TỪ CHỨC DANH {titles.get(cur, cur).upper()} "
                 f"LÊN CHỨC DANH {titles.get(tgt, tgt).upper()} NĂM {review_year}")
        r = _title_block(ws, agency, unit["name"], title, ncols)
        r = _header(ws, r, review_year - 1)
        people = [c for c in rows if (c["current_title"], c["target_title"]) == (cur, tgt)]
        for i, c in enumerate(people, start=1):
            name = (unit_names or {}).get(c["unit_id"], unit["name"])
            for j, v in enumerate(_form_row(i, c, name, opts), start=1):
                if v is not None:
                    ws.cell(r, j, v)
                    if isinstance(v, dt.date):
                        ws.cell(r, j).number_format = "dd/mm/yyyy"
            r += 1
        if opts.blank_before_total:
            r += 1
        ws.cell(r, 1, f"Tổng cộng: {len(people):02d} người").font = Font(bold=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r + 1, 1, "Ghi chú: danh sách xếp theo thứ tự vần A, B, C.")
        _signature(ws, r + 3, ncols, place, opts)
    wb.save(path)
    return path


def _table_sheet(wb: openpyxl.Workbook, name: str, table: schema.Table,
                 rows: list[dict[str, Any]], *, total: str | None = None) -> None:
    ws = wb.create_sheet(name)
    columns = [c for c in table.columns_in() if any(r.get(c.name) for r in rows)
               or c.required]
    ws.cell(1, 1, table.purpose_vi.upper()).font = Font(bold=True)
    for j, c in enumerate(columns, start=1):
        ws.cell(3, j, c.headers_vi[0] if c.headers_vi else c.name)
    for i, r in enumerate(rows, start=4):
        for j, c in enumerate(columns, start=1):
            v = r.get(c.name)
            if v is None or v == "":
                continue
            if c.kind is schema.Kind.whole_number:
                ws.cell(i, j, int(v))
            else:
                ws.cell(i, j, v)
    end = 4 + len(rows)
    if total is not None:
        ws.cell(end, 1, total)
        ws.cell(end, len(columns), sum(int(r["quota"]) for r in rows))
        ws.cell(end + 2, len(columns), "GIÁM ĐỐC SỞ NỘI VỤ")
        ws.cell(end + 3, len(columns), "(Ký tên, đóng dấu)")


def write_round_book(path: Path, folder: Path) -> Path:
    """The round's own workbook: settings, units, quotas (with a total row and a signature
    block), limits and staff; no candidates."""
    raw = read_folder(folder)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("Kỳ xét")
    ws.cell(1, 1, "THÔNG TIN KỲ XÉT THĂNG HẠNG").font = Font(bold=True)
    ws.cell(3, 1, "Thiết lập")
    ws.cell(3, 2, "Giá trị")
    for i, (k, v) in enumerate(raw.settings.items(), start=4):
        c = schema.SETTINGS.column(k)
        ws.cell(i, 1, c.headers_vi[0] if c.headers_vi else k)
        if isinstance(v, bool):
            ws.cell(i, 2, "Có" if v else "Không")
        elif isinstance(v, dt.date):
            ws.cell(i, 2, v).number_format = "dd/mm/yyyy"
        else:
            ws.cell(i, 2, v)
    tables = {name: t.frame.drop("__row").to_dicts() for name, t in raw.tables.items()
              if name != "candidates"}
    _table_sheet(wb, "Đơn vị", schema.UNITS, tables["units"])
    _table_sheet(wb, "Chỉ tiêu", schema.QUOTAS, tables["quotas"], total="Tổng cộng")
    for name, table in (("Giới hạn", schema.LIMITS), ("Cơ cấu hiện có", schema.STAFF)):
        if table.name in tables:
            _table_sheet(wb, name, table, tables[table.name])
    wb.save(path)
    return path


def write_agency_round(folder: Path, out: Path, options: Sequence[Options] = ()) -> list[Path]:
    """The round of ``folder`` as a round workbook plus one Mẫu 06 workbook per employing
    unit (the i-th unit filled as ``options[i]`` says), written into ``out``."""
    from allocator.io import rulesets
    from allocator.io.validate import round_settings

    raw = read_folder(folder)
    settings = round_settings(raw.settings, "scenario.toml")
    rs = rulesets.for_round(settings, folder, "scenario.toml")
    titles = {t.code: t.name_vi for t in rs.titles}
    units = {u["unit_id"]: u for u in raw.tables["units"].frame.to_dicts()}
    root = next(u for u in units.values() if not u["parent_id"])
    place = root["name"].split("tỉnh")[-1].strip() or root["name"]
    cands = raw.tables["candidates"].frame.drop("__row").to_dicts()
    out.mkdir(parents=True, exist_ok=True)
    files = [write_round_book(out / ROUND_FILE, folder)]
    by_unit = list(dict.fromkeys(c["unit_id"] for c in cands))
    for k, unit_id in enumerate(by_unit):
        unit = units[unit_id]
        agency = units[unit["parent_id"]]["name"] if unit["parent_id"] else unit["name"]
        opts = options[k % len(options)] if options else Options(
            text_dates=k % 2 == 1, blank_before_total=k % 2 == 0,
            signature_right_only=k % 3 == 2)
        rows = [c for c in cands if c["unit_id"] == unit_id]
        files.append(write_agency_book(out / f"{k + 1:02d}-{unit_id}.xlsx", rows, unit,
                                       agency, titles, settings.review_year, place, opts))
    return files


def main(argv: list[str]) -> None:
    for path in write_agency_round(Path(argv[0]), Path(argv[1])):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
