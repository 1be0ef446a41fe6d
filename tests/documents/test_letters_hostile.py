"""Letters from hostile data: control characters in names, a '/' in a unit id."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.documents.letters import file_name
from tests.support.hostile import DDE, tiny_copy

runner = CliRunner()


def _rename_unit(folder: Path, old: str, new: str) -> None:
    for name, cols in (("units.csv", ("unit_id", "parent_id")), ("quotas.csv", ("agency_id",))):
        frame = pl.read_csv(folder / name, infer_schema=False)
        frame = frame.with_columns(pl.col(c).replace(old, new) for c in cols)
        frame.write_csv(folder / name)


def test_control_characters_and_a_slash_in_an_id_give_one_letter(tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round", full_names={"B": "B\x01\x07 \x1b[31mred",
                                                       "C": DDE})
    _rename_unit(folder, "K1", "K/1")
    out = tmp_path / "letters"
    res = runner.invoke(app, ["letters", str(folder), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert res.exception is None
    docs = sorted(p.name for p in out.iterdir() if p.suffix == ".docx")
    assert docs == ["bao-cao-K_1.docx"]
    body = zipfile.ZipFile(out / docs[0]).read("word/document.xml").decode("utf-8")
    assert "\ufffd" in body and "\x01" not in body
    assert "instrText" not in body and "fldSimple" not in body  # no fields from data
    assert [p.name for p in tmp_path.iterdir() if p.name != "round"] == ["letters"]


def test_file_names_stay_in_the_folder() -> None:
    for unit in ("../x", "a/b", "..", "\x00", "K 1", "Sở/1"):
        name = file_name(unit, unit, True)
        assert "/" not in name and "\x00" not in name and not name.startswith(".")
