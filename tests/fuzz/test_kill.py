"""SIGKILL at random moments of a run and of a sweep: the output folder holds the old
complete set or the new complete set (never a mix, a user's file always kept), the history
stays consistent, and what a killed process leaves (staging folders, temporary copies of
personal data) is removed at the next start."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from allocator.io.staging import MANIFEST
from allocator.planning import history
from tests.fuzz.conftest import TALLY, cases
from tests.support.hostile import TINY

ROOT = Path(__file__).resolve().parents[2]


def _files(folder: Path) -> dict[str, bytes]:
    """Every file's bytes (summary.json without its timings, the one part that varies)."""
    out = {p.relative_to(folder).as_posix(): p.read_bytes()
           for p in sorted(folder.rglob("*")) if p.is_file()}
    if "summary.json" in out:
        doc = json.loads(out["summary.json"])
        doc.pop("timings_s", None)
        doc.get("solver", {}).pop("seconds", None)
        out["summary.json"] = json.dumps(doc, sort_keys=True).encode()
    return out


def _env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {**os.environ, "ALLOCATOR_HISTORY": str(tmp_path / "h" / "history.duckdb"),
            "TMPDIR": str(tmp_path / "tmp")}


def _cli(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "allocator.cli", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _timed(env: dict[str, str], *args: str) -> float:
    start = time.monotonic()
    proc = _cli(env, *args)
    assert proc.wait(timeout=300) == 0, args
    return time.monotonic() - start


def _consistent_manifest(out: Path) -> None:
    listed = set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])
    present = {k for k in _files(out) if k != MANIFEST}
    assert listed <= present, listed - present


def _history_consistent(env: dict[str, str]) -> int:
    os.environ["ALLOCATOR_HISTORY"] = env["ALLOCATOR_HISTORY"]
    assert history.verify() == []
    return len(history.list_runs(10_000))


def test_a_killed_run_leaves_the_old_or_the_new_set(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(tmp_path / "h" / "history.duckdb"))
    env = _env(tmp_path)
    new_round = tmp_path / "new"
    shutil.copytree(TINY, new_round)
    quotas = new_round / "quotas.csv"
    quotas.write_text(quotas.read_text(encoding="utf-8").replace(",2", ",1"), encoding="utf-8")
    out = tmp_path / "out"
    _timed(env, "run", str(new_round), "--out", str(tmp_path / "ref"), "-q")
    new = _files(tmp_path / "ref")
    seconds = _timed(env, "run", str(TINY), "--out", str(out), "-q")
    (out / "mine.txt").write_text("a user's note", encoding="utf-8")
    old = _files(out)
    new = {**new, "mine.txt": b"a user's note"}
    assert old != new
    rng = random.Random(12)
    for _ in range(cases(6)):
        runs_before = _history_consistent(env)
        proc = _cli(env, "run", str(new_round), "--out", str(out), "-q")
        time.sleep(rng.uniform(0.4, 1.6) * seconds)
        proc.kill()
        proc.wait()
        TALLY["kills survived (run)"] += 1
        now = _files(out)
        assert now in (old, new), sorted(k for k in now.keys() | new.keys() | old.keys()
                                         if now.get(k) not in (old.get(k), new.get(k)))
        _consistent_manifest(out)
        TALLY["  run kill left the " + ("new set" if now == new else "old set")] += 1
        assert _history_consistent(env) in (runs_before, runs_before + 1)
        if now == new:  # back to the old set, so the next kill may catch the change again
            assert _cli(env, "run", str(TINY), "--out", str(out), "-q").wait(timeout=300) == 0
            assert _files(out) == old
    assert _cli(env, "run", str(new_round), "--out", str(out), "-q").wait(timeout=300) == 0
    assert _files(out) == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h", "new", "out", "ref", "tmp"]
    assert not [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith("allocator-")]


def test_a_killed_sweep_leaves_the_old_or_the_new_set(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(tmp_path / "h" / "history.duckdb"))
    env = _env(tmp_path)
    plan = tmp_path / "PLAN"
    (plan / "variants").mkdir(parents=True)
    (plan / "variants" / "mine.toml").write_text("base = 'x'\n", encoding="utf-8")
    seconds = _timed(env, "sweep", str(TINY), "--out", str(plan), "--workers", "0", "-q",
                     "--k", "1")
    old_names = set(_files(plan))
    _timed(env, "sweep", str(TINY), "--out", str(tmp_path / "ref"), "--workers", "0", "-q",
           "--k", "2")
    new_names = set(_files(tmp_path / "ref")) | {"variants/mine.toml"}
    assert old_names != new_names
    rng = random.Random(7)
    for _ in range(cases(4)):
        runs_before = _history_consistent(env)
        proc = _cli(env, "sweep", str(TINY), "--out", str(plan), "--workers", "0", "-q",
                    "--k", "2")
        time.sleep(rng.uniform(0.4, 1.6) * seconds)
        proc.kill()
        proc.wait()
        TALLY["kills survived (sweep)"] += 1
        names = set(_files(plan))
        assert names in (old_names, new_names)
        TALLY["  sweep kill left the " + ("new set" if names == new_names else "old set")] += 1
        assert (plan / "variants" / "mine.toml").read_text(encoding="utf-8") == "base = 'x'\n"
        _consistent_manifest(plan)
        assert _history_consistent(env) >= runs_before
        if names == new_names:
            assert _cli(env, "sweep", str(TINY), "--out", str(plan), "--workers", "0", "-q",
                        "--k", "1").wait(timeout=300) == 0
    assert _cli(env, "sweep", str(TINY), "--out", str(plan), "--workers", "0", "-q",
                "--k", "1").wait(timeout=300) == 0
    assert set(_files(plan)) == old_names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PLAN", "h", "ref", "tmp"]
    assert not [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith("allocator-")]
