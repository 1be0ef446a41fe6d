"""The documents of a round under the 2026 law: pools named by job position and level, the
plan's source for the plan's conditions and priority, Decree 232/2026 for the level caps,
and the run's warnings in explain, every letter and the result workbook's first sheet.

The run is the Điện Biên 2024 round recast by hand as a level round (a RunResult-like
fixture: the positions, levels, plan and warnings are set here, not decided by the engine):
InfoSec IV → III becomes An toàn thông tin (CM.057) level 3 → 4, IT IV → III becomes Ứng dụng
công nghệ thông tin và chuyển đổi số (CM.056) level 2 → 3.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from docx import Document
from pydantic import Field

from allocator.documents.explain import explain
from allocator.documents.letters import write_letters
from allocator.documents.result_workbook import FILE_NAME, write_result_workbook
from models.result import RunResult, Summary, TieGroup
from models.scenario import RoundSettings

PLAN = "Đề án số 15/ĐA-SNV ngày 01/10/2026"
WARNING = "Bộ quy tắc nd115-2020+nd85-2023 hết hiệu lực trước hạn nộp hồ sơ"
#: target title → (job position, current level, target level)
RECAST = {"V.11.05.11": ("CM.057", 3, 4), "V.11.06.14": ("CM.056", 2, 3)}
RATIO_CAP = "limit:ratio:TTCNTT:CM.057:4"
#: The plan's priority order (not the rule set's), which the documents follow.
PLAN_ORDER = ["achievement", "female", "ethnic_minority", "longer_service", "older"]


class _Summary(Summary):
    warnings: tuple[str, ...] = ()


class _Settings(RoundSettings):
    plan: dict[str, Any] = Field(default_factory=dict)  # type: ignore[assignment]


def _pool_key(key: str | None) -> str | None:
    if key is None:
        return None
    agency, title = key.split("|")
    position, _current, target = RECAST[title]
    return f"{agency}|{position}|{target}"


def _recast_frame(frame: pl.DataFrame, *, candidates: bool) -> pl.DataFrame:
    title = frame["target_title"]
    out = frame.with_columns(
        job_position=title.replace_strict({k: v[0] for k, v in RECAST.items()}),
        target_level=title.replace_strict({k: v[2] for k, v in RECAST.items()},
                                          return_dtype=pl.Int64))
    if candidates:
        out = out.with_columns(
            current_level=title.replace_strict({k: v[1] for k, v in RECAST.items()},
                                               return_dtype=pl.Int64),
            level_since=pl.col("rank_since"),
            _pool=pl.col("_pool").map_elements(_pool_key, return_dtype=pl.Utf8),
            decided_by=pl.when(pl.col("candidate_id") == "DB08").then(pl.lit(RATIO_CAP))
            .otherwise(pl.col("decided_by")),
            ok_level_range=pl.col("candidate_id") != "DB13",
            ok_no_position=pl.lit(True))
        return out.drop("current_title", "rank_since", "target_rank", "target_title")
    return out.drop("target_title")


def recast(result: RunResult, *, levels: bool = True) -> RunResult:
    """The run with the warning; with ``levels``, recast as a level round with a plan."""
    summary = _Summary.model_validate({**result.summary.model_dump(), "warnings": [WARNING]})
    if not levels:
        return dataclasses.replace(result, summary=summary)
    settings = _Settings.model_validate({**result.scenario.settings.model_dump(), "plan": {
        "source": PLAN, "degree_min": {"3": "dai_hoc"}, "priority": PLAN_ORDER}})
    groups = tuple(dataclasses.replace(g, key=str(_pool_key(g.key)),
                                       pools=tuple(str(_pool_key(p)) for p in g.pools))
                   for g in result.groups)
    return dataclasses.replace(
        result, summary=summary, groups=groups,
        scenario=dataclasses.replace(result.scenario, settings=settings),
        candidates=_recast_frame(result.candidates, candidates=True),
        decisions=_recast_frame(result.decisions, candidates=False),
        pools=_recast_frame(result.pools, candidates=False))


@pytest.fixture(scope="module")
def levels(dien_bien: RunResult) -> RunResult:
    return recast(dien_bien)


def test_explain_speaks_of_positions_and_levels_and_cites_the_plan(levels: RunResult) -> None:
    text = explain(levels, "DB01")
    assert ("dự xét thay đổi từ vị trí việc làm An toàn thông tin (CM.057) bậc 3 lên bậc 4"
            in text)
    assert "Chỉ tiêu vị trí việc làm An toàn thông tin (CM.057) bậc 4 tại" in text
    assert f"Cảnh báo: {WARNING}" in text.splitlines()[1]
    assert f"theo thứ tự ưu tiên ({PLAN})" in text
    assert "85/2023" not in text and "chức danh" not in text and "hạng" not in text
    en = explain(levels, "DB01", "en")
    assert f"Warning: {WARNING}" in en and "job position" in en and "level 4" in en


def test_a_level_cap_is_explained_with_decree_232(levels: RunResult) -> None:
    text = explain(levels, "DB08")
    assert "Vượt tỷ lệ viên chức vị trí việc làm An toàn thông tin (CM.057) bậc 4" in text
    assert "Điều 10 Nghị định 232/2026/NĐ-CP" in text


def test_plan_conditions_cite_the_plan_and_level_rules_decree_232(levels: RunResult) -> None:
    rating = explain(levels, "DB13")
    assert f"Căn cứ: {PLAN} (đề án của kỳ xét)." in rating
    assert "Bậc dự xét phải là bậc liền kề" in rating
    assert "Căn cứ: Khoản 1 Điều 7 Nghị định 232/2026/NĐ-CP." in rating
    assert "115/2020" not in rating
    tenure = explain(levels, "DB20")
    assert "Giữ bậc từ" in tenure and "Giữ hạng" not in tenure
    degree = explain(levels, "DB16")
    assert "yêu cầu đại học trở lên" in degree  # the plan's degree for level 3
    no_quota = explain(levels, "DB24")
    assert "có chỉ tiêu vị trí việc làm Ứng dụng công nghệ thông tin" in no_quota


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_every_letter_has_the_warning_the_plan_and_the_caps(levels: RunResult,
                                                           tmp_path: Path) -> None:
    written = write_letters(levels, tmp_path)
    assert written
    for path in written:
        text = _docx_text(path)
        assert f"Cảnh báo: {WARNING}" in text
        assert f"Căn cứ {PLAN}: thứ tự ưu tiên của kỳ xét" in text
        assert "Căn cứ Điều 10 Nghị định 232/2026/NĐ-CP" in text
        assert "vị trí việc làm Ứng dụng công nghệ thông tin và chuyển đổi số (CM.056) bậc 3" \
            in text
        assert "Chỉ tiêu được duyệt: 1" in text  # the pool found under its level key
        assert "thay đổi bậc nghề nghiệp" in text


def _sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def test_result_workbook_speaks_of_positions_and_warns_on_its_first_sheet(
        levels: RunResult, tmp_path: Path) -> None:
    write_result_workbook(levels, tmp_path)
    path = tmp_path / FILE_NAME
    first = _sheet(path, "Kỳ xét")
    assert first[0][0] == "KẾT QUẢ XÉT THAY ĐỔI BẬC NGHỀ NGHIỆP VIÊN CHỨC"
    assert ("CẢNH BÁO / WARNING", WARNING) in first
    assert ("Căn cứ điều kiện và thứ tự ưu tiên (đề án)", PLAN) in first
    assert ("Căn cứ tỷ lệ viên chức theo bậc", "Điều 10 Nghị định 232/2026/NĐ-CP") in first
    order = next(r[1] for r in first if r[0] == "Thứ tự ưu tiên")
    assert order.index("4. thời gian công tác") < order.index("5. tuổi")
    pools = _sheet(path, "Chỉ tiêu")
    assert "Vị trí việc làm, bậc dự xét" in pools[2]
    assert [r[3:5] for r in pools[3:5]] == [("An toàn thông tin, bậc 4", "CM.057"),
                                            ("Ứng dụng công nghệ thông tin và chuyển đổi số, "
                                             "bậc 3", "CM.056")]
    winners = [r[1] for r in _sheet(path, "Trúng tuyển") if r[1] and str(r[1]).startswith("DB")]
    assert winners == ["DB01", "DB02", "DB03"]
    listed = {r[1]: r[4:6] for r in _sheet(path, "Danh sách") if str(r[1]).startswith("DB")}
    assert listed["DB09"] == ("CM.056", "2 → 3")
    assert "không áp dụng" in str(_sheet(path, "Mẫu 05")[0][0])


def test_a_title_round_with_a_warning_prints_it_everywhere(dien_bien: RunResult,
                                                           tmp_path: Path) -> None:
    warned = recast(dien_bien, levels=False)
    assert f"Cảnh báo: {WARNING}" in explain(warned, "DB01")
    write_result_workbook(warned, tmp_path)
    assert ("CẢNH BÁO / WARNING", WARNING) in _sheet(tmp_path / FILE_NAME, "Kỳ xét")
    for path in write_letters(warned, tmp_path / "letters"):
        assert f"Cảnh báo: {WARNING}" in _docx_text(path)
    assert "Cảnh báo" not in explain(dien_bien, "DB01")


def test_tie_groups_keep_their_members(levels: RunResult) -> None:
    group: TieGroup = levels.groups[0]
    assert group.pools == ("STTTT|CM.056|3",)
    assert "Thuộc nhóm T001" in explain(levels, group.members[0])
