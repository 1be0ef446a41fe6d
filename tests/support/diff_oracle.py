"""Differential check: the engine's CLI against the brute-force oracle on drawn scenarios.

    .venv/bin/python tests/support/diff_oracle.py [N] [--seed S] [--keep DIR]

Draws N examples of ``small_coupled_scenarios()`` with a fixed seed, writes each into
``DIR/NNNN``, runs ``allocator run FOLDER --out FOLDER/out --no-history --no-xlsx -q`` there
and compares with ``oracle.solve_folder``: every candidate's status (and reasons and pool),
the refusal of rulings (exit 2 is expected exactly when the oracle refuses) and the invariants
of pools.csv.  Folders of examples that match are removed; the others are kept and printed.
Not a test module (no ``test_`` prefix): it needs the engine installed.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

from tests.support.oracle import OracleResult, pools_invariant_problems, solve_folder  # noqa: E402
from tests.support.scenario_files import ScenarioInput, small_coupled_scenarios  # noqa: E402

ALLOCATOR = ROOT / ".venv" / "bin" / "allocator"
Mismatch = tuple[str, str]  # (kind, detail)


def draw_examples(n: int, seed: int) -> list[ScenarioInput]:
    drawn: list[ScenarioInput] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(small_coupled_scenarios())
    def collect(example: ScenarioInput) -> None:
        drawn.append(example)

    collect()
    return drawn[:n]


def _decisions(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["candidate_id"]: row for row in csv.DictReader(handle)}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def features(folder: Path, oracle: OracleResult) -> str:
    """What the example holds, to tell kinds of mismatch apart."""
    with (folder / "scenario.toml").open("rb") as handle:
        settings = tomllib.load(handle)
    out = [str(settings.get("objective", "priority"))]
    if settings.get("budget"):
        out.append("budget")
    if (folder / "limits.csv").exists():
        out.append("share-limit" if (folder / "staff.csv").exists() else "limit")
    if any(len(c["birth_date"]) < 10 for c in _csv_rows(folder / "candidates.csv")):
        out.append("incomplete-date")
    if (folder / "authority_decisions.csv").exists():
        out.append("rulings")
    pools = {p for p in oracle.pool.values() if p is not None}
    out.append(f"{len(pools)}-pools")
    return ",".join(out)


def size(folder: Path) -> int:
    """A rough size, to pick the smallest example of a kind."""
    names = ("units", "quotas", "limits", "staff", "authority_decisions")
    return 4 * len(_csv_rows(folder / "candidates.csv")) + sum(
        len(_csv_rows(folder / f"{n}.csv")) for n in names
    )


def compare(folder: Path) -> tuple[list[Mismatch], str]:
    oracle = solve_folder(folder)
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "ALLOCATOR_HISTORY": str(folder / "history.duckdb")}
    proc = subprocess.run(
        [str(ALLOCATOR), "run", str(folder), "--out", str(out), "--no-history", "--no-xlsx", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    tag = features(folder, oracle)
    message = (proc.stderr or proc.stdout).strip().splitlines()
    last = message[-1] if message else ""
    if oracle.refused is not None:
        if proc.returncode == 2:
            return [], tag
        return [("engine accepts rulings the oracle refuses", oracle.refused)], tag
    if proc.returncode != 0:
        rulings = (folder / "authority_decisions.csv").exists() and proc.returncode == 2
        kind = "engine refuses rulings the oracle accepts" if rulings else "engine exit"
        return [(f"{kind} {proc.returncode}", last)], tag
    engine = _decisions(out / "decisions.csv")
    found: list[Mismatch] = []
    for cid, expected in oracle.status.items():
        row = engine.get(cid)
        if row is None:
            found.append(("candidate missing from decisions.csv", cid))
            continue
        if row["status"] != expected:
            found.append((f"status {expected} -> {row['status']}", cid))
        if expected == "ineligible":
            got = tuple(r for r in row.get("reasons", "").split(";") if r)
            if got != oracle.reasons[cid]:
                found.append(("reasons", f"{cid}: oracle {oracle.reasons[cid]}, engine {got}"))
        pool = oracle.pool[cid]
        got_pool = (row["agency_id"], row["target_title"]) if row["agency_id"] else None
        if got_pool != pool:
            found.append(("pool", f"{cid}: oracle {pool}, engine {got_pool}"))
    for problem in pools_invariant_problems(out / "pools.csv", out / "decisions.csv"):
        found.append(("pools.csv invariant", problem))
    return found, tag


def show(folder: Path) -> str:
    parts = []
    for name in sorted(p.name for p in folder.iterdir() if p.is_file()):
        if name.endswith((".toml", ".csv")):
            parts.append(f"--- {name}\n{(folder / name).read_text(encoding='utf-8')}")
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument(
        "--recheck", action="store_true", help="compare again the folders kept under --keep"
    )
    args = parser.parse_args()
    keep: Path = args.keep or Path(tempfile.mkdtemp(prefix="diff_oracle_"))
    keep.mkdir(parents=True, exist_ok=True)
    if args.recheck:
        folders = sorted(p for p in keep.iterdir() if (p / "scenario.toml").exists())
    else:
        folders = [
            e.write(keep / f"{i:04d}") for i, e in enumerate(draw_examples(args.n, args.seed))
        ]
    by_kind: dict[str, list[tuple[int, Path, str]]] = defaultdict(list)
    n_bad = 0
    for folder in folders:
        try:
            found, tag = compare(folder)
        except Exception as error:  # the oracle or the run failed: report, keep going
            found, tag = [("oracle or run error", repr(error))], "?"
        if not found:
            shutil.rmtree(folder)
            continue
        n_bad += 1
        print(f"{folder} [{tag}]")
        for kind, detail in found:
            print(f"    {kind}: {detail}")
        for kind in {k for k, _ in found}:
            by_kind[kind].append((size(folder), folder, tag))
    print(f"\n{len(folders)} examples, {n_bad} with mismatches; kept under {keep}")
    for kind, items in sorted(by_kind.items()):
        _size, folder, tag = min(items)
        print(f"\n=== {kind}: {len(items)} examples; smallest {folder} [{tag}]")
        print(show(folder))
    return 1 if n_bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
