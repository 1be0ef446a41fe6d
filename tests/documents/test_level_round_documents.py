"""The documents of the ready round of career levels, decided by the engine: they speak of
job positions and levels, never of the engine's internal pool names (``CODE@LEVEL``)."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import openpyxl

from allocator.documents.explain import explain
from allocator.documents.letters import write_letters
from allocator.documents.result_workbook import FILE_NAME, write_result_workbook
from models.result import RunResult

INTERNAL = re.compile(r"[A-Z]{2}\.\d{3}@\d")


def test_explanations_name_positions_and_levels(level_round: tuple[str, RunResult]) -> None:
    _name, result = level_round
    for cid in result.candidates["candidate_id"].to_list():
        for lang in ("vi", "en"):
            text = explain(result, cid, lang)
            assert not INTERNAL.search(text), (cid, lang, text)
        assert "vị trí việc làm" in explain(result, cid, "vi"), cid


def test_letters_and_workbook_name_positions_and_levels(level_round: tuple[str, RunResult],
                                                        tmp_path: Path) -> None:
    _name, result = level_round
    letters = write_letters(result, tmp_path / "letters")
    assert letters, "the round has an escalated tie"
    for path in letters:
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert not INTERNAL.search(text), text
        assert "bậc nghề nghiệp" in text and "Nghị định 232/2026" in text
    write_result_workbook(result, tmp_path / "book")
    book = openpyxl.load_workbook(tmp_path / "book" / FILE_NAME, read_only=True)
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and INTERNAL.search(value)), (ws.title, value)


def test_signable_lists_are_signed_by_the_level_review_council(
        level_round: tuple[str, RunResult], tmp_path: Path) -> None:
    _name, result = level_round
    write_result_workbook(result, tmp_path)
    book = openpyxl.load_workbook(tmp_path / FILE_NAME, read_only=True)
    for sheet in ("Trúng tuyển", "Danh sách"):
        cells = [v for row in book[sheet].iter_rows(values_only=True) for v in row
                 if isinstance(v, str)]
        assert "HỘI ĐỒNG XÉT THAY ĐỔI BẬC NGHỀ NGHIỆP" in cells, sheet
        assert "TM. HỘI ĐỒNG XÉT THAY ĐỔI BẬC" in cells, sheet
        assert not any("THĂNG HẠNG" in v for v in cells), sheet
