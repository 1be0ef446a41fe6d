"""Stage 5 — split the eligible candidates into independent components.

Pools are joined when a shared limit covers candidates of both, or when both hold
candidates whose promotion costs part of a binding budget. A limit that can never bind
(no more covered candidates than its cap) and a budget that covers everyone are dropped
first: they change no decision. A component of one pool with nothing else is *lone* and
takes the exact sort-and-cut; the others become :class:`ComponentProblem` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx
import polars as pl

from allocator.engine.frames import attach
from allocator.engine.pools import birth_extremes, key_columns
from allocator.solve.problem import FREE, Cluster, ComponentProblem
from models.enums import Objective
from models.ruleset import RuleSet

POOL = "_pool"


def pool_key() -> pl.Expr:
    return pl.concat_str([pl.col("agency_id"), pl.col("target_title")], separator="|")


@dataclass(frozen=True)
class Split:
    """Where each eligible candidate goes."""

    lone: pl.DataFrame  # eligible candidates of lone pools
    problems: list[ComponentProblem]
    component_of: dict[str, str]  # pool key -> component name (coupled pools only)
    active_limits: list[str]
    budget_active: bool
    clusters: dict[str, list[Cluster]]  # per component: birth dates that cannot be ordered
    alternates: dict[str, ComponentProblem]  # the same components, incomplete dates latest

    def with_quotas(self, quota_of: pl.DataFrame) -> Split:
        """The same split with each pool's seats from ``quota_of`` (``_pool``, ``quota``):
        which pools are coupled never depends on their seats."""
        seats = dict(quota_of.iter_rows())

        def recap(p: ComponentProblem) -> ComponentProblem:
            caps = tuple(int(seats[label]) if kind == "quota" else cap
                         for cap, kind, label in zip(p.caps, p.kinds, p.labels, strict=True))
            return p if caps == p.caps else replace(p, caps=caps)

        return replace(self, problems=[recap(p) for p in self.problems],
                       alternates={name: recap(p) for name, p in self.alternates.items()})


def split(eligible: pl.DataFrame, quotas: pl.DataFrame, limits: pl.DataFrame,
          covered: pl.DataFrame, budget_units: int, rs: RuleSet, objective: Objective,
          forced: dict[str, int] | None = None, *, no_lone: bool = False) -> Split:
    """``eligible`` carries ``_pool``, the ``_k_*`` keys and ``salary_units``;
    ``limits`` carries ``cap``; ``covered`` is (candidate_id, limit_id) for eligible ones.
    ``no_lone`` sends lone pools to the solver too (the independent check of the cut)."""
    forced = forced or {}
    covered = covered.join(eligible.select("candidate_id", POOL), on="candidate_id",
                           how="inner")
    counts = covered.group_by("limit_id").len()
    active = (
        limits.join(counts, on="limit_id", how="inner")
        .filter(pl.col("len") > pl.col("cap"))
        .sort("limit_id")
    )
    active_ids = active["limit_id"].to_list()
    covered = covered.filter(pl.col("limit_id").is_in(active_ids))
    budget_active = budget_units > 0 and int(eligible["salary_units"].sum()) > budget_units

    graph = nx.Graph()
    graph.add_nodes_from(eligible[POOL].unique().sort().to_list())
    per_limit = covered.group_by("limit_id").agg(pl.col(POOL).unique().sort())
    for pools in per_limit[POOL].to_list():
        nx.add_path(graph, pools)
    coupled_pools = set(covered[POOL].to_list())
    if budget_active:
        spenders = eligible.filter(pl.col("salary_units") > 0)[POOL].unique().sort().to_list()
        if spenders:
            nx.add_path(graph, spenders)
            coupled_pools.update(spenders)

    component_of: dict[str, str] = {}
    for nodes in nx.connected_components(graph):
        if len(nodes) == 1 and next(iter(nodes)) not in coupled_pools and not no_lone:
            continue
        name = min(nodes)
        for pool in nodes:
            component_of[pool] = name
    comp = pl.DataFrame({POOL: list(component_of), "_component": list(component_of.values())},
                        schema={POOL: pl.Utf8, "_component": pl.Utf8})
    tagged = attach(eligible, comp, POOL, ["_component"])
    lone = tagged.filter(pl.col("_component").is_null()).drop("_component")
    coupled = tagged.filter(pl.col("_component").is_not_null())
    clusters: dict[str, list[Cluster]] = {}
    alternates: dict[str, ComponentProblem] = {}
    problems = _problems(coupled, quotas, active, covered, budget_units if budget_active else 0,
                         rs, objective, forced, clusters, alternates)
    return Split(lone, problems, component_of, active_ids, budget_active, clusters, alternates)


def _clusters(part: pl.DataFrame) -> list[Cluster]:
    """The coarsened clusters of one component, with each member's own birth interval."""
    out = []
    amb = part.filter(pl.col("_amb").is_not_null())
    for _, rows in amb.group_by("_amb", maintain_order=True):
        out.append(Cluster(
            positions=tuple(rows["_pos"].to_list()),
            lo=tuple(rows["_f_lo"].to_list()), hi=tuple(rows["_f_hi"].to_list()),
            after=tuple(tuple(a) for a in rows["_f_after"].to_list()),
        ))
    return out


def _problems(coupled: pl.DataFrame, quotas: pl.DataFrame, active: pl.DataFrame,
              covered: pl.DataFrame, budget_units: int, rs: RuleSet, objective: Objective,
              forced: dict[str, int], clusters: dict[str, list[Cluster]],
              alternates: dict[str, ComponentProblem]) -> list[ComponentProblem]:
    """One problem per coupled component. Where birth dates are incomplete, the problem
    places each such candidate as early as its record allows, ``alternates`` holds the same
    component with each as late, and ``clusters`` the peers whose order is unknown."""
    if coupled.height == 0:
        return []
    keys = key_columns(rs)
    limits_of = covered.group_by("candidate_id").agg(pl.col("limit_id").sort())
    coupled = coupled.join(limits_of, on="candidate_id", how="left", maintain_order="left")
    extremes = birth_extremes(coupled, rs, ["_component"])
    earliest, latest = extremes if extremes else (coupled, None)
    builder = _Builder(quotas, active, budget_units, objective, forced)
    problems = []
    for (name,), part in _ranked(earliest, keys).group_by("_component", maintain_order=True):
        problems.append(builder.build(str(name), part))
        if latest is not None and part["_amb"].null_count() < part.height:
            clusters[str(name)] = _clusters(part.with_row_index("_pos"))
    if latest is not None:
        for (name,), part in _ranked(latest.filter(pl.col("_component").is_in(list(clusters))),
                                     keys).group_by("_component", maintain_order=True):
            alternates[str(name)] = builder.build(str(name), part)
    return problems


def _ranked(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sorted in priority order within each component, with dense classes ``_cls``."""
    frame = frame.sort(["_component", *keys, "candidate_id"], maintain_order=True)
    return frame.with_columns(
        (pl.struct(keys).rank("dense").over("_component") - 1).cast(pl.Int64).alias("_cls"))


class _Builder:
    """Turns one component's rows (in priority order) into a :class:`ComponentProblem`."""

    def __init__(self, quotas: pl.DataFrame, active: pl.DataFrame, budget_units: int,
                 objective: Objective, forced: dict[str, int]) -> None:
        self.quota_of = dict(quotas.select(POOL, "quota").iter_rows())
        self.cap_of = dict(active.select("limit_id", "cap").iter_rows())
        self.budget_units = budget_units
        self.objective = objective
        self.forced = forced

    def build(self, name: str, part: pl.DataFrame) -> ComponentProblem:
        pools = sorted(part[POOL].unique().to_list())
        lims = sorted(part["limit_id"].explode().drop_nulls().unique().to_list())
        caps = [int(self.quota_of[p]) for p in pools] + [int(self.cap_of[lid]) for lid in lims]
        kinds = ["quota"] * len(pools) + ["limit"] * len(lims)
        labels = [*pools, *lims]
        index = {label: k for k, label in enumerate(labels)}
        has_budget = self.budget_units > 0 and bool((part["salary_units"] > 0).any())
        budget_k = len(caps)
        if has_budget:
            caps.append(self.budget_units)
            kinds.append("budget")
            labels.append("budget")
        # Constraint indices per candidate, vectorised: pools come first, then limits in id
        # order, then the budget — so every row is already sorted.
        pool_k = part[POOL].replace_strict(index, return_dtype=pl.Int64).to_list()
        lim_k = part["limit_id"].list.eval(
            pl.element().replace_strict(index, return_dtype=pl.Int64)).to_list()
        money = part["salary_units"].to_list() if has_budget else [0] * part.height
        rows = []
        for pk, lk, m in zip(pool_k, lim_k, money, strict=True):
            row = [(pk, 1)]
            if lk:
                row.extend((k, 1) for k in lk)
            if m > 0:
                row.append((budget_k, int(m)))
            rows.append(tuple(row))
        ids = part["candidate_id"].to_list()
        return ComponentProblem(
            name=name, ids=tuple(ids), cls=tuple(part["_cls"].to_list()),
            caps=tuple(caps), kinds=tuple(kinds), labels=tuple(labels), rows=tuple(rows),
            objective=self.objective,
            forced=tuple(self.forced.get(c, FREE) for c in ids) if self.forced else (),
        )
