"""Draft reports on escalated ties, from the organising agency to the managing agency's head.

Decree 115/2020 Art. 40 as amended by Decree 85/2023 Art. 1.20: when the winners still cannot
be determined, the head of the organising agency reports in writing ("có văn bản báo cáo")
to the head of the managing agency, who decides. For every (managing agency, organising
agency) with tie groups, :func:`write_letters` writes one DOCX: the round, the seats, the
tied candidates with their values on all five criteria, the reason (exact tie or a birth
date known only by year), and a part for the decision. The decision comes back as
``authority_decisions`` (sheet or CSV) for a final run.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from allocator.documents import regime
from allocator.documents.explain import CRITERION, TIE_REASON, Context, fmt_birth, fmt_date
from allocator.io.safe_xlsx import clean_text
from models import ethnic, vocabulary
from models.result import RunResult, TieGroup

FONT = "Times New Roman"
FIXED_TIME = dt.datetime(2024, 1, 1)
BOX = "□"

RULE_TEXT = ("trường hợp vẫn không xác định được người trúng tuyển thì người đứng đầu cơ quan "
             "có thẩm quyền tổ chức xét thăng hạng báo cáo bằng văn bản người đứng đầu cơ quan "
             "quản lý viên chức xem xét, quyết định")
#: A level round: the plan states the order and the report of ties (Decree 259 not in hand).
RULE_TEXT_LEVELS = ("thứ tự ưu tiên của kỳ xét; trường hợp vẫn không xác định được người "
                    "được xét thay đổi bậc thì người đứng đầu cơ quan tổ chức xét báo cáo bằng "
                    "văn bản người đứng đầu cơ quan quản lý viên chức xem xét, quyết định")


def letter_groups(result: RunResult) -> dict[tuple[str, str], list[TieGroup]]:
    """Tie groups by (managing agency, organising agency), in tie-group order."""
    out: dict[tuple[str, str], list[TieGroup]] = {}
    for g in result.groups:
        organiser = g.pools[0].split("|", 1)[0]
        out.setdefault((g.managing_agency_id, organiser), []).append(g)
    return out


_UNSAFE_IN_NAME = re.compile(r"[^\w.-]")


def file_name(managing: str, organiser: str, several: bool) -> str:
    """``bao-cao-<managing>.docx`` (with ``-<organiser>`` when one agency gets several).

    Unit ids come from data: a character that is not a letter, digit, ``.``, ``-`` or ``_``
    (a ``/``, a control character) becomes ``_``, so a name is always one file in the folder.
    """
    def part(unit_id: str) -> str:
        return _UNSAFE_IN_NAME.sub("_", unit_id)[:80]

    return (f"bao-cao-{part(managing)}-{part(organiser)}.docx" if several
            else f"bao-cao-{part(managing)}.docx")


def write_letters(result: RunResult, folder: Path) -> list[Path]:
    """Write one draft report per (managing agency, organising agency) with ties."""
    ctx = Context.of(result)
    ctx.rows.many(c for g in result.groups for c in g.members)  # one look-up for all
    grouped = letter_groups(result)
    per_managing: dict[str, int] = {}
    for managing, _org in grouped:
        per_managing[managing] = per_managing.get(managing, 0) + 1
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for (managing, organiser), groups in grouped.items():
        name = file_name(managing, organiser, per_managing[managing] > 1)
        stem, n = name.removesuffix(".docx"), 1
        while name.casefold() in used:  # two ids alike once made safe
            n += 1
            name = f"{stem}-{n}.docx"
        used.add(name.casefold())
        path = folder / name
        _save_fixed(_letter(ctx, managing, organiser, groups), path)
        written.append(path)
    return written


def _save_fixed(doc: Any, path: Path) -> None:
    """Save a DOCX with fixed times on its parts (python-docx stamps the current time), so
    the same run gives the same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


# ---------------------------------------------------------------------------------------------


def _styled(doc: Any, levels: bool = False) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(3)
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    props = doc.core_properties
    props.created = props.modified = FIXED_TIME
    props.author = props.last_modified_by = "allocator"
    props.title = ("Báo cáo về trường hợp bằng nhau trong xét thay đổi bậc nghề nghiệp" if levels
                   else "Báo cáo về trường hợp bằng nhau trong xét thăng hạng")
    props.revision = 1


def _para(container: Any, text: str = "", *, bold: bool = False, italic: bool = False,
          align: Any = None, size: float | None = None, indent: bool = False) -> Any:
    p = container.add_paragraph()
    if text:
        run = p.add_run(clean_text(text))
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.0)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return p


def _cell(cell: Any, text: str, *, bold: bool = False, italic: bool = False,
          center: bool = False, size: float = 12) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    run = p.add_run(clean_text(text))
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _widths(table: Any, widths: list[float]) -> None:
    table.autofit = False
    for i, w in enumerate(widths):
        table.columns[i].width = Cm(w)
    for row in table.rows:
        for i, w in enumerate(widths):
            row.cells[i].width = Cm(w)


def _table(doc: Any, header: list[str], rows: Iterable[list[str]], widths: list[float],
           centered: set[int], size: float = 11) -> Any:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(header):
        _cell(table.rows[0].cells[i], h, bold=True, center=True, size=size)
    for values in rows:
        cells = table.add_row().cells
        for i, v in enumerate(values):
            _cell(cells[i], v, center=i in centered, size=size)
    _widths(table, widths)
    return table


def _criterion_short(ctx: Context, row: dict[str, Any], criterion: str) -> str:
    """A criterion's value in a few words, for the narrow columns of the letter's table."""
    if criterion == "achievement":
        return row["achievement"] or "—"
    if criterion == "female":
        return vocabulary.SEX.label(row["sex"], cell=True)
    if criterion == "ethnic_minority":
        name = ethnic.normalise(row["ethnicity"] or "") or row["ethnicity"]
        return f"{name} (DTTS)" if row["ethnic_minority"] else str(name)
    if criterion == "older":
        return fmt_birth(row)
    if criterion == "longer_service":
        return fmt_date(row["service_start"])
    return ctx.criterion_value(row, criterion)


_SHORT_HEADER = {"achievement": "Thành tích", "female": "Giới tính",
                 "ethnic_minority": "Dân tộc", "older": "Ngày sinh",
                 "longer_service": "Bắt đầu công tác"}


def _letter(ctx: Context, managing: str, organiser: str, groups: list[TieGroup]) -> Any:
    doc = Document()
    _styled(doc, ctx.levels)
    sc = ctx.result.scenario
    org_name, managing_name = ctx.unit(organiser), ctx.unit(managing)

    # When the organiser also manages the tied candidates, its review council reports to
    # the organiser's head; the line above the sender is the agency it belongs to.
    council = managing == organiser
    sender = regime.council(ctx.levels) if council else org_name
    above = org_name if council else _parent_name(ctx, organiser)
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(head, [6.0, 10.0])
    left, right = head.rows[0].cells
    if above:
        _cell(left, above.upper(), center=True, size=12)
        _para(left, sender.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    else:
        _cell(left, sender.upper(), bold=True, center=True, size=12)
    _para(left, "Số: ......./BC-HĐXTH" if council else "Số: ......./BC-.........",
          align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, center=True, size=12)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          size=13)
    _para(right, "............, ngày ..... tháng ..... năm ........", italic=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, size=13)

    _para(doc)
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    what = ("kỳ xét thay đổi bậc nghề nghiệp của vị trí việc làm viên chức" if ctx.levels
            else "kỳ xét thăng hạng chức danh nghề nghiệp viên chức")
    _para(doc, f"Về việc xác định người trúng tuyển {what} trong trường hợp bằng nhau về các "
               "tiêu chí ưu tiên", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"Kính gửi: Người đứng đầu {managing_name}.", align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in regime.warning_lines(ctx.result):
        _para(doc, line, bold=True, italic=True, indent=True)
    _para(doc)

    basis = [b for b in ctx.rs.legal_basis if "Nghị định" in b]
    for line in basis:
        _para(doc, f"Căn cứ {line};", indent=True)
    if ctx.levels:
        _para(doc, f"Căn cứ {regime.CAPS_SOURCE} (tỷ lệ viên chức theo bậc nghề nghiệp);",
              indent=True)
        _para(doc, f"Căn cứ {ctx.priority_source}: {RULE_TEXT_LEVELS};", indent=True)
    else:
        _para(doc, f"Căn cứ {ctx.priority_source}: {RULE_TEXT};", indent=True)
    review = "xét thay đổi bậc nghề nghiệp" if ctx.levels else "xét thăng hạng"
    council_name = regime.council(ctx.levels)
    if council:
        _para(doc, f"{org_name} vừa là cơ quan tổ chức {review} vừa là cơ quan quản lý "
                   f"viên chức của các viên chức nêu dưới đây; {council_name} báo cáo "
                   f"người đứng đầu {org_name} xem xét, quyết định.", italic=True, indent=True)
    seats = sum(g.seats for g in groups)
    _para(doc, f"{org_name} đã tổ chức kỳ xét: {sc.settings.name} (hạn nộp hồ sơ "
               f"{fmt_date(sc.settings.deadline)}). Sau khi xét điều kiện và thứ tự ưu tiên "
               f"({_priority_words(ctx)}), còn {seats} chỉ tiêu chưa xác định được người trúng "
               "tuyển, cụ thể như sau:", indent=True)

    pools = ctx.result.pools
    for n, g in enumerate(groups, start=1):
        where = "; ".join(ctx.pool(*p.split("|", 1)) for p in g.pools)
        _para(doc, f"{n}. Nhóm {g.tie_group} — {where}", bold=True)
        for p in g.pools:
            match = pools.filter(regime.pool_filter(p))
            if match.height:
                q = match.row(0, named=True)
                _para(doc, f"Chỉ tiêu được duyệt: {q['quota']}; đã xác định trúng tuyển: "
                           f"{q['selected']}; số người đủ điều kiện: {q['eligible']}.",
                      indent=True)
        _para(doc, f"Số chỉ tiêu cần quyết định: {g.seats}, cho {len(g.members)} viên chức "
                   f"{TIE_REASON['vi'][g.reason]}:", indent=True)
        crit = [p.value for p in ctx.rs.priority]
        header = ["TT", "Họ và tên (mã)", "Đơn vị công tác",
                  *[_SHORT_HEADER[c] for c in crit]]
        rows = []
        for i, cid in enumerate(g.members, start=1):
            r = ctx.rows[cid]
            rows.append([str(i), f"{r['full_name']} ({cid})", ctx.unit(r["unit_id"]),
                         *[_criterion_short(ctx, r, c) for c in crit]])
        widths = {"achievement": 1.7, "female": 1.5, "ethnic_minority": 1.9, "older": 2.1,
                  "longer_service": 2.1}
        _table(doc, header, rows, [1.0, 3.1, 2.6, *[widths[c] for c in crit]],
               set(range(3, 3 + len(crit))) | {0}, size=10.5)
        levels = sorted({ctx.rows[c]["achievement"] for c in g.members} - {None})
        if levels:
            _para(doc, "Thành tích: " + "; ".join(
                f"{code} — {ctx.achievement(code).split(' — ', 1)[1]}" for code in levels)
                + ". Thời gian công tác tính đến hạn nộp hồ sơ.", italic=True, size=11)
        _para(doc)

    reporter = council_name if council else org_name
    addressee = f"người đứng đầu {managing_name}" if council else managing_name
    _para(doc, f"{reporter} kính báo cáo {addressee} xem xét, quyết định chọn người trúng "
               f"tuyển cho các chỉ tiêu nêu trên để làm căn cứ công nhận kết quả {review} "
               "theo quy định./.", indent=True)
    sign = doc.add_table(rows=1, cols=2)
    _widths(sign, [7.0, 9.0])
    a, b = sign.rows[0].cells
    _cell(a, "Nơi nhận:", bold=True, italic=True, size=11)
    _para(a, "- Như trên;", size=11)
    _para(a, "- Lưu: VT, bộ phận tổ chức cán bộ.", size=11)
    if council:
        _cell(b, f"TM. {sender.upper()}", bold=True, center=True, size=12)
        _para(b, "CHỦ TỊCH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    else:
        _cell(b, f"THỦ TRƯỞNG {org_name.upper()}", bold=True, center=True, size=12)
    _para(b, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          size=12)

    doc.add_page_break()  # type: ignore[no-untyped-call]
    _para(doc, f"PHẦN QUYẾT ĐỊNH CỦA NGƯỜI ĐỨNG ĐẦU {managing_name.upper()}", bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "Đánh dấu vào một ô cho mỗi viên chức; số người được chọn trong mỗi nhóm phải "
               "bằng số chỉ tiêu cần quyết định.", italic=True, indent=True)
    for g in groups:
        _para(doc, f"Nhóm {g.tie_group}: chọn {g.seats} trong {len(g.members)} người.", bold=True)
        rows = [[str(i), f"{ctx.rows[c]['full_name']} ({c})", f"{BOX} Chọn",
                 f"{BOX} Không chọn"] for i, c in enumerate(g.members, start=1)]
        _table(doc, ["TT", "Họ và tên (mã)", "Chọn", "Không chọn"], rows,
               [1.0, 8.0, 3.5, 3.5], {0, 2, 3})
        _para(doc)
    _para(doc, "Ý kiến khác: ..........................................................."
               "...................", indent=False)
    _para(doc, "................................................................................"
               "..........................")
    sign = doc.add_table(rows=1, cols=2)
    _widths(sign, [6.0, 10.0])
    _cell(sign.rows[0].cells[1], f"NGƯỜI ĐỨNG ĐẦU {managing_name.upper()}", bold=True,
          center=True, size=12)
    _para(sign.rows[0].cells[1], "(Ký, ghi rõ họ tên, đóng dấu)", italic=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    # The clerk's note is not part of what the head signs: a page of its own, after it.
    doc.add_page_break()  # type: ignore[no-untyped-call]
    _para(doc, "HƯỚNG DẪN CHO NGƯỜI NHẬP LIỆU (không thuộc văn bản trình ký)", bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    _para(doc, "Sau khi có quyết định, ghi vào trang tính 'Quyết định cấp trên' (hoặc tệp "
               "authority_decisions.csv) mỗi viên chức một dòng: mã ứng viên, họ và tên, "
               "quyết định 'Chọn' hoặc 'Không chọn' (select / reject), số và ngày văn bản "
               "quyết định; rồi chạy lại kỳ xét. Chương trình đối chiếu họ tên với mã ứng "
               "viên.", italic=True, size=11, indent=True)
    return doc




def _parent_name(ctx: Context, unit_id: str) -> str:
    """The name of the agency ``unit_id`` belongs to (its parent), or empty for the root."""
    units = ctx.result.scenario.units
    parent = units.filter(units["unit_id"] == unit_id)["parent_id"].to_list()
    return ctx.unit(parent[0]) if parent and parent[0] else ""


def _priority_words(ctx: Context) -> str:
    return "; ".join(f"{i}. {CRITERION['vi'][p.value]}"
                     for i, p in enumerate(ctx.rs.priority, start=1))
