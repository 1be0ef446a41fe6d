"""Open the result workbook and the letter as a person would: print them (LibreOffice →
PDF) and look at the pages (pdftoppm, pdftotext). Skipped where LibreOffice is absent,
except in CI (tests/support/system.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from allocator.documents.letters import write_letters
from allocator.documents.result_workbook import FILE_NAME, write_result_workbook
from models.result import RunResult
from tests.support.system import require

pytestmark = require("soffice|libreoffice", "pdftoppm", "pdftotext")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _print(documents: list[Path], tmp_path: Path) -> dict[str, tuple[int, str]]:
    """Print documents to PDF in one LibreOffice run (a private profile), then to PNG pages
    and text: name → (number of pages, text)."""
    profile = (tmp_path / "lo-profile").as_uri()
    pdfs = tmp_path / "pdf"
    subprocess.run([str(SOFFICE), f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(pdfs), *map(str, documents)],
                   check=True, capture_output=True, timeout=180)
    out = {}
    for doc in documents:
        pdf = pdfs / (doc.stem + ".pdf")
        pages = tmp_path / f"{doc.stem}-png"
        pages.mkdir()
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(pages / "p")],
                       check=True, timeout=60)
        pngs = sorted(pages.iterdir())
        assert all(p.stat().st_size > 1000 for p in pngs)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                              capture_output=True, timeout=60).stdout.decode("utf-8")
        out[doc.name] = (len(pngs), " ".join(text.split()))
    return out


def test_result_workbook_and_letter_print_in_vietnamese(binh_dinh: RunResult,
                                                        tmp_path: Path) -> None:
    write_result_workbook(binh_dinh, tmp_path)
    (letter,) = write_letters(binh_dinh, tmp_path / "letters")
    printed = _print([tmp_path / FILE_NAME, letter], tmp_path)

    pages, text = printed[FILE_NAME]
    assert pages >= 9  # a page or more per sheet
    for words in ("KẾT QUẢ XÉT THĂNG HẠNG", "DANH SÁCH TRÚNG TUYỂN", "Trương Văn Lâm",
                  "Mẫu số 05", "Mẫu số 06", "TTUD-HANG-III", "Thông tư số 08/2021/TT-BKHCN"):
        assert words in text, words

    pages, text = printed[letter.name]
    assert pages >= 2
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "Lê Văn Khoa (BD15)",
                  "Trương Văn Lâm (BD16)", "PHẦN QUYẾT ĐỊNH"):
        assert words in text, words
