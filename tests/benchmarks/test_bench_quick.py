"""A tiny run of the benchmark suite: it completes, writes its report and asserts that the
independent HiGHS method and the engine agree."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def _suite() -> ModuleType:
    spec = importlib.util.spec_from_file_location("allocator_bench_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_quick_benchmark_run(tmp_path: Path) -> None:
    out = tmp_path / "results"
    res = _suite().main(["--quick", "--out", str(out), "--data", str(tmp_path / "data")])
    for name in ("results.md", "results.json", "time.png", "memory.png"):
        assert (out / name).stat().st_size > 0, name
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["coupled"] and saved["uncoupled"] and saved["checked"]
    for row in res["coupled"]:
        # HiGHS decided every coupled candidate, and agreed on each.
        assert row["compared"] == row["coupled_candidates"] > 0
        assert row["disagreements"] == 0
        assert row["groups_agree"]
        assert row["solver_status"] == "optimal"
        assert row["what_if"]["equals_fresh_run"]
        # Seats add up, and the hand cut fills each pool to min(quota, eligible).
        assert row["selected"] + row["escalated_seats"] + row["unused_seats"] == row["seats"]
        hand = row["by_hand"]
        assert hand["hand_selected"] == row["pool_capacity"]
        assert hand["engine_selected"] == row["selected"]
        # The generated province is coupled on purpose: the hand cut breaks its limits.
        assert hand["limits_exceeded"] > 0
    for row in res["uncoupled"]:
        assert row["reps"] == len(row["e2e_s"]) == len(row["floor_s"])
        assert row["selected"] > 0
        assert row["floor_e2e_median_s"] > 0 and row["floor_e2e_cpu_median_s"] > 0
    assert res["fill"], "the fill objective is benchmarked"
    for row in res["fill"]:
        assert row["disagreements"] == 0 and row["groups_agree"]
        assert 0 < row["compared"] <= row["eligible"]
        assert row["solver_status"] == "optimal"
        assert row["methods"] == ["fill"], "the fast path decided the fill components"
    for row in res["country_what_if"]:
        assert row["equals_fresh_run"]
    text = (out / "results.md").read_text(encoding="utf-8")
    assert all(r["violations"] == 0 for r in res["checked"])
    # The documents: the workbook of the coupled province (the suite checks it lists every
    # candidate), one explanation per status present, letters for the uncoupled country.
    kinds = {(r["coupled"], r["size"]) for r in res["documents"]}
    assert kinds == {(True, 600), (False, 1_000)}
    for row in res["documents"]:
        assert row["explain_median_s"] and row["letters_median_s"] >= 0
        assert ("workbook_median_s" in row) == row["coupled"]
    assert "## Documents" in text
    assert "| candidates |" in text and "Load average" in text
