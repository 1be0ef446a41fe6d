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


def _escalated_seats(frame: pl.DataFrame, groups: list[TieGroup],
                     open_seats: dict[str, int]) -> dict[str, int]:
    """Seats of the tie groups per pool (docs/ties.md, "Seats of a group in pools.csv").

    A group of one pool puts its seats there. The seats of a group spanning pools are
    attributed by a maximum flow from the groups to the pools, each pool taking at most
    its open seats (quota − selected, less what groups of that pool alone took) and, from
    one group, at most its members there; augmenting paths are searched in a fixed order
    (groups by public id, pools by key), so the attribution is deterministic. Per pool,
    selected + escalated_seats + unused = quota and escalated_seats never exceeds its
    open seats nor its escalated members."""
    seats: dict[str, int] = {}
    spanning = [g for g in groups if len(g.pools) > 1]
    for g in groups:
        if len(g.pools) == 1:
            seats[g.pools[0]] = seats.get(g.pools[0], 0) + g.seats
    if not spanning:
        return seats
    ids = [c for g in spanning for c in g.members]
    pool_of: dict[str, str] = dict(frame.filter(pl.col("candidate_id").is_in(ids))
                                   .select("candidate_id", POOL).iter_rows())
    room = {p: max(0, open_seats.get(p, 0) - seats.get(p, 0))
            for g in spanning for p in g.pools}
    order = sorted(spanning, key=lambda g: (g.tie_group, g.key))
    edge: list[dict[str, int]] = []  # per group: pool -> most of its members there
    for g in order:
        here: dict[str, int] = {}
        for c in g.members:
            here[pool_of[c]] = here.get(pool_of[c], 0) + 1
        edge.append(here)
    flow = attribute_seats([g.seats for g in order], edge, room)
    for here in flow:
        for p, s in here.items():
            seats[p] = seats.get(p, 0) + s
    return seats


def attribute_seats(demand: list[int], edge: list[dict[str, int]], room: dict[str, int],
                    ) -> list[dict[str, int]]:
    """A maximum flow from groups (each ``demand[g]`` seats, at most ``edge[g][p]`` into
    pool ``p``) to pools (each at most ``room[p]``): augmenting paths found breadth first,
    groups and pools visited in a fixed order. Returns the seats per group and pool."""
    flow: list[dict[str, int]] = [dict.fromkeys(sorted(e), 0) for e in edge]
    used = dict.fromkeys(room, 0)
    for g, want in enumerate(demand):
        for _ in range(want):
            path = _augmenting(g, flow, edge, room, used)
            if path is None:
                break
            for a, p, sign in path:
                flow[a][p] += sign
            used[path[0][1]] += 1  # the pool the path ends in takes one more seat
    return [{p: s for p, s in here.items() if s} for here in flow]


def _augmenting(start: int, flow: list[dict[str, int]], edge: list[dict[str, int]],
                room: dict[str, int], used: dict[str, int]
                ) -> list[tuple[int, str, int]] | None:
    """One more seat for group ``start``: a path group → pool (← group → pool)* ending in a
    pool with room, as (group, pool, +1 or −1) steps from that pool back to ``start``;
    None when there is none."""
    back: dict[str, tuple[int, str | None]] = {}  # pool -> (group that reached it, via pool)
    seen_groups = {start}
    frontier: list[tuple[int, str | None]] = [(start, None)]
    while frontier:
        nxt: list[tuple[int, str | None]] = []
        for g, via in frontier:
            for p in sorted(edge[g]):
                if p in back or flow[g][p] >= edge[g][p]:
                    continue
                back[p] = (g, via)
                if used[p] < room[p]:
                    return _path(p, back)
                for h in range(len(flow)):
                    if h not in seen_groups and flow[h].get(p, 0) > 0:
                        seen_groups.add(h)
                        nxt.append((h, p))
        frontier = nxt
    return None


def _path(end: str, back: dict[str, tuple[int, str | None]]) -> list[tuple[int, str, int]]:
    steps: list[tuple[int, str, int]] = []
    p: str | None = end
    while p is not None:
        g, via = back[p]
        steps.append((g, p, 1))
        if via is not None:
            steps.append((g, via, -1))
        p = via
    return steps


def _pools(frame: pl.DataFrame, prep: Prepared, groups: list[TieGroup]) -> pl.DataFrame:
    per_pool = frame.filter(pl.col("eligible")).select(POOL, "status").group_by(POOL).agg(
        pl.len().alias("eligible"),
        (pl.col("status") == Status.selected.value).sum().alias("selected"),
    )
    open_seats = {p: int(q) - int(sel) for p, q, sel in prep.quotas.select(POOL, "quota")
                  .join(per_pool, on=POOL, how="left")
                  .select(POOL, "quota", pl.col("selected").fill_null(0)).iter_rows()}
    seats = _escalated_seats(frame, groups, open_seats)
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
