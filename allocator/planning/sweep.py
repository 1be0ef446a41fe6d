"""Sweeps: many variants generated from a rule, run in parallel on Dask.

Rules (:func:`quota_steps`, :func:`spread`) turn a base scenario into :class:`Job`
objects: an id, a description and a variant's changes as plain data. :func:`run_sweep`
sends the base's files once to every worker (``scatter``, broadcast) and the jobs one by
one; each worker restores the files, loads the base once, applies each variant, decides
it — the CP-SAT models are built inside the worker, nothing of the solver crosses a
process boundary — and returns plain data: the comparison figures, the decisions
(compressed CSV bytes) and the summary. Workers keep the component cache between jobs,
so a variant re-solves only the coupled components its change touches.

The same code runs on a local cluster (``LocalCluster``, the default: one worker process
per core) and on a Dask distributed cluster given its scheduler address; ``workers=0``
runs the jobs in this process, one by one (no Dask).
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import os
import shutil
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import polars as pl

from allocator.engine.cache import StageCache
from allocator.engine.flow import decide
from allocator.engine.options import Options
from allocator.io import private_temp, rulesets
from allocator.io.loader import input_files, load_base
from allocator.io.raw import read_input_bytes
from allocator.io.staging import write_staged
from allocator.io.variants import Loaded, apply_variant, dump_variant
from allocator.io.variants import parse_variant as _parse_variant
from allocator.planning.compare import FIGURE_SCHEMA, figures, fill_report
from models.errors import InputError, ServiceError
from models.result import RunResult
from models.scenario import Scenario
from models.tree import UnitTree

METHODS = ("proportional", "equal", "shortage")
MAX_VARIANTS = 10_000
BASE_ID = "base"
WORKER_ENV = {"POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Job:
    """One variant of a sweep: plain data (sent to a worker as is)."""

    id: str
    description: str
    spec: dict[str, Any]  # the variant's changes, as in a variant file, without ``base``


@dataclass(frozen=True)
class Bundle:
    """The base scenario's files: resolved absolute path → content, and the entry path."""

    digest: str
    files: dict[str, bytes]
    entry: str


def bundle(base: Path) -> Bundle:
    """Read every file the base scenario consists of."""
    files = {p.as_posix(): read_input_bytes(p, p.name) for p in input_files(base)}
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return Bundle(h.hexdigest(), files, base.resolve().as_posix())


# ---------------------------------------------------------------------------------------------
# Rules that generate variants
# ---------------------------------------------------------------------------------------------


def quota_steps(scenario: Scenario, k: int, *, titles: Sequence[str] = ()) -> list[Job]:
    """Every pool's quota moved by −k … +k, one pool at a time (negative results skipped)."""
    quotas = scenario.quotas.sort("agency_id", "target_title")
    if titles:
        quotas = quotas.filter(pl.col("target_title").is_in(list(titles)))
    jobs = []
    for agency, title, quota in quotas.select("agency_id", "target_title", "quota").iter_rows():
        for delta in range(-k, k + 1):
            if delta == 0 or quota + delta < 0:
                continue
            jobs.append(Job(
                id="", description=f"{agency} {title}: {quota} → {quota + delta} ({delta:+d})",
                spec={"quotas": [{"agency_id": agency, "target_title": title,
                                  "set": quota + delta}]}))
    return _numbered(jobs)


def departments_for(scenario: Scenario, title: str) -> list[str]:
    """Departments (units directly under the root) with candidates for ``title``."""
    tree = UnitTree(scenario.units)
    depth = tree.depth
    anc = tree.ancestors.filter(pl.col("anc_id").is_in([u for u, d in depth.items() if d == 1]))
    units = scenario.candidates.filter(pl.col("target_title") == title)["unit_id"].unique()
    return sorted(anc.filter(pl.col("unit_id").is_in(units.to_list()))["anc_id"].unique()
                  .to_list())


def weights(scenario: Scenario, result: RunResult, title: str, depts: Sequence[str],
            method: str) -> list[Decimal]:
    """How much each department counts when ``title``'s seats are spread.

    proportional: candidates for the title who meet every condition (a missing quota
    aside); equal: one each; shortage: approved positions minus current holders of the
    title in the department's units (staff.csv).
    """
    tree = UnitTree(scenario.units)
    below = tree.ancestors.filter(pl.col("anc_id").is_in(list(depts))).select(
        "unit_id", pl.col("anc_id").alias("dept"))
    if method == "equal":
        return [Decimal(1)] * len(depts)
    if method == "proportional":
        ok = result.candidates.filter(
            (pl.col("target_title") == title)
            & (pl.col("reasons").is_null() | (pl.col("reasons") == "no_quota")))
        per = ok.join(below, on="unit_id").group_by("dept").len()
    elif method == "shortage":
        staff = scenario.staff.filter(pl.col("title") == title)
        per = staff.join(below, on="unit_id").group_by("dept").agg(
            (pl.col("positions").fill_null(0) - pl.col("holders")).clip(0).sum().alias("len"))
    else:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    got = dict(per.iter_rows())
    return [Decimal(int(got.get(d, 0) or 0)) for d in depts]


def apportion(total: int, w: Sequence[Decimal]) -> list[int]:
    """Largest-remainder (Hamilton) apportionment of ``total`` seats; ties go to the first."""
    s = sum(w)
    if total < 0:
        raise ValueError("total must be ≥ 0")
    if s <= 0:
        raise ValueError("every weight is zero: nothing to spread by")
    exact = [total * x / s for x in w]
    base = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    left = total - sum(base)
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return base


def spread(scenario: Scenario, result: RunResult, title: str, totals: Sequence[int],
           methods: Sequence[str] = METHODS, *, every: bool = False,
           max_variants: int = MAX_VARIANTS) -> list[Job]:
    """A total number of seats for ``title`` spread across its departments.

    For each total: one variant per method (proportional, equal, shortage); with
    ``every``, every split of the total across the departments instead. The title's
    existing pools are replaced by one pool per department.
    """
    depts = departments_for(scenario, title)
    if not depts:
        raise ValueError(f"no department has candidates for {title}")
    has_pool = bool((scenario.quotas["target_title"] == title).any())
    jobs: list[Job] = []

    def job(total: int, split: Sequence[int], how: str) -> Job:
        changes: list[dict[str, Any]] = []
        if has_pool:
            changes.append({"target_title": title, "drop": True})
        changes += [{"agency_id": d, "target_title": title, "set": n, "create": True}
                    for d, n in zip(depts, split, strict=True)]
        parts = ", ".join(f"{d}={n}" for d, n in zip(depts, split, strict=True))
        return Job("", f"{title}: {total} ({how}) — {parts}", {"quotas": changes})

    for total in totals:
        if every:
            count = _compositions_count(total, len(depts))
            if len(jobs) + count > max_variants:
                raise ValueError(f"{count} splits of {total} over {len(depts)} departments: more "
                                 f"than --max-variants {max_variants}")
            for split in _compositions(total, len(depts)):
                jobs.append(job(total, split, "every"))
            continue
        how: dict[tuple[int, ...], list[str]] = {}  # one variant per distinct split
        for method in methods:
            split = tuple(apportion(total, weights(scenario, result, title, depts, method)))
            how.setdefault(split, []).append(method)
        for split, names in how.items():
            jobs.append(job(total, split, ", ".join(names)))
    return _numbered(jobs[:max_variants])


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    out = []
    for bars in itertools.combinations(range(total + parts - 1), parts - 1):
        edges = (-1, *bars, total + parts - 1)
        out.append(tuple(edges[i + 1] - edges[i] - 1 for i in range(parts)))
    return out


def _compositions_count(total: int, parts: int) -> int:
    from math import comb

    return comb(total + parts - 1, parts - 1)


def _numbered(jobs: list[Job]) -> list[Job]:
    width = max(3, len(str(len(jobs))))
    return [Job(f"v{i:0{width}d}", j.description, j.spec) for i, j in enumerate(jobs, start=1)]


# ---------------------------------------------------------------------------------------------
# The worker side (plain data in, plain data out)
# ---------------------------------------------------------------------------------------------


TEMP_PREFIX = "allocator-sweep-"
#: Seconds to wait for a --scheduler before saying it cannot be reached.
SCHEDULER_CONNECT_S = 5
_WORKSPACES: dict[str, tuple[Path, Loaded]] = {}
_CACHES: dict[str, StageCache] = {}


def _cleanup() -> None:
    for folder, _ in _WORKSPACES.values():
        shutil.rmtree(folder, ignore_errors=True)
    _WORKSPACES.clear()


atexit.register(_cleanup)


def _mirror(folder: Path, path: Path) -> Path:
    return folder / path.relative_to(path.anchor)


def _workspace(b: Bundle) -> tuple[Path, Loaded]:
    """The base restored and loaded in this process (once per bundle)."""
    found = _WORKSPACES.get(b.digest)
    if found is None:
        folder = private_temp.make(TEMP_PREFIX)
        for path, content in b.files.items():
            target = _mirror(folder, Path(path))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        with rulesets.remapped(lambda p: _mirror(folder, p)):
            loaded = load_base(_mirror(folder, Path(b.entry)),
                               remap=lambda p: _mirror(folder, p))
        found = (folder, loaded)
        _WORKSPACES[b.digest] = found
    return found


def run_job(job: Job, bundle: Bundle) -> dict[str, Any]:
    """Decide one variant of the bundled base. Runs in a worker; returns plain data."""
    start = time.perf_counter()
    out: dict[str, Any] = {"id": job.id, "error": None}
    try:
        folder, base = _workspace(bundle)
        entry = _mirror(folder, Path(bundle.entry))
        if job.spec:
            variant = _parse_variant({"base": entry.as_posix(), **job.spec}, f"{job.id}.toml")
            scenario = apply_variant(base, variant, f"{job.id}.toml", entry.parent,
                                     remap=lambda p: _mirror(folder, p)).scenario
        else:
            scenario = base.scenario
        cache = _CACHES.setdefault(bundle.digest, StageCache())
        result = decide(scenario, Options(cache=cache))
    except InputError as exc:
        out["error"] = exc.render()
        out["seconds"] = time.perf_counter() - start
        return out
    csv = result.decisions.write_csv().encode()
    out.update(
        figures=figures(result, job.id).to_dicts(),
        summary=result.summary,
        decisions_z=zlib.compress(csv, 1),
        decisions_sha256=hashlib.sha256(csv).hexdigest(),
        rule_set_json=scenario.rule_set.model_dump_json(),
        seconds=time.perf_counter() - start,
        pid=os.getpid(),
    )
    return out


# ---------------------------------------------------------------------------------------------
# Running a sweep
# ---------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """Every job's outcome: the sweep table, the figures (compare's format), decisions."""

    jobs: list[Job]
    table: pl.DataFrame
    figures: pl.DataFrame
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    engine: str = ""
    bundle: Bundle | None = None  # the inputs as read before deciding (what is recorded)

    def decisions_csv(self, job_id: str) -> bytes:
        return zlib.decompress(self.outcomes[job_id]["decisions_z"])


Progress = Callable[[int, int], None]


def run_sweep(base: Path, jobs: Sequence[Job], *, scheduler: str | None = None,
              workers: int | None = None, include_base: bool = True,
              progress: Progress | None = None) -> SweepResult:
    """Run every job on Dask (a scheduler address, else a LocalCluster of ``workers``
    processes; ``workers=0``: in this process, one by one)."""
    start = time.perf_counter()
    b = bundle(base)
    todo = ([Job(BASE_ID, "phương án gốc / base", {})] if include_base else []) + list(jobs)
    outcomes: dict[str, dict[str, Any]] = {}
    done = 0
    if scheduler is None and workers == 0:
        engine = "serial"
        for job in todo:
            outcomes[job.id] = run_job(job, b)
            done += 1
            if progress:
                progress(done, len(todo))
    else:
        from dask.distributed import Client, LocalCluster, as_completed

        cluster = None
        if scheduler is None:
            n = workers or os.cpu_count() or 1
            # One single-threaded process per worker: polars must not spread over the cores
            # the other workers use.
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None, env=WORKER_ENV)
            client = Client(cluster)
            engine = f"LocalCluster({n} workers)"
        else:
            client = _connect(Client, scheduler)
            engine = f"Dask {scheduler}"
        try:
            shared = client.scatter(b, broadcast=True)
            futures = client.map(run_job, todo, bundle=shared, pure=False)
            for fut in as_completed(futures):
                res = fut.result()
                outcomes[res["id"]] = res
                done += 1
                if progress:
                    progress(done, len(todo))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    figs, table = _tables(todo, outcomes)
    return SweepResult(todo, table, figs, outcomes, time.perf_counter() - start, engine, b)


def _connect(client_type: Any, scheduler: str) -> Any:
    """A client of the scheduler at ``scheduler``, or a clear error within a few seconds."""
    try:
        return client_type(scheduler, timeout=SCHEDULER_CONNECT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise ServiceError(
            f"--scheduler {scheduler}",
            f"không kết nối được bộ điều phối Dask sau {SCHEDULER_CONNECT_S} giây "
            f"({type(exc).__name__})",
            f"cannot reach the Dask scheduler within {SCHEDULER_CONNECT_S} s "
            f"({type(exc).__name__})") from None


def _tables(jobs: Sequence[Job], outcomes: dict[str, dict[str, Any]]
            ) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = []
    fig_rows: list[dict[str, Any]] = []
    for job in jobs:
        res = outcomes[job.id]
        row: dict[str, Any] = {"id": job.id, "description": job.description,
                               "status": "error" if res["error"] else "ok",
                               "error": res["error"], "seconds": round(res["seconds"], 3)}
        if not res["error"]:
            total = res["figures"][0]
            row.update({k: total[k] for k in (
                "seats", "filled", "unused", "escalated_seats", "ineligible", "winners",
                "women_share", "minority_share", "escalated", "tie_groups", "components",
                "reused_components")})
            row["decisions_sha256"] = res["decisions_sha256"]
            fig_rows.extend(res["figures"])
        rows.append(row)
    schema: dict[str, Any] = {
        "id": pl.Utf8, "description": pl.Utf8, "status": pl.Utf8, "error": pl.Utf8,
        "seconds": pl.Float64,
        **{k: FIGURE_SCHEMA[k] for k in (
            "seats", "filled", "unused", "escalated_seats", "ineligible", "winners",
            "women_share", "minority_share", "escalated", "tie_groups", "components",
            "reused_components")},
        "decisions_sha256": pl.Utf8}
    table = pl.DataFrame(rows, schema=schema)
    figs = (pl.DataFrame(fig_rows, schema=FIGURE_SCHEMA) if fig_rows
            else pl.DataFrame(schema=FIGURE_SCHEMA))
    return figs, table


# ---------------------------------------------------------------------------------------------
# Writing and recording a sweep
# ---------------------------------------------------------------------------------------------


def write_sweep(out: Path, base: Path, result: SweepResult, *, keep_decisions: bool = False,
                title: str | None = None) -> list[Path]:
    """Write sweep.csv, the variant files (variants/<id>.toml), optionally each variant's
    decisions.csv, and compare's report (figures.csv, workbook, chart, HTML) into ``out``."""
    rel = Path(os.path.relpath(base.resolve(), out.resolve() / "variants")).as_posix()

    def fill(stage: Path) -> None:
        folder = stage / "variants"
        folder.mkdir()
        files: list[str | None] = []
        for job in result.jobs:
            if job.id == BASE_ID:
                files.append(None)
                continue
            text = dump_variant({"base": rel, "description": job.description, **job.spec})
            (folder / f"{job.id}.toml").write_text(text, encoding="utf-8")
            files.append(f"variants/{job.id}.toml")
            if keep_decisions and not result.outcomes[job.id]["error"]:
                (folder / f"{job.id}.decisions.csv").write_bytes(result.decisions_csv(job.id))
        table = result.table.with_columns(pl.Series("variant_file", files, pl.Utf8))
        table.write_csv(stage / "sweep.csv")
        fill_report(stage, result.figures, None,
                     title or f"Quét phương án / sweep — {len(result.jobs)} runs")

    return write_staged(out, fill)


def record_sweep(out: Path, base: Path, result: SweepResult) -> list[str]:
    """Record every successful run of a written sweep in the run history, all in one
    transaction (:class:`HistoryError` when they cannot be), from the inputs as they were
    read before deciding."""
    from allocator.planning import history

    b = result.bundle or bundle(base)
    batch = history.new_run_id()
    records = []
    for job in result.jobs:
        res = result.outcomes[job.id]
        if res["error"]:
            continue
        files = dict(b.files)
        if job.id == BASE_ID:
            inputs = base
        else:
            inputs = out / "variants" / f"{job.id}.toml"
            files[inputs.resolve().as_posix()] = inputs.read_bytes()
        records.append(history.RunRecord(
            command="sweep", inputs=inputs.resolve(), files=files, summary=res["summary"],
            decisions_csv=result.decisions_csv(job.id), rule_set_json=res["rule_set_json"],
            label=job.id, batch_id=batch))
    return history.record_many(records)
