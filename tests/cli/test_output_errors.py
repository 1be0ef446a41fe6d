"""Every command that writes names a place it cannot write (exit 4), without a traceback,
and a generated scenario keeps a user's files beside it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from allocator.cli.app import app
from tests.support.hostile import TINY

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, " ".join(res.output.split())


def test_documents_into_a_place_that_cannot_be_written(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for args in (["template", str(tmp_path)], ["template", str(afile / "t.xlsx")],
                 ["to-workbook", str(TINY), str(afile / "t.xlsx")],
                 ["letters", str(TINY), "--out", str(afile)],
                 ["compare", str(TINY), str(TINY), "--out", str(afile), "--no-history"],
                 ["sweep", str(TINY), "--out", str(afile), "--workers", "0", "--no-history"]):
        code, text = _invoke(*args)
        assert code == 4, (args, text)
        assert "Traceback" not in text
    assert afile.read_text(encoding="utf-8") == "x"


def test_a_generated_round_keeps_the_users_files(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, text = _invoke("generate", "--help")
    assert code == 0
    args = ["generate", "--out", str(out)] if "--out" in text else ["generate", str(out)]
    code, text = _invoke(*args, "--candidates", "30") if "--candidates" in text else \
        _invoke(*args)
    assert code == 0, text
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "candidates.csv").exists()
