"""Rulings bound to people: a ruling's name and birth date must be those of the candidate its
id names (a ruling keyed by a row number, after the list was re-sorted, is caught), and the
ruling's document number and date are shown in the outputs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from allocator.documents.explain import explain
from allocator.documents.result_workbook import write_result_workbook
from allocator.engine.flow import decide, run
from allocator.io.loader import load
from models.errors import InputError
from tests.support.sheets import SCENARIOS, csv_rows, settings_rows, sheet_values, table_rows
from tests.support.sheets import write_sheets as write_book

HEADER = "candidate_id,decision,full_name,birth_date,document_no,document_date\n"


def _round(tmp_path: Path, rulings: str) -> Path:
    folder = tmp_path / "r"
    shutil.copytree(SCENARIOS / "dien-bien-2024", folder)
    (folder / "authority_decisions.csv").write_text(HEADER + rulings, encoding="utf-8")
    return folder


def test_a_ruling_naming_its_person_applies_and_its_document_is_shown(tmp_path: Path) -> None:
    folder = _round(tmp_path, "DB09,select,Phạm Văn Khánh,1991-07-15,15/QĐ-STTTT,2024-11-05\n"
                              "DB10,reject,hoàng văn long,,,\n")  # case does not matter
    result = run(folder)
    status = dict(result.decisions.select("candidate_id", "status").iter_rows())
    assert status["DB09"] == "selected" and status["DB10"] == "not_selected"
    assert "Quyết định của cơ quan quản lý: Chọn (văn bản số 15/QĐ-STTTT ngày 05/11/2024)." \
        in explain(result, "DB09")
    assert "Ruling of the managing agency: Reject." in explain(result, "DB10", "en")
    write_result_workbook(result, tmp_path / "out")
    rows = sheet_values(tmp_path / "out" / "ket-qua.xlsx", "Quyết định cấp trên")
    assert ("1", "DB09", "Phạm Văn Khánh", "Chọn", "15/QĐ-STTTT", "05/11/2024",
            "authority_decisions.csv, dòng 2") in [tuple(str(v) for v in r) for r in rows]


@pytest.mark.parametrize(("ruling", "column", "words"), [
    ("DB09,select,Hoàng Văn Long,,,\n", "full_name", "họ tên khác với ứng viên có mã này"),
    ("DB09,select,Phạm Văn Khánh,1991-07-16,,\n", "birth_date", "ngày sinh khác"),
])
def test_a_ruling_that_names_someone_else_is_refused(tmp_path: Path, ruling: str, column: str,
                                                    words: str) -> None:
    with pytest.raises(InputError) as exc:
        load(_round(tmp_path, ruling))
    (problem,) = exc.value.problems
    assert (problem.file, problem.row, problem.column) == ("authority_decisions.csv", 2, column)
    assert words in problem.vi


def _tt_book(path: Path, people: list[dict[str, Any]], rulings: list[list[Any]]) -> Path:
    """The round as a workbook whose candidates have no id: the row number TT is the id."""
    columns = [c for c in people[0] if c != "candidate_id"]
    cands = [["TT", *columns], *[[i, *[p[c] for c in columns]]
                                 for i, p in enumerate(people, start=1)]]
    sheets = {"scenario": settings_rows("dien-bien-2024"),
              **{t: table_rows("dien-bien-2024", t) for t in ("units", "quotas", "staff")},
              "candidates": cands, "Quyết định": rulings}
    return write_book(path, sheets)


def test_a_ruling_by_row_number_is_caught_after_the_list_is_re_sorted(tmp_path: Path) -> None:
    people = csv_rows("dien-bien-2024", "candidates")
    tt_of = {p["candidate_id"]: str(i) for i, p in enumerate(people, start=1)}
    rulings = [["Mã ứng viên", "Họ và tên", "Quyết định", "Số văn bản"],
               [tt_of["DB09"], "Phạm Văn Khánh", "Chọn", "15/QĐ-STTTT"],
               [tt_of["DB10"], "Hoàng Văn Long", "Không chọn", "15/QĐ-STTTT"]]
    first = decide(load(_tt_book(tmp_path / "a.xlsx", people, rulings)))
    status = dict(first.decisions.select("candidate_id", "status").iter_rows())
    assert status[tt_of["DB09"]] == "selected" and status[tt_of["DB10"]] == "not_selected"
    # the unit re-sorts its list (alphabetically): row numbers now name other people
    resorted = sorted(people, key=lambda p: str(p["full_name"]).split()[-1])
    with pytest.raises(InputError) as exc:
        load(_tt_book(tmp_path / "b.xlsx", resorted, rulings))
    assert {p.column for p in exc.value.problems} == {"Họ và tên (full_name)"}
    assert all("sắp xếp lại" in p.vi for p in exc.value.problems)


def test_a_ruling_by_row_number_must_give_the_name(tmp_path: Path) -> None:
    people = csv_rows("dien-bien-2024", "candidates")
    rulings = [["Mã ứng viên", "Quyết định"], ["9", "Chọn"], ["10", "Không chọn"]]
    with pytest.raises(InputError) as exc:
        load(_tt_book(tmp_path / "a.xlsx", people, rulings))
    assert all("phải ghi cả họ tên" in p.vi for p in exc.value.problems)
    assert len(exc.value.problems) == 2
