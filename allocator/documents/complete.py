"""``allocator complete-columns LIST.xlsx OUT.xlsx``: a unit's own list (Mẫu 06 or any
candidate sheet) with exactly the columns the review needs and the sheet lacks added after
its last column, under the same header rows, each with a drop-down list or a number/date
check, for the unit to fill. The unit's cells, merged headers and signature block stay as
they are; the input is never overwritten (a new file is written).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from allocator.io.workbook import list_layout
from models import schema, vocabulary
from models.errors import InputError
from models.ruleset import RuleSet
from models.schema import Kind

#: Columns asked of a unit when its list lacks them: every column of the candidates table but
#: those only some rule sets read (points, the science-task points, the salary increase, the
#: award count), which stay optional.
NOT_ASKED = frozenset({"points", "points_st", "salary_increase", "achievement_count"})
LISTS_SHEET = "Danh mục cột bổ sung"
#: Rows below the last candidate that get the drop-downs too (for candidates added later).
SPARE_ROWS = 50
_FILL = PatternFill("solid", fgColor="FFF2CC")


@dataclass(frozen=True)
class Added:
    """What was added to one sheet: its name and the columns (header as written)."""

    sheet: str
    headers: tuple[str, ...]


def missing_columns(present: set[str]) -> list[schema.Column]:
    """The candidates columns a sheet with ``present`` columns lacks and should have (the
    sex may be given by Nam/Nữ columns, the id by TT)."""
    have = set(present)
    if have & {"__male", "__female"}:
        have.add("sex")
    return [c for c in schema.CANDIDATES.columns_in()
            if c.name not in have and c.name not in NOT_ASKED]


def _choices(column: schema.Column, rs: RuleSet) -> list[str] | None:
    if column.kind is Kind.term:
        return list(vocabulary.VOCABULARIES[str(column.vocabulary)].labels(cell=True).values())
    if column.kind is Kind.bool:
        return ["Có", "Không"]
    if column.kind is Kind.title_code:
        return [t.code for t in rs.titles]
    if column.kind is Kind.achievement:
        return [a.code for a in rs.achievement_levels]
    return None


def complete_columns(path: Path, out: Path, rs: RuleSet) -> list[Added]:
    """Write ``out``: the workbook ``path`` with the missing columns of each candidate sheet
    added. Refuses to write over ``path``."""
    if out.resolve() == path.resolve():
        raise InputError.one(out.name, None, None,
                             "không ghi đè tệp của đơn vị; chọn một tên tệp mới",
                             "the unit's own file is never overwritten; choose a new name")
    layouts = list_layout(path)
    if not layouts:
        raise InputError.one(path.name, None, None,
                             "không có trang tính nào là danh sách ứng viên",
                             "no sheet is a candidate list")
    wb = openpyxl.load_workbook(path)
    lists_ws = wb[LISTS_SHEET] if LISTS_SHEET in wb.sheetnames else wb.create_sheet(LISTS_SHEET)
    lists_ws.sheet_state = "hidden"
    list_ranges: dict[str, str] = {}
    added: list[Added] = []
    for layout in layouts:
        ws = wb[layout.sheet]
        columns = missing_columns(set(layout.columns))
        col = layout.last_column + 1  # 1-based, after the sheet's last column
        last_row = max(layout.last_data_row, layout.first_data_row) + SPARE_ROWS
        headers = []
        for column in columns:
            header = column.headers_vi[0] if column.headers_vi else column.name
            headers.append(header)
            cell = ws.cell(layout.header_row, col, header)
            cell.font = Font(bold=True)
            cell.fill = _FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            if layout.header_rows > 1:
                ws.merge_cells(start_row=layout.header_row, start_column=col,
                               end_row=layout.header_row + layout.header_rows - 1,
                               end_column=col)
            ws.column_dimensions[get_column_letter(col)].width = max(12, min(30,
                                                                             len(header) + 2))
            letter = get_column_letter(col)
            cells = f"{letter}{layout.first_data_row}:{letter}{last_row}"
            choices = _choices(column, rs)
            if choices is not None:
                key = column.vocabulary or column.kind.value
                if key not in list_ranges:
                    j = len(list_ranges) + 1
                    for i, v in enumerate(choices, start=1):
                        lists_ws.cell(i, j, v)
                    jl = get_column_letter(j)
                    list_ranges[key] = (f"{quote_sheetname(LISTS_SHEET)}!${jl}$1:"
                                        f"${jl}${len(choices)}")
                dv = DataValidation(type="list", formula1=list_ranges[key], allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning",
                                    promptTitle=column.name[:32],
                                    prompt="Chọn trong danh sách / choose from the list")
            elif column.kind in (Kind.date, Kind.birth_date):
                dv = DataValidation(type="date", operator="greaterThan", formula1="1",
                                    allow_blank=True, promptTitle=column.name[:32],
                                    prompt="Ngày dd/mm/yyyy / a date")
                for r in range(layout.first_data_row, last_row + 1):
                    ws.cell(r, col).number_format = "dd/mm/yyyy"
            elif column.kind is Kind.whole_number:
                dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                                    allow_blank=True, promptTitle=column.name[:32],
                                    prompt="Số nguyên ≥ 0 / a whole number ≥ 0")
            else:
                dv = DataValidation(type="textLength", operator="greaterThanOrEqual",
                                    formula1="0", allow_blank=True,
                                    promptTitle=column.name[:32],
                                    prompt=column.meaning_vi[:255])
            dv.showInputMessage = True
            ws.add_data_validation(dv)
            dv.add(cells)
            col += 1
        added.append(Added(layout.sheet, tuple(headers)))
    if not list_ranges:
        wb.remove(lists_ws)
    wb.save(out)
    return added
