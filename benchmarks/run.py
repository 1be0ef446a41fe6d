"""The benchmark suite of issue 3: one command, every figure measured side by side.

    python benchmarks/run.py [--quick] [--out benchmarks/results] [--data DIR]

Writes ``results.md`` (the table, with the machine, the date and the load average),
``results.json`` (every measurement) and ``time.png`` / ``memory.png`` into ``--out``.
See ``benchmarks/PROTOCOL.md`` for how runs are made and reported. ``--quick`` runs small
sizes only (the test suite runs it).

Parts, all on scenarios made by ``allocator generate`` with fixed seeds:

* uncoupled pools: ``allocator run`` end to end in a child process (wall time, peak RSS)
  against the floor — a bare polars sort-and-cut of the already-loaded candidates table —
  repetition by repetition, alternating;
* coupled province (``--coupled --budget``): ``allocator.engine.flow.decide`` on the loaded
  scenario (proven priority-optimal, every tie classified), the CLI end to end, and the same
  components solved by the independent HiGHS method (:mod:`allocator.verify.highs`) and by
  :func:`allocator.solve.solve_component` alone; every status must agree;
* by hand: each pool sorted and cut ignoring the limits and the budget — seats it gets
  wrong and limits / budget it breaks;
* what-if: one quota changed, decided again with the component cache of the first run;
* correctness: the checker (:func:`allocator.verify.checker.check`) on the small instances.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from allocator.documents.explain import explain
from allocator.documents.letters import write_letters
from allocator.documents.result_workbook import FILE_NAME as WORKBOOK
from allocator.documents.result_workbook import write_result_workbook
from allocator.engine.cache import StageCache
from allocator.engine.components import POOL, Split, split
from allocator.engine.flow import decide
from allocator.engine.options import Options
from allocator.engine.pools import key_columns
from allocator.engine.prepare import Prepared as EnginePrepared
from allocator.engine.prepare import prepare as engine_prepare
from allocator.io.loader import load
from allocator.solve import incomplete, solve_component
from allocator.solve.problem import (
    ESCALATED,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
)
from allocator.synthetic.generate import Options as GenOptions
from allocator.synthetic.generate import generate
from allocator.verify import checker, highs
from models.result import RunResult
from models.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
STATUS = {SELECTED: "selected", NOT_SELECTED: "not_selected", ESCALATED: "escalated"}
CHECK_MAX = 5_000  # the checker is quadratic: small instances only


@dataclasses.dataclass(frozen=True)
class Plan:
    uncoupled: tuple[int, ...]
    coupled: tuple[int, ...]
    coupled_seeds: tuple[int, ...]
    checked: tuple[int, ...]  # sizes run through the checker (uncoupled and coupled)
    small_reps: int = 5  # repetitions up to 10^4 candidates
    big_reps: int = 3  # repetitions above
    cli_reps: int | None = None  # child-process repetitions if fewer (the quick run)
    coupled_cli: bool = True  # also time the coupled rounds end to end
    seed: int = 1
    fill: tuple[int, ...] = ()  # coupled provinces decided with objective = "fill"
    country_what_if: int = 0  # uncoupled size of the what-if on a country (0: none)
    documents: tuple[int, ...] = ()  # coupled provinces whose documents are written
    documents_country: int = 0  # uncoupled size whose explain and letters are timed (0: none)

    def reps(self, size: int, child: bool = False) -> int:
        """Repetitions: more for small sizes, three for big ones."""
        n = self.small_reps if size <= 10_000 else self.big_reps
        return min(n, self.cli_reps) if child and self.cli_reps else n


FULL = Plan(uncoupled=(10_000, 100_000, 1_000_000), coupled=(100_000,),
            coupled_seeds=(1, 2, 3), checked=(1_000,), fill=(10_000, 100_000),
            country_what_if=1_000_000, documents=(10_000, 100_000),
            documents_country=1_000_000)
QUICK = Plan(uncoupled=(1_000,), coupled=(1_500,), coupled_seeds=(1,), checked=(600,),
             small_reps=3, cli_reps=1, coupled_cli=False, fill=(600,), country_what_if=1_000,
             documents=(600,), documents_country=1_000)


# ---------------------------------------------------------------------------------------------
# Instances and measurements
# ---------------------------------------------------------------------------------------------


def instance(data: Path, size: int, seed: int, coupled: bool) -> Path:
    """The generated scenario folder (made once per data folder and generator version;
    deterministic by seed)."""
    import allocator.synthetic.generate as gen

    version = hashlib.sha256(Path(gen.__file__).read_bytes()).hexdigest()[:10]
    name = f"{'coupled' if coupled else 'uncoupled'}-{size}-s{seed}-g{version}"
    folder = data / name
    done = folder / ".complete"
    if not done.exists():
        generate(GenOptions(size=size, seed=seed, coupled=coupled, budget=coupled), folder)
        done.write_text("ok\n")
    return folder


def instance_fill(data: Path, size: int, seed: int) -> Path:
    """The coupled province of :func:`instance` with ``objective = "fill"``."""
    base = instance(data, size, seed, coupled=True)
    folder = base.with_name(base.name + "-fill")
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(base, folder)
        toml = folder / "scenario.toml"
        text = re.sub(r'(?m)^objective = .*$', 'objective = "fill"', toml.read_text("utf-8"))
        if 'objective = "fill"' not in text:
            text += 'objective = "fill"\n'
        toml.write_text(text, encoding="utf-8")
        done.write_text("ok\n")
    return folder


_TIMED = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:]).returncode\n"
    "dt = time.perf_counter() - t\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(dt, r.ru_maxrss, r.ru_utime + r.ru_stime, rc)\n"
)


@dataclasses.dataclass(frozen=True)
class Child:
    """One child process: wall seconds, peak RSS (MiB), CPU seconds (user + system)."""

    wall: float
    peak_mib: float
    cpu: float


def timed_child(args: Sequence[str]) -> Child:
    """Wall time, peak RSS and CPU time of one child process, measured by a fresh parent
    (``getrusage(RUSAGE_CHILDREN)``) so that the peak and the CPU are this child's alone."""
    done = subprocess.run([sys.executable, "-c", _TIMED, *args], capture_output=True,
                          text=True, check=True)
    seconds, rss_kib, cpu, rc = done.stdout.split()
    if rc != "0":
        raise RuntimeError(f"{' '.join(args)} exited {rc}: {done.stderr[-2000:]}")
    return Child(float(seconds), int(rss_kib) / 1024, float(cpu))


def cli_run(folder: Path, out: Path) -> Child:
    return timed_child([sys.executable, "-m", "allocator.cli", "run", str(folder), "--out",
                        str(out), "--no-history", "--no-xlsx", "-q"])


def floor_run(folder: Path, out: Path) -> Child:
    """The end-to-end floor (``benchmarks/floor.py``) in its own process."""
    return timed_child([sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(folder),
                        str(out)])


def floor_tables(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The candidates, units and quotas tables, read once (outside every timing)."""
    return (pl.read_csv(folder / "candidates.csv"), pl.read_csv(folder / "units.csv"),
            pl.read_csv(folder / "quotas.csv"))


def floor_cut(cands: pl.DataFrame, units: pl.DataFrame, quotas: pl.DataFrame) -> pl.DataFrame:
    """The floor: each candidate's pool (department = parent of the unit, target title),
    sorted by pool and the priority key (achievement, female, ethnic minority, older,
    longer service), the first ``quota`` of each pool taken."""
    ladder = {"A": 0, "B": 1, "C": 2, "D": 3}
    return (
        cands.lazy()
        .join(units.lazy().select("unit_id", pl.col("parent_id").alias("agency_id")),
              on="unit_id", how="left")
        .join(quotas.lazy(), on=["agency_id", "target_title"], how="inner")
        .with_columns(
            pl.col("achievement").replace_strict(ladder, default=4, return_dtype=pl.Int8)
            .fill_null(4).alias("_a"),
            (pl.col("sex") != "female").alias("_f"),
            (pl.col("ethnicity") == "Kinh").alias("_e"),
        )
        .sort(["agency_id", "target_title", "_a", "_f", "_e", "birth_date", "service_start",
               "candidate_id"])
        .filter(pl.int_range(pl.len()).over(["agency_id", "target_title"]) < pl.col("quota"))
        .select("candidate_id", "agency_id", "target_title")
        .collect()
    )


def clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def solve_each(problems: Sequence[ComponentProblem]) -> list[ComponentResult]:
    return [solve_component(p) for p in problems]


def solve_highs(split_: Split) -> tuple[list[ComponentResult], list[ComponentResult]]:
    """The HiGHS method on every component (raw), then — where birth dates known only in part
    leave clusters — over the orders the data allows, as the pipeline does with its own
    solver (:mod:`allocator.solve.incomplete`, given the HiGHS method as the solver)."""
    problems = split_.problems
    raw = highs.solve_many(problems)
    final = []
    for p, r in zip(problems, raw, strict=True):
        clusters = split_.clusters.get(p.name)
        if clusters:  # both extreme placements, then the contested orders
            r = incomplete.resolve(p, split_.alternates[p.name], clusters,
                                   highs.solve_component)
        final.append(r)
    return raw, final


def med(xs: Sequence[float]) -> float:
    return float(statistics.median(xs))


# ---------------------------------------------------------------------------------------------
# The engine's components, rebuilt as allocator.engine.flow.allocate builds them
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Prepared:
    engine: EnginePrepared  # the stages before the solver
    split: Split


def prepare(scenario: Scenario) -> Prepared:
    """The engine's own preparation (:func:`allocator.engine.prepare.prepare`) and split into
    components: exactly what :func:`allocator.engine.flow.decide` gives the solvers."""
    prep = engine_prepare(scenario)
    sp = split(prep.eligible, prep.quota_of, prep.limits, prep.covered, scenario.budget_units,
               scenario.rule_set, scenario.settings.objective)
    return Prepared(prep, sp)


def statuses_of(problems: Sequence[ComponentProblem],
                results: Sequence[ComponentResult]) -> pl.DataFrame:
    ids: list[str] = []
    st: list[str] = []
    for p, r in zip(problems, results, strict=True):
        ids.extend(p.ids)
        st.extend(STATUS[s] for s in r.status)
    return pl.DataFrame({"candidate_id": ids, "status": st},
                        schema={"candidate_id": pl.Utf8, "status": pl.Utf8})


# ---------------------------------------------------------------------------------------------
# Parts
# ---------------------------------------------------------------------------------------------


def part_uncoupled(plan: Plan, data: Path, work: Path, log: Callable[[str], None]
                   ) -> list[dict[str, Any]]:
    """End to end against both floors, alternating repetition by repetition: the bare
    in-process sort and cut, and the end-to-end floor in its own process (wall and CPU)."""
    rows = []
    for size in plan.uncoupled:
        folder = instance(data, size, plan.seed, coupled=False)
        tables = floor_tables(folder)
        e2e: list[Child] = []
        e2e_floor: list[Child] = []
        floor: list[float] = []
        for rep in range(plan.reps(size, child=True)):  # alternate: the same load on both
            e2e.append(cli_run(folder, work / f"u{size}-{rep}"))
            e2e_floor.append(floor_run(folder, work / f"f{size}-{rep}"))
            floor.append(clock(partial(floor_cut, *tables))[0])
        summary = json.loads((work / f"u{size}-0" / "summary.json").read_text())
        wall = med([c.wall for c in e2e])
        cpu = med([c.cpu for c in e2e])
        f_wall = med([c.wall for c in e2e_floor])
        f_cpu = med([c.cpu for c in e2e_floor])
        row: dict[str, Any] = {"size": size, "seed": plan.seed, "reps": len(e2e),
               "e2e_s": [c.wall for c in e2e], "e2e_cpu_s": [c.cpu for c in e2e],
               "floor_s": floor, "peak_mib": [c.peak_mib for c in e2e],
               "floor_e2e_s": [c.wall for c in e2e_floor],
               "floor_e2e_cpu_s": [c.cpu for c in e2e_floor],
               "floor_e2e_peak_mib": med([c.peak_mib for c in e2e_floor]),
               "e2e_median_s": wall, "e2e_cpu_median_s": cpu,
               "floor_median_s": med(floor), "ratio": wall / med(floor),
               "floor_e2e_median_s": f_wall, "floor_e2e_cpu_median_s": f_cpu,
               "ratio_e2e_wall": wall / f_wall, "ratio_e2e_cpu": cpu / f_cpu,
               "peak_median_mib": med([c.peak_mib for c in e2e]),
               "timings_s": summary.get("timings_s", {}),
               "selected": summary["counts"]["selected"]}
        log(f"uncoupled {size:>9,}: end to end {wall:.2f} s ({cpu:.2f} s CPU), end-to-end "
            f"floor {f_wall:.2f} s ({f_cpu:.2f} s CPU): {row['ratio_e2e_wall']:.1f}x wall, "
            f"{row['ratio_e2e_cpu']:.1f}x CPU; bare floor {row['floor_median_s']:.3f} s "
            f"({row['ratio']:.1f}x); peak {row['peak_median_mib']:.0f} MiB")
        rows.append(row)
    return rows


def by_hand(result: RunResult, prep: Prepared, scenario: Scenario) -> dict[str, Any]:
    """Each pool sorted by the legal priority and cut at its quota, ignoring limits and the
    budget (ties broken by candidate id), compared with the engine."""
    keys = key_columns(scenario.rule_set)
    hand = (
        prep.engine.candidates.filter(pl.col("eligible"))
        .sort([POOL, *keys, "candidate_id"], maintain_order=True)
        .filter(pl.int_range(pl.len()).over(POOL) < pl.col("quota"))
        .select("candidate_id", "salary_units")
    )
    engine = result.decisions.select("candidate_id", "status")
    joined = hand.join(engine, on="candidate_id", how="left")
    wrong_in = joined.filter(pl.col("status") == "not_selected").height
    engine_sel = engine.filter(pl.col("status") == "selected")
    missed = engine_sel.join(hand, on="candidate_id", how="anti").height
    caps = prep.engine.limits.select("limit_id", "cap")
    per_limit = (prep.engine.covered.join(hand, on="candidate_id", how="inner")
                 .group_by("limit_id").len().join(caps, on="limit_id")
                 .filter(pl.col("len") > pl.col("cap")))
    spent = int(hand["salary_units"].sum())
    budget = scenario.budget_units
    return {
        "hand_selected": hand.height,
        "engine_selected": engine_sel.height,
        "hand_wins_engine_rejects": wrong_in,
        "engine_wins_hand_misses": missed,
        "limits_exceeded": per_limit.height,
        "limits_total": prep.engine.limits.height,
        "seats_over_limits": int((per_limit["len"] - per_limit["cap"]).sum())
        if per_limit.height else 0,
        "budget_units": budget,
        "hand_spent_units": spent,
        "budget_over_pct": round(100 * (spent - budget) / budget, 2) if budget else 0.0,
    }


def what_if(scenario: Scenario, reps: int) -> dict[str, Any]:
    """One quota changed (one seat fewer in the largest pool whose seats are all taken, so
    that the change matters): the second run with the cache of the first, timed; the answer
    checked against a run without cache."""
    q = scenario.quotas
    first_s, first = clock(partial(decide, scenario, Options()))
    base = first.decisions
    full = first.pools.filter(
        (pl.col("quota") > 0) & (pl.col("unused") == 0)).select("agency_id", "target_title")
    target = q.join(full, on=["agency_id", "target_title"], how="semi").sort(
        ["quota", "agency_id", "target_title"], descending=[True, False, False],
        maintain_order=True).row(0, named=True)
    changed_quotas = q.with_columns(
        pl.when((pl.col("agency_id") == target["agency_id"])
                & (pl.col("target_title") == target["target_title"]))
        .then(pl.col("quota") - 1).otherwise(pl.col("quota")).alias("quota"))
    changed = dataclasses.replace(scenario, quotas=changed_quotas)
    times: list[float] = []
    reused = -1
    last: RunResult | None = None
    for _ in range(reps):
        cache = StageCache()
        decide(scenario, Options(cache=cache))
        seconds, last = clock(partial(decide, changed, Options(cache=cache)))
        times.append(seconds)
        reused = last.summary.solver.reused_components if last else -1
    assert last is not None
    fresh = decide(changed, Options())
    same = last.decisions.equals(fresh.decisions)
    moved = base.join(last.decisions, on="candidate_id", suffix="_new").filter(
        pl.col("status") != pl.col("status_new")).height
    if not same:
        raise AssertionError("what-if with the cache differs from a fresh run")
    return {"pool": f"{target['agency_id']}|{target['target_title']}",
            "quota_from": int(target["quota"]), "quota_to": int(target["quota"]) - 1,
            "times_s": times, "median_s": med(times), "reused_components": reused,
            "first_run_s": first_s,
            "components": last.summary.solver.coupled_components,
            "statuses_changed": moved, "equals_fresh_run": same}


def part_coupled(plan: Plan, data: Path, work: Path, log: Callable[[str], None]
                 ) -> list[dict[str, Any]]:
    rows = []
    for size in plan.coupled:
        for seed in plan.coupled_seeds:
            folder = instance(data, size, seed, coupled=True)
            reps = plan.reps(size)
            scenario = load(folder)
            decide_s: list[float] = []
            result: RunResult | None = None
            for _ in range(reps):
                seconds, result = clock(partial(decide, scenario, Options()))
                decide_s.append(seconds)
            assert result is not None
            cli_s, cli_rss = [], []
            for rep in range(plan.reps(size, child=True) if plan.coupled_cli else 0):
                child = cli_run(folder, work / f"c{size}-{seed}-{rep}")
                cli_s.append(child.wall)
                cli_rss.append(child.peak_mib)
            if cli_s:
                written = pl.read_csv(work / f"c{size}-{seed}-0" / "decisions.csv",
                                      infer_schema=False).select("candidate_id", "status")
                if not written.sort("candidate_id").equals(
                        result.decisions.select("candidate_id", "status").sort("candidate_id")):
                    raise AssertionError("the CLI and decide() disagree")
            prep = prepare(scenario)
            problems = prep.split.problems
            own_s: list[float] = []
            own: list[ComponentResult] = []
            for _ in range(reps):
                seconds, own = clock(partial(solve_each, problems))
                own_s.append(seconds)
            highs_wall: list[float] = []
            highs_in: list[float] = []
            raw: list[ComponentResult] = []
            other: list[ComponentResult] = []
            for _ in range(reps):
                seconds, (raw, other) = clock(partial(solve_highs, prep.split))
                highs_wall.append(seconds)
                highs_in.append(sum(r.stats.seconds for r in raw))
            engine = result.decisions.select("candidate_id", "status")
            mine = statuses_of(problems, other)
            cmp = mine.join(engine, on="candidate_id", how="left", suffix="_engine")
            disagree = cmp.filter(pl.col("status") != pl.col("status_engine")).height
            # On the same problems, before the refinement of birth-date clusters: statuses,
            # tie groups with their seats, winners per class, blockers.
            same_groups = all(a.status == b.status and a.groups == b.groups
                              and a.class_counts == b.class_counts and a.blocker == b.blocker
                              for a, b in zip(own, raw, strict=True))
            summary = result.summary
            row: dict[str, Any] = {
                "size": size, "seed": seed, "reps": reps,
                "candidates": summary.counts.candidates,
                "eligible": summary.counts.eligible,
                "components": len(problems),
                "largest_component": max((p.n for p in problems), default=0),
                "classes": sum(p.cls[-1] + 1 for p in problems if p.n),
                "constraints": sum(len(p.caps) for p in problems),
                "decide_s": decide_s, "decide_median_s": med(decide_s),
                "decide_timings_s": summary.timings_s,
                "cli_s": cli_s, "cli_median_s": med(cli_s) if cli_s else None,
                "cli_peak_mib": med(cli_rss) if cli_rss else None,
                "solve_component_s": own_s, "solve_component_median_s": med(own_s),
                "highs_wall_s": highs_wall, "highs_wall_median_s": med(highs_wall),
                "highs_solver_median_s": med(highs_in),
                "highs_mips": sum(r.stats.stages for r in raw),
                "clusters": sum(len(prep.split.clusters.get(p.name, [])) for p in problems),
                "compared": cmp.height, "disagreements": disagree,
                "groups_agree": same_groups,
                "selected": summary.counts.selected,
                "escalated": summary.counts.escalated,
                "tie_groups": summary.counts.tie_groups,
                "solver_status": summary.solver.status,
                "by_hand": by_hand(result, prep, scenario),
                "coupled_candidates": summary.solver.coupled_candidates,
                "seats": summary.counts.seats,
                "escalated_seats": summary.counts.escalated_seats,
                "unused_seats": summary.counts.unused_seats,
                "pool_capacity": int(result.pools.select(
                    pl.min_horizontal("quota", "eligible")).to_series().sum()),
                "what_if": what_if(scenario, reps),
            }
            if disagree or not same_groups or cmp.height != sum(p.n for p in problems):
                raise AssertionError(f"HiGHS and the engine disagree on {disagree} statuses "
                                     f"(coupled {size}, seed {seed})")
            log(f"coupled {size:>9,} seed {seed}: decide {row['decide_median_s']:.2f} s, "
                f"CLI {_fmt_s(row['cli_median_s'])} s, solve_component "
                f"{row['solve_component_median_s']:.2f} s, HiGHS {row['highs_wall_median_s']:.2f}"
                f" s ({row['highs_mips']} MIPs), {cmp.height:,} statuses agree; what-if "
                f"{row['what_if']['median_s']:.2f} s")
            rows.append(row)
    return rows


def _agree(a: Sequence[ComponentResult], b: Sequence[ComponentResult]) -> bool:
    """Statuses, tie groups with their seats, winners per class and blockers all equal."""
    return all(x.status == y.status and x.groups == y.groups
               and x.class_counts == y.class_counts and x.blocker == y.blocker
               for x, y in zip(a, b, strict=True))


def part_fill(plan: Plan, data: Path, work: Path, log: Callable[[str], None]
              ) -> list[dict[str, Any]]:
    """The coupled province with ``objective = "fill"``: ``decide`` against ``priority`` on
    the same instance (alternating), the CLI end to end, the components by the engine's
    solver and by the HiGHS method, which must agree on every status, group, count and
    blocker."""
    rows = []
    for size in plan.fill:
        folder = instance_fill(data, size, plan.seed)
        scenario = load(folder)
        priority = load(instance(data, size, plan.seed, coupled=True))
        reps = plan.reps(size)
        fill_s: list[float] = []
        prio_s: list[float] = []
        result: RunResult | None = None
        for _ in range(reps):
            seconds, result = clock(partial(decide, scenario, Options()))
            fill_s.append(seconds)
            prio_s.append(clock(partial(decide, priority, Options()))[0])
        assert result is not None
        cli = [cli_run(folder, work / f"fill{size}-{rep}")
               for rep in range(plan.reps(size, child=True) if plan.coupled_cli else 0)]
        prep = prepare(scenario)
        problems = prep.split.problems
        own_s: list[float] = []
        own: list[ComponentResult] = []
        for _ in range(reps):
            seconds, own = clock(partial(solve_each, problems))
            own_s.append(seconds)
        highs_wall: list[float] = []
        raw: list[ComponentResult] = []
        other: list[ComponentResult] = []
        for _ in range(reps):
            seconds, (raw, other) = clock(partial(solve_highs, prep.split))
            highs_wall.append(seconds)
        engine = result.decisions.select("candidate_id", "status")
        cmp = statuses_of(problems, other).join(engine, on="candidate_id", how="left",
                                                suffix="_engine")
        disagree = cmp.filter(pl.col("status") != pl.col("status_engine")).height
        row: dict[str, Any] = {
            "size": size, "seed": plan.seed, "reps": reps,
            "candidates": result.summary.counts.candidates,
            "eligible": result.summary.counts.eligible,
            "largest_component": max((p.n for p in problems), default=0),
            "selected": result.summary.counts.selected,
            "escalated": result.summary.counts.escalated,
            "solver_status": result.summary.solver.status,
            "decide_s": fill_s, "decide_median_s": med(fill_s),
            "priority_s": prio_s, "priority_median_s": med(prio_s),
            "ratio_to_priority": med(fill_s) / med(prio_s),
            "cli_s": [c.wall for c in cli], "cli_median_s": med([c.wall for c in cli])
            if cli else None,
            "cli_peak_mib": med([c.peak_mib for c in cli]) if cli else None,
            "solve_component_s": own_s, "solve_component_median_s": med(own_s),
            "oracle_calls": sum(r.stats.stages for r in own),
            "methods": sorted({r.stats.method for r in own}),
            "highs_wall_s": highs_wall, "highs_wall_median_s": med(highs_wall),
            "highs_solver_median_s": sum(r.stats.seconds for r in raw),
            "highs_mips": sum(r.stats.stages for r in raw),
            "compared": cmp.height, "disagreements": disagree,
            "groups_agree": _agree(own, raw),
        }
        if disagree or not row["groups_agree"] or cmp.height != sum(p.n for p in problems):
            raise AssertionError(f"fill {size}: HiGHS and the engine disagree "
                                 f"({disagree} statuses)")
        log(f"fill {size:>9,}: decide {row['decide_median_s']:.2f} s (priority "
            f"{row['priority_median_s']:.2f} s, {row['ratio_to_priority']:.1f}x), "
            f"solve_component {row['solve_component_median_s']:.2f} s "
            f"({row['oracle_calls']} flows), HiGHS {row['highs_wall_median_s']:.2f} s "
            f"({row['highs_mips']} MIPs), {cmp.height:,} statuses agree")
        rows.append(row)
    return rows


def part_country_what_if(plan: Plan, data: Path, log: Callable[[str], None]
                         ) -> list[dict[str, Any]]:
    """One quota changed on the uncoupled country, decided again with the stage cache."""
    if not plan.country_what_if:
        return []
    size = plan.country_what_if
    scenario = load(instance(data, size, plan.seed, coupled=False))
    row = {"size": size, "seed": plan.seed, **what_if(scenario, plan.reps(size))}
    log(f"what-if country {size:,}: {row['pool']} {row['quota_from']} -> {row['quota_to']}: "
        f"{row['median_s']:.2f} s, {row['statuses_changed']} statuses changed")
    return [row]


def _listed_rows(path: Path) -> int:
    """Candidates on the workbook's "Danh sách" sheet: the rows of its autofilter range (the
    header row and the list under it)."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode("utf-8")
        names = re.findall(r'<sheet name="([^"]+)"', book)
        index = names.index("Danh sách") + 1
        sheet = z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8", "replace")
    found = re.search(r'<autoFilter ref="[A-Z]+(\d+):[A-Z]+(\d+)"', sheet)
    return int(found.group(2)) - int(found.group(1)) if found else -1


def _documents_of(result: RunResult, reps: int, work: Path, workbook: bool) -> dict[str, Any]:
    """Medians of the result workbook, ``explain`` of one candidate per status and the
    letters, each checked: the workbook lists every candidate, every explanation names its
    candidate, one letter per (managing, organising agency) with ties."""
    row: dict[str, Any] = {}
    if workbook:
        times = []
        for i in range(reps):
            folder = work / f"documents-{i}"
            times.append(clock(partial(write_result_workbook, result, folder))[0])
            listed = _listed_rows(folder / WORKBOOK)
            if listed != result.candidates.height:
                raise AssertionError(f"the workbook lists {listed} of "
                                     f"{result.candidates.height} candidates")
            shutil.rmtree(folder)
        row["workbook_median_s"] = med(times)
    explained: dict[str, float] = {}
    for status in ("selected", "not_selected", "ineligible", "escalated"):
        ids = result.candidates.filter(pl.col("status") == status)["candidate_id"]
        if ids.len() == 0:
            continue
        cid = str(ids[ids.len() // 2])
        times = []
        for _ in range(reps):
            took, text = clock(partial(explain, result, cid))
            if cid not in text:
                raise AssertionError(f"the explanation of {cid} does not name them")
            times.append(took)
        explained[status] = med(times)
    row["explain_median_s"] = explained
    times = []
    for i in range(reps):
        folder = work / f"letters-{i}"
        took, written = clock(partial(write_letters, result, folder))
        if len(written) != len({(g.managing_agency_id, g.pools[0].split("|", 1)[0])
                                 for g in result.groups}):
            raise AssertionError("one letter per managing and organising agency expected")
        times.append(took)
        shutil.rmtree(folder, ignore_errors=True)
    row["letters_median_s"] = med(times)
    row["letters"] = len(written)
    return row


def part_documents(plan: Plan, data: Path, work: Path, log: Callable[[str], None]
                   ) -> list[dict[str, Any]]:
    """The documents on decided rounds: the result workbook, ``explain`` and the letters on
    the coupled provinces; ``explain`` and the letters on the uncoupled country (its
    workbook is not written by default)."""
    rows = []
    cases = [(n, True) for n in plan.documents]
    if plan.documents_country:
        cases.append((plan.documents_country, False))
    for size, coupled in cases:
        result = decide(load(instance(data, size, plan.seed, coupled=coupled)), Options())
        row = {"size": size, "coupled": coupled,
               **_documents_of(result, plan.reps(size), work, workbook=coupled)}
        rows.append(row)
        wb = f"workbook {row['workbook_median_s']:.2f} s, " if coupled else ""
        log(f"documents {'coupled' if coupled else 'uncoupled'} {size:,}: {wb}explain "
            f"{max(row['explain_median_s'].values()):.3f} s (slowest status), "
            f"{row['letters']} letters {row['letters_median_s']:.2f} s")
    return rows


def part_checked(plan: Plan, data: Path, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """The checker on small instances, uncoupled and coupled, and HiGHS on their components."""
    rows = []
    for size in plan.checked:
        for coupled in (False, True):
            for seed in plan.coupled_seeds:
                folder = instance(data, size, seed, coupled=coupled)
                scenario = load(folder)
                result = decide(scenario, Options())
                prep = prepare(scenario)
                problems = prep.split.problems
                # pools.csv is left out (checker.pool_table_problems): its invariant is known
                # to break for tie groups spanning pools.
                violations = checker.check(scenario, result.decisions, result.escalations)
                mine = statuses_of(problems, solve_highs(prep.split)[1])
                disagree = mine.join(result.decisions.select("candidate_id", "status"),
                                     on="candidate_id", suffix="_engine").filter(
                    pl.col("status") != pl.col("status_engine")).height
                if violations or disagree:
                    raise AssertionError(f"{folder.name}: {violations[:5]}, {disagree} "
                                         "statuses differ from HiGHS")
                rows.append({"size": size, "seed": seed, "coupled": coupled,
                             "violations": 0, "highs_compared": mine.height,
                             "selected": result.summary.counts.selected,
                             "escalated": result.summary.counts.escalated})
        log(f"checker: {len(rows)} instances of {size:,} candidates pass")
    return rows


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal"))
        mem_gib = round(mem / 1024 / 1024, 1)
    except (OSError, StopIteration):
        mem_gib = 0.0
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem_gib,
        "os": platform.platform(), "python": platform.python_version(),
        "polars": version("polars"), "ortools": version("ortools"),
        "highspy": version("highspy"), "commit": commit,
    }


def _fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}"


def _fmt_mib(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f}"


def report(res: dict[str, Any]) -> str:
    m = res["machine"]
    out = [
        "# Benchmarks / Đo hiệu năng",
        "",
        f"Run `{res['command']}` on {res['date']} — commit `{m['commit']}`.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}; "
        f"Python {m['python']}, polars {m['polars']}, OR-Tools {m['ortools']}, "
        f"highspy {m['highspy']}.",
        f"Load average (1/5/15 min) at start {res['load_start']}, at end {res['load_end']} "
        "— the machine is shared with other sessions' test runs; times are wall-clock "
        "medians and include that noise.",
        "",
        "Protocol: `benchmarks/PROTOCOL.md`. Every row is measured side by side in this run, "
        "with fixed seeds; medians over the repetitions shown.",
        "",
    ]
    t = res["targets"]
    if t:
        out += ["## Targets / Mục tiêu", "", "| target | measured | met |", "|---|---|---|"]
        out += [f"| {x['target']} | {x['measured']} | {'yes' if x['met'] else 'NO'} |"
                for x in t]
        out.append("")
    out += [
        "## Uncoupled pools: end to end against the polars floors",
        "",
        "End to end = `allocator run DIR --out OUT --no-history --no-xlsx -q` in a child "
        "process (start-up, read, validate, decide, write). End-to-end floor = "
        "`benchmarks/floor.py` in a child process: read the same candidates.csv, form the pools "
        "(a join on the unit's parent), sort by the priority key, cut at the quota with tie "
        "detection, write decisions.csv — no eligibility, no validation, no other output. CPU = "
        "user + system time of the child (`getrusage(RUSAGE_CHILDREN)`). Bare floor = the "
        "sort-and-cut alone on the already-loaded table, in the benchmark process.",
        "",
        "| candidates | runs | end to end (s) | CPU (s) | e2e floor (s) | floor CPU (s) | "
        "ratio wall | ratio CPU | bare floor (s) | ratio to bare | peak RSS (MiB) | engine "
        "stages (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in res["uncoupled"]:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r["timings_s"].items())
        out.append(f"| {r['size']:,} | {r['reps']} | {_fmt_s(r['e2e_median_s'])} | "
                   f"{_fmt_s(r['e2e_cpu_median_s'])} | {_fmt_s(r['floor_e2e_median_s'])} | "
                   f"{_fmt_s(r['floor_e2e_cpu_median_s'])} | {r['ratio_e2e_wall']:.1f}× | "
                   f"{r['ratio_e2e_cpu']:.1f}× | {_fmt_s(r['floor_median_s'])} | "
                   f"{r['ratio']:.1f}× | {r['peak_median_mib']:.0f} | {stages} |")
    out += [
        "",
        "## Coupled province (department limits per rank, unit limits, a budget)",
        "",
        "decide = `allocator.engine.flow.decide` on the loaded scenario: proven priority-optimal, "
        "every tie classified. CLI = `allocator run` end to end. solve_component = the "
        "engine's solver alone on the components; HiGHS = the independent MIP method "
        "(`allocator/verify/highs.py`) on the same components (wall time including the "
        "transfer to its helper process; solver time inside it in brackets).",
        "",
        "| candidates | seed | eligible | components (largest) | classes | constraints | "
        "decide (s) | CLI (s) | CLI peak (MiB) | solve_component (s) | HiGHS (s) | HiGHS "
        "MIPs | statuses compared | disagree | escalated (groups) |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in res["coupled"]:
        out.append(
            f"| {r['candidates']:,} | {r['seed']} | {r['eligible']:,} | {r['components']} "
            f"({r['largest_component']:,}) | {r['classes']:,} | {r['constraints']:,} | "
            f"{_fmt_s(r['decide_median_s'])} | {_fmt_s(r['cli_median_s'])} | "
            f"{_fmt_mib(r['cli_peak_mib'])} | {_fmt_s(r['solve_component_median_s'])} | "
            f"{_fmt_s(r['highs_wall_median_s'])} ({_fmt_s(r['highs_solver_median_s'])}) | "
            f"{r['highs_mips']} | {r['compared']:,} | {r['disagreements']} | "
            f"{r['escalated']} ({r['tie_groups']}) |")
    out += [
        "",
        "## By hand: sort and cut each pool, ignoring the couplings",
        "",
        "Each pool sorted by the legal priority order and cut at its quota (exact ties broken "
        "by candidate id), as a planner without the engine would; compared with the engine.",
        "",
        "| candidates | seed | by-hand winners | engine winners | by-hand winners the engine "
        "rejects | engine winners by hand misses | limits exceeded | seats over limits | "
        "budget overrun |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in res["coupled"]:
        h = r["by_hand"]
        out.append(
            f"| {r['candidates']:,} | {r['seed']} | {h['hand_selected']:,} | "
            f"{h['engine_selected']:,} | {h['hand_wins_engine_rejects']:,} | "
            f"{h['engine_wins_hand_misses']:,} | {h['limits_exceeded']} of "
            f"{h['limits_total']} | {h['seats_over_limits']:,} | {h['budget_over_pct']}% |")
    out += [
        "",
        "## What-if: one quota changed",
        "",
        "The quota of the largest pool whose seats are all taken −1 (so that the change "
        "matters); `decide(changed, Options(cache=cache))` timed after "
        "`decide(base, Options(cache=cache))` filled the cache (a fresh cache each repetition); "
        "the answer equals a run without cache.",
        "",
        "| candidates | seed | pool | quota | re-run (s) | components reused / total | "
        "statuses changed |",
        "|---:|---:|---|---|---:|---|---:|",
    ]
    for r in res["coupled"]:
        w = r["what_if"]
        pool = w["pool"].replace("|", "\\|")
        out.append(f"| {r['candidates']:,} | {r['seed']} | {pool} | {w['quota_from']} → "
                   f"{w['quota_to']} | {_fmt_s(w['median_s'])} | {w['reused_components']} / "
                   f"{w['components']} | {w['statuses_changed']} |")
    out += [
        "",
        "## fill: the most winners, then priority (coupled province with a budget)",
        "",
        "The coupled province of the table above (seed 1) with `objective = \"fill\"`. decide "
        "= `allocator.engine.flow.decide`, proven; priority = the same instance decided with "
        "`objective = \"priority\"`, alternating with it. solve_component = the engine's fill "
        "path on the components (`allocator/solve/fill.py`: min-cost flows); HiGHS = the "
        "independent MIP method on the same components (wall, including the transfer to its "
        "helper process); every status, tie group, class count and blocker compared.",
        "",
        "| candidates | eligible | decide fill (s) | decide priority (s) | fill ÷ priority | "
        "CLI fill (s) | CLI peak (MiB) | solve_component (s) | flows | HiGHS (s) | HiGHS MIPs "
        "| statuses compared | disagree | escalated |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res.get("fill", []):
        out.append(
            f"| {r['candidates']:,} | {r['eligible']:,} | {_fmt_s(r['decide_median_s'])} | "
            f"{_fmt_s(r['priority_median_s'])} | {r['ratio_to_priority']:.1f}× | "
            f"{_fmt_s(r['cli_median_s'])} | {_fmt_mib(r['cli_peak_mib'])} | "
            f"{_fmt_s(r['solve_component_median_s'])} | {r['oracle_calls']} | "
            f"{_fmt_s(r['highs_wall_median_s'])} | {r['highs_mips']} | {r['compared']:,} | "
            f"{r['disagreements']} | {r['escalated']} |")
    out += [
        "",
        "## What-if on the country: one quota changed",
        "",
        "The uncoupled country; the quota of its largest full pool −1, decided with the stage "
        "cache of the base run (`decide(changed, Options(cache=cache))`, a fresh cache each "
        "repetition); the answer equals a run without cache. First run = the base decided "
        "without a cache, in the same process.",
        "",
        "| candidates | pool | quota | first run (s) | re-run with cache (s) | statuses changed |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for r in res.get("country_what_if", []):
        pool = r["pool"].replace("|", "\\|")
        out.append(f"| {r['size']:,} | {pool} | {r['quota_from']} → {r['quota_to']} | "
                   f"{_fmt_s(r['first_run_s'])} | {_fmt_s(r['median_s'])} | "
                   f"{r['statuses_changed']} |")
    out += [
        "", "## Documents / Văn bản", "",
        "On the decided round, in the benchmark process: `write_result_workbook` (ket-qua.xlsx; "
        "checked to list every candidate), `explain` of one candidate per status (the slowest "
        "shown; each names its candidate), `write_letters` (one DOCX per managing and "
        "organising agency with ties).",
        "",
        "| round | candidates | result workbook (s) | explain, slowest status (s) | letters | "
        "letters (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in res.get("documents", []):
        wb = _fmt_s(r.get("workbook_median_s")) if r["coupled"] else "not written"
        out.append(f"| {'coupled' if r['coupled'] else 'uncoupled'} | {r['size']:,} | {wb} | "
                   f"{max(r['explain_median_s'].values()):.3f} | {r['letters']} | "
                   f"{r['letters_median_s']:.2f} |")
    out += ["", "## Checked", ""]
    for r in res["checked"]:
        out.append(f"- {'coupled' if r['coupled'] else 'uncoupled'} {r['size']:,} candidates, "
                   f"seed {r['seed']}: `allocator.verify.checker.check` passes; HiGHS agrees on "
                   f"{r['highs_compared']:,} coupled statuses.")
    out += ["", "Plots: `time.png` (time against size), `memory.png` (peak memory against "
            "size).", ""]
    return "\n".join(out)


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for r in res["uncoupled"]:
        if r["size"] == 1_000_000:
            out.append({"target": "uncoupled 10^6 end to end within 2× the end-to-end floor "
                                  "(wall)",
                        "measured": f"{r['ratio_e2e_wall']:.1f}× ({_fmt_s(r['e2e_median_s'])} s "
                                    f"against {_fmt_s(r['floor_e2e_median_s'])} s)",
                        "met": r["ratio_e2e_wall"] <= 2})
            out.append({"target": "uncoupled 10^6 end to end within 2× the end-to-end floor "
                                  "(CPU)",
                        "measured": f"{r['ratio_e2e_cpu']:.1f}× "
                                    f"({_fmt_s(r['e2e_cpu_median_s'])} s against "
                                    f"{_fmt_s(r['floor_e2e_cpu_median_s'])} s)",
                        "met": r["ratio_e2e_cpu"] <= 2})
            out.append({"target": "uncoupled 10^6 end to end within 3× the bare floor",
                        "measured": f"{r['ratio']:.1f}× ({_fmt_s(r['e2e_median_s'])} s against "
                                    f"{_fmt_s(r['floor_median_s'])} s)",
                        "met": r["ratio"] <= 3})
            out.append({"target": "uncoupled 10^6 peak memory under 2 GiB",
                        "measured": f"{r['peak_median_mib'] / 1024:.2f} GiB",
                        "met": r["peak_median_mib"] < 2048})
    for r in res.get("fill", []):
        if r["size"] == 100_000:
            out.append({"target": "fill on the 10^5 province proven within 10× priority",
                        "measured": f"{r['ratio_to_priority']:.1f}× "
                                    f"({_fmt_s(r['decide_median_s'])} s against "
                                    f"{_fmt_s(r['priority_median_s'])} s)",
                        "met": r["ratio_to_priority"] <= 10
                        and r["solver_status"] == "optimal"})
    if res.get("fill"):
        slow = [r["size"] for r in res["fill"]
                if r["solve_component_median_s"] >= r["highs_wall_median_s"]]
        out.append({"target": "fill faster than the HiGHS method on every fill benchmark",
                    "measured": ", ".join(
                        f"{r['size']:,}: {_fmt_s(r['solve_component_median_s'])} s against "
                        f"{_fmt_s(r['highs_wall_median_s'])} s" for r in res["fill"]),
                    "met": not slow})
    big = [r for r in res["coupled"] if r["size"] == 100_000]
    if big:
        worst = max(r["decide_median_s"] for r in big)
        out.append({"target": "coupled 10^5 proven optimal, ties classified, under 20 s",
                    "measured": f"decide {_fmt_s(worst)} s (worst seed); CLI end to end "
                                f"{_fmt_s(max(r['cli_median_s'] or 0 for r in big))} s",
                    "met": worst < 20})
        wi = max(r["what_if"]["median_s"] for r in big)
        out.append({"target": "one-quota what-if re-run on the 10^5 province under 1 s",
                    "measured": f"{_fmt_s(wi)} s (worst seed)", "met": wi < 1})
    for r in res.get("documents", []):
        if r["coupled"] and r["size"] == 100_000:
            out.append({"target": "result workbook of 10^5 candidates under 10 s",
                        "measured": f"{_fmt_s(r['workbook_median_s'])} s",
                        "met": r["workbook_median_s"] < 10})
        if r["size"] == 1_000_000:
            slowest = max(r["explain_median_s"].values())
            out.append({"target": "explain of one candidate at 10^6 under 1 s beyond loading",
                        "measured": f"{slowest:.3f} s (slowest status)", "met": slowest < 1})
            out.append({"target": "letters at 10^6 under 1 s beyond loading",
                        "measured": f"{r['letters_median_s']:.2f} s for {r['letters']} letters",
                        "met": r["letters_median_s"] < 1})
    if res["coupled"] or res.get("fill"):
        n = sum(r["compared"] for r in [*res["coupled"], *res.get("fill", [])])
        bad = sum(r["disagreements"] for r in [*res["coupled"], *res.get("fill", [])])
        out.append({"target": "the independent method agrees on every status",
                    "measured": f"{n:,} statuses compared, {bad} differ",
                    "met": bad == 0})
    return out


def plots(res: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    u = res["uncoupled"]
    c = res["coupled"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if u:
        xs = [r["size"] for r in u]
        ax.plot(xs, [r["e2e_median_s"] for r in u], "o-", label="uncoupled: allocator run")
        ax.plot(xs, [r["floor_median_s"] for r in u], "s--", label="uncoupled: polars floor")
    if c:
        xs = [r["candidates"] for r in c]
        ax.plot(xs, [r["decide_median_s"] for r in c], "^", ms=9, label="coupled: decide")
        if all(r["cli_median_s"] is not None for r in c):
            ax.plot(xs, [r["cli_median_s"] for r in c], "v", ms=9,
                    label="coupled: allocator run")
        ax.plot(xs, [r["highs_wall_median_s"] for r in c], "D", label="coupled: HiGHS method")
        ax.plot(xs, [r["what_if"]["median_s"] for r in c], "*", ms=11,
                label="coupled: what-if re-run")
    f = res.get("fill", [])
    if f:
        xs = [r["candidates"] for r in f]
        ax.plot(xs, [r["decide_median_s"] for r in f], "P-", label="fill: decide")
        ax.plot(xs, [r["highs_wall_median_s"] for r in f], "X--", label="fill: HiGHS method")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("candidates / ứng viên")
    ax.set_ylabel("seconds (median) / giây")
    ax.set_title("Time against size / Thời gian theo quy mô")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "time.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    if u:
        ax.plot([r["size"] for r in u], [r["peak_median_mib"] for r in u], "o-",
                label="uncoupled: allocator run")
    if c and all(r["cli_peak_mib"] is not None for r in c):
        ax.plot([r["candidates"] for r in c], [r["cli_peak_mib"] for r in c], "v", ms=9,
                label="coupled: allocator run")
    ax.axhline(4096, color="red", ls=":", label="target 4 GiB")
    ax.set_xscale("log")
    ax.set_xlabel("candidates / ứng viên")
    ax.set_ylabel("peak RSS (MiB)")
    ax.set_title("Peak memory against size / Bộ nhớ đỉnh theo quy mô")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "memory.png", dpi=120)
    plt.close(fig)


def _load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only (the test)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="where results.md, results.json and the plots go")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir())
                        / "allocator-bench", help="generated scenarios (kept between runs)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    args.data.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - start:7.1f} s] {msg}", flush=True)

    res: dict[str, Any] = {
        "command": "python benchmarks/run.py" + (" --quick" if args.quick else ""),
        "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
        "machine": machine(), "load_start": _load_average(),
    }
    log(f"machine: {res['machine']['cpu']}, {res['machine']['cores']} cores; load "
        f"{res['load_start']}")
    # Warm-up (imports, the HiGHS helper) outside every timing.
    warm = load(instance(args.data, 300, plan.seed, coupled=True))
    decide(warm, Options())
    highs.solve_many(prepare(warm).split.problems)
    with tempfile.TemporaryDirectory(prefix="allocator-bench-") as tmp:
        work = Path(tmp)
        res["checked"] = part_checked(plan, args.data, log)
        res["uncoupled"] = part_uncoupled(plan, args.data, work, log)
        res["coupled"] = part_coupled(plan, args.data, work, log)
        res["fill"] = part_fill(plan, args.data, work, log)
        res["documents"] = part_documents(plan, args.data, work, log)
    res["country_what_if"] = part_country_what_if(plan, args.data, log)
    res["load_end"] = _load_average()
    res["targets"] = targets(res)
    res["total_s"] = round(time.perf_counter() - start, 1)
    (args.out / "results.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    (args.out / "results.md").write_text(report(res), encoding="utf-8")
    plots(res, args.out)
    log(f"written {args.out / 'results.md'}")
    return res


if __name__ == "__main__":
    main()
