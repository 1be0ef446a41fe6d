"""The run's tables and summary from the allocation: decisions.csv, pools.csv,
escalations.csv and summary.json (SCENARIO.md, outputs)."""

from __future__ import annotations

import polars as pl

from allocator import __version__
from allocator.engine.allocate import Allocation
from allocator.engine.components import POOL
from allocator.engine.decided_by import add_decided_by
from allocator.engine.frames import attach
from allocator.engine.pools import key_columns
from allocator.engine.prepare import Prepared
from models.enums import Status
from models.result import (
    Counts,
    RuleSetRef,
    RunResult,
    Summary,
    TieGroup,
    TieGroupSummary,
    legal_readings,
    run_warnings,
)
from models.scenario import Scenario

DECISION_COLUMNS = ("candidate_id", "status", "agency_id", "target_title", "priority_rank",
                    "reasons", "decided_by", "tie_group")


def assemble(scenario: Scenario, prep: Prepared, alloc: Allocation, groups: list[TieGroup],
             *, digest: str, rulings_applied: int) -> RunResult:
    """Every output of the run (timings are added by the caller)."""
    frame = _outcomes(scenario, prep.candidates, alloc, groups)
    decisions = _decisions(frame)
    pools = _pools(frame, prep, groups)
    if scenario.rule_set.regime == "levels":
        decisions, pools = _by_position(decisions), _by_position(pools)
    escalations = _escalations(groups)
    summary = _summary(scenario, decisions, pools, alloc, groups, digest, rulings_applied)
    return RunResult(scenario, frame, decisions, pools, escalations, tuple(groups), summary)


def _outcomes(scenario: Scenario, cands: pl.DataFrame, alloc: Allocation,
              groups: list[TieGroup]) -> pl.DataFrame:
    """Every candidate with status, public tie group and ``decided_by``."""
    public = {g.key: g.tie_group for g in groups}
    frame = attach(cands, alloc.statuses, "candidate_id")
    frame = frame.with_columns(
        pl.when(pl.col("eligible")).then(pl.col("status"))
        .otherwise(pl.lit(Status.ineligible.value)).alias("status"),
        pl.col("_group").replace_strict(public, default=None, return_dtype=pl.Utf8)
        .alias("tie_group"),
    )
    rs = scenario.rule_set
    eligible = add_decided_by(frame.filter(pl.col("eligible")).select(
        "candidate_id", "status", POOL, "quota", "_blocker", *key_columns(rs)), rs)
    frame = attach(frame, eligible.select("candidate_id", "decided_by"), "candidate_id")
    return frame.with_columns(
        pl.when(pl.col("status") == Status.escalated.value).then(pl.col("tie_group"))
        .alias("tie_group"))


def _decisions(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(*DECISION_COLUMNS).with_columns(
        pl.when(pl.col("agency_id").is_null()).then(pl.lit(None, pl.Utf8))
        .otherwise(pl.col("target_title")).alias("target_title")
    ).sort("candidate_id")


def _by_position(frame: pl.DataFrame) -> pl.DataFrame:
    """A table of a round of career levels: the pool named by ``job_position`` (catalogue
    code) and ``target_level`` instead of the internal ``target_title``."""
    title = pl.col("target_title")
    out = frame.with_columns(
        title.str.extract(r"^(.*)@\d$", 1).alias("job_position"),
        title.str.extract(r"@(\d)$", 1).cast(pl.Int64).alias("target_level"),
    )
    at = frame.columns.index("target_title")
    return out.select(*frame.columns[:at], "job_position", "target_level",
                        *frame.columns[at + 1:])


def _escalated_seats(frame: pl.DataFrame, groups: list[TieGroup]) -> dict[str, int]:
    """Seats of the tie groups per pool; a pool holds at most as many of a group's seats as
    it has members in the group."""
    seats: dict[str, int] = {}
    spanning = [c for g in groups if len(g.pools) > 1 for c in g.members]
    pool_of: dict[str, str] = dict(frame.filter(pl.col("candidate_id").is_in(spanning))
                                   .select("candidate_id", POOL).iter_rows()) if spanning else {}
    for g in groups:
        if len(g.pools) == 1:
            seats[g.pools[0]] = seats.get(g.pools[0], 0) + g.seats
            continue
        for p in g.pools:
            n_here = sum(1 for c in g.members if pool_of[c] == p)
            seats[p] = seats.get(p, 0) + min(g.seats, n_here)
    return seats


def _pools(frame: pl.DataFrame, prep: Prepared, groups: list[TieGroup]) -> pl.DataFrame:
    per_pool = frame.filter(pl.col("eligible")).select(POOL, "status").group_by(POOL).agg(
        pl.len().alias("eligible"),
        (pl.col("status") == Status.selected.value).sum().alias("selected"),
    )
    seats = _escalated_seats(frame, groups)
    return (
        prep.quotas.join(per_pool, on=POOL, how="left")
        .with_columns(
            pl.col("eligible").fill_null(0).cast(pl.Int64),
            pl.col("selected").fill_null(0).cast(pl.Int64),
            pl.col(POOL).replace_strict(seats, default=0, return_dtype=pl.Int64)
            .alias("escalated_seats"),
        )
        .with_columns(
            (pl.col("quota") - pl.col("selected") - pl.col("escalated_seats")).clip(0)
            .alias("unused")
        )
        .select("agency_id", "target_title", "quota", "eligible", "selected",
                "escalated_seats", "unused")
        .sort("agency_id", "target_title")
    )


def _escalations(groups: list[TieGroup]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "tie_group": [g.tie_group for g in groups],
            "managing_agency_id": [g.managing_agency_id for g in groups],
            "seats": [g.seats for g in groups],
            "candidate_ids": [";".join(g.members) for g in groups],
        },
        schema={"tie_group": pl.Utf8, "managing_agency_id": pl.Utf8, "seats": pl.Int64,
                "candidate_ids": pl.Utf8},
    )


def _summary(scenario: Scenario, decisions: pl.DataFrame, pools: pl.DataFrame,
             alloc: Allocation, groups: list[TieGroup], digest: str,
             rulings_applied: int) -> Summary:
    by_status = dict(decisions.group_by("status").len().iter_rows())
    rs, settings = scenario.rule_set, scenario.settings
    ineligible = by_status.get(Status.ineligible.value, 0)
    return Summary(
        scenario=settings.name,
        engine_version=__version__,
        rule_set=RuleSetRef(id=rs.id, version=rs.version, name=rs.name_en),
        objective=settings.objective,
        deadline=settings.deadline.isoformat(),
        input_digest=digest,
        counts=Counts(
            candidates=decisions.height,
            eligible=decisions.height - ineligible,
            ineligible=ineligible,
            selected=by_status.get(Status.selected.value, 0),
            not_selected=by_status.get(Status.not_selected.value, 0),
            escalated=by_status.get(Status.escalated.value, 0),
            seats=int(pools["quota"].sum()),
            escalated_seats=int(pools["escalated_seats"].sum()),
            unused_seats=int(pools["unused"].sum()),
            tie_groups=len(groups),
            authority_decisions_applied=rulings_applied,
        ),
        solver=alloc.solver,
        tie_groups=tuple(TieGroupSummary(tie_group=g.tie_group, reason=g.reason, pools=g.pools)
                         for g in groups),
        warnings=run_warnings(scenario),
        legal_readings=legal_readings(scenario),
    )
