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
