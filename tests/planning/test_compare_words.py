"""The compare workbook speaks to a Vietnamese reader: statuses, deciding criteria, limits
and failed conditions in words, and each variant labelled by what it changes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from allocator.planning.compare import decided_by_words, readable_changes, what_it_changes
from tests.support.sheets import SCENARIOS

WHATIF = SCENARIOS / "whatif"


@pytest.mark.parametrize(("code", "words"), [
    ("older", "Tuổi (ưu tiên người nhiều tuổi hơn)"),
    ("limit:TTCNTT-HANG-III", "Giới hạn chung TTCNTT-HANG-III"),
    ("budget", "Ngân sách tăng hệ số lương"),
    ("authority", "Cơ quan quản lý quyết định không chọn"),
])
def test_deciding_criteria_in_words(code: str, words: str) -> None:
    assert decided_by_words(code) == words


def test_no_code_reaches_the_reader() -> None:
    frame = pl.DataFrame({"variant": ["v"], "candidate_id": ["C1"], "change": ["loses"],
                          "status_before": ["selected"], "status_after": ["not_selected"],
                          "decided_by_before": [None], "decided_by_after": ["older"],
                          "reasons_before": [None], "reasons_after": ["rating;tenure"]},
                         schema_overrides={"decided_by_before": pl.Utf8,
                                           "reasons_before": pl.Utf8})
    row = readable_changes(frame).row(0)
    text = " ".join(str(v) for v in row)
    for code in ("not_selected", "selected", "older", "rating", "tenure"):
        assert f" {code}" not in f" {text}".replace("/ loses", "")
    assert "Không trúng tuyển" in text and "Trúng tuyển" in text


def test_variants_are_labelled_by_what_they_change() -> None:
    assert what_it_changes(SCENARIOS / "dien-bien-2024") == "Kỳ xét gốc / the base round"
    assert what_it_changes(WHATIF / "mien-chung-chi.toml") == (
        "Điện Biên 2024 — miễn chứng chỉ bồi dưỡng — thiết lập miễn chứng chỉ bồi dưỡng: có")
    assert what_it_changes(WHATIF / "them-chi-tieu.toml").endswith(
        "2 thay đổi chỉ tiêu; 1 thay đổi giới hạn chung")


def test_the_compare_workbook_opens_with_the_variants(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from allocator.cli.app import app

    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(SCENARIOS / "dien-bien-2024"),
                                      str(WHATIF / "them-chi-tieu.toml"), "--out", str(out),
                                      "--no-history", "-q"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out / "compare.xlsx")
    assert wb.sheetnames[0] == "Phương án"
    changes = [r for r in wb["Thay đổi"].iter_rows(values_only=True)][1:]
    assert changes and all(r[5] in ("Trúng tuyển", "Không trúng tuyển", "Không đủ điều kiện",
                                    "Chờ cơ quan quản lý quyết định") for r in changes)
    assert "Phương án / variants" in (out / "compare.html").read_text(encoding="utf-8")
