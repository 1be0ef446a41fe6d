"""Limits by job position in rounds of career levels (SCENARIO.md, "quotas.csv and limits.csv
in this regime": limits may filter by job_position and/or target_level): a limit naming a
position without a level covers every level of it. Hand-derived on the ready round
scenarios/dien-bien-2026, where DB26-06 (Kỹ sư, CM.055, level 3 → 4) is the only candidate of
that position and wins its seat when nothing else binds."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine.flow import run
from allocator.verify.checker import check

ROUND = Path(__file__).resolve().parents[2] / "scenarios" / "dien-bien-2026"
runner = CliRunner()


def _with_limits(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "round"
    shutil.copytree(ROUND, folder)
    (folder / "limits.csv").write_text(text, encoding="utf-8")
    return folder


def _outcome(folder: Path, cid: str) -> tuple[str, str | None]:
    result = run(folder)
    assert check(result.scenario, result.decisions, result.escalations, pools=result.pools) == []
    row = result.decisions.filter(pl.col("candidate_id") == cid).row(0, named=True)
    return row["status"], row["decided_by"]


def test_a_limit_by_position_name_covers_every_level(tmp_path: Path) -> None:
    folder = _with_limits(tmp_path, "limit_id,scope_unit_id,job_position,target_level,max\n"
                                    "L1,SKHCN,Kỹ sư,,0\n")
    assert _outcome(folder, "DB26-06") == ("not_selected", "limit:L1")
    # The other positions are not covered: their winners stay.
    assert _outcome(folder, "DB26-01") == ("selected", None)


def test_a_limit_by_position_at_another_level_leaves_the_candidate(tmp_path: Path) -> None:
    folder = _with_limits(tmp_path, "limit_id,scope_unit_id,job_position,target_level,max\n"
                                    "L1,SKHCN,CM.055,5,0\n")
    assert _outcome(folder, "DB26-06") == ("selected", None)


def test_a_share_limit_by_position_at_every_level_is_refused(tmp_path: Path) -> None:
    folder = _with_limits(tmp_path,
                          "limit_id,scope_unit_id,job_position,target_level,max,max_share\n"
                          "L1,SKHCN,CM.055,,,0.5\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--no-history"])
    assert result.exit_code == 2, result.output
    assert "limits.csv" in result.output and "max_share" in result.output
    assert not out.exists()
