"""Digests of the decisions on a fixed set of rounds, to show that a change of code changed
no decision.

    python benchmarks/golden.py record benchmarks/results/golden.json
    python benchmarks/golden.py check benchmarks/results/golden.json

Rounds: the ready rounds (CSV folders and workbooks), the what-if variants shipped with
them, and generated provinces (uncoupled, coupled with a budget, with exact ties, with
birth dates known only to the year, the ``fill`` objective). Each is decided by
``allocator run`` in a child process; the SHA-256 of ``decisions.csv``, ``pools.csv`` and
``escalations.csv`` is recorded (``summary.json`` holds timings and is left out).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("decisions.csv", "pools.csv", "escalations.csv")

READY = [
    "scenarios/dien-bien-2024",
    "scenarios/dien-bien-2024.xlsx",
    "scenarios/binh-dinh-2024",
    "scenarios/binh-dinh-2024.xlsx",
    "scenarios/dien-bien-2026",
    "scenarios/whatif/mien-chung-chi.toml",
    "scenarios/whatif/them-chi-tieu.toml",
]
# name -> arguments of ``allocator generate``
GENERATED: dict[str, list[str]] = {
    "uncoupled-10000": ["--size", "10000", "--seed", "1"],
    "coupled-5000-s1": ["--size", "5000", "--seed", "1", "--coupled", "--budget"],
    "coupled-5000-s2": ["--size", "5000", "--seed", "2", "--coupled", "--budget"],
    "coupled-20000-s1": ["--size", "20000", "--seed", "1", "--coupled", "--budget"],
    "coupled-3000-ties": ["--size", "3000", "--seed", "3", "--coupled", "--ties", "0.2"],
    "coupled-3000-births": ["--size", "3000", "--seed", "4", "--coupled", "--budget",
                            "--incomplete-births", "0.01"],
    "uncoupled-3000-births": ["--size", "3000", "--seed", "5", "--incomplete-births", "0.05"],
    "limits-unit-4000": ["--size", "4000", "--seed", "6", "--limits", "unit"],
}
# generated rounds run again with other options: name -> (round, extra run arguments)
VARIANTS: dict[str, tuple[str, list[str]]] = {
    "coupled-3000-ties-cpsat": ("coupled-3000-ties", ["--method", "cpsat"]),
}


def _allocator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "allocator.cli", *args], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def _decide(scenario: Path, extra: list[str], work: Path) -> dict[str, str]:
    out = work / "out"
    res = _allocator("run", str(scenario), "--out", str(out), "--no-history", "--no-xlsx",
                     "-q", "--workers", "2", *extra)
    if res.returncode != 0:
        return {"exit": str(res.returncode)}
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in OUTPUTS}


def digests(data: Path) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for rel in READY:
        with tempfile.TemporaryDirectory() as tmp:
            result[rel] = _decide(ROOT / rel, [], Path(tmp))
        print(rel, result[rel], flush=True)
    for name, args in GENERATED.items():
        folder = data / name
        if not (folder / "scenario.toml").exists():
            res = _allocator("generate", str(folder), *args)
            if res.returncode != 0:
                raise SystemExit(res.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            result[name] = _decide(folder, [], Path(tmp))
        print(name, result[name], flush=True)
    for name, (base, extra) in VARIANTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            result[name] = _decide(data / base, extra, Path(tmp))
        print(name, result[name], flush=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["record", "check"])
    ap.add_argument("file", type=Path)
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "allocator-golden")
    args = ap.parse_args()
    now = digests(args.data)
    if args.action == "record":
        args.file.write_text(json.dumps(now, indent=2, sort_keys=True) + "\n")
        return 0
    before = json.loads(args.file.read_text())
    changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for k in changed:
        print(f"CHANGED {k}: {before.get(k)} -> {now.get(k)}")
    print(f"{len(before) - len(changed)} of {len(before)} rounds unchanged")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
