"""The Vietnamese result workbook: every sheet agrees with the run it reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from allocator.documents.result_workbook import FILE_NAME, SHEETS, write_result_workbook
from models.result import RunResult
from tests.support.sheets import decisions_of, result_statuses, sheet_values


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory, dien_bien: RunResult,
          binh_dinh: RunResult) -> dict[str, tuple[RunResult, Path]]:
    out = {}
    for name, result in (("dien-bien", dien_bien), ("binh-dinh", binh_dinh)):
        folder = tmp_path_factory.mktemp(name)
        write_result_workbook(result, folder)
        out[name] = (result, folder / FILE_NAME)
    return out


@pytest.fixture(params=["dien-bien", "binh-dinh"])
def book(request: pytest.FixtureRequest,
         books: dict[str, tuple[RunResult, Path]]) -> tuple[RunResult, Path]:
    return books[request.param]


def _table(path: Path, sheet: str, first: str = "TT") -> list[dict[str, Any]]:
    """Rows under the first header row whose first cell is ``first``, as dicts."""
    rows = sheet_values(path, sheet)
    at = next(i for i, r in enumerate(rows) if r and r[0] == first)
    header = rows[at]
    return [dict(zip(header, r, strict=False)) for r in rows[at + 1:]]


def _ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["Mã ứng viên"] for r in rows if isinstance(r.get("TT"), int)]


def test_sheets_in_order(book: tuple[RunResult, Path]) -> None:
    import openpyxl

    assert openpyxl.load_workbook(book[1], read_only=True).sheetnames == list(SHEETS)


def test_outcomes_read_back_equal_the_decisions(book: tuple[RunResult, Path]) -> None:
    result, path = book
    assert result_statuses(path) == decisions_of(result)


def test_winners_sheet_lists_exactly_the_selected_in_priority_order(
        book: tuple[RunResult, Path]) -> None:
    result, path = book
    rows = _table(path, "Trúng tuyển")
    selected = result.decisions.filter(pl.col("status") == "selected").sort(
        "agency_id", "target_title", "priority_rank", "candidate_id", maintain_order=True)
    assert _ids(rows) == selected["candidate_id"].to_list()
    sections = [r["TT"] for r in rows if isinstance(r["TT"], str) and " — chỉ tiêu " in r["TT"]]
    assert len(sections) == result.pools.height


def test_not_selected_sheet_gives_the_deciding_criterion(book: tuple[RunResult, Path]) -> None:
    result, path = book
    rows = [r for r in _table(path, "Không trúng tuyển") if isinstance(r["TT"], int)]
    expected = result.decisions.filter(pl.col("status") == "not_selected")
    assert sorted(_ids(rows)) == sorted(expected["candidate_id"].to_list())
    by = dict(expected.select("candidate_id", "decided_by").iter_rows())
    words = {"achievement": "Thành tích", "female": "Giới tính", "ethnic_minority": "Dân tộc",
             "older": "Tuổi", "longer_service": "Thời gian công tác"}
    for r in rows:
        decided = by[r["Mã ứng viên"]]
        if decided in words:
            assert r["Tiêu chí quyết định"].startswith(words[decided])
            assert " so với " in r["Chi tiết"]
        elif decided.startswith("limit:"):
            assert decided.removeprefix("limit:") in r["Tiêu chí quyết định"]


def test_ineligible_sheet_has_one_row_per_failed_condition_with_its_source(
        book: tuple[RunResult, Path]) -> None:
    result, path = book
    rows = _table(path, "Không đủ điều kiện")
    got: dict[str, list[str]] = {}
    current = ""
    for r in rows:
        current = r["Mã ứng viên"] or current  # merged cells repeat the candidate
        got.setdefault(current, []).append(r["Mã điều kiện"])
        assert r["Căn cứ pháp lý"] and r["Điều kiện không đáp ứng"]
    expected = {cid: reasons.split(";") for cid, reasons in result.decisions.filter(
        pl.col("status") == "ineligible").select("candidate_id", "reasons").iter_rows()}
    assert got == expected
    rs = result.scenario.rule_set
    for r in rows:
        assert rs.conditions[r["Mã điều kiện"]].source in r["Căn cứ pháp lý"]


def test_ties_sheet_lists_every_group_and_member(book: tuple[RunResult, Path]) -> None:
    result, path = book
    rows = _table(path, "Chờ quyết định")
    sections = [r["TT"] for r in rows if isinstance(r["TT"], str)
                and r["TT"].startswith("Nhóm ")]
    assert [s.split(" — ")[0] for s in sections] == \
        [f"Nhóm {g.tie_group}" for g in result.groups]
    members = [m for g in result.groups for m in g.members]
    assert _ids(rows) == members


def test_pool_summary_matches_pools_csv(book: tuple[RunResult, Path]) -> None:
    result, path = book
    rows = [r for r in _table(path, "Chỉ tiêu") if isinstance(r["TT"], int)]
    got = [(r["Mã cơ quan"], r["Mã chức danh"], r["Chỉ tiêu"], r["Đủ điều kiện"],
            r["Trúng tuyển"], r["Chỉ tiêu chờ quyết định"], r["Chưa sử dụng"]) for r in rows]
    assert got == [tuple(r) for r in result.pools.iter_rows()]


def test_form05_totals_are_staff_and_quotas(book: tuple[RunResult, Path]) -> None:
    result, path = book
    rows = sheet_values(path, "Mẫu 05")
    assert any("Mẫu số 05" in str(c) for r in rows for c in r if c)
    total = next(r for r in rows if r[1] == "Tổng cộng")
    sc = result.scenario
    assert total[2] == sc.staff["holders"].sum()
    assert sum(total[8:13]) == sc.quotas["quota"].sum()
    ranks = {t.code: t.rank.value for t in sc.rule_set.titles}
    held = sc.staff.with_columns(pl.col("title").replace_strict(ranks).alias("rank"))
    for i, rank in enumerate(("I", "II", "III", "IV", "V")):
        assert total[3 + i] == held.filter(pl.col("rank") == rank)["holders"].sum()


def test_form06_lists_exactly_the_eligible_with_the_birth_date_under_nam_or_nu(
        book: tuple[RunResult, Path]) -> None:
    result, path = book
    rows = sheet_values(path, "Mẫu 06")
    titles = [r[0] for r in rows if r[0] and str(r[0]).startswith("DANH SÁCH VIÊN CHỨC")]
    eligible = result.candidates.filter(pl.col("eligible"))
    assert len(titles) == eligible.select("current_title", "target_title").n_unique()
    names = [r[1] for r in rows if isinstance(r[0], int)]
    assert sorted(names) == sorted(eligible["full_name"].to_list())
    sex = dict(eligible.select("full_name", "sex").iter_rows())
    for r in rows:
        if isinstance(r[0], int):
            male, female = r[2], r[3]
            assert (female is not None) == (sex[r[1]] == "female")
            assert (male is None) != (female is None)


def test_same_run_writes_the_same_workbook(tmp_path: Path, dien_bien: RunResult) -> None:
    write_result_workbook(dien_bien, tmp_path / "a")
    write_result_workbook(dien_bien, tmp_path / "b")
    assert (tmp_path / "a" / FILE_NAME).read_bytes() == (tmp_path / "b" / FILE_NAME).read_bytes()


def test_a_very_large_run_keeps_summaries_and_points_to_the_csv(
        tmp_path: Path, dien_bien: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.documents.result_workbook as report

    monkeypatch.setattr(report, "MAX_LISTED", 5)
    write_result_workbook(dien_bien, tmp_path)
    path = tmp_path / FILE_NAME
    assert sheet_values(path, "Danh sách")[0][0].startswith("Kỳ xét có 25 ứng viên")
    assert "decisions.csv" in sheet_values(path, "Mẫu 06")[0][0]
    pools = [r for r in _table(path, "Chỉ tiêu") if isinstance(r["TT"], int)]
    assert len(pools) == dien_bien.pools.height
