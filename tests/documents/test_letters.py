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


def _pages(path: Path) -> list[str]:
    """The document's body text split at its page breaks (tables included in order)."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    doc = Document(str(path))
    pages = [""]
    for child in doc.element.body.iterchildren():
        paragraphs = [child] if child.tag == f"{w}p" else list(child.iter(f"{w}p"))
        for para in paragraphs:
            text = "".join(t.text or "" for t in para.iter(f"{w}t"))
            if text:
                pages[-1] += text + "\n"
        if child.findall(f".//{w}br"):
            pages.append("")
    return pages


def test_the_council_reports_to_its_own_agencys_head(dien_bien: RunResult,
                                                      tmp_path: Path) -> None:
    """In Điện Biên the department organises and manages the tied candidates: the letter goes
    from its review council to the department's head, under the department's line."""
    (path,) = write_letters(dien_bien, tmp_path)
    first, decision, note = _pages(path)
    sender = first.split("CỘNG HÒA")[0]
    assert sender.startswith("SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH ĐIỆN BIÊN\n"
                             "HỘI ĐỒNG XÉT THĂNG HẠNG CHỨC DANH NGHỀ NGHIỆP")
    assert "Kính gửi: Người đứng đầu Sở Thông tin và Truyền thông tỉnh Điện Biên." in first
    assert "TM. HỘI ĐỒNG XÉT THĂNG HẠNG CHỨC DANH NGHỀ NGHIỆP\nCHỦ TỊCH" in first
    assert "THỦ TRƯỞNG SỞ" not in first
    for signed in (first, decision):
        assert "select" not in signed and "người nhập liệu" not in signed.lower()
    assert "HƯỚNG DẪN CHO NGƯỜI NHẬP LIỆU" in note and "số và ngày văn bản" in note


def test_an_organiser_reporting_upwards_carries_its_parent_agencys_line(
        binh_dinh: RunResult, tmp_path: Path) -> None:
    (path,) = write_letters(binh_dinh, tmp_path)
    first = _pages(path)[0]
    managing = {g.managing_agency_id for g in binh_dinh.groups}
    organisers = {g.pools[0].split("|")[0] for g in binh_dinh.groups}
    if managing == organisers:
        assert first.startswith("SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH BÌNH ĐỊNH\nHỘI ĐỒNG")
    else:
        assert first.startswith("ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH\n")
