"""A sweep against a dead scheduler fails within seconds (exit 6, no traceback); temporary
copies of personal data left by a killed process are removed by the next one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.io import private_temp
from allocator.planning import sweep
from tests.support.hostile import TINY

runner = CliRunner()


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nobody listens


def test_a_dead_scheduler_fails_within_seconds(tmp_path: Path) -> None:
    start = time.monotonic()
    res = runner.invoke(app, ["sweep", str(TINY), "--out", str(tmp_path / "out"),
                              "--scheduler", f"tcp://127.0.0.1:{_dead_port()}",
                              "--no-history", "-q"])
    took = time.monotonic() - start
    assert res.exit_code == 6, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "Dask scheduler" in res.output and "Traceback" not in res.output
    assert took < sweep.SCHEDULER_CONNECT_S + 10
    assert not (tmp_path / "out").exists()


def test_temporary_copies_of_a_killed_process_are_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid is free now (reuse within this test is not expected)
    stale = tmp_path / f"allocator-sweep-{dead.pid}-abcd"
    stale.mkdir()
    (stale / "candidates.csv").write_text("personal data", encoding="utf-8")
    alive = tmp_path / f"allocator-sweep-{os.getpid()}-live"
    alive.mkdir()
    other = tmp_path / "allocator-sweep-notapid"
    other.mkdir()
    made = private_temp.make("allocator-sweep-", tmp_path)
    assert not stale.exists()
    assert alive.exists() and other.exists() and made.exists()
    assert made.stat().st_mode & 0o077 == 0  # private
    with private_temp.folder("allocator-sweep-", tmp_path) as inner:
        assert inner.is_dir()
    assert not inner.exists()
