"""Hostile and unlucky input for the safety tests: formula, link and markup payloads in
names, and a tiny round (a tie for the last seat) to carry them."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import polars as pl

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tie_for_last_seat"

DDE = "=cmd|' /C calc'!A0"
AT_FORMULA = "@SUM(1)"
LINK = "http://x"
PLUS = "+1+1"
MATHTEXT = "$\\frac{$"
MARKUP = "[/bold]"
PAYLOADS = (DDE, AT_FORMULA, LINK, PLUS)


def tiny_copy(dest: Path, *, unit_names: dict[str, str] | None = None,
              full_names: dict[str, str] | None = None, round_name: str | None = None) -> Path:
    """A copy of the tie-for-the-last-seat round with names replaced."""
    shutil.copytree(TINY, dest)
    if unit_names:
        units = pl.read_csv(dest / "units.csv", infer_schema=False)
        units = units.with_columns(
            pl.col("unit_id").replace_strict(unit_names, default=pl.col("name")).alias("name"))
        units.write_csv(dest / "units.csv")
    if full_names:
        cands = pl.read_csv(dest / "candidates.csv", infer_schema=False)
        cands = cands.with_columns(
            pl.col("candidate_id").replace_strict(full_names, default=pl.col("full_name"))
            .alias("full_name"))
        cands.write_csv(dest / "candidates.csv")
    if round_name is not None:
        toml = (dest / "scenario.toml").read_text(encoding="utf-8").splitlines()
        escaped = round_name.replace("\\", "\\\\").replace('"', '\\"')
        toml[0] = f'name = "{escaped}"'
        (dest / "scenario.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    return dest


def hostile_round(dest: Path) -> Path:
    """The tiny round with a formula, an @-formula, a link and a +-formula as names."""
    return tiny_copy(dest, unit_names={"K1": DDE, "U1": LINK, "U2": AT_FORMULA},
                     full_names={"A": DDE, "B": AT_FORMULA, "C": LINK})


def formula_or_link_cells(path: Path) -> list[str]:
    """Every cell of a workbook that is a formula or carries a hyperlink, by place."""
    found: list[str] = []
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or cell.hyperlink is not None:
                    found.append(f"{ws.title}!{cell.coordinate}")
    return found


def texts(path: Path) -> set[str]:
    """Every text cell of a workbook."""
    book = openpyxl.load_workbook(path)
    return {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}
