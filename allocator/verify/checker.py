"""An independent check of a run's result, derived from the scenario alone.

Structurally independent of the engine (STYLE.md, "Independent means structurally
independent"): everything the result is judged by — each candidate's pool, every
eligibility condition, the priority key and its ranks, the caps of the quotas, the limits
(``max`` and ``max_share`` with staff.csv) and the budget — is re-derived here from the
validated scenario (its typed frames, ``scenario.rule_set`` and its settings), never from
the decisions. Nothing from ``allocator.engine`` or ``allocator.io`` is imported at run
time; the Scenario type is named for the type checker only.

:func:`derive` builds that :class:`Model`; :func:`check` judges ``decisions.csv`` and
``escalations.csv`` against it (and ``pools.csv`` when given, see
:func:`pool_table_problems`). Each check is one function whose docstring states the rule
and where SCENARIO.md states it.

Optimality is judged without solving. Every priority-optimal allocation O holds every
``selected`` candidate and, from each tie group, exactly its seats (SCENARIO.md, "Status
meaning"); so a constraint's use by any O is at most the selected's use plus, per group, the
largest use its seats can make. From that bound alone a loser who would fit — alone, in
place of one winner it is not surely below, or (objective "priority") by displacing only
winners surely below it — proves the result wrong. "Surely above" compares birth intervals
where a date is incomplete (SCENARIO.md, "Incomplete data").
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

import polars as pl

from models import ethnic
from models.enums import Criterion, EducationLevel, Objective, Rating
from models.ruleset import RuleSet

if TYPE_CHECKING:
    from models.scenario import Scenario

# SCENARIO.md, candidates.csv: "Rule ids", in the order the contract lists them; the two
# ids of rounds under the 2026 law ("Rounds under the 2026 law") before no_quota.
CONTRACT_RULES: tuple[str, ...] = (
    "rating", "discipline", "competence", "degree", "certificate", "language_it", "tenure",
    "tenure_12_months", "points", "points_st", "excellent_achievement", "no_position",
    "level_range", "no_quota",
)
STATUSES = ("selected", "not_selected", "ineligible", "escalated")
DECISION_COLUMNS = ("candidate_id", "status", "agency_id", "target_title", "priority_rank",
                    "reasons", "decided_by", "tie_group")
ESCALATION_COLUMNS = ("tie_group", "managing_agency_id", "seats", "candidate_ids")
POOL_COLUMNS = ("agency_id", "target_title", "quota", "eligible", "selected",
                "escalated_seats", "unused")
MAX_COMPLETIONS = 20_000  # ways of filling the tie groups tried jointly before giving up
CID = "candidate_id"
KeyPart = int | tuple[int, int]


# =============================================================================================
# The model: what the scenario alone says
# =============================================================================================


@dataclass(frozen=True)
class Model:
    """Pools, eligibility, priority and constraints of a round, from the scenario only.

    ``candidates``: one row per candidate with its expected ``agency_id`` and
    ``target_title`` (null without a pool), ``reasons`` (null when eligible), ``eligible``,
    the key columns ``k_*`` (smaller is better), ``incomplete`` (birth date not exact),
    ``pos_lo`` / ``pos_hi`` (the best and worst place its key can take in one total order of
    all keys: equal for a complete key) and ``rank`` (the expected priority_rank).
    ``constraints``: ``k``, ``name``, ``kind`` (quota, limit, budget) and ``cap``;
    ``members``: ``k``, ``candidate_id``, ``coef`` over the eligible candidates.
    """

    candidates: pl.DataFrame
    constraints: pl.DataFrame
    members: pl.DataFrame
    parent: dict[str, str | None]
    priority: tuple[Criterion, ...]
    key_columns: tuple[str, ...]
    objective: Objective
    rulings: pl.DataFrame
    limit_ids: frozenset[str]
    has_budget: bool

    def eligible_ids(self) -> list[str]:
        """Ids of the eligible candidates, sorted."""
        rows = self.candidates.filter(pl.col("eligible")).sort(CID)
        return [str(c) for c in rows[CID].to_list()]

    def keys(self) -> dict[str, tuple[KeyPart, ...]]:
        """The priority key of every candidate as a tuple, one entry per criterion of the rule
        set: ``(birth_lo, birth_hi)`` day numbers for ``older``, ``(level, -count)`` for an
        achievement compared by level then count, an int otherwise; smaller is better."""
        out: dict[str, tuple[KeyPart, ...]] = {}
        cols = ["candidate_id", *self.key_columns]
        for row in self.candidates.select(cols).iter_rows(named=True):
            parts: list[KeyPart] = []
            for crit in self.priority:
                if crit is Criterion.older:
                    parts.append((int(row["k_birth_lo"]), int(row["k_birth_hi"])))
                elif crit is Criterion.achievement and "k_achievement_count" in row:
                    parts.append((int(row["k_achievement"]), int(row["k_achievement_count"])))
                else:
                    parts.append(int(row[f"k_{crit.value}"]))
            out[str(row[CID])] = tuple(parts)
        return out

    def packing(self) -> list[tuple[str, int, dict[str, int]]]:
        """Every constraint as (name, cap, {candidate: coefficient}) over the eligible."""
        by_k: dict[int, dict[str, int]] = {}
        for k, cid, coef in self.members.select("k", CID, "coef").iter_rows():
            by_k.setdefault(int(k), {})[str(cid)] = int(coef)
        return [(str(name), int(cap), by_k.get(int(k), {}))
                for k, name, cap in self.constraints.select("k", "name", "cap").iter_rows()]


def derive(scenario: Scenario) -> Model:
    """The :class:`Model` of a validated scenario; reads nothing but the scenario."""
    rs, settings = scenario.rule_set, scenario.settings
    parent: dict[str, str | None] = dict(scenario.units.select("unit_id", "parent_id")
                                         .iter_rows())
    ancestors = ancestor_table(parent)
    frame = _thresholds(scenario.candidates, rs)
    frame = frame.with_columns(
        (full_months(pl.col("rank_since"), settings.deadline) - pl.col("probation_months"))
        .alias("months_in_rank"))
    frame = frame.join(expected_pools(frame, scenario.quotas, ancestors), on=CID, how="left")
    if rs.regime == "levels":
        frame = _with_level_rules(frame, scenario)
    frame = _with_reasons(frame, rs, scenario)
    frame, key_cols = _with_keys(frame, rs)
    frame = _with_positions(frame, key_cols)
    frame = frame.join(expected_ranks(frame, key_cols), on=CID, how="left")
    constraints, members = _constraints(scenario, frame, ancestors)
    keep = [CID, "unit_id", "target_title", "agency_id", "reasons", "eligible", "incomplete",
            "pos_lo", "pos_hi", "rank", *key_cols]
    rulings = scenario.decisions.select(CID, "decision")
    return Model(frame.select(keep), constraints, members, parent, rs.priority, tuple(key_cols),
                 settings.objective, rulings,
                 frozenset(str(x) for x in scenario.limits["limit_id"].to_list())
                 | frozenset(c.limit_id for c in level_cap_rows(scenario)),
                 scenario.budget_units > 0)


# ---- the unit tree ---------------------------------------------------------------------------


def ancestor_table(parent: dict[str, str | None]) -> pl.DataFrame:
    """(unit_id, anc_id, dist): each unit with itself (0), its parent (1), … up to the root.

    SCENARIO.md, units.csv: parent_id is the managing agency; the tree is a tree."""
    rows: list[tuple[str, str, int]] = []
    for unit in parent:
        node: str | None = unit
        dist = 0
        while node is not None:
            rows.append((unit, node, dist))
            node = parent.get(node)
            dist += 1
    return pl.DataFrame(rows, schema={"unit_id": pl.Utf8, "anc_id": pl.Utf8, "dist": pl.Int64},
                        orient="row")


def managing_agency(parent: dict[str, str | None], units: Iterable[str]) -> str:
    """Who decides a tie group (SCENARIO.md, escalations.csv): the parent of the tied
    candidates' unit (the unit itself if it is the root); for several units, the lowest
    common ancestor of those parents."""
    managers = sorted({parent.get(u) or u for u in units})
    chains = [_chain(parent, m) for m in managers]
    common = set(chains[0]).intersection(*chains[1:])
    return next(a for a in chains[0] if a in common)


def _chain(parent: dict[str, str | None], unit: str) -> list[str]:
    out = [unit]
    while parent.get(out[-1]) is not None:
        out.append(str(parent[out[-1]]))
    return out


def expected_pools(frame: pl.DataFrame, quotas: pl.DataFrame,
                   ancestors: pl.DataFrame) -> pl.DataFrame:
    """(candidate_id, agency_id): the nearest agency at or above the candidate's unit with a
    quota for its target title (SCENARIO.md, quotas.csv: "A candidate's pool")."""
    held = quotas.select(pl.col("agency_id").alias("anc_id"), "target_title").unique()
    return (frame.select(CID, "unit_id", "target_title")
            .join(ancestors, on="unit_id", how="inner")
            .join(held, on=["anc_id", "target_title"], how="inner")
            .sort(CID, "dist").group_by(CID, maintain_order=True).first()
            .select(CID, pl.col("anc_id").alias("agency_id")))


# ---- eligibility -----------------------------------------------------------------------------


def full_months(start: pl.Expr, end: dt.date) -> pl.Expr:
    """Full calendar months from ``start`` to ``end`` (SCENARIO.md, "Tenure").

    A month is full when the day of the month is reached again; from the 29th–31st, a month
    that lacks that day is full on its last day (Bộ luật Dân sự 2015 Điều 148). So the last
    month is short only when ``end`` is before the start's day and not its month's last day.
    """
    last_day = calendar.monthrange(end.year, end.month)[1]
    months = ((end.year - start.dt.year().cast(pl.Int64)) * 12
              + (end.month - start.dt.month().cast(pl.Int64)))
    if end.day == last_day:
        return months
    return months - (start.dt.day().cast(pl.Int64) > end.day).cast(pl.Int64)


def _thresholds(candidates: pl.DataFrame, rs: RuleSet) -> pl.DataFrame:
    """The candidates with their transition's thresholds (SCENARIO.md, "Titles and
    transitions built in"; the rule set's data): required months by recruitment level,
    degree, points, certificate, and the excellent-achievement level of the target rank."""
    ladder = {a.code: i for i, a in enumerate(rs.achievement_levels)}
    ranks = {t.code: t.rank for t in rs.titles}
    rows = []
    for tr in rs.transitions:
        excellent = rs.excellent_achievement.get(ranks[tr.to_title])
        for level in EducationLevel:
            rows.append({
                "current_title": tr.from_title, "target_title": tr.to_title,
                "recruitment_level": level.value,
                "t_months": tr.tenure_months_by_recruitment_level.get(level, tr.tenure_months),
                "t_degree": tr.min_degree.level, "t_field": tr.degree_field_required,
                "t_points": float(tr.min_points), "t_points_st": float(tr.min_points_st),
                "t_certificate": tr.certificate_required,
                "t_excellent": ladder.get(excellent) if excellent is not None else None,
                "t_rank": ranks[tr.to_title].value,
            })
    schema = {"current_title": pl.Utf8, "target_title": pl.Utf8, "recruitment_level": pl.Utf8,
              "t_months": pl.Int64, "t_degree": pl.Int64, "t_field": pl.Boolean,
              "t_points": pl.Float64, "t_points_st": pl.Float64, "t_certificate": pl.Boolean,
              "t_excellent": pl.Int64, "t_rank": pl.Utf8}
    table = pl.DataFrame(rows, schema=schema)
    return candidates.join(table, on=["current_title", "target_title", "recruitment_level"],
                           how="left")


def rating_ok(rs: RuleSet) -> pl.Expr:
    """``rating``: the rating of review_year − 1 is at least the rule set's ``min_rating``
    (``tot``) on the ladder xuat_sac > tot > hoan_thanh > khong_hoan_thanh (SCENARIO.md,
    "Titles and transitions built in": "rating (≥ tot)")."""
    level = {r.value: r.level for r in Rating}
    return pl.col("rating_prev_year").replace_strict(level, return_dtype=pl.Int64) \
        <= rs.min_rating.level


def discipline_ok() -> pl.Expr:
    """``discipline``: not under discipline (SCENARIO.md, candidates.csv under_discipline)."""
    return ~pl.col("under_discipline")


def competence_ok() -> pl.Expr:
    """``competence``: the unit head certifies the competence standard (competence_ok)."""
    return pl.col("competence_ok")


def degree_ok() -> pl.Expr:
    """``degree``: degree at least the transition's level on the ladder trung_cap < cao_dang
    < dai_hoc < thac_si < tien_si, and in the required field (SCENARIO.md, transitions table:
    "degree ≥ dai_hoc, field ok")."""
    level = {e.value: e.level for e in EducationLevel}
    reached = pl.col("degree").replace_strict(level, return_dtype=pl.Int64) >= pl.col("t_degree")
    return reached & (pl.col("degree_field_ok") | ~pl.col("t_field"))


def certificate_ok(waived: bool) -> pl.Expr:
    """``certificate``: holds the target title's certificate, unless the round (or, when the
    round says nothing, the rule set) waives it (SCENARIO.md, scenario.toml
    certificate_waived; "certificate (unless waived)")."""
    if waived:
        return pl.lit(True)
    return pl.col("certificate") | ~pl.col("t_certificate")


def language_it_ok() -> pl.Expr:
    """``language_it``: meets or is exempt from the language/IT requirements."""
    return pl.col("language_it_ok")


def tenure_ok() -> pl.Expr:
    """``tenure``: months_in_rank + equivalent_months ≥ required, months_in_rank being full
    calendar months from rank_since to the deadline minus probation_months; required is 36
    instead of 24 when recruited at trung_cap where the transition says so (SCENARIO.md,
    "Tenure")."""
    return pl.col("months_in_rank") + pl.col("equivalent_months") >= pl.col("t_months")


def tenure_12_months_ok() -> pl.Expr:
    """``tenure_12_months``: where equivalent time is counted (equivalent_months > 0) and
    months_in_rank < required, months_in_rank ≥ 12 (SCENARIO.md, "Tenure")."""
    counted = (pl.col("equivalent_months") > 0) & (pl.col("months_in_rank") < pl.col("t_months"))
    return ~counted | (pl.col("months_in_rank") >= 12)


def points_ok() -> pl.Expr:
    """``points``: converted points ≥ the transition's minimum (3 principal researcher, 2
    principal engineer; SCENARIO.md transitions table)."""
    return pl.col("points") >= pl.col("t_points")


def points_st_ok() -> pl.Expr:
    """``points_st``: of those, points from S&T tasks ≥ the transition's minimum (1)."""
    return pl.col("points_st") >= pl.col("t_points_st")


def excellent_achievement_ok(required: bool) -> pl.Expr:
    """``excellent_achievement``: only when scenario.toml sets require_excellent_achievement
    (001 Art. 6, DOMAIN.md §3): an achievement at or above the level the rule set names for
    the target title's rank. A rank for which the rule set names no level cannot be met."""
    if not required:
        return pl.lit(True)
    return pl.col("k_ach_level") <= pl.col("t_excellent").fill_null(-1)


def _with_level_rules(frame: pl.DataFrame, scenario: Scenario) -> pl.DataFrame:
    """Rounds under the 2026 law: ``no_position`` fails when the candidate's unit has no row
    of positions.csv for its job position; ``level_range`` when the target level is not
    current_level + 1 or lies outside that row's lowest..highest level (SCENARIO.md,
    "The round's plan states what the law in hand does not")."""
    used = {(r["unit_id"], r["job_position"]): (r["lowest_level"], r["highest_level"])
            for r in scenario.positions.iter_rows(named=True)}
    ok_pos, ok_lv = [], []
    for unit, pos, cur, tgt in frame.select("unit_id", "job_position", "current_level",
                                            "target_level").iter_rows():
        span = used.get((unit, pos))
        ok_pos.append(span is not None)
        ok_lv.append(span is not None and tgt == cur + 1 and span[0] <= tgt <= span[1])
    return frame.with_columns(pl.Series("c_position_ok", ok_pos, pl.Boolean),
                              pl.Series("c_levels_ok", ok_lv, pl.Boolean))


@dataclass(frozen=True)
class LevelCap:
    """One derived cap of Decree 232/2026 Art. 10 (see :func:`level_cap_rows`)."""

    limit_id: str
    unit_id: str
    job_position: str
    level: int
    cap: int


def level_cap_rows(scenario: Scenario) -> list[LevelCap]:
    """The caps of Decree 232/2026 Art. 10 as SCENARIO.md "The level caps" states them, one
    per (positions.csv row, level L used with a share): ``max(0, floor(share_L × headcount)
    − holders_L)`` over the winners of that unit and position whose target level is L.
    share_L: ratio_L where given; else with exactly two levels used 0.5 at the higher one;
    else 0.3 at 5 and 0.4 at 4 when the highest used is 5, 0.4 at 4 when it is 4; one level
    or none: no cap."""
    if scenario.rule_set.regime != "levels" or scenario.positions.height == 0:
        return []
    holders: dict[tuple[str, str, int], int] = {}
    for r in scenario.staff.iter_rows(named=True):
        key = (r["unit_id"], r["job_position"], r["level"])
        holders[key] = holders.get(key, 0) + int(r["holders"])
    out: list[LevelCap] = []
    for r in scenario.positions.iter_rows(named=True):
        lo, hi = r["lowest_level"], r["highest_level"]
        decree: dict[int, Decimal] = {}
        if hi - lo + 1 == 2:
            decree = {hi: Decimal("0.5")}
        elif hi - lo + 1 > 2 and hi == 5:
            decree = {5: Decimal("0.3"), 4: Decimal("0.4")}
        elif hi - lo + 1 > 2 and hi == 4:
            decree = {4: Decimal("0.4")}
        for level in range(lo, hi + 1):
            ratio = r[f"ratio_{level}"]
            share = Decimal(ratio) if ratio is not None else decree.get(level)
            if share is None or hi == lo:
                continue
            held = holders.get((r["unit_id"], r["job_position"], level), 0)
            out.append(LevelCap(f"ratio:{r['unit_id']}:{r['job_position']}:{level}",
                                r["unit_id"], r["job_position"], level,
                                max(0, math.floor(share * r["headcount"]) - held)))
    return out


def _with_reasons(frame: pl.DataFrame, rs: RuleSet, scenario: Scenario) -> pl.DataFrame:
    """``reasons``: every failed rule id, ';'-joined in the contract's order (null when none);
    ``no_quota`` fails without a pool (SCENARIO.md, decisions.csv)."""
    settings = scenario.settings
    waived = rs.certificate_waived if settings.certificate_waived is None \
        else settings.certificate_waived
    ladder = {a.code: i for i, a in enumerate(rs.achievement_levels)}
    frame = frame.with_columns(pl.col("achievement").replace_strict(
        ladder, default=len(ladder), return_dtype=pl.Int64).alias("k_ach_level"))
    passes: dict[str, pl.Expr] = {
        "rating": rating_ok(rs),
        "discipline": discipline_ok() if rs.discipline_bars else pl.lit(True),
        "competence": competence_ok() if rs.competence_required else pl.lit(True),
        "degree": degree_ok(), "certificate": certificate_ok(waived),
        "language_it": language_it_ok() if rs.language_it_required else pl.lit(True),
        "tenure": tenure_ok(),
        "tenure_12_months": tenure_12_months_ok(), "points": points_ok(),
        "points_st": points_st_ok(),
        "excellent_achievement": excellent_achievement_ok(settings.require_excellent_achievement),
        "no_quota": pl.col("agency_id").is_not_null(),
        "no_position": pl.col("c_position_ok") if "c_position_ok" in frame.columns
        else pl.lit(True),
        "level_range": pl.col("c_levels_ok") | ~pl.col("c_position_ok")
        if "c_position_ok" in frame.columns else pl.lit(True),
    }
    failed = [pl.when(passes[rule].fill_null(False)).then(None).otherwise(pl.lit(rule))
              for rule in CONTRACT_RULES]
    reasons = pl.concat_str(failed, separator=";", ignore_nulls=True)
    return frame.with_columns(pl.when(reasons == "").then(None).otherwise(reasons)
                              .alias("reasons")).with_columns(
        pl.col("reasons").is_null().alias("eligible"))


# ---- the priority key ------------------------------------------------------------------------


def _with_keys(frame: pl.DataFrame, rs: RuleSet) -> tuple[pl.DataFrame, list[str]]:
    """The key columns in the rule set's priority order, smaller is better (SCENARIO.md,
    decisions.csv priority_rank; DOMAIN.md §4): achievement on the rule set's ladder (then
    the number of awards at the level held, where the rule set compares counts), female,
    ethnic minority (any of the 54 groups but Kinh), older by birth date (an interval where
    incomplete), longer service (earlier service_start)."""
    names = frame["ethnicity"].unique().to_list()
    minority = {n: ethnic.minority_of(n) for n in names if n is not None}
    exprs: dict[str, pl.Expr] = {
        "k_achievement": pl.col("k_ach_level"),
        "k_achievement_count": pl.when(pl.col("achievement").is_null()).then(0)
        .otherwise(-pl.col("achievement_count")),
        "k_female": (pl.col("sex") != "female").cast(pl.Int64),
        "k_ethnic_minority": pl.col("ethnicity").replace_strict(
            minority, return_dtype=pl.Boolean).not_().cast(pl.Int64),
        "k_birth_lo": pl.col("birth_lo").cast(pl.Int64),
        "k_birth_hi": pl.col("birth_hi").cast(pl.Int64),
        "k_longer_service": pl.col("service_start").cast(pl.Int64),
    }
    cols: list[str] = []
    for crit in rs.priority:
        if crit is Criterion.older:
            cols += ["k_birth_lo", "k_birth_hi"]
        elif crit is Criterion.achievement and rs.achievement_compare == "level_then_count":
            cols += ["k_achievement", "k_achievement_count"]
        else:
            cols.append(f"k_{crit.value}")
    frame = frame.with_columns(exprs[c].alias(c) for c in cols)
    return frame.with_columns(
        (pl.col("birth_lo") != pl.col("birth_hi")).alias("incomplete")), cols


def _split_key(key_cols: list[str]) -> tuple[list[str], bool, list[str]]:
    """The key columns before ``older``, whether ``older`` is used, and those after it."""
    if "k_birth_lo" not in key_cols:
        return key_cols, False, []
    at = key_cols.index("k_birth_lo")
    return key_cols[:at], True, key_cols[at + 2:]


def _with_positions(frame: pl.DataFrame, key_cols: list[str]) -> pl.DataFrame:
    """``pos_lo`` / ``pos_hi``: the best and worst place of each key in one total order.

    a is surely above b exactly when ``pos_hi(a) < pos_lo(b)``: equal earlier criteria, then
    a's latest possible birth before b's earliest, or both dates complete and equal and the
    later criteria decide. An incomplete date is never ordered by a later criterion
    (SCENARIO.md, "Incomplete data"), so its later criteria are replaced by -inf / +inf."""
    before, older, after = _split_key(key_cols)
    inc = pl.col("incomplete")

    def side(birth: str, flag_incomplete: int) -> pl.DataFrame:
        later = [pl.when(inc).then(0).otherwise(pl.col(c)).alias(c) for c in after]
        return frame.select(
            CID, *before,
            (pl.col(birth) if older else pl.lit(0, pl.Int64)).alias("_birth"),
            pl.when(inc & older).then(flag_incomplete).otherwise(1).alias("_flag"), *later)

    both = pl.concat([side("k_birth_lo", 0).with_columns(pl.lit("lo").alias("_side")),
                      side("k_birth_hi", 2).with_columns(pl.lit("hi").alias("_side"))])
    order = [*before, "_birth", "_flag", *after]
    both = both.with_columns(pl.struct(order).rank("dense").cast(pl.Int64).alias("_pos"))
    lo = both.filter(pl.col("_side") == "lo").select(CID, pl.col("_pos").alias("pos_lo"))
    hi = both.filter(pl.col("_side") == "hi").select(CID, pl.col("_pos").alias("pos_hi"))
    return frame.join(lo, on=CID, how="left").join(hi, on=CID, how="left")


def expected_ranks(frame: pl.DataFrame, key_cols: list[str]) -> pl.DataFrame:
    """(candidate_id, rank): dense rank by the priority key within the pool, 1 = best,
    eligible candidates only (SCENARIO.md, decisions.csv priority_rank).

    Where a birth date is incomplete the key orders only partly; the rank is the finest one
    that never orders two candidates the key cannot: candidates equal before ``older`` whose
    birth intervals overlap, in a chain that holds an incomplete date, share one rank and no
    later criterion separates them (SCENARIO.md, "Incomplete data")."""
    before, older, after = _split_key(key_cols)
    pool = ["agency_id", "target_title"]
    el = frame.filter(pl.col("eligible"))
    if not older:
        keys = key_cols
    else:
        group = [*pool, *before]
        el = el.sort([*group, "k_birth_lo", "k_birth_hi"])
        prev_hi = pl.col("k_birth_hi").cum_max().shift(1).over(group)
        el = el.with_columns(
            (prev_hi.is_null() | (pl.col("k_birth_lo") > prev_hi)).cast(pl.Int64)
            .cum_sum().over(group).alias("_chain"))
        chain = [*group, "_chain"]
        coarse = pl.col("incomplete").any().over(chain)
        el = el.with_columns(
            pl.when(coarse).then(pl.col("k_birth_lo").min().over(chain))
            .otherwise(pl.col("k_birth_lo")).alias("_r_birth"),
            *[pl.when(coarse).then(0).otherwise(pl.col(c)).alias(f"_r_{c}") for c in after])
        keys = [*before, "_r_birth", *[f"_r_{c}" for c in after]]
    return el.select(CID, pl.struct(keys).rank("dense").over(pool).cast(pl.Int64)
                     .alias("rank"))


# ---- constraints -----------------------------------------------------------------------------


def _constraints(scenario: Scenario, frame: pl.DataFrame,
                 ancestors: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every packing constraint over the eligible: one per quota row, one per limit row, the
    budget; as (k, name, kind, cap) and (k, candidate_id, coef)."""
    eligible = frame.filter(pl.col("eligible"))
    heads: list[pl.DataFrame] = []
    parts: list[pl.DataFrame] = []
    quotas = scenario.quotas.select("agency_id", "target_title", "quota").with_row_index("k")
    heads.append(quotas.select(
        pl.col("k").cast(pl.Int64), pl.format("quota {}/{}", "agency_id", "target_title")
        .alias("name"), pl.lit("quota").alias("kind"), pl.col("quota").cast(pl.Int64)
        .alias("cap")))
    parts.append(eligible.join(quotas, on=["agency_id", "target_title"], how="inner")
                 .select(pl.col("k").cast(pl.Int64), CID, pl.lit(1, pl.Int64).alias("coef")))
    base = quotas.height
    limit_head, limit_members = _limits(scenario, eligible, ancestors, base)
    heads.append(limit_head)
    parts.append(limit_members)
    if scenario.budget_units > 0:
        k = base + limit_head.height
        heads.append(pl.DataFrame({"k": [k], "name": ["budget"], "kind": ["budget"],
                                   "cap": [scenario.budget_units]},
                                  schema={"k": pl.Int64, "name": pl.Utf8, "kind": pl.Utf8,
                                          "cap": pl.Int64}))
        parts.append(eligible.filter(pl.col("salary_units") > 0).select(
            pl.lit(k, pl.Int64).alias("k"), CID, pl.col("salary_units").cast(pl.Int64)
            .alias("coef")))
    return pl.concat(heads), pl.concat(parts)


def _limits(scenario: Scenario, eligible: pl.DataFrame, ancestors: pl.DataFrame,
            base: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A limit covers the candidates whose unit is its scope unit or below it, for its
    target_title / the titles of its target_rank when given (SCENARIO.md, limits.csv); its
    cap is ``max`` or the ``max_share`` cap (:func:`share_cap`)."""
    rs = scenario.rule_set
    rank_of = {t.code: t.rank.value for t in rs.titles}
    limits = scenario.limits.with_row_index("_i").with_columns(
        (pl.col("_i").cast(pl.Int64) + base).alias("k"))
    caps = [int(row["max"]) if row["max"] is not None else share_cap(scenario, row, ancestors)
            for row in limits.iter_rows(named=True)]
    head = limits.select(pl.col("k"), pl.format("limit {}", "limit_id").alias("name"),
                         pl.lit("limit").alias("kind")).with_columns(
        pl.Series("cap", caps, pl.Int64))
    # A 2026 limit may name a job position (at one level, or at every level): compared on
    # the candidates' own job_position column, not through the engine's titles.
    by_position = "job_position" in limits.columns and "job_position" in eligible.columns
    own_position = pl.col("job_position") if by_position else pl.lit(None, pl.Utf8)
    cands = eligible.select(CID, "unit_id", "target_title", pl.col("target_title")
                            .replace_strict(rank_of, return_dtype=pl.Utf8).alias("_rank"),
                            own_position.cast(pl.Utf8).alias("_position"))
    members = (cands.join(ancestors.select("unit_id", "anc_id"), on="unit_id", how="inner")
               .join(limits.select("k", pl.col("scope_unit_id").alias("anc_id"),
                                   pl.col("target_title").alias("_lt"),
                                   pl.col("target_rank").alias("_lr"),
                                   own_position.cast(pl.Utf8).alias("_lp")), on="anc_id")
               .filter((pl.col("_lt").is_null() | (pl.col("_lt") == pl.col("target_title")))
                       & (pl.col("_lr").is_null() | (pl.col("_lr") == pl.col("_rank")))
                       & (pl.col("_lp").is_null() | (pl.col("_lp") == pl.col("_position"))))
               .select("k", CID, pl.lit(1, pl.Int64).alias("coef")).unique())
    derived = level_cap_rows(scenario)
    if derived:
        first = base + limits.height
        heads = pl.DataFrame({"k": [first + i for i in range(len(derived))],
                              "name": [f"limit {c.limit_id}" for c in derived],
                              "kind": ["limit"] * len(derived),
                              "cap": [c.cap for c in derived]},
                             schema={"k": pl.Int64, "name": pl.Utf8, "kind": pl.Utf8,
                                     "cap": pl.Int64})
        of = {(c.unit_id, c.job_position, c.level): first + i for i, c in enumerate(derived)}
        rows = [(of[(unit, pos, level)], cid) for cid, unit, pos, level in eligible.select(
            CID, "unit_id", "job_position", "target_level").iter_rows()
            if (unit, pos, level) in of]
        capped = pl.DataFrame({"k": [k for k, _ in rows], CID: [c for _, c in rows],
                               "coef": [1] * len(rows)},
                              schema={"k": pl.Int64, CID: pl.Utf8, "coef": pl.Int64})
        head = pl.concat([head, heads.select(head.columns)], how="vertical_relaxed")
        members = pl.concat([members, capped.select(members.columns)], how="vertical_relaxed")
    return head, members


def share_cap(scenario: Scenario, row: dict[str, object], ancestors: pl.DataFrame) -> int:
    """Effective max of a ``max_share`` limit (SCENARIO.md, limits.csv): floor(max_share ×
    positions) − holders, never below 0. With target_title T: positions of every title of T's
    profession in the scope, holders of T there; with only target_rank R: positions of all
    titles in the scope, holders of rank-R titles there (staff.csv; an empty positions cell
    counts 0)."""
    rs = scenario.rule_set
    profession = {t.code: t.profession for t in rs.titles}
    rank = {t.code: t.rank.value for t in rs.titles}
    scope = ancestors.filter(pl.col("anc_id") == row["scope_unit_id"])["unit_id"].to_list()
    staff = scenario.staff.filter(pl.col("unit_id").is_in(scope))
    positions = holders = 0
    for title, held, approved in staff.select("title", "holders", "positions").iter_rows():
        title_t = row["target_title"]
        if title_t is not None:
            positions += (approved or 0) if profession[title] == profession[str(title_t)] else 0
            holders += held if title == title_t else 0
        else:
            positions += approved or 0
            holders += held if rank[title] == row["target_rank"] else 0
    return max(0, math.floor(Decimal(str(row["max_share"])) * positions) - holders)


# =============================================================================================
# The result, normalised
# =============================================================================================


@dataclass
class _Run:
    """A result next to its model: ``cands`` joins the model's rows with decisions.csv
    (``*_out`` columns) and an effective ``state`` for the allocation checks (the decision's
    status for the model's eligible, an eligible marked ineligible counting as a loser);
    ``groups`` is escalations.csv one row per member."""

    model: Model
    cands: pl.DataFrame
    decisions: pl.DataFrame
    escalations: pl.DataFrame
    groups: pl.DataFrame
    problems: tuple[str, ...]

    @cached_property
    def usage(self) -> pl.DataFrame:
        """Per constraint: cap, the selected's use and the tie groups' largest and smallest."""
        return _usage(self)

    @cached_property
    def losers(self) -> pl.DataFrame:
        """Every constraint of every loser the stability checks judge."""
        return _losers(self)


def _text_frame(frame: pl.DataFrame, columns: tuple[str, ...], ints: tuple[str, ...],
                label: str) -> tuple[pl.DataFrame, list[str]]:
    """The named columns, text (empty = null) or Int64; a missing column is reported."""
    problems = [f"{label}: column {c} is missing" for c in columns if c not in frame.columns]
    exprs = []
    for c in columns:
        col = pl.col(c) if c in frame.columns else pl.lit(None)
        if c in ints:
            exprs.append(col.cast(pl.Int64, strict=False).alias(c))
        else:
            text = col.cast(pl.Utf8)
            exprs.append(pl.when(text == "").then(None).otherwise(text).alias(c))
    return frame.select(exprs), problems


def _prepare(model: Model, decisions: pl.DataFrame, escalations: pl.DataFrame) -> _Run:
    dec, problems = _text_frame(decisions, DECISION_COLUMNS, ("priority_rank",), "decisions.csv")
    esc, more = _text_frame(escalations, ESCALATION_COLUMNS, ("seats",), "escalations.csv")
    first = dec.unique(CID, keep="first", maintain_order=True)
    out = first.rename({c: f"{c}_out" for c in DECISION_COLUMNS if c != CID})
    cands = model.candidates.join(out, on=CID, how="left").with_columns(
        pl.when(~pl.col("eligible")).then(None)
        .when(pl.col("status_out") == "ineligible").then(pl.lit("not_selected"))
        .otherwise(pl.col("status_out")).alias("state"))
    groups = (esc.with_columns(pl.col("candidate_ids").str.split(";").alias(CID))
              .explode(CID).drop("candidate_ids")
              .join(model.candidates.select(CID, "unit_id", "incomplete", "pos_lo", "pos_hi"),
                    on=CID, how="left"))
    return _Run(model, cands, dec, esc, groups, tuple(problems + more))


# =============================================================================================
# The checks
# =============================================================================================


def row_problems(run: _Run) -> list[str]:
    """decisions.csv has one row per candidate, sorted by id (README "Outputs"), and a known
    status (SCENARIO.md, decisions.csv: "one row per candidate"; the status vocabulary)."""
    dec = run.decisions
    known = set(run.model.candidates[CID].to_list())
    out = [f"decisions.csv: {c} appears more than once"
           for c in dec.filter(pl.col(CID).is_duplicated())[CID].unique().sort().to_list()]
    if not dec[CID].drop_nulls().is_sorted():
        out.append("decisions.csv: rows are not sorted by candidate_id")
    out += [f"decisions.csv: {c} is not a candidate of the scenario"
            for c in dec[CID].to_list() if c not in known]
    out += [f"decisions.csv: candidate {c} is missing"
            for c in sorted(known - set(dec[CID].to_list()))]
    bad = dec.filter(~pl.col("status").is_in(STATUSES) | pl.col("status").is_null())
    out += [f"decisions.csv {c}: unknown status {s!r}" for c, s in bad.select(CID, "status")
            .iter_rows()]
    return out


def eligibility_problems(run: _Run) -> list[str]:
    """``ineligible`` exactly for those failing a condition, and ``reasons`` the failed rule
    ids in the contract's order (SCENARIO.md, decisions.csv reasons; "Rule ids")."""
    c = run.cands.filter(pl.col("status_out").is_not_null())
    out = []
    wrong = c.filter((pl.col("status_out") == "ineligible") != ~pl.col("eligible"))
    for cid, status, reasons in wrong.select(CID, "status_out", "reasons").iter_rows():
        expected = f"ineligible ({reasons})" if reasons else "eligible"
        out.append(f"decisions.csv {cid}: status {status} but the scenario makes it {expected}")
    mismatch = c.filter(pl.col("reasons").fill_null("") != pl.col("reasons_out").fill_null(""))
    for cid, got, want in mismatch.select(CID, "reasons_out", "reasons").iter_rows():
        out.append(f"decisions.csv {cid}: reasons {got or ''!r}, the scenario gives "
                   f"{want or ''!r}")
    return out


def pool_column_problems(run: _Run) -> list[str]:
    """agency_id, target_title name the candidate's pool — the nearest agency at or above its
    unit with a quota for its target title — and are empty without one (SCENARIO.md,
    quotas.csv and decisions.csv)."""
    c = run.cands.filter(pl.col("status_out").is_not_null())
    want_title = pl.when(pl.col("agency_id").is_not_null()).then(pl.col("target_title"))
    wrong = c.filter((pl.col("agency_id").fill_null("") != pl.col("agency_id_out").fill_null(""))
                     | (want_title.fill_null("") != pl.col("target_title_out").fill_null("")))
    return [f"decisions.csv {cid}: pool {ga}/{gt} but the scenario gives {wa}/{wt}"
            for cid, ga, gt, wa, wt in wrong.select(
                CID, "agency_id_out", "target_title_out", "agency_id",
                want_title.alias("_t")).iter_rows()]


def rank_problems(run: _Run) -> list[str]:
    """priority_rank is the dense rank by the priority key within the pool, 1 = best, for
    the eligible only (SCENARIO.md, decisions.csv priority_rank; "Incomplete data")."""
    c = run.cands.filter(pl.col("status_out").is_not_null())
    wrong = c.filter(pl.col("rank").fill_null(-1) != pl.col("priority_rank_out").fill_null(-1))
    return [f"decisions.csv {cid}: priority_rank {got} but the key gives {want}"
            for cid, got, want in wrong.select(CID, "priority_rank_out", "rank").iter_rows()]


def column_problems(run: _Run) -> list[str]:
    """tie_group is given exactly for the escalated; decided_by exactly for the not selected,
    from its vocabulary: a priority criterion, ``limit:<limit_id>`` of limits.csv,
    ``budget``, ``quota``, or ``authority`` where the scenario holds rulings (SCENARIO.md,
    decisions.csv decided_by and tie_group; "Settled points")."""
    dec = run.decisions
    out = [f"decisions.csv {c}: tie_group {g!r} on a {s} candidate" for c, s, g in dec.filter(
        (pl.col("status") == "escalated") != pl.col("tie_group").is_not_null())
        .select(CID, "status", "tie_group").iter_rows()]
    words = {c.value for c in run.model.priority} | {"quota"}
    words |= {f"limit:{x}" for x in run.model.limit_ids}
    words |= {"budget"} if run.model.has_budget else set()
    words |= {"authority"} if run.model.rulings.height else set()
    for cid, status, why in dec.select(CID, "status", "decided_by").iter_rows():
        if (status == "not_selected") != (why is not None):
            out.append(f"decisions.csv {cid}: decided_by {why!r} on a {status} candidate")
        elif why is not None and why not in words:
            out.append(f"decisions.csv {cid}: decided_by {why!r} is not a known reason")
    return out


# ---- capacity --------------------------------------------------------------------------------


def _group_use(run: _Run) -> pl.DataFrame:
    """Per constraint and tie group: the largest (``g_hi``) and smallest (``g_lo``) use that
    filling its seats with some of its members can make."""
    gm = run.groups.select("tie_group", "seats", CID, pl.len().over("tie_group").alias("size"))
    rows = run.model.members.join(gm, on=CID, how="inner")
    rows = rows.with_columns(
        pl.col("coef").rank("ordinal", descending=True).over("k", "tie_group").alias("_down"),
        pl.col("coef").rank("ordinal").over("k", "tie_group").alias("_up"),
        pl.len().over("k", "tie_group").alias("_covered"))
    uncovered = pl.col("size") - pl.col("_covered")
    return rows.group_by("k", "tie_group").agg(
        pl.col("coef").filter(pl.col("_down") <= pl.col("seats")).sum().alias("g_hi"),
        pl.col("coef").filter(pl.col("_up") <= pl.col("seats") - uncovered).sum()
        .alias("g_lo"))


def _usage(run: _Run) -> pl.DataFrame:
    """Per constraint: cap, the selected's use ``sel`` and the tie groups' largest and
    smallest use ``g_hi``, ``g_lo``."""
    sel = (run.model.members.join(run.cands.filter(pl.col("state") == "selected")
                                  .select(CID), on=CID, how="inner")
           .group_by("k").agg(pl.col("coef").sum().alias("sel")))
    groups = _group_use(run).group_by("k").agg(pl.col("g_hi").sum(), pl.col("g_lo").sum())
    return (run.model.constraints.join(sel, on="k", how="left").join(groups, on="k", how="left")
            .with_columns(pl.col("sel", "g_hi", "g_lo").fill_null(0)))


def capacity_problems(run: _Run) -> list[str]:
    """No quota, limit or budget is exceeded by the selected plus the seats of the tie groups,
    each group's seats filled by some of its members as cheaply as it can (SCENARIO.md,
    "Status meaning"; pools.csv escalated_seats; DOMAIN.md §5)."""
    over = run.usage.filter(pl.col("sel") + pl.col("g_lo") > pl.col("cap"))
    return [f"{name} exceeded: {sel} selected + {g} escalated seats > {cap}"
            for name, sel, g, cap in over.select("name", "sel", "g_lo", "cap").iter_rows()]


def completion_problems(run: _Run) -> list[str]:
    """Some way of filling every tie group's seats with its members respects every quota,
    limit and budget at once (SCENARIO.md, "Status meaning": escalated candidates are winners
    of some priority-optimal allocation). Tried exhaustively up to MAX_COMPLETIONS ways."""
    slack = {int(k): int(cap) - int(sel) for k, cap, sel in run.usage.select("k", "cap", "sel")
             .iter_rows()}
    coefs: dict[str, dict[int, int]] = {}
    for k, cid, coef in run.model.members.join(run.groups.select(CID), on=CID).iter_rows():
        coefs.setdefault(str(cid), {})[int(k)] = int(coef)
    options: list[list[dict[int, int]]] = []
    for _, part in run.groups.group_by("tie_group", maintain_order=True):
        ways = _fillings(sorted({str(m) for m in part[CID].to_list()}),
                         max(int(part["seats"][0] or 0), 0), coefs)
        if ways is None:
            return []
        options.append(ways)
    if math.prod(len(o) for o in options) > MAX_COMPLETIONS:
        return []
    for choice in itertools.product(*options):
        if all(v <= slack.get(k, 0) for k, v in _add(choice).items()):
            return []
    return ["no way of filling the tie groups' seats with their members respects every "
            "quota, limit and budget"]


def _fillings(members: list[str], seats: int,
              coefs: dict[str, dict[int, int]]) -> list[dict[int, int]] | None:
    """The distinct uses of the constraints by ``seats`` of ``members`` (None: too many)."""
    kinds: dict[tuple[tuple[int, int], ...], int] = {}
    for m in members:
        shape = tuple(sorted(coefs.get(m, {}).items()))
        kinds[shape] = kinds.get(shape, 0) + 1
    if len(kinds) == 1:
        (shape,) = kinds
        return [{k: v * seats for k, v in shape}]
    if math.comb(len(members), seats) > MAX_COMPLETIONS:
        return None
    ways = {tuple(sorted(_add(coefs.get(m, {}) for m in combo).items()))
            for combo in itertools.combinations(members, seats)}
    return [dict(w) for w in sorted(ways)]


def _add(parts: Iterable[dict[int, int]]) -> dict[int, int]:
    total: dict[int, int] = {}
    for part in parts:
        for k, v in part.items():
            total[k] = total.get(k, 0) + v
    return total


# ---- stability -------------------------------------------------------------------------------


def _exempt(run: _Run) -> pl.DataFrame:
    """Candidates a ruling of the managing agency put out (authority_decisions.csv): those it
    rejected, and those decided by ``authority`` tied with a ruled candidate."""
    rulings = run.model.rulings
    if rulings.height == 0:
        return pl.DataFrame(schema={CID: pl.Utf8})
    ruled = run.cands.join(rulings, on=CID, how="inner").select(
        pl.col("pos_lo").alias("r_lo"), pl.col("pos_hi").alias("r_hi"))
    rejected = rulings.filter(pl.col("decision") == "reject").select(CID)
    by_authority = (run.cands.filter(pl.col("decided_by_out") == "authority")
                    .select(CID, "pos_lo", "pos_hi").join(ruled, how="cross")
                    .filter((pl.col("pos_lo") <= pl.col("r_hi"))
                            & (pl.col("r_lo") <= pl.col("pos_hi"))).select(CID))
    return pl.concat([rejected, by_authority]).unique()


def _losers(run: _Run) -> pl.DataFrame:
    """(candidate_id, k, coef, pos_lo, pos_hi, state, tie_group) for every constraint of
    every not selected or escalated candidate that no ruling put out."""
    who = (run.cands.filter(pl.col("state").is_in(["not_selected", "escalated"]))
           .join(_exempt(run), on=CID, how="anti")
           .join(run.groups.select(CID, "tie_group").unique(CID), on=CID, how="left")
           .select(CID, "pos_lo", "pos_hi", "state", "tie_group"))
    return run.model.members.join(who, on=CID, how="inner")


def _selected_not_below(run: _Run, losers: pl.DataFrame) -> pl.DataFrame:
    """(candidate_id, k, s_nl): per loser x and constraint, the selected's use counting only
    winners not surely below x (pos_lo(w) ≤ pos_hi(x)), by one sort per constraint."""
    winners = run.model.members.join(
        run.cands.filter(pl.col("state") == "selected").select(CID, "pos_lo"), on=CID)
    events = pl.concat([
        winners.select("k", pl.col("pos_lo").alias("_pos"), pl.lit(0).alias("_q"), "coef",
                       pl.lit(None, pl.Utf8).alias(CID)),
        losers.select("k", pl.col("pos_hi").alias("_pos"), pl.lit(1).alias("_q"),
                      pl.lit(0, pl.Int64).alias("coef"), CID),
    ]).sort("k", "_pos", "_q")
    return (events.with_columns(pl.col("coef").cum_sum().over("k").alias("s_nl"))
            .filter(pl.col("_q") == 1).select(CID, "k", "s_nl"))


def _groups_not_below(run: _Run, losers: pl.DataFrame) -> pl.DataFrame:
    """(candidate_id, k, g_nl): per loser x and constraint, the most the tie groups' seats can
    use with members other than x not surely below x."""
    gm = run.groups.select("tie_group", "seats", pl.col(CID).alias("_m"),
                           pl.col("pos_lo").alias("_m_lo"))
    rows = run.model.members.rename({CID: "_m", "coef": "_mc"}).join(gm, on="_m")
    if rows.height == 0:
        return pl.DataFrame(schema={CID: pl.Utf8, "k": pl.Int64, "g_nl": pl.Int64})
    pairs = (losers.select(CID, "k", "pos_hi").join(rows, on="k")
             .filter((pl.col("_m_lo") <= pl.col("pos_hi")) & (pl.col("_m") != pl.col(CID))))
    return (pairs.with_columns(pl.col("_mc").rank("ordinal", descending=True)
                               .over(CID, "k", "tie_group").alias("_r"))
            .filter(pl.col("_r") <= pl.col("seats"))
            .group_by(CID, "k").agg(pl.col("_mc").sum().alias("g_nl")))


def displacement_problems(run: _Run) -> list[str]:
    """Objective "priority": no loser x fits in every optimal allocation once the winners
    surely below x in x's constraints make way — a higher-priority candidate is never given
    up for any number of lower-priority ones (DOMAIN.md §5; SCENARIO.md, "Status meaning":
    not_selected = a winner in no priority-optimal allocation, escalated = not in all).
    Checked on each constraint with the selected and the tie groups not surely below x."""
    if run.model.objective is not Objective.priority:
        return []
    losers = run.losers
    if losers.height == 0:
        return []
    table = (losers.join(_selected_not_below(run, losers), on=[CID, "k"], how="left")
             .join(_groups_not_below(run, losers), on=[CID, "k"], how="left")
             .join(run.model.constraints.select("k", "cap"), on="k")
             .with_columns(pl.col("s_nl", "g_nl").fill_null(0)))
    fits = table.group_by(CID, "state").agg(
        (pl.col("s_nl") + pl.col("g_nl") + pl.col("coef") <= pl.col("cap")).all().alias("_ok"))
    return [f"{cid} ({state}) could take a seat by displacing only winners ranked below it"
            for cid, state in fits.filter(pl.col("_ok")).select(CID, "state").sort(CID).iter_rows()]


def _room(run: _Run, losers: pl.DataFrame) -> pl.DataFrame:
    """Per loser and constraint: ``need``, how much the constraint's use by some optimal
    allocation may exceed its cap once the loser is added (≤ 0: surely room)."""
    use = run.usage.select("k", "cap", (pl.col("sel") + pl.col("g_hi")).alias("_hi"))
    return losers.join(use, on="k").with_columns(
        (pl.col("_hi") + pl.col("coef") - pl.col("cap")).alias("need"))


def addition_problems(run: _Run) -> list[str]:
    """Objective "fill": no loser fits beside the winners of every optimal allocation — as
    many seats as possible are filled (SCENARIO.md, scenario.toml objective; "Status
    meaning")."""
    if run.model.objective is not Objective.fill:
        return []
    room = _room(run, run.losers)
    fits = room.group_by(CID, "state").agg((pl.col("need") <= 0).all().alias("_ok"))
    return [f"{cid} ({state}) could be added without exceeding any quota, limit or budget"
            for cid, state in fits.filter(pl.col("_ok")).select(CID, "state").sort(CID).iter_rows()]


def swap_problems(run: _Run) -> list[str]:
    """No loser could take the place of one winner (SCENARIO.md, "Status meaning"; DOMAIN.md
    §4: ties go to the managing agency, a better candidate is never passed over): a not
    selected candidate in place of a selected one it is not surely below, or of an escalated
    one it is tied with or surely above; an escalated candidate in place of a selected one it
    is tied with or surely above. Checked on every constraint of the loser with the selected
    and the tie groups' largest use."""
    losers = run.losers
    if losers.height == 0:
        return []
    room = _room(run, losers).filter(pl.col("need") > 0)
    kinds = dict(run.model.constraints.select("k", "kind").iter_rows())
    room = room.with_columns(pl.col("k").replace_strict(kinds, return_dtype=pl.Utf8)
                             .alias("kind"))
    blocked = room.filter((pl.col("kind") != "budget") & (pl.col("need") > 1))[CID].unique()
    room = room.filter(~pl.col(CID).is_in(blocked.implode()))
    found = _swaps(run, room)
    return [f"{x} ({state}) could take the seat of {w_state} {w}"
            for x, state, w, w_state in found.sort(CID).iter_rows()]


def _swaps(run: _Run, room: pl.DataFrame) -> pl.DataFrame:
    """(loser, state, winner, winner's state) where the winner alone makes room on every
    constraint the loser lacks room in, and the order allows the exchange."""
    winners = run.cands.filter(pl.col("state").is_in(["selected", "escalated"])).select(
        pl.col(CID).alias("_w"), pl.col("state").alias("_w_state"),
        pl.col("pos_lo").alias("_w_lo"), pl.col("pos_hi").alias("_w_hi"))
    wk = run.model.members.rename({CID: "_w", "coef": "_wc"}).join(winners, on="_w")
    n_need = room.group_by(CID).agg(pl.len().alias("_n"))
    anchor = room.sort(CID, "k").group_by(CID, maintain_order=True).first().select(CID, "k")
    pairs = anchor.join(wk.select("k", "_w"), on="k").select(CID, "_w")
    covered = (pairs.join(room.select(CID, "k", "need"), on=CID)
               .join(wk, on=["_w", "k"], how="inner")
               .filter(pl.col("_wc") >= pl.col("need"))
               .group_by(CID, "_w").agg(pl.len().alias("_n"), pl.col("_w_state").first(),
                                         pl.col("_w_lo").first(), pl.col("_w_hi").first()))
    loser_selected = (pl.col("state") == "not_selected") & (pl.col("_w_state") == "selected")
    order_ok = (pl.when(loser_selected).then(pl.col("_w_hi") >= pl.col("pos_lo"))
                .when(pl.col("state") == pl.col("_w_state")).then(False)
                .otherwise(pl.col("_w_lo") >= pl.col("pos_hi")))
    who = room.select(CID, "state", "pos_lo", "pos_hi").unique(CID)
    return (covered.join(n_need, on=[CID, "_n"], how="inner").join(who, on=CID)
            .filter(order_ok).sort(CID, "_w").group_by(CID, maintain_order=True).first()
            .select(CID, "state", "_w", "_w_state"))


# ---- ties ------------------------------------------------------------------------------------


def group_table_problems(run: _Run) -> list[str]:
    """escalations.csv: each tie group once, with seats ≥ 1 and fewer than its members; every
    member an escalated candidate of that group, every escalated candidate in exactly one
    group (SCENARIO.md, escalations.csv; "Status meaning": escalated = a winner in some but
    not all optimal allocations)."""
    esc, groups = run.escalations, run.groups
    out = [f"escalations.csv: tie group {g} is listed twice"
           for g in esc.filter(pl.col("tie_group").is_duplicated())["tie_group"].unique()
           .sort().to_list()]
    size = groups.group_by("tie_group").agg(pl.len().alias("n"), pl.col("seats").first())
    out += [f"escalations.csv {g}: {s} seats for {n} candidates"
            for g, n, s in size.filter((pl.col("seats").fill_null(0) < 1)
                                       | (pl.col("seats") >= pl.col("n")))
            .select("tie_group", "n", "seats").sort("tie_group").iter_rows()]
    twice = groups.filter(pl.col(CID).is_duplicated())[CID].unique().sort().to_list()
    out += [f"escalations.csv: {c} is in more than one tie group (or twice)" for c in twice]
    status = run.decisions.select(CID, "status", pl.col("tie_group").alias("_dg"))
    member = groups.join(status, on=CID, how="left")
    out += [f"escalations.csv {g}: member {c} is {s or 'not in decisions.csv'}, not escalated"
            for g, c, s in member.filter(pl.col("status").fill_null("") != "escalated")
            .select("tie_group", CID, "status").iter_rows()]
    out += [f"decisions.csv {c}: tie_group {d} but escalations.csv lists it in {g}"
            for g, c, d in member.filter((pl.col("status") == "escalated")
                                         & (pl.col("_dg") != pl.col("tie_group")))
            .select("tie_group", CID, "_dg").iter_rows()]
    listed = set(groups[CID].to_list())
    out += [f"decisions.csv {c}: escalated but in no tie group"
            for c in run.decisions.filter(pl.col("status") == "escalated")[CID].to_list()
            if c not in listed]
    return out


def tied_problems(run: _Run) -> list[str]:
    """The members of a tie group are tied: with complete birth dates, equal on every
    criterion of the key; where a date is incomplete, linked by pairs the key cannot order
    (SCENARIO.md, "Incomplete data"; DOMAIN.md §4: only candidates equal on all criteria)."""
    out = []
    for (gid,), part in run.groups.filter(pl.col("pos_lo").is_not_null()).group_by(
            "tie_group", maintain_order=True):
        if not part["incomplete"].any():
            if part["pos_lo"].n_unique() > 1:
                out.append(f"escalations.csv {gid}: members differ on the priority key")
            continue
        spans = sorted(zip(part["pos_lo"].to_list(), part["pos_hi"].to_list(), strict=True))
        reach = spans[0][1]
        for lo, hi in spans[1:]:
            if lo > reach:
                out.append(f"escalations.csv {gid}: members fall apart into groups the key "
                           "orders")
                break
            reach = max(reach, hi)
    return out


def agency_problems(run: _Run) -> list[str]:
    """managing_agency_id is the parent of the tied candidates' unit (the unit itself for the
    root); for several units the lowest common ancestor of those parents (SCENARIO.md,
    escalations.csv)."""
    out = []
    named = dict(run.escalations.select("tie_group", "managing_agency_id").iter_rows())
    for (gid,), part in run.groups.filter(pl.col("unit_id").is_not_null()).group_by(
            "tie_group", maintain_order=True):
        want = managing_agency(run.model.parent, [str(u) for u in part["unit_id"].to_list()])
        if named.get(gid) != want:
            out.append(f"escalations.csv {gid}: managing agency {named.get(gid)} but the tree "
                       f"gives {want}")
    return out


# ---- pools.csv -------------------------------------------------------------------------------


def pool_table_problems(scenario: Scenario, decisions: pl.DataFrame,
                        escalations: pl.DataFrame, pools: pl.DataFrame,
                        *, model: Model | None = None) -> list[str]:
    """pools.csv: one row per quota with its quota; eligible and selected counted from the
    scenario's pools; selected + escalated_seats + unused = quota with unused ≥ 0; a tie
    group's seats attributed to its pools in full, each pool at most its members there
    (SCENARIO.md, pools.csv and "Settled points")."""
    decisions, pools = as_title_table(decisions), as_title_table(pools)
    run = _prepare(model or derive(scenario), decisions, escalations)
    table, out = _text_frame(pools, POOL_COLUMNS, POOL_COLUMNS[2:], "pools.csv")
    pool = ["agency_id", "target_title"]
    quotas = scenario.quotas.select(*pool, pl.col("quota").cast(pl.Int64).alias("_quota"))
    out += [f"pools.csv {a}/{t}: listed twice" for a, t in table.filter(
        pl.struct(pool).is_duplicated()).select(pool).unique().iter_rows()]
    out += [f"pools.csv: no row for the quota {a}/{t}"
            for a, t in quotas.join(table, on=pool, how="anti").select(pool).iter_rows()]
    out += [f"pools.csv {a}/{t}: not a quota of the scenario"
            for a, t in table.join(quotas, on=pool, how="anti").select(pool).iter_rows()]
    expected = quotas.join(_pool_counts(run), on=pool, how="left").with_columns(
        pl.col("_eligible", "_selected", "_cap").fill_null(0))
    rows = table.unique(pool, keep="first").join(expected, on=pool, how="inner")
    out += list(itertools.chain.from_iterable(_pool_row(r) for r in rows.iter_rows(named=True)))
    seats = int(run.escalations["seats"].fill_null(0).sum())
    given = int(table["escalated_seats"].fill_null(0).sum())
    if given != seats:
        out.append(f"pools.csv: escalated_seats add up to {given}, the tie groups hold {seats}")
    return out


def _pool_counts(run: _Run) -> pl.DataFrame:
    """Per pool: eligible, selected and the most of the tie groups' seats it can hold."""
    pool = ["agency_id", "target_title"]
    counts = run.cands.filter(pl.col("eligible")).group_by(pool).agg(
        pl.len().alias("_eligible"), (pl.col("state") == "selected").sum().alias("_selected"))
    cap = (run.groups.join(run.model.candidates.select(CID, *pool), on=CID)
           .group_by("tie_group", *pool).agg(pl.len().alias("_n"), pl.col("seats").first())
           .group_by(pool).agg(pl.min_horizontal("_n", "seats").sum().alias("_cap")))
    return counts.join(cap, on=pool, how="full", coalesce=True)


def _pool_row(r: dict[str, object]) -> Iterator[str]:
    name = f"pools.csv {r['agency_id']}/{r['target_title']}"
    for col, want in (("quota", "_quota"), ("eligible", "_eligible"), ("selected", "_selected")):
        if r[col] != r[want]:
            yield f"{name}: {col} {r[col]} but the scenario and decisions give {r[want]}"
    quota, sel, esc, unused, cap = (_int(r[c]) for c in ("quota", "selected", "escalated_seats",
                                                        "unused", "_cap"))
    if quota is None or sel is None or esc is None or unused is None:
        yield f"{name}: empty counts"
        return
    if sel + esc + unused != quota or unused < 0 or esc < 0:
        yield (f"{name}: selected {sel} + escalated_seats {esc} + unused {unused} "
               f"≠ quota {quota}")
    if esc > (cap or 0):
        yield f"{name}: escalated_seats {esc} exceed the {cap or 0} its tie group members hold"


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


# ---- all together ----------------------------------------------------------------------------

CHECKS = (row_problems, eligibility_problems, pool_column_problems, rank_problems,
          column_problems, capacity_problems, completion_problems, displacement_problems,
          addition_problems, swap_problems, group_table_problems, tied_problems,
          agency_problems)


def as_title_table(table: pl.DataFrame) -> pl.DataFrame:
    """A table of a round of career levels (pool named by job_position and target_level)
    with the scenario's internal ``target_title`` (``<position>@<level>``) in their place."""
    if "job_position" not in table.columns or "target_title" in table.columns:
        return table
    at = table.columns.index("job_position")
    title = pl.when(pl.col("job_position").is_not_null()).then(pl.concat_str(
        [pl.col("job_position").cast(pl.Utf8), pl.lit("@"),
         pl.col("target_level").cast(pl.Utf8)])).alias("target_title")
    rest = [c for c in table.columns[at:] if c not in ("job_position", "target_level")]
    return table.with_columns(title).select(*table.columns[:at], "target_title", *rest)


def check(scenario: Scenario, decisions: pl.DataFrame, escalations: pl.DataFrame,
          *, pools: pl.DataFrame | None = None, model: Model | None = None) -> list[str]:
    """Every problem found in a result (empty when it passes), sorted.

    ``pools`` adds :func:`pool_table_problems` (off by default: the engine is known to break
    the pools.csv invariant for tie groups spanning pools). ``model`` reuses a
    :func:`derive` of the same scenario."""
    model = model or derive(scenario)
    decisions = as_title_table(decisions)
    pools = as_title_table(pools) if pools is not None else None
    run = _prepare(model, decisions, escalations)
    problems = list(run.problems)
    for one in CHECKS:
        problems += one(run)
    if pools is not None:
        problems += pool_table_problems(scenario, decisions, escalations, pools, model=model)
    return sorted(set(problems))
