"""The ready rounds produce what their README explanations claim, and pass the checker."""

from __future__ import annotations

from pathlib import Path

from allocator.verify.checker import check
from models.result import RunResult

ROOT = Path(__file__).resolve().parents[2] / "scenarios"


def _tables(readme: Path) -> dict[str, list[list[str]]]:
    """Markdown tables under '## Expected …' headings, as rows of cells."""
    tables: dict[str, list[list[str]]] = {}
    heading = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        elif line.startswith("|") and heading and heading.startswith("Expected"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if set("".join(cells)) <= {"-"}:
                continue
            tables.setdefault(heading, []).append(cells)
    return {k: v[1:] for k, v in tables.items()}  # drop header rows


def test_ready_round_matches_its_readme(ready_round: tuple[str, RunResult]) -> None:
    name, result = ready_round
    claims = _tables(ROOT / name / "README.md")
    expected = {row[0]: row[1:] for row in claims["Expected decisions"]}
    got = {}
    for row in result.decisions.iter_rows(named=True):
        detail = row["reasons"] if row["status"] == "ineligible" else row["decided_by"]
        got[row["candidate_id"]] = [row["status"], detail or "", row["tie_group"] or ""]
    assert got == expected
    escalations = [[str(v) for v in row] for row in result.escalations.iter_rows()]
    assert escalations == claims["Expected escalations"]


def test_ready_round_passes_the_checker(ready_round: tuple[str, RunResult]) -> None:
    _, r = ready_round
    assert check(r.scenario, r.decisions, r.escalations, pools=r.pools) == []


def test_ready_round_is_proven_optimal(ready_round: tuple[str, RunResult]) -> None:
    _, r = ready_round
    assert r.summary.solver.status == "optimal"


def test_level_round_matches_its_readme(level_round: tuple[str, RunResult]) -> None:
    test_ready_round_matches_its_readme(level_round)


def test_level_round_passes_the_checker(level_round: tuple[str, RunResult]) -> None:
    test_ready_round_passes_the_checker(level_round)
    _, r = level_round
    assert r.summary.solver.status == "optimal" and r.summary.warnings == ()
    assert len(r.summary.legal_readings) == 1 and "10.2c" in r.summary.legal_readings[0]


def test_the_checker_flags_a_level_cap_exceeded(level_round: tuple[str, RunResult]) -> None:
    """Selecting a candidate the cap turned away breaks the cap: the checker says so."""
    import polars as pl

    _, r = level_round
    capped = r.decisions.filter(pl.col("decided_by").str.starts_with("limit:ratio:"))
    assert capped.height
    cid, limit = capped.row(0, named=True)["candidate_id"], capped.row(0, named=True)["decided_by"]
    wrong = r.decisions.with_columns(
        pl.when(pl.col("candidate_id") == cid).then(pl.lit("selected"))
        .otherwise(pl.col("status")).alias("status"),
        pl.when(pl.col("candidate_id") == cid).then(pl.lit(None, pl.Utf8))
        .otherwise(pl.col("decided_by")).alias("decided_by"))
    problems = check(r.scenario, wrong, r.escalations)
    assert any(limit.removeprefix("limit:") in p and "exceeded" in p for p in problems), problems


def test_level_round_as_a_workbook_decides_as_its_folder(
        level_round: tuple[str, RunResult], tmp_path: Path) -> None:
    """The round of career levels written as one workbook (positions and plan sheets, the
    level headers) and read back decides byte for byte as the CSV folder."""
    from typer.testing import CliRunner

    from allocator.cli.app import app

    name, _result = level_round
    book, out_book, out_folder = tmp_path / "round.xlsx", tmp_path / "a", tmp_path / "b"
    runner = CliRunner()
    made = runner.invoke(app, ["to-workbook", str(ROOT / name), str(book)])
    assert made.exit_code == 0, made.output
    for source, out in ((book, out_book), (ROOT / name, out_folder)):
        done = runner.invoke(app, ["run", str(source), "--out", str(out), "--no-history", "-q"])
        assert done.exit_code == 0, done.output
    for file in ("decisions.csv", "pools.csv", "escalations.csv"):
        assert (out_book / file).read_bytes() == (out_folder / file).read_bytes(), file
    assert (out_folder / "ket-qua.xlsx").stat().st_size > 0
