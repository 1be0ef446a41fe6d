"""Benchmark: a 100-variant sweep of a generated ~10^4-candidate province.

Protocol: generate the province with a fixed seed (``allocator generate --coupled``), derive 100
variants with the quota-steps rule (every pool ±1, first 100), and time the sweep
in this process one by one (``workers=0``) and on a 2-worker Dask LocalCluster (cluster
start included). Correctness is asserted, not assumed: both runs must give
byte-identical decisions for every variant, and a sample of variants run from their
written TOML files through ``allocator.engine.flow.run`` (no cache, no Dask) must match too.

    python benchmarks/sweep_bench.py [--size 10000] [--variants 100] [--seed 1]
                                     [--workers 2] [--province FOLDER]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from allocator.engine.flow import run
from allocator.io.loader import load
from allocator.planning.sweep import quota_steps, run_sweep, write_sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--province", type=Path, default=None,
                        help="use this scenario folder instead of generating one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        base = args.province or Path(tmp) / "province"
        if args.province is None:
            subprocess.run([sys.executable, "-m", "allocator.cli", "generate", str(base), "--size",
                            str(args.size), "--seed", str(args.seed), "--coupled"],
                           check=True, stdout=subprocess.DEVNULL)
        scenario = load(base)
        jobs = quota_steps(scenario, 1)[: args.variants]
        print(f"province: {scenario.candidates.height} candidates, {scenario.quotas.height} "
              f"pools, {scenario.limits.height} limits; {len(jobs)} variants (+ base)")

        t = time.perf_counter()
        single = run(base)
        print(f"one run of the base: {time.perf_counter() - t:.2f} s "
              f"({single.summary.solver.coupled_components} coupled components)")

        cpu = time.process_time()
        serial = run_sweep(base, jobs, workers=0)
        print(f"sweep, in process one by one: {serial.seconds:.2f} s "
              f"(CPU {time.process_time() - cpu:.2f} s)")
        local = run_sweep(base, jobs, workers=args.workers)
        print(f"sweep, {local.engine}: {local.seconds:.2f} s (cluster start included)")

        a = serial.table.select("id", "decisions_sha256")
        b = local.table.select("id", "decisions_sha256")
        assert a.equals(b), "serial and LocalCluster sweeps differ"
        assert serial.table["status"].eq("ok").all(), "a variant failed"

        out = Path(tmp) / "sweep"
        write_sweep(out, base, local)
        sha = dict(a.iter_rows())
        for job in jobs[:: max(1, len(jobs) // 10)]:
            direct = run(out / "variants" / f"{job.id}.toml").decisions.write_csv().encode()
            assert hashlib.sha256(direct).hexdigest() == sha[job.id], job.id
        print("checked: identical decisions serial vs cluster; sampled variants identical to "
              "plain runs of their TOML files")


if __name__ == "__main__":
    main()
