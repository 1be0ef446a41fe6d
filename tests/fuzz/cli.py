"""Running the CLI on a fuzzed scenario and checking the property every outcome must have:
exit 0 with a complete, consistent set of outputs, or exit 2 with the place named and
nothing written; never exit 1, never an exception or a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.io.staging import MANIFEST
from tests.fuzz.conftest import TALLY

runner = CliRunner()
OUTPUTS = ["decisions.csv", "escalations.csv", "pools.csv", "summary.json"]
PLACE = re.compile(r"\.csv|\.toml|\.xlsx|trang tính|sheet", re.IGNORECASE)


def check_run(kind: str, scenario: Path, work: Path) -> int:
    """Run ``scenario`` into ``work/out`` and check the property; returns the exit status."""
    TALLY[kind] += 1
    out = work / "out"
    before = sorted(p.name for p in work.iterdir())
    res = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--no-history", "-q",
                              "--no-xlsx", "--workers", "1"])
    assert res.exception is None or isinstance(res.exception, SystemExit), (
        f"{type(res.exception).__name__}: {res.exception}")
    assert "Traceback" not in res.output
    assert res.exit_code in (0, 2), f"exit {res.exit_code}:\n{res.output}"
    if res.exit_code == 2:
        assert PLACE.search(res.output), res.output
        assert sorted(p.name for p in work.iterdir()) == before, "something was written"
        return 2
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, MANIFEST])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    decisions = pl.read_csv(out / "decisions.csv", infer_schema=False)
    assert decisions.height == summary["counts"]["candidates"]
    assert decisions["candidate_id"].is_unique().all()
    statuses = decisions["status"].value_counts()
    assert set(statuses["status"].to_list()) <= {"selected", "not_selected", "ineligible",
                                                  "escalated"}
    return 0
