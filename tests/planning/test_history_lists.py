"""A run with agency lists is recorded like any other: the lists' bytes are stored before
deciding, the run replays from the stored copies alone, and an agency list edited during the
run is refused (exit 5) rather than recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.planning import history

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
runner = CliRunner()


@pytest.fixture
def agencies(tmp_path: Path) -> Path:
    folder = tmp_path / "agencies"
    shutil.copytree(ROOT / "dien-bien-2024-agencies", folder)
    return folder


def _round(folder: Path) -> Path:
    (book,) = sorted(folder.glob("00-*.xlsx"))
    return book


def test_a_run_with_agency_lists_is_recorded_and_replays(agencies: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = runner.invoke(app, ["run", str(_round(agencies)), str(agencies), "--out", str(out),
                               "-q"])
    assert done.exit_code == 0, done.output
    runs = history.list_runs()
    assert runs.height == 1
    run_id = str(runs["run_id"][0])
    lists = history.recorded_lists(run_id)
    assert lists and all(p.suffix == ".xlsx" and not p.name.startswith("00-") for p in lists)
    assert history.verify() == []
    # The live files are gone: the replay reads the stored copies only.
    shutil.rmtree(agencies)
    replayed = history.replay(run_id)
    assert replayed.identical, replayed.changed


def test_an_agency_list_edited_during_the_run_is_not_recorded(
        agencies: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lists = sorted(p for p in agencies.glob("*.xlsx") if not p.name.startswith("00-"))
    real_record = history.record

    def edit_then_record(*args: object, **kwargs: object) -> str:
        lists[0].write_bytes(lists[0].read_bytes() + b"\0")
        return real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "record", edit_then_record)
    out = tmp_path / "out"
    done = runner.invoke(app, ["run", str(_round(agencies)), str(agencies), "--out", str(out),
                               "-q"])
    assert done.exit_code == 5, done.output
    assert not out.exists()
