"""Workbooks in: the same round as a workbook decides exactly as its CSV folder does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.documents.template import scenario_to_workbook
from allocator.engine.digest import input_digest
from allocator.engine.flow import decide
from allocator.engine.options import Options
from allocator.io.loader import load
from allocator.io.workbook import (
    _match_header,
    _TableSheet,
    _vocabulary,
    date_text,
    header_key,
    open_workbook,
)
from models import schema
from models.errors import Collector
from models.text import fold
from tests.support.builders import candidate, write_folder
from tests.support.sheets import (
    SCENARIOS,
    Merged,
    Tall,
    csv_rows,
    decisions_of,
    settings_rows,
    write_sheets,
)

ROUNDS = ("dien-bien-2024", "binh-dinh-2024")
#: table → column → the Vietnamese headers accepted
HEADERS = {t.name: {c.name: c.headers_vi for c in (*t.columns_in(), *t.sheet_columns)}
           for t in schema.TABLES if not t.key_value}


@pytest.mark.parametrize("name", ROUNDS)
def test_shipped_workbook_is_the_same_round_as_the_folder(name: str) -> None:
    assert input_digest(load(SCENARIOS / f"{name}.xlsx")) == input_digest(
        load(SCENARIOS / name)), (f"regenerate: allocator to-workbook scenarios/{name} "
                                  f"scenarios/{name}.xlsx")


@pytest.mark.parametrize("english", [False, True])
@pytest.mark.parametrize("name", ROUNDS)
def test_converted_folder_reads_back_identically(name: str, english: bool,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    scenario_to_workbook(SCENARIOS / name, path, english_headers=english)
    assert input_digest(load(path)) == input_digest(load(SCENARIOS / name))


def test_every_header_names_exactly_one_column() -> None:
    for table, columns in HEADERS.items():
        seen: dict[str, str] = {}
        for column, names in columns.items():
            for name in (column, *names):
                k = header_key(name)
                assert seen.setdefault(k, column) == column, (table, name)
        vocab = _vocabulary(table)
        for column, names in columns.items():
            for name in names:
                assert _match_header(name, vocab) == column
                assert _match_header(f"{name.upper()} ({column})", vocab) == column
                assert _match_header(fold(name), vocab) == column


# ---- a workbook as a unit sends it: Vietnamese everywhere ------------------------------------

ACHIEVEMENT_WORDS = {"A": "Huân chương Lao động hạng Ba", "B": "Bằng khen của Thủ tướng Chính phủ",
                     "C": "Bằng khen của Chủ tịch UBND tỉnh", "D": "Giấy khen"}
RATING_WORDS = {"xuat_sac": "Hoàn thành xuất sắc nhiệm vụ", "tot": "Hoàn thành tốt nhiệm vụ",
                "hoan_thanh": "HTNV", "khong_hoan_thanh": "Không hoàn thành nhiệm vụ"}
EDUCATION_WORDS = {"trung_cap": "Trung cấp", "cao_dang": "Cao đẳng",
                   "dai_hoc": "Đại học Công nghệ thông tin", "thac_si": "Thạc sỹ",
                   "tien_si": "Tiến sĩ"}


def _dmy(iso: str, as_cell: bool) -> Any:
    if len(iso) != 10:
        return iso  # a birth year as the record has it
    day = dt.date.fromisoformat(iso)
    return day if as_cell else f"{day.day}/{day.month:02d}/{day.year}"


def _vi_settings(name: str) -> list[list[Any]]:
    keys = {"name": "Tên kỳ xét", "deadline": "Hạn nộp hồ sơ", "review_year": "Năm xét",
            "certificate_waived": "Miễn chứng chỉ bồi dưỡng",
            "require_excellent_achievement": "Yêu cầu thành tích xuất sắc",
            "objective": "Mục tiêu phân bổ"}
    out: list[list[Any]] = [["Thiết lập", "Giá trị"]]
    for k, v in settings_rows(name)[1:]:
        if isinstance(v, bool):
            v = "Có" if v else "Không"
        if k == "objective":
            v = {"priority": "Ưu tiên", "fill": "Lấp đầy"}[v]
        out.append([keys.get(k, k), v])
    return out


def _vi_tables(name: str) -> dict[str, list[list[Any]]]:
    units = csv_rows(name, "units")
    unit_name = {u["unit_id"]: u["name"] for u in units}
    quotas = csv_rows(name, "quotas")
    sheets: dict[str, list[list[Any]]] = {
        "Kỳ xét": _vi_settings(name),
        "Đơn vị": [["Mã đơn vị", "Tên đơn vị", "Mã cơ quan quản lý"],
                   *[[u["unit_id"], u["name"], u["parent_id"]] for u in units]],
        "Chỉ tiêu": [["Cơ quan tổ chức xét", "Chức danh dự xét", "Số chỉ tiêu"],
                     *[[unit_name[q["agency_id"]], q["target_title"], int(q["quota"] or 0)]
                       for q in quotas]],
    }
    staff = csv_rows(name, "staff")
    sheets["Cơ cấu hiện có"] = [["Đơn vị", "Chức danh", "Số lượng hiện có", "Biên chế"],
                                *[[unit_name[s["unit_id"]], s["title"], int(s["holders"] or 0),
                                   int(s["positions"] or 0)] for s in staff]]
    if (SCENARIOS / name / "limits.csv").exists():
        limits = csv_rows(name, "limits")
        sheets["Giới hạn chung"] = [
            ["Mã giới hạn", "Phạm vi", "Chức danh", "Hạng", "Tối đa"],
            *[[lim["limit_id"], unit_name[lim["scope_unit_id"]], lim["target_title"],
               lim["target_rank"], int(lim["max"] or 0)] for lim in limits]]
    return sheets


def _yes(value: str | None, style: int) -> str | None:
    truth = (value or "false").lower() == "true"
    return [("x", None), ("Có", "Không"), ("có", "không")][style % 3][0 if truth else 1]


def _person_row(i: int, c: dict[str, Any], unit_name: dict[str, str],
                titles: dict[str, str]) -> dict[str, Any]:
    """One candidate as a unit's clerk types it."""
    return {
        "Mã viên chức": c["candidate_id"], "Họ và tên": c["full_name"],
        "Dân tộc": fold(c["ethnicity"]).upper() if i % 2 else fold(c["ethnicity"]),
        "Cơ quan đơn vị đang làm việc": unit_name[c["unit_id"]],
        "Mã số chức danh nghề nghiệp hiện giữ": c["current_title"],
        "Chức danh dự xét": titles[c["target_title"]],
        "Ngày bổ nhiệm hạng hiện giữ": _dmy(c["rank_since"], i % 3 == 0),
        "Thời gian tương đương (tháng)": int(c["equivalent_months"] or 0),
        "Số tháng tập sự": int(c["probation_months"] or 0),
        "Trình độ khi tuyển dụng": EDUCATION_WORDS[c["recruitment_level"]],
        "Trình độ chuyên môn": EDUCATION_WORDS[c["degree"]],
        "Văn bằng đúng chuyên ngành": _yes(c["degree_field_ok"], i),
        "Chứng chỉ bồi dưỡng": _yes(c["certificate"], i + 1),
        "Xếp loại chất lượng năm trước": RATING_WORDS[c["rating_prev_year"]],
        "Đang bị kỷ luật": _yes(c["under_discipline"], i + 2),
        "Đáp ứng năng lực chuyên môn": _yes(c["competence_ok"], i),
        "Đáp ứng ngoại ngữ, tin học": _yes(c["language_it_ok"], i + 1),
        "Thành tích khen thưởng": ACHIEVEMENT_WORDS.get(c["achievement"] or ""),
        "Ngày bắt đầu công tác": _dmy(c["service_start"], i % 2 == 0),
        "Điểm quy đổi": float(c["points"] or 0),
        "Điểm quy đổi từ nhiệm vụ KH&CN": float(c["points_st"] or 0),
        "Hệ số lương tăng thêm": float(c["salary_increase"] or 0),
    }


def _people(name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    load_sc = load(SCENARIOS / name)
    unit_name = dict(load_sc.units.select("unit_id", "name").iter_rows())
    titles = {t.code: t.name_vi for t in load_sc.rule_set.titles}
    cands = csv_rows(name, "candidates")
    return cands, [_person_row(i, c, unit_name, titles) for i, c in enumerate(cands)]


def _same_decisions(path: Path, name: str) -> None:
    expected = decide(load(SCENARIOS / name), Options())
    got = decide(load(path), Options())
    assert got.decisions.equals(expected.decisions)
    assert got.escalations.equals(expected.escalations)
    assert got.pools.equals(expected.pools)


@pytest.mark.parametrize("name", ROUNDS)
def test_vietnamese_workbook_with_x_marked_sex_columns_decides_like_the_csv(
        name: str, tmp_path: Path) -> None:
    cands, people = _people(name)
    header = ["Mã viên chức", "Họ và tên", "Ngày sinh", "Nam", "Nữ",
              *[k for k in people[0] if k not in ("Mã viên chức", "Họ và tên")]]
    rows: list[list[Any]] = [header]
    for i, (c, p) in enumerate(zip(cands, people, strict=True)):
        female = c["sex"] == "female"
        mark = ["x", "X", "x"][i % 3]
        p = {**p, "Ngày sinh": _dmy(c["birth_date"], i % 4 == 0),
             "Nam": None if female else mark, "Nữ": mark if female else None}
        rows.append([p[h] for h in header])
    sheets = {**_vi_tables(name), "Ứng viên": rows}
    _same_decisions(write_sheets(tmp_path / "vi.xlsx", sheets), name)


@pytest.mark.parametrize("name", ROUNDS)
def test_form06_layout_with_birth_dates_under_nam_nu_decides_like_the_csv(
        name: str, tmp_path: Path) -> None:
    """Title rows, a two-row header with merged group cells, the numbering row, the birth
    date written under Nam or Nữ, and a signature block under the table."""
    cands, people = _people(name)
    rest = [k for k in people[0] if k not in ("Mã viên chức", "Họ và tên")]
    top: list[Any] = [Tall("TT"), Tall("Mã viên chức"), Tall("Họ và tên"),
                      Merged("Ngày tháng năm sinh", 2), *[Tall(h) for h in rest],
                      Tall("Ghi chú")]
    sub: list[Any] = [None, None, None, "Nam", "Nữ", *[None] * (len(rest) + 1)]
    numbering = [f"({i})" for i in range(1, len(rest) + 7)]
    rows: list[list[Any]] = [
        ["TÊN BỘ, NGÀNH, ĐỊA PHƯƠNG: ỦY BAN NHÂN DÂN TỈNH"],
        ["DANH SÁCH VIÊN CHỨC CÓ ĐỦ CÁC TIÊU CHUẨN, ĐIỀU KIỆN DỰ XÉT THĂNG HẠNG"],
        [], top, sub, numbering,
    ]
    for i, (c, p) in enumerate(zip(cands, people, strict=True)):
        birth = _dmy(c["birth_date"], i % 2 == 0)
        female = c["sex"] == "female"
        rows.append([i + 1, p["Mã viên chức"], p["Họ và tên"], None if female else birth,
                     birth if female else None, *[p[h] for h in rest], None])
    rows += [[], [None, None, None, None, None, "....., ngày ... tháng ... năm ..."],
             [None, None, None, None, None, "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"]]
    sheets = {**_vi_tables(name), "Mẫu 06": rows}
    _same_decisions(write_sheets(tmp_path / "form06.xlsx", sheets), name)


# ---- awards sheet and a rule set comparing level, then count -----------------------------------

LEVEL_THEN_COUNT = """extends = "nd115-2020+nd85-2023"
id = "test-level-then-count"
achievement_compare = "level_then_count"
"""
HELD = {  # candidate → awards held, in words
    "C1": ["Bằng khen của Chủ tịch UBND tỉnh", "Chiến sĩ thi đua cơ sở"],
    "C2": ["Bằng khen của Bộ trưởng Bộ Nội vụ", "Giấy khen", "CSTĐ cơ sở", "BK cấp tỉnh"],
    "C3": ["Giấy khen", "Giấy khen", "Giấy khen", "Lao động tiên tiến"],
    "C4": [],
    "C5": ["Bằng khen của Chủ tịch UBND tỉnh", "Lao động tiên tiến"],
}
EXPECTED_LEVEL = {"C1": ("C", 2), "C2": ("C", 3), "C3": ("D", 4), "C4": (None, 0),
                  "C5": ("C", 1)}


def _award_round(folder: Path) -> list[dict[str, str]]:
    (folder / "rules.toml").write_text(LEVEL_THEN_COUNT, encoding="utf-8")
    return [candidate(c, birth_date="1985-01-01") for c in HELD]


def test_awards_sheet_gives_the_highest_level_and_its_count(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    cands = _award_round(folder)
    for c in cands:
        level, count = EXPECTED_LEVEL[c["candidate_id"]]
        c["achievement"], c["achievement_count"] = level or "", str(count)
    quotas = [{"agency_id": "D", "target_title": "V.11.06.14", "quota": "2"}]
    write_folder(folder, {"rule_set_file": "rules.toml"}, candidates=cands, quotas=quotas)

    book = tmp_path / "book"
    book.mkdir()
    plain = _award_round(book)
    columns = [k for k in plain[0] if k != "achievement"]
    sheets: dict[str, list[list[Any]]] = {
        "scenario": [["key", "value"], ["name", "test round"], ["deadline", "29/10/2024"],
                     ["review_year", 2024], ["rule_set_file", "rules.toml"]],
        "units": [["unit_id", "name", "parent_id"], ["P", "Tỉnh", None], ["D", "Sở", "P"],
                  ["U1", "Trung tâm 1", "D"], ["U2", "Trung tâm 2", "D"]],
        "candidates": [columns, *[[c[k] for k in columns] for c in plain]],
        "quotas": [["agency_id", "target_title", "quota"], ["D", "V.11.06.14", 2]],
        "Khen thưởng": [["Mã ứng viên", "Hình thức khen thưởng", "Số quyết định"],
                        *[[cid, award, f"QĐ {n}"] for cid, held in HELD.items()
                          for n, award in enumerate(held)]],
    }
    path = write_sheets(book / "round.xlsx", sheets)
    from_book, from_csv = load(path), load(folder)
    got = {r["candidate_id"]: (r["achievement"], r["achievement_count"])
           for r in from_book.candidates.iter_rows(named=True)}
    assert got == EXPECTED_LEVEL
    a, b = decide(from_book, Options()), decide(from_csv, Options())
    assert a.decisions.equals(b.decisions)
    # Equal on every other criterion: three C awards beat two, two beat one.
    assert decisions_of(a) == {"C1": "selected", "C2": "selected", "C3": "not_selected",
                               "C4": "not_selected", "C5": "not_selected"}


# ---- dates --------------------------------------------------------------------------------------


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2030, 12, 31)),
       st.sampled_from(["{d}/{m}/{y}", "{d:02d}/{m:02d}/{y}", "{d:02d}-{m:02d}-{y}",
                        "{d}.{m}.{y}", "{y}-{m:02d}-{d:02d}", "{y}-{m:02d}-{d:02d} 00:00:00",
                        " {d:02d}/{m:02d}/{y} "]))
def test_written_dates_read_as_iso(day: dt.date, form: str) -> None:
    text = form.format(d=day.day, m=day.month, y=day.year)
    for birth in (False, True):
        assert pl.select(date_text(pl.lit(text), birth=birth)).item() == day.isoformat()


@pytest.mark.parametrize(("text", "birth", "expected"), [
    ("1987", True, "1987"), ("1987", False, None), ("03/1987", True, "1987-03"),
    ("1987-03", True, "1987-03"), ("13/1987", True, None), ("31/02/2024", False, None),
    ("29/02/2024", False, "2024-02-29"), ("29/02/2023", True, None), ("45000", True, None),
    ("10/03/87", True, None), ("ngày 10 tháng 3", True, None), ("1899", True, None),
])
def test_dates_that_are_and_are_not_readable(text: str, birth: bool,
                                             expected: str | None) -> None:
    assert pl.select(date_text(pl.lit(text), birth=birth)).item() == expected


@settings(max_examples=15, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2024, 1, 1)),
                min_size=1, max_size=5))
def test_excel_date_cells_and_text_dates_agree(tmp_path_factory: pytest.TempPathFactory,
                                               days: list[dt.date]) -> None:
    """The same dates as Excel date cells and as dd/mm/yyyy text give the same scenario."""
    folder = tmp_path_factory.mktemp("dates")
    rows_cells: list[list[Any]] = [["candidate_id", "service_start"],
                                   *[[f"C{i}", d] for i, d in enumerate(days)]]
    rows_text: list[list[Any]] = [["candidate_id", "service_start"],
                 *[[f"C{i}", f"{d.day:02d}/{d.month:02d}/{d.year}"] for i, d in enumerate(days)]]
    out = []
    for n, rows in enumerate((rows_cells, rows_text)):
        path = write_sheets(folder / f"d{n}.xlsx", {"candidates": rows})
        sheet = _TableSheet("candidates", open_workbook(path)["candidates"], Collector())
        sheet.dates("service_start")
        out.append(sheet.col("service_start").to_list())
    assert out[0] == out[1] == [d.isoformat() for d in days]


def test_the_managing_agencys_rulings_in_a_vietnamese_sheet_settle_the_tie(
        tmp_path: Path) -> None:
    from tests.support.sheets import table_rows

    sheets: dict[str, list[list[Any]]] = {
        "scenario": settings_rows("dien-bien-2024"),
        **{t: table_rows("dien-bien-2024", t) for t in ("units", "candidates", "quotas")},
        "Quyết định cấp trên": [["Mã ứng viên", "Quyết định"], ["DB09", "Không chọn"],
                                ["DB10", "Chọn"]],
    }
    result = decide(load(write_sheets(tmp_path / "r.xlsx", sheets)), Options())
    got = decisions_of(result)
    assert (got["DB09"], got["DB10"]) == ("not_selected", "selected")
    assert result.escalations.height == 0


@settings(max_examples=12, deadline=None)
@given(st.data())
def test_header_wording_and_column_order_do_not_change_the_round(
        tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    """Any accepted header for each column, in any column order: the same scenario."""
    from tests.support.sheets import table_rows

    name = "binh-dinh-2024"
    sheets: dict[str, list[list[Any]]] = {"scenario": settings_rows(name)}
    for table in ("units", "candidates", "quotas", "limits", "staff"):
        rows = table_rows(name, table)
        header = rows[0]
        order = data.draw(st.permutations(range(len(header))), label=f"{table} order")
        words = []
        for column in header:
            names = [column, *HEADERS[table][column]]
            word = data.draw(st.sampled_from(names), label=f"{table}.{column}")
            if data.draw(st.booleans()) and word != column:
                word = f"{word} ({column})"
            words.append(word)
        sheets[table] = [[([words, *rows[1:]][r][i]) for i in order]
                         for r in range(len(rows))]
    path = write_sheets(tmp_path_factory.mktemp("hdr") / "r.xlsx", sheets)
    assert input_digest(load(path)) == input_digest(load(SCENARIOS / name))
