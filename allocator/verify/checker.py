"""An independent check of a run's result, written apart from the solver.

It reads only the scenario and the output tables (decisions, escalations, pools) and
re-derives the constraints itself (pool quotas, limit coverage by walking the unit tree,
``max_share`` caps, the budget), then verifies:

* no quota, limit or budget is exceeded by the selected, nor by the selected plus a
  completion of the tie groups;
* no winner's seat could be taken by a strictly higher-priority eligible candidate
  through a feasible one-for-one swap, and no eligible candidate could simply be added;
* every escalated group really is tied (each member exactly equal to, or not comparable
  by birth date with, another member) and its seats are fewer than its members;
* the tables agree with each other (pools.csv counts, reasons and decided_by present).

Used by the property tests on every result and on the ready rounds. Meant for inputs of
test size: the swap check is quadratic.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from models.enums import Criterion
from models.scenario import Scenario


@dataclass(frozen=True)
class _Cand:
    cid: str
    pool: tuple[str, str]
    unit: str
    key: tuple  # per criterion: (lo, hi) for older, a number otherwise; smaller is better
    complete: bool
    money: int


def _keys(scenario: Scenario) -> dict[str, tuple]:
    rs = scenario.rule_set
    ladder = {a.code: i for i, a in enumerate(rs.achievement_levels)}
    out: dict[str, tuple] = {}
    for row in scenario.candidates.iter_rows(named=True):
        parts: list = []
        for c in rs.priority:
            if c is Criterion.achievement:
                level = ladder.get(row["achievement"] or "", len(ladder))
                parts.append((level, -row["achievement_count"])
                             if rs.achievement_compare == "level_then_count" else level)
            elif c is Criterion.female:
                parts.append(0 if row["sex"] == "female" else 1)
            elif c is Criterion.ethnic_minority:
                parts.append(0 if row["ethnic_minority"] else 1)
            elif c is Criterion.older:
                parts.append((row["birth_lo"].toordinal(), row["birth_hi"].toordinal()))
            else:
                parts.append(row["service_start"].toordinal())
        out[row["candidate_id"]] = tuple(parts)
    return out


def compare(a: tuple, b: tuple, rs_priority: tuple[Criterion, ...]) -> str:
    """'>' if a surely ranks above b, '<' if surely below, '=' exact tie, '?' not comparable."""
    for crit, x, y in zip(rs_priority, a, b, strict=True):
        if crit is Criterion.older:
            (alo, ahi), (blo, bhi) = x, y
            if ahi < blo:
                return ">"
            if bhi < alo:
                return "<"
            if alo == ahi == blo == bhi:
                continue
            return "?"
        if x != y:
            return ">" if x < y else "<"
    return "="


class Checker:
    def __init__(self, scenario: Scenario, decisions: pl.DataFrame,
                 escalations: pl.DataFrame, pools: pl.DataFrame | None = None) -> None:
        self.sc = scenario
        self.decisions = decisions
        self.escalations = escalations
        self.pools = pools
        self.rs = scenario.rule_set
        self.parent = dict(scenario.units.select("unit_id", "parent_id").iter_rows())
        keys = _keys(scenario)
        rows = scenario.candidates.select("candidate_id", "unit_id", "salary_units").iter_rows()
        base = {cid: (unit, money) for cid, unit, money in rows}
        self.cands: dict[str, _Cand] = {}
        self.status: dict[str, str] = {}
        for row in decisions.iter_rows(named=True):
            cid = row["candidate_id"]
            self.status[cid] = row["status"]
            unit, money = base[cid]
            self.cands[cid] = _Cand(cid, (row["agency_id"], row["target_title"]), unit,
                                    keys[cid], True, money)
        self.constraints = self._constraints()

    # -- constraints, derived independently -----------------------------------------------
    def _ancestors(self, unit: str) -> list[str]:
        out = [unit]
        while self.parent.get(out[-1]) is not None:
            out.append(self.parent[out[-1]])
        return out

    def _constraints(self) -> list[tuple[str, int, dict[str, int]]]:
        """(name, cap, {candidate: coefficient}) over the eligible candidates."""
        eligible = [c for c in self.cands.values() if self.status[c.cid] != "ineligible"]
        out: list[tuple[str, int, dict[str, int]]] = []
        for agency, title, quota in self.sc.quotas.select(
                "agency_id", "target_title", "quota").iter_rows():
            members = {c.cid: 1 for c in eligible if c.pool == (agency, title)}
            out.append((f"quota {agency}/{title}", int(quota), members))
        rank_of = {t.code: t.rank.value for t in self.rs.titles}
        prof_of = {t.code: t.profession for t in self.rs.titles}
        for row in self.sc.limits.iter_rows(named=True):
            members = {}
            for c in eligible:
                if row["scope_unit_id"] not in self._ancestors(c.unit):
                    continue
                if row["target_title"] is not None and c.pool[1] != row["target_title"]:
                    continue
                if row["target_rank"] is not None and rank_of[c.pool[1]] != row["target_rank"]:
                    continue
                members[c.cid] = 1
            if row["max"] is not None:
                cap = int(row["max"])
            else:
                cap = self._share_cap(row, rank_of, prof_of)
            out.append((f"limit {row['limit_id']}", cap, members))
        if self.sc.budget_units > 0:
            out.append(("budget", self.sc.budget_units,
                        {c.cid: c.money for c in eligible if c.money}))
        return out

    def _share_cap(self, row: dict, rank_of: dict[str, str], prof_of: dict[str, str]) -> int:
        positions = holders = 0
        for unit, title, h, p in self.sc.staff.select(
                "unit_id", "title", "holders", "positions").iter_rows():
            if row["scope_unit_id"] not in self._ancestors(unit):
                continue
            if row["target_title"] is not None:
                if prof_of[title] == prof_of[row["target_title"]]:
                    positions += p or 0
                if title == row["target_title"]:
                    holders += h
            else:
                positions += p or 0
                if rank_of[title] == row["target_rank"]:
                    holders += h
        return max(0, math.floor(Decimal(row["max_share"]) * positions) - holders)

    def feasible(self, chosen: set[str]) -> list[str]:
        broken = []
        for name, cap, members in self.constraints:
            used = sum(coef for cid, coef in members.items() if cid in chosen)
            if used > cap:
                broken.append(f"{name}: {used} > {cap}")
        return broken

    # -- the checks ----------------------------------------------------------------------
    def completions(self, limit: int = 32) -> list[set[str]]:
        """Selected plus every way (up to ``limit``) of filling the tie groups' seats."""
        selected = {c for c, s in self.status.items() if s == "selected"}
        choices = []
        for members, seats in self.escalations.select("candidate_ids", "seats").iter_rows():
            choices.append(list(itertools.combinations(sorted(members.split(";")), seats)))
        out = []
        for combo in itertools.islice(itertools.product(*choices), limit):
            out.append(selected | {c for part in combo for c in part})
        return out

    def violations(self) -> list[str]:
        problems: list[str] = []
        selected = {c for c, s in self.status.items() if s == "selected"}
        problems += [f"selected exceed {b}" for b in self.feasible(selected)]
        problems += self._ties()
        problems += self._tables()
        feasible_fills = [s for s in self.completions() if not self.feasible(s)]
        if not feasible_fills:
            problems.append("no way of filling the tie groups' seats respects every limit")
        for chosen in feasible_fills[:8]:
            problems += self._stability(chosen)
        return sorted(set(problems))

    def _stability(self, chosen: set[str]) -> list[str]:
        out = []
        losers = [c for c, s in self.status.items() if s in ("not_selected", "escalated")
                  and c not in chosen]
        for x in losers:
            if not self.feasible(chosen | {x}):
                out.append(f"{x} could be added without breaking any limit")
                continue
            for w in chosen:
                if compare(self.cands[x].key, self.cands[w].key, self.rs.priority) != ">":
                    continue
                if not self.feasible((chosen - {w}) | {x}):
                    out.append(f"{x} outranks winner {w} and the swap is feasible")
        return out

    def _ties(self) -> list[str]:
        out = []
        for gid, members, seats in self.escalations.select(
                "tie_group", "candidate_ids", "seats").iter_rows():
            ids = members.split(";")
            if not 0 < seats < len(ids):
                out.append(f"{gid}: {seats} seats for {len(ids)} candidates")
            for a in ids:
                if self.status.get(a) != "escalated":
                    out.append(f"{gid}: member {a} is not escalated")
                rels = [compare(self.cands[a].key, self.cands[b].key, self.rs.priority)
                        for b in ids if b != a]
                if not any(r in ("=", "?") for r in rels):
                    out.append(f"{gid}: {a} is tied with no other member")
        listed = {c for m in self.escalations["candidate_ids"].to_list() for c in m.split(";")}
        for c, s in self.status.items():
            if s == "escalated" and c not in listed:
                out.append(f"{c} is escalated but in no tie group")
        return out

    def _tables(self) -> list[str]:
        out = []
        for row in self.decisions.iter_rows(named=True):
            if row["status"] == "ineligible" and not row["reasons"]:
                out.append(f"{row['candidate_id']}: ineligible without reasons")
            if row["status"] != "ineligible" and row["reasons"]:
                out.append(f"{row['candidate_id']}: reasons on an eligible candidate")
            if row["status"] == "not_selected" and not row["decided_by"]:
                out.append(f"{row['candidate_id']}: not selected without decided_by")
        if self.pools is not None:
            for row in self.pools.iter_rows(named=True):
                n_sel = sum(1 for c in self.cands.values()
                            if c.pool == (row["agency_id"], row["target_title"])
                            and self.status[c.cid] == "selected")
                if n_sel != row["selected"]:
                    out.append(f"pools.csv {row['agency_id']}/{row['target_title']}: selected "
                               f"{row['selected']} but decisions say {n_sel}")
                if row["unused"] != max(0, row["quota"] - row["selected"]
                                        - row["escalated_seats"]):
                    out.append(f"pools.csv {row['agency_id']}/{row['target_title']}: unused")
        return out


def check(scenario: Scenario, decisions: pl.DataFrame, escalations: pl.DataFrame,
          pools: pl.DataFrame | None = None) -> list[str]:
    """Every violation found (empty when the result passes)."""
    return Checker(scenario, decisions, escalations, pools).violations()
