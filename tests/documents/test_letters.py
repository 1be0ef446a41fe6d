"""Draft reports to the managing agencies about escalated ties."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from allocator.documents.letters import write_letters
from models.result import RunResult


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def test_one_report_per_managing_agency_with_every_tied_candidate(
        ready_round: tuple[str, RunResult], tmp_path: Path) -> None:
    _name, result = ready_round
    written = write_letters(result, tmp_path)
    agencies = sorted({g.managing_agency_id for g in result.groups})
    assert sorted(p.name for p in written) == [f"bao-cao-{a}.docx" for a in agencies]
    for path in written:
        text = _text(path)
        agency = path.stem.removeprefix("bao-cao-")
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        names = dict(result.scenario.units.select("unit_id", "name").iter_rows())
        assert f"Kính gửi: Người đứng đầu {names[agency]}" in text
        assert result.scenario.rule_set.priority_source in text
        for g in result.groups:
            if g.managing_agency_id != agency:
                continue
            assert f"Nhóm {g.tie_group}" in text
            assert f"Số chỉ tiêu cần quyết định: {g.seats}" in text
            for cid in g.members:
                row = result.candidates.filter(result.candidates["candidate_id"] == cid).row(
                    0, named=True)
                assert f"{row['full_name']} ({cid})" in text
                assert row["service_start"].strftime("%d/%m/%Y") in text
        assert "□ Chọn" in text and "□ Không chọn" in text


def test_incomplete_birth_date_is_given_as_the_reason(binh_dinh: RunResult,
                                                      tmp_path: Path) -> None:
    (path,) = write_letters(binh_dinh, tmp_path)
    text = _text(path)
    assert "ngày sinh không đầy đủ" in text
    assert "1979 (chỉ có năm sinh)" in text
