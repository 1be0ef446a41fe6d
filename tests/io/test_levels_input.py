"""Bad input of a round of career levels: exit 2, the place named, nothing written
(SCENARIO.md, "Rounds under the 2026 law")."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.io.loader import load
from models.errors import InputError

READY = Path(__file__).resolve().parents[2] / "scenarios" / "dien-bien-2026"
runner = CliRunner()


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


Case = Callable[[Path], object]
CASES: dict[str, tuple[Case, str, str, int | None, str]] = {
    # name: (edit, file, column, row, words of the English message)
    "unknown position": (
        lambda f: _edit(f, "candidates.csv", "an toan thong tin", "an toan thong ti"),
        "candidates.csv", "job_position", 3, "closest: CM.057 An toàn thông tin"),
    "ratio above the decree": (
        lambda f: _edit(f, "positions.csv", "TTCDS,An toàn thông tin,10,3,5,false",
                        "TTCDS,An toàn thông tin,10,3,5,false,0.35"),
        "positions.csv", "ratio_5", 2, "above the decree's 0.3"),
    "level outside the catalogue": (
        lambda f: _edit(f, "positions.csv", "THMT,Giáo viên tiểu học,20,3,4",
                        "THMT,Giáo viên tiểu học,20,3,5"),
        "positions.csv", "highest_level", 4, "outside position CM.067's range"),
    "quota level outside the catalogue": (
        lambda f: _edit(f, "quotas.csv", "SGD,CM.067,4,3", "SGD,CM.067,5,3"),
        "quotas.csv", "target_level", 5, "outside position CM.067's range"),
    "level not 1-5": (
        lambda f: _edit(f, "candidates.csv", "Kỹ sư,3,4", "Kỹ sư,3,6"),
        "candidates.csv", "target_level", 7, "not 1–5"),
    "no positions.csv": (lambda f: (f / "positions.csv").unlink(), "positions.csv", "", None,
                         "file is missing"),
    "no plan": (lambda f: (f / "scenario.toml").write_text(
        (f / "scenario.toml").read_text(encoding="utf-8").split("[plan]")[0], encoding="utf-8"),
        "scenario.toml", "plan", None, "no [plan]"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_2_naming_the_place(tmp_path: Path, case: str) -> None:
    edit, file, column, row, words = CASES[case]
    folder = tmp_path / "round"
    shutil.copytree(READY, folder)
    if column == "ratio_5":
        _edit(folder, "positions.csv", "self_determined_ratios", "self_determined_ratios,ratio_5")
        for line in ("TTKT,Kỹ sư,10,2,4,false", "THMT,Giáo viên tiểu học,20,3,4,false"):
            _edit(folder, "positions.csv", line, line + ",")
    edit(folder)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    with pytest.raises(InputError) as caught:
        load(folder)
    found = [p for p in caught.value.problems if p.file == file]
    assert found, caught.value.problems
    if column:
        assert any(p.column == column and p.row == row and words in p.en and p.vi
                   for p in found), found
    else:
        assert any(words in p.en for p in found), found


def test_a_ratio_above_the_decree_passes_when_the_unit_sets_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    shutil.copytree(READY, folder)
    _edit(folder, "positions.csv", "self_determined_ratios", "self_determined_ratios,ratio_5")
    _edit(folder, "positions.csv", "TTCDS,An toàn thông tin,10,3,5,false",
          "TTCDS,An toàn thông tin,10,3,5,true,0.5")
    for line in ("TTKT,Kỹ sư,10,2,4,false", "THMT,Giáo viên tiểu học,20,3,4,false"):
        _edit(folder, "positions.csv", line, line + ",")
    from allocator.engine.flow import run

    result = run(folder)
    status = dict(result.decisions.select("candidate_id", "status").iter_rows())
    # 0.5 × 10 = 5 at level 5, 2 hold it: both eligible candidates for level 5 now win.
    assert status["DB26-01"] == status["DB26-02"] == "selected"
