"""All-or-nothing outputs that never touch what the tool did not write."""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.io import staging
from allocator.io.staging import MANIFEST, write_staged
from models.errors import OutputError
from tests.support.hostile import TINY

runner = CliRunner()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (manifest aside) by relative path; summary.json without
    its timings, the one part of the outputs that varies."""
    out = {p.relative_to(folder).as_posix(): p.read_bytes()
           for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}
    if "summary.json" in out:
        doc = json.loads(out["summary.json"])
        doc.pop("timings_s", None)
        out["summary.json"] = json.dumps(doc, sort_keys=True).encode()
    return out


def filler(files: dict[str, str]) -> Callable[[Path], None]:
    def fill(stage: Path) -> None:
        for rel, text in files.items():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            (stage / rel).write_text(text, encoding="utf-8")
    return fill


def test_user_files_and_folders_survive_and_stale_outputs_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_staged(out, filler({"a.csv": "1", "letters/x.docx": "x", "variants/v1.toml": "v"}))
    (out / "mine.txt").write_text("mine", encoding="utf-8")
    (out / "variants" / "mine.toml").write_text("m", encoding="utf-8")
    (out / "own").mkdir()
    written = write_staged(out, filler({"a.csv": "2", "variants/v2.toml": "w"}))
    assert [p.name for p in written] == ["a.csv", "variants"]
    assert snapshot(out) == {"a.csv": b"2", "mine.txt": b"mine", "variants/mine.toml": b"m",
                             "variants/v2.toml": b"w"}
    assert (out / "own").is_dir()
    assert not (out / "letters").exists()  # the tool's folder, now stale
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_users_file_with_an_outputs_name_stops_the_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_staged(out, filler({"a.csv": "1"}))
    (out / "b.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError):
        write_staged(out, filler({"a.csv": "2", "b.csv": "tool"}))
    assert snapshot(out) == {"a.csv": b"1", "b.csv": b"mine"}


def test_a_folder_from_before_manifests_keeps_the_users_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "variants").mkdir(parents=True)
    (out / "variants" / "mine.toml").write_text("m", encoding="utf-8")
    (out / "decisions.csv").write_text("old", encoding="utf-8")
    write_staged(out, filler({"decisions.csv": "new", "variants/v1.toml": "v"}))
    assert snapshot(out) == {"decisions.csv": b"new", "variants/mine.toml": b"m",
                             "variants/v1.toml": b"v"}


def test_keep_others_adds_to_the_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_staged(out, filler({"decisions.csv": "d"}))
    write_staged(out, filler({"ket-qua.xlsx": "k"}), keep_others=True)
    assert snapshot(out) == {"decisions.csv": b"d", "ket-qua.xlsx": b"k"}
    write_staged(out, filler({"decisions.csv": "e"}))
    assert snapshot(out) == {"decisions.csv": b"e"}


class Boom(Exception):
    pass


OLD = {"a.csv": "old-a", "b.csv": "old-b", "sub/c.csv": "old-c"}
NEW = {"a.csv": "new-a", "sub/d.csv": "new-d"}


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 40), st.booleans())
def test_a_crash_at_any_step_leaves_the_old_or_the_new_set(
        tmp_path_factory: pytest.TempPathFactory, step: int, exchange: bool) -> None:
    """Every file-system call of a write may be the one that fails (or the process dies):
    afterwards, and after the next start's repair, ``out`` holds one complete set."""
    root = tmp_path_factory.mktemp("crash")
    out = root / "out"
    write_staged(out, filler(OLD))
    (out / "mine.txt").write_text("mine", encoding="utf-8")
    old = snapshot(out)
    calls = {"n": 0}
    mp = pytest.MonkeyPatch()

    def counting(real: Callable[..., object]) -> Callable[..., object]:
        def wrapped(*args: object, **kwargs: object) -> object:
            calls["n"] += 1
            if calls["n"] == step:
                raise Boom
            return real(*args, **kwargs)
        return wrapped

    for name in ("rename", "link", "mkdir", "replace"):
        mp.setattr(os, name, counting(getattr(os, name)))
    if not exchange:
        mp.setattr(staging, "_exchange", lambda *_: False)
    else:
        mp.setattr(staging, "_exchange", counting(staging._exchange))  # noqa: SLF001
    try:
        write_staged(out, filler(NEW))
        crashed = False
    except (Boom, OutputError):
        crashed = True
    finally:
        mp.undo()
    staging.recover(out)
    now = snapshot(out)
    new = {k: v.encode() for k, v in NEW.items()} | {"mine.txt": b"mine"}
    assert now in (old, new), (step, exchange, now)
    if not crashed:
        assert now == new
    assert sorted(p.name for p in root.iterdir()) == ["out"]


def test_a_kill_between_the_two_renames_is_repaired_at_the_next_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_staged(out, filler(OLD))
    old = snapshot(out)
    aside = tmp_path / f".out{staging.OLD_TAG}999999999-dead"
    os.rename(out, aside)  # as a writer killed after its first rename leaves it
    staging.recover(out)
    assert snapshot(out) == old


def test_outputs_follow_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        write_staged(tmp_path / "out", filler({"a.csv": "1"}))
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "a.csv").stat().st_mode) == 0o644


def _run(out: Path, *extra: str) -> tuple[int, str]:
    res = runner.invoke(app, ["run", str(TINY), "--out", str(out), "--no-history", "-q",
                              *extra])
    return res.exit_code, res.output


def test_a_rerun_without_the_workbook_removes_the_stale_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(out)[0] == 0
    assert (out / "ket-qua.xlsx").exists()
    assert _run(out, "--no-xlsx")[0] == 0
    assert not (out / "ket-qua.xlsx").exists()
    assert sorted(snapshot(out)) == ["decisions.csv", "escalations.csv", "pools.csv",
                                     "summary.json"]


def test_a_sweep_keeps_the_users_variants(tmp_path: Path) -> None:
    plan = tmp_path / "PLAN"
    (plan / "variants").mkdir(parents=True)
    (plan / "variants" / "mine.toml").write_text("base = 'x'\n", encoding="utf-8")
    res = runner.invoke(app, ["sweep", str(TINY), "--out", str(plan), "--workers", "0",
                              "--no-history", "-q"])
    assert res.exit_code == 0, res.output
    assert (plan / "variants" / "mine.toml").read_text(encoding="utf-8") == "base = 'x'\n"
    assert len(list((plan / "variants").glob("*.toml"))) > 1


def test_a_crash_while_moving_leaves_no_mixed_set(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The second rename or replace of the write fails (the process dies there): the old
    set, or the new one, but never the new decisions.csv beside the old pools.csv."""
    out = tmp_path / "out"
    assert _run(out, "--no-xlsx")[0] == 0
    old = snapshot(out)
    (changed := tmp_path / "round").mkdir()
    for p in TINY.iterdir():
        (changed / p.name).write_bytes(p.read_bytes())
    q = changed / "quotas.csv"
    q.write_text(q.read_text(encoding="utf-8").replace(",2", ",1"), encoding="utf-8")
    assert runner.invoke(app, ["run", str(changed), "--out", str(tmp_path / "ref"),
                               "--no-history", "--no-xlsx"]).exit_code == 0
    new = snapshot(tmp_path / "ref")
    seen = {"n": 0}

    def second_fails(real: Callable[..., object]) -> Callable[..., object]:
        def wrapped(*args: object, **kwargs: object) -> object:
            seen["n"] += 1
            if seen["n"] == 2:
                raise Boom
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(os, "replace", second_fails(os.replace))
    monkeypatch.setattr(os, "rename", second_fails(os.rename))
    runner.invoke(app, ["run", str(changed), "--out", str(out), "--no-history", "--no-xlsx"])
    monkeypatch.undo()
    staging.recover(out)
    assert snapshot(out) in (old, new)


def test_out_naming_a_file_or_a_full_disk_is_exit_4(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    code, output = _run(afile)
    assert code == 4 and "Traceback" not in output
    assert afile.read_text(encoding="utf-8") == "x"
    code, output = _run(afile / "out")
    assert code == 4 and "Traceback" not in output

    real = pl.DataFrame.write_csv

    def full(self: pl.DataFrame, *args: object, **kwargs: object) -> object:
        if args and staging.NEW_TAG in str(args[0]):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pl.DataFrame, "write_csv", full)
    code, output = _run(tmp_path / "out")
    assert code == 4 and "đầy" in output and "full" in output
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_a_read_only_place_is_exit_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if staging.NEW_TAG in self.name:
            raise OSError(errno.EROFS, "Read-only file system")
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", read_only)
    code, output = _run(tmp_path / "out")
    assert code == 4 and "chỉ cho đọc" in output and "read-only" in output
    assert list(tmp_path.iterdir()) == []
