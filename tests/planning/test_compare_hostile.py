"""compare with hostile names: TeX in a department's name is text, and the chart is drawn."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from allocator.cli.app import app
from tests.support.hostile import MARKUP, MATHTEXT, tiny_copy
from tests.support.variants import write_variant

runner = CliRunner()


def test_tex_and_markup_in_names_are_plain_text(tmp_path: Path) -> None:
    base = tiny_copy(tmp_path / "base", unit_names={"K1": MATHTEXT, "K2": "$x^2$"},
                     round_name=MARKUP)
    variant = write_variant(tmp_path / "more.toml", base,
                            {"quotas": [{"agency_id": "K1", "target_title": "V.11.06.14",
                                         "add": 1}]})
    out = tmp_path / "cmp"
    res = runner.invoke(app, ["compare", str(base), str(variant), "--out", str(out),
                              "--no-history"])
    assert res.exit_code == 0, res.output
    assert res.exception is None
    assert (out / "compare.png").read_bytes().startswith(b"\x89PNG")
    assert MATHTEXT in (out / "figures.csv").read_text(encoding="utf-8")


def test_a_markup_round_name_prints_as_itself(tmp_path: Path) -> None:
    base = tiny_copy(tmp_path / "base", round_name=MARKUP)
    for args in (["validate", str(base)], ["run", str(base), "--out", str(tmp_path / "o")],
                 ["runs", "list"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert MARKUP in res.output
