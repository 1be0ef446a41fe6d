"""Run history: complete runs only, byte-for-byte replay from the stored inputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine.flow import run
from allocator.planning import history
from tests.support.variants import BINH_DINH, DIEN_BIEN, write_variant


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "history" / "runs.duckdb"
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(path))
    return path


def _copy(folder: Path, where: Path) -> Path:
    target = where / folder.name
    shutil.copytree(folder, target)
    return target


def test_history_path_follows_env_then_xdg(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(tmp_path / "h.duckdb"))
    assert history.history_path() == tmp_path / "h.duckdb"
    monkeypatch.delenv("ALLOCATOR_HISTORY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history.history_path() == tmp_path / "xdg" / "allocator" / "history.duckdb"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history.history_path() == (tmp_path / "home" / ".local" / "share" / "allocator"
                                      / "history.duckdb")


@pytest.mark.parametrize("folder", [DIEN_BIEN, BINH_DINH], ids=lambda p: p.name)
@pytest.mark.usefixtures("db")
def test_replay_from_stored_inputs_is_byte_identical(tmp_path: Path, folder: Path) -> None:
    work = _copy(folder, tmp_path / "work")
    result = run(work)
    run_id = history.record(result, command="run", inputs=work)
    assert run_id is not None
    shutil.rmtree(work)  # the replay must use the stored copies only
    rep = history.replay(run_id)
    assert rep.identical, rep.changed
    assert rep.replayed_sha256 == rep.stored_sha256
    assert not rep.rule_set_changed
    assert history.decisions_of(run_id) == result.decisions.write_csv().encode()
    info = history.show_run(run_id[:17])  # a unique prefix is enough
    assert info.run_id == run_id
    assert sum(info.status_counts.values()) == result.decisions.height
    assert info.meta["rule_set_id"] == result.scenario.rule_set.id
    assert info.summary.input_digest == result.summary.input_digest
    assert history.verify() == []


@pytest.mark.usefixtures("db")
def test_replay_of_a_variant_with_an_absolute_base(tmp_path: Path) -> None:
    work = _copy(BINH_DINH, tmp_path / "work")
    (tmp_path / "elsewhere").mkdir()
    variant = write_variant(tmp_path / "elsewhere" / "v.toml", work.resolve(),
                            {"limits": {"change": [{"limit_id": "TTUD-HANG-III", "add": 1}]}})
    result = run(variant)
    run_id = history.record(result, command="run", inputs=variant)
    assert run_id is not None
    files = history.show_run(run_id).files["path"].to_list()
    assert variant.resolve().as_posix() in files
    assert (work / "candidates.csv").resolve().as_posix() in files
    shutil.rmtree(work)
    variant.unlink()
    assert history.replay(run_id).identical


def test_replay_detects_a_changed_input(db: Path, tmp_path: Path) -> None:
    work = _copy(DIEN_BIEN, tmp_path / "work")
    run_id = history.record(run(work), command="run", inputs=work)
    assert run_id is not None
    path = (work / "candidates.csv").resolve().as_posix()
    with duckdb.connect(str(db)) as con:
        found = con.execute("SELECT sha256 FROM run_files WHERE run_id = ? AND path = ?",
                            [run_id, path]).fetchone()
        assert found is not None
        blob = con.execute("SELECT content FROM blobs WHERE sha256 = ?", [found[0]]).fetchone()
        assert blob is not None
        content = bytes(blob[0])
        lines = content.decode().splitlines(keepends=True)
        lines[1] = lines[1].replace(",tot,", ",hoan_thanh,")  # DB01 rated lower
        con.execute("UPDATE blobs SET content = ? WHERE sha256 = ?",
                    ["".join(lines).encode(), found[0]])
    rep = history.replay(run_id)
    assert not rep.identical
    assert "DB01" in rep.changed["candidate_id"].to_list()


def _runs(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()]


@pytest.mark.parametrize("where", ["after_run_row", "decisions"])
def test_failure_inside_the_transaction_leaves_no_trace(
        db: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    result = run(DIEN_BIEN)
    kept = history.record(result, command="run", inputs=DIEN_BIEN)
    assert kept is not None

    def boom(*_: object) -> None:
        raise RuntimeError("disk on fire")

    if where == "after_run_row":
        monkeypatch.setattr(history, "_after_run_row", boom)
    else:
        monkeypatch.setattr(history, "_insert_decisions", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):  # the caller says: not recorded
        history.record(result, command="run", inputs=DIEN_BIEN)
    monkeypatch.undo()
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(db))
    assert _runs(db) == [kept]
    assert history.verify() == []
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT run_id) FROM decisions").fetchone() == (1,)
    again = history.record(result, command="run", inputs=DIEN_BIEN)
    assert again is not None and _runs(db) == sorted([kept, again])


KILLED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from allocator.planning import history
    from allocator.engine.flow import run

    def pause(run_id):
        Path(sys.argv[2]).write_text(run_id)
        time.sleep(120)

    result = run(Path(sys.argv[1]))
    history._after_run_row = pause
    history.record(result, command="run", inputs=Path(sys.argv[1]))
""")


def test_killed_midway_leaves_the_history_consistent(db: Path, tmp_path: Path) -> None:
    kept = history.record(run(BINH_DINH), command="run", inputs=BINH_DINH)
    assert kept is not None
    marker = tmp_path / "inside-transaction"
    script = tmp_path / "killed.py"
    script.write_text(KILLED, encoding="utf-8")
    env = {**os.environ, "ALLOCATOR_HISTORY": str(db)}
    proc = subprocess.Popen([sys.executable, str(script), str(DIEN_BIEN), str(marker)],
                            env=env, cwd=Path(__file__).resolve().parents[2])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the recording process ended early"
            assert time.monotonic() < deadline, "the recording never started"
            time.sleep(0.05)
    finally:
        proc.kill()  # SIGKILL: no cleanup, no rollback in the process
        proc.wait()
    half = marker.read_text()
    assert half not in _runs(db)
    assert _runs(db) == [kept]
    assert history.verify() == []
    assert history.replay(kept).identical
    assert history.record(run(DIEN_BIEN), command="run", inputs=DIEN_BIEN) is not None


def test_cli_records_lists_shows_and_replays(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(DIEN_BIEN), "--out", str(tmp_path / "out"), "-q",
                              "--no-xlsx"])
    assert res.exit_code == 0, res.output
    (run_id,) = _runs(db)
    res = runner.invoke(app, ["runs", "list"])
    assert res.exit_code == 0 and run_id[:12] in res.output
    res = runner.invoke(app, ["runs", "show", run_id])
    assert res.exit_code == 0 and "scenario.toml" in res.output
    res = runner.invoke(app, ["runs", "show", run_id, "--json"])
    assert res.exit_code == 0 and '"status_counts"' in res.output
    res = runner.invoke(app, ["runs", "replay", run_id])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["runs", "verify"])
    assert res.exit_code == 0
    res = runner.invoke(app, ["runs", "replay", "nope"])
    assert res.exit_code == 2


def test_a_history_that_cannot_be_written_stops_the_run_clearly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An audit log: a run is recorded, or it says it was not, exits 5 and writes nothing;
    --no-history runs without a record."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(blocker / "history.duckdb"))
    res = CliRunner().invoke(app, ["run", str(DIEN_BIEN), "--out", str(tmp_path / "out"),
                                   "-q", "--no-xlsx"])
    assert res.exit_code == 5, res.output
    assert "NOT recorded" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()
    res = CliRunner().invoke(app, ["run", str(DIEN_BIEN), "--out", str(tmp_path / "out"),
                                   "-q", "--no-xlsx", "--no-history"])
    assert res.exit_code == 0, res.output
    decisions = pl.read_csv(tmp_path / "out" / "decisions.csv")
    assert decisions.height == 25


@pytest.mark.usefixtures("db")
def test_compare_and_sweep_runs_are_recorded_as_batches(tmp_path: Path) -> None:
    from allocator.io.loader import load
    from allocator.planning import sweep as sw
    from allocator.planning.compare import compare

    v = write_variant(tmp_path / "v.toml", DIEN_BIEN, {"settings": {"certificate_waived": True}})
    c = compare(DIEN_BIEN, [v])
    assert all(c.run_ids) and len(set(c.run_ids)) == 2
    jobs = sw.quota_steps(load(DIEN_BIEN), 1)
    result = sw.run_sweep(DIEN_BIEN, jobs, workers=0)
    sw.write_sweep(tmp_path / "sweep", DIEN_BIEN, result)
    ids = sw.record_sweep(tmp_path / "sweep", DIEN_BIEN, result)
    assert ids is not None and len(ids) == len(jobs) + 1
    listed = history.list_runs(100)
    assert listed["command"].value_counts().sort("command").rows() == [
        ("compare", 2), ("sweep", len(jobs) + 1)]
    assert history.replay(ids[-1]).identical
    assert history.verify() == []


CONCURRENT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from allocator.planning import history
    from allocator.engine.flow import run

    result = run(Path(sys.argv[1]))
    for _ in range(2):
        assert history.record(result, command="run", inputs=Path(sys.argv[1])) is not None
""")


def test_processes_recording_at_once_all_get_in(db: Path, tmp_path: Path) -> None:
    script = tmp_path / "recorder_at_once.py"
    script.write_text(CONCURRENT, encoding="utf-8")
    env = {**os.environ, "ALLOCATOR_HISTORY": str(db)}
    procs = [subprocess.Popen([sys.executable, str(script), str(DIEN_BIEN)], env=env,
                              cwd=Path(__file__).resolve().parents[2],
                              stderr=subprocess.PIPE)
             for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        assert b"warning" not in err
    assert len(_runs(db)) == 4
    assert history.verify() == []
