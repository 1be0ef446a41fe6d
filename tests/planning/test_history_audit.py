"""The run history as an audit log: a run is recorded or says it was not (exit 5, nothing
written); inputs as they were before deciding; replay from stored copies only; signals and
concurrent runs leave it consistent."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.planning import history
from tests.support.hostile import TINY, tiny_copy

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "h" / "history.duckdb"
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(path))
    return path


def _runs(db: Path) -> list[str]:
    if not db.exists():
        return []
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()]


def _run(round_: Path, out: Path, *extra: str) -> tuple[int, str]:
    res = runner.invoke(app, ["run", str(round_), "--out", str(out), "-q", "--no-xlsx",
                              *extra])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, " ".join(res.output.split())


def test_a_corrupt_history_stops_the_run_clearly(db: Path, tmp_path: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"not a database " * 1000)
    code, text = _run(TINY, tmp_path / "out")
    assert code == 5 and "damaged" in text and "NOT recorded" in text
    assert not (tmp_path / "out").exists()
    assert runner.invoke(app, ["runs", "list"]).exit_code == 5


def test_a_read_only_history_stops_the_run_clearly(db: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*_: Any, **__: Any) -> None:
        raise duckdb.IOException(f'IO Error: Cannot open file "{db}": Permission denied')

    monkeypatch.setattr(duckdb, "connect", read_only)
    code, text = _run(TINY, tmp_path / "out")
    assert code == 5 and "read-only" in text and "NOT recorded" in text
    assert not (tmp_path / "out").exists()


HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("ready", flush=True)
    time.sleep(60)
""")


def test_a_busy_history_stops_the_run_clearly(db: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        monkeypatch.setattr(history, "LOCK_WAIT_S", 0.5)
        code, text = _run(TINY, tmp_path / "out")
    finally:
        holder.kill()
        holder.wait()
    assert code == 5 and "busy" in text and "NOT recorded" in text
    assert not (tmp_path / "out").exists()


def test_an_input_edited_during_the_run_is_not_recorded_as_decided(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tiny_copy(tmp_path / "round")
    from allocator.engine import flow

    real = flow.run

    def edited_midway(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        quotas = folder / "quotas.csv"
        quotas.write_text(quotas.read_text(encoding="utf-8").replace(",2", ",3"),
                          encoding="utf-8")
        return result

    monkeypatch.setattr(flow, "run", edited_midway)
    code, text = _run(folder, tmp_path / "out")
    assert code == 5 and "quotas.csv" in text and "changed" in text
    assert _runs(db) == []
    assert not (tmp_path / "out").exists()


def test_the_recorded_inputs_are_those_read_before_deciding(db: Path, tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round")
    code, _ = _run(folder, tmp_path / "out")
    assert code == 0
    (run_id,) = _runs(db)
    info = history.show_run(run_id)
    stored = {Path(p).name for p in info.files["path"].to_list()}
    assert stored == {"scenario.toml", "candidates.csv", "quotas.csv", "units.csv"}


def test_replay_reads_an_absolute_rule_set_file_from_the_stored_copy(db: Path,
                                                                    tmp_path: Path) -> None:
    rules = tmp_path / "elsewhere" / "rules.toml"
    rules.parent.mkdir()
    rules.write_text('extends = "nd115-2020+nd85-2023"\n', encoding="utf-8")
    folder = tiny_copy(tmp_path / "round")
    with (folder / "scenario.toml").open("a", encoding="utf-8") as f:
        f.write(f'rule_set_file = "{rules.as_posix()}"\n')
    code, text = _run(folder, tmp_path / "out")
    assert code == 0, text
    (run_id,) = _runs(db)
    shutil.rmtree(rules.parent)  # the live file is gone: only the stored copy remains
    res = runner.invoke(app, ["runs", "replay", run_id])
    assert res.exit_code == 0, res.output
    assert "identical" in res.output


PAUSED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from allocator.planning import history

    MARKER = Path(sys.argv[1])

    def pause(run_id):
        MARKER.write_text(run_id)
        time.sleep(60)

    history._after_run_row = pause
    sys.argv = ["allocator", "run", *sys.argv[2:]]
    from allocator.cli.app import main
    main()
""")


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_inside_the_record_leaves_the_history_consistent(
        db: Path, tmp_path: Path, signum: int, status: int) -> None:
    assert _run(TINY, tmp_path / "first")[0] == 0
    kept = _runs(db)
    marker = tmp_path / "inside"
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", PAUSED, str(marker), str(TINY), "--out",
                             str(out), "-q", "--no-xlsx"],
                            env={**os.environ, "ALLOCATOR_HISTORY": str(db)}, cwd=ROOT,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == status, err
    assert "Traceback" not in err
    assert _runs(db) == kept
    assert history.verify() == []
    assert not out.exists()


def test_concurrent_runs_all_land_or_fail_clearly(db: Path, tmp_path: Path) -> None:
    db.parent.mkdir(parents=True)
    env = {**os.environ, "ALLOCATOR_HISTORY": str(db)}
    procs = [subprocess.Popen([sys.executable, "-m", "allocator.cli", "run", str(TINY),
                               "--out", str(tmp_path / f"out{i}"), "-q", "--no-xlsx"],
                              env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for i in range(3)]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for code, err in outcomes:
        assert code in (0, 5), err
        assert "Traceback" not in err
        if code == 5:
            assert "NOT recorded" in err
    assert len(_runs(db)) == sum(code == 0 for code, _ in outcomes)
    assert history.verify() == []


def test_a_workbook_naming_a_rule_set_file_is_recorded_with_it(db: Path, tmp_path: Path) -> None:
    """The rule-set file a workbook names is known only once the workbook is read: it joins
    the snapshot, and the replay reads its stored copy."""
    folder = tiny_copy(tmp_path / "round")
    for where in (tmp_path, folder):
        (where / "rules.toml").write_text('extends = "nd115-2020+nd85-2023"\n',
                                          encoding="utf-8")
    with (folder / "scenario.toml").open("a", encoding="utf-8") as f:
        f.write('rule_set_file = "rules.toml"\n')
    book = tmp_path / "round.xlsx"
    assert runner.invoke(app, ["to-workbook", str(folder), str(book)]).exit_code == 0
    code, text = _run(book, tmp_path / "out")
    assert code == 0, text
    (run_id,) = _runs(db)
    stored = sorted(Path(p).name for p in history.show_run(run_id).files["path"].to_list())
    assert stored == ["round.xlsx", "rules.toml"]
    (tmp_path / "rules.toml").unlink()
    res = runner.invoke(app, ["runs", "replay", run_id])
    assert res.exit_code == 0 and "identical" in res.output, res.output
