"""The commands: template, to-workbook, explain, letters."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine.digest import input_digest
from allocator.io.loader import load
from tests.support.builders import candidate, write_folder
from tests.support.sheets import SCENARIOS

runner = CliRunner()
DIEN_BIEN = SCENARIOS / "dien-bien-2024"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_explain_in_vietnamese_and_english() -> None:
    vi = runner.invoke(app, ["explain", str(DIEN_BIEN), "DB11"])
    assert vi.exit_code == 0, vi.output
    assert "Không trúng tuyển" in vi.output and "Hoàng Văn Long (DB10)" in vi.output
    en = runner.invoke(app, ["explain", str(DIEN_BIEN) + ".xlsx", "DB11", "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "Not selected" in en.output and "age (older first)" in en.output


def test_explain_unknown_candidate_or_language_exits_2() -> None:
    assert runner.invoke(app, ["explain", str(DIEN_BIEN), "XX99"]).exit_code == 2
    assert runner.invoke(app, ["explain", str(DIEN_BIEN), "DB01", "--lang", "fr"]).exit_code == 2


def test_letters_are_written_atomically(tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = runner.invoke(app, ["letters", str(DIEN_BIEN), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [".allocator-manifest.json",
                                                     "bao-cao-STTTT.docx"]
    assert [p.name for p in tmp_path.iterdir()] == ["letters"]


def test_no_letters_without_ties(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", candidates=[candidate("C1")],
                          quotas=[{"agency_id": "D", "target_title": "V.11.06.14",
                                   "quota": "1"}])
    out = tmp_path / "letters"
    result = runner.invoke(app, ["letters", str(folder), "--out", str(out)])
    assert result.exit_code == 0 and not out.exists()
    assert "No escalated ties" in _flat(result.output)


def test_letters_for_bad_input_write_nothing(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", candidates=[candidate("C1", birth_date="1985-13-01")],
                          quotas=[{"agency_id": "D", "target_title": "V.11.06.14",
                                   "quota": "1"}])
    out = tmp_path / "letters"
    result = runner.invoke(app, ["letters", str(folder), "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert "candidates.csv, dòng 2, cột birth_date" in _flat(result.output)


def test_to_workbook_round_trip_and_refusal(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    result = runner.invoke(app, ["to-workbook", str(DIEN_BIEN), str(path)])
    assert result.exit_code == 0, result.output
    assert input_digest(load(path)) == input_digest(load(DIEN_BIEN))
    bad = write_folder(tmp_path / "bad", candidates=[candidate("C1", unit_id="nowhere")],
                       quotas=[{"agency_id": "D", "target_title": "V.11.06.14", "quota": "1"}])
    target = tmp_path / "bad.xlsx"
    result = runner.invoke(app, ["to-workbook", str(bad), str(target)])
    assert result.exit_code == 2 and not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "round.xlsx"]


def test_template_with_an_unknown_rule_set_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", str(path), "--rule-set", "nope"])
    assert result.exit_code == 2 and not path.exists()
