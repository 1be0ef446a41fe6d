"""The whole flow, one call per stage (README "How it decides"):

load → validate → eligibility → pools and priority → independent components → solve →
classify ties → rulings → outputs.

:func:`run` takes a scenario on disk, :func:`decide` an already loaded one. Every stage
lives in its own module; this one only calls them in order.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from allocator.engine import rulings, ties
from allocator.engine.allocate import Allocation, allocate
from allocator.engine.assemble import assemble
from allocator.engine.digest import input_digest
from allocator.engine.frames import attach
from allocator.engine.options import Options
from allocator.engine.prepare import Prepared, prepare
from allocator.engine.progress import Progress, Silent
from allocator.io.loader import load
from models.enums import Status
from models.result import RunResult, TieGroup
from models.scenario import Scenario


def run(path: Path, options: Options | None = None, progress: Progress | None = None,
        lists: Sequence[Path] = ()) -> RunResult:
    """Load a scenario (folder, workbook or variant; with the agencies' workbooks ``lists``)
    and decide it."""
    progress = progress or Silent()
    progress.stage("load")
    start = time.perf_counter()
    scenario = load(path, lists=lists)
    return decide(scenario, options, progress, {"load": time.perf_counter() - start})


def decide(scenario: Scenario, options: Options | None = None,
           progress: Progress | None = None,
           timings: dict[str, float] | None = None) -> RunResult:
    """Decide a validated scenario."""
    options, progress = options or Options(), progress or Silent()
    clock = _Clock(timings)
    # The input digest needs no decision: computed beside the engine (polars and hashlib
    # release the GIL while they work).
    with ThreadPoolExecutor(max_workers=1) as beside:
        digest = beside.submit(input_digest, scenario)
        with clock("eligibility", progress):
            prep = prepare(scenario, options.cache)
        with clock("solve", progress):
            alloc = allocate(prep, scenario, options, {}, progress)
            groups = _numbered(prep, alloc.groups)
        applied = 0
        if scenario.decisions.height:
            with clock("authority", progress):
                alloc, groups, applied = _apply_rulings(prep, scenario, options, progress,
                                                        alloc, groups)
        with clock("outputs", progress):
            result = assemble(scenario, prep, alloc, groups, digest=digest.result(),
                              rulings_applied=applied)
    timings_s = {k: round(v, 3) for k, v in clock.timings.items()}
    return dataclasses.replace(
        result, timings=clock.timings,
        summary=result.summary.model_copy(update={"timings_s": timings_s}))


def _apply_rulings(prep: Prepared, scenario: Scenario, options: Options, progress: Progress,
                   first: Allocation, groups: list[TieGroup],
                   ) -> tuple[Allocation, list[TieGroup], int]:
    """Settle the ruled tie groups and decide again; the rulings must keep an allocation
    that is priority-optimal under every shared limit."""
    label = scenario.labels.get("authority_decisions", "authority_decisions.csv")
    named = scenario.decisions["candidate_id"]
    status_of = dict(
        prep.candidates.filter(pl.col("candidate_id").is_in(named.implode()))
        .pipe(attach, first.statuses, "candidate_id", ["status"])
        .select("candidate_id", pl.col("status").fill_null(Status.ineligible.value))
        .iter_rows())
    forced = rulings.forced_choices(scenario.decisions, groups, status_of, label)
    final = allocate(prep, scenario, options, forced, progress)
    rulings.check_optimal(first.class_counts, final.class_counts, label)
    return final, _numbered(prep, final.groups), len(forced)


def _numbered(prep: Prepared, groups: list[TieGroup]) -> list[TieGroup]:
    """Tie groups with their public ids and managing agencies."""
    members = [c for g in groups for c in g.members]
    unit_of: dict[str, str] = dict(
        prep.candidates.filter(pl.col("candidate_id").is_in(members))
        .select("candidate_id", "unit_id").iter_rows()) if members else {}
    return ties.number(groups, prep.tree, unit_of)


class _Clock:
    """Seconds per stage, added up."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = dict(timings or {})

    @contextmanager
    def __call__(self, name: str, progress: Progress) -> Iterator[None]:
        if name in ("eligibility", "solve"):
            progress.stage(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
