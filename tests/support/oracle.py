"""An independent brute-force oracle for scenario folders of the 2024 (title) regime.

Written from the file contract (``SCENARIO.md``) and ``DOMAIN.md`` §3–§5 alone: Python's
standard library only, nothing imported from ``allocator`` or ``models``.  It is meant to be
obviously correct, not fast; it enumerates every subset of the eligible candidates and so is
for small instances only (at most ``MAX_BRUTE_FORCE`` eligible candidates with a pool).

What it computes
----------------
1. Eligibility of every candidate (the six built-in transitions, rule ids in the contract's
   order) and the candidate's pool: the nearest agency at or above the unit with a quota row
   for the target title.
2. The feasible winner sets: subsets of the eligible candidates (with a pool) that respect
   every pool's quota, every limit of ``limits.csv`` (``max`` or the ``max_share`` formula on
   ``staff.csv``) and the budget (sum of ``salary_increase`` ≤ ``budget`` when ``budget > 0``,
   in exact fractions).
3. For every *completion* of the incomplete birth dates, the priority classes (candidates equal
   on achievement, female, ethnic minority, birth date and service start form one class,
   classes ordered best first) and the optimal winner sets: ``priority`` maximises the vector
   (winners in class 1, class 2, …) lexicographically; ``fill`` maximises the number of
   winners first, then that vector.
4. A candidate is ``selected`` when a winner in every optimal set of every completion,
   ``not_selected`` when in none, ``escalated`` otherwise.  Rulings keep only the optimal sets
   that honour them all; when none does (or a ruling names a candidate who is not escalated
   without rulings), they are refused.

Why the enumeration of completions is exact
-------------------------------------------
The priority key depends on the birth dates only through their *relative order* (each pair
<, = or >), and only among candidates equal on the earlier criteria (achievement, female,
ethnic minority).  So candidates are split into groups of equal prefix; the birth-date orders
of different groups are independent (a completion fixes each incomplete date separately and a
date of one group is never compared with a date of another), so the set of reachable joint
orders is the product of the per-group sets.

Inside a group, each incomplete date is an interval [lo, hi] of days (a year or a month).  Let
B be the sorted set of *breakpoints*: every complete date of the group and every lo and hi of
an incomplete one.  Cut the time line into *slots*: each breakpoint b (a single day) and each
open gap (b_j, b_j+1) between consecutive breakpoints that holds at least one day.  Because the
bounds of every interval are breakpoints, each slot lies wholly inside or wholly outside each
interval.  A completion (one day per incomplete date) therefore determines, for each incomplete
date, the one slot holding its day, and for the dates that fall in the same gap their weak
order (an ordered partition into blocks of equal days), with at most as many blocks as the gap
has days.  Conversely every such choice (a slot inside the interval for each incomplete date,
and for each gap an ordered partition of its members into at most ``days(gap)`` blocks) is
realised by a completion: put a point-slot date on its breakpoint and the k-th block of a gap
on the k-th day of that gap.  Two completions with the same choice induce the same order of all
dates of the group: dates in different slots are ordered by the slots, dates on the same
breakpoint are equal (complete dates are breakpoints too), dates in one gap are ordered by the
chosen partition.  Hence enumerating every choice enumerates exactly the set of orders that
completions induce — no order is missed and none is invented — which is what
``birth_orders`` does; ``test_oracle.py`` also checks it against a day-by-day enumeration.
Ineligible candidates take part in no comparison and are left out.
"""

from __future__ import annotations

import calendar
import csv
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from math import floor, prod
from pathlib import Path

MAX_BRUTE_FORCE = 16
MAX_STRUCTURES = 100_000


class OracleTooLarge(ValueError):
    """The instance is too large for brute force."""


RULE_ORDER: tuple[str, ...] = (
    "rating",
    "discipline",
    "competence",
    "degree",
    "certificate",
    "language_it",
    "tenure",
    "tenure_12_months",
    "points",
    "points_st",
    "excellent_achievement",
    "no_quota",
)

DEGREE_LADDER: tuple[str, ...] = ("trung_cap", "cao_dang", "dai_hoc", "thac_si", "tien_si")
PASSING_RATINGS = frozenset({"xuat_sac", "tot"})
ACHIEVEMENT_SCORE: dict[str, int] = {"A": 4, "B": 3, "C": 2, "D": 1, "": 0}

TITLE_RANK: dict[str, str] = {
    "V.11.05.12": "IV",
    "V.11.05.11": "III",
    "V.11.06.15": "IV",
    "V.11.06.14": "III",
    "V.05.01.04": "IV",
    "V.05.01.03": "III",
    "V.05.01.02": "II",
    "V.05.02.08": "IV",
    "V.05.02.07": "III",
    "V.05.02.06": "II",
}

PROFESSION_OF_PREFIX: dict[str, str] = {
    "V.11.05": "infosec",
    "V.11.06": "it",
    "V.05.01": "research",
    "V.05.02": "engineering",
}


@dataclass(frozen=True)
class Transition:
    """One row of the contract's table "Titles and transitions built in"."""

    months: int
    months_trung_cap: int
    degree_min: str
    points_min: Fraction | None
    points_st_min: Fraction | None
    achievement_min: str  # 001 Art. 6: IV→III needs C or higher, III→II needs B or higher


TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("V.11.05.12", "V.11.05.11"): Transition(24, 36, "dai_hoc", None, None, "C"),
    ("V.11.06.15", "V.11.06.14"): Transition(24, 36, "dai_hoc", None, None, "C"),
    ("V.05.01.04", "V.05.01.03"): Transition(36, 36, "dai_hoc", None, None, "C"),
    ("V.05.01.03", "V.05.01.02"): Transition(108, 108, "thac_si", Fraction(3), Fraction(1), "B"),
    ("V.05.02.08", "V.05.02.07"): Transition(36, 36, "dai_hoc", None, None, "C"),
    ("V.05.02.07", "V.05.02.06"): Transition(108, 108, "dai_hoc", Fraction(2), Fraction(1), "B"),
}


def profession(title: str) -> str:
    return PROFESSION_OF_PREFIX[title.rsplit(".", 1)[0]]


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateSpec:
    """A birth date as the set of days it may be: [lo, hi] (lo == hi when complete)."""

    lo: date
    hi: date

    @property
    def complete(self) -> bool:
        return self.lo == self.hi


_BIRTH = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_birth(text: str) -> DateSpec:
    m = _BIRTH.match(text.strip())
    if m is None:
        raise ValueError(f"malformed birth date {text!r}")
    year = int(m.group(1))
    if m.group(2) is None:
        return DateSpec(date(year, 1, 1), date(year, 12, 31))
    month = int(m.group(2))
    if m.group(3) is None:
        last = calendar.monthrange(year, month)[1]
        return DateSpec(date(year, month, 1), date(year, month, last))
    day = date(year, month, int(m.group(3)))
    return DateSpec(day, day)


def parse_date(text: str) -> date:
    return date.fromisoformat(text.strip())


def parse_bool(text: str) -> bool:
    value = text.strip().casefold()
    if value in ("true", "1", "x"):
        return True
    if value in ("false", "0", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def parse_number(text: str, default: Fraction = Fraction(0)) -> Fraction:
    text = text.strip()
    return default if text == "" else Fraction(text)


def parse_int(text: str, default: int = 0) -> int:
    text = text.strip()
    return default if text == "" else int(text)


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of a name (đ counts as d)."""
    decomposed = unicodedata.normalize("NFD", text.strip().casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d")


def is_female(text: str) -> bool:
    value = fold(text)
    if value in ("female", "nu"):
        return True
    if value in ("male", "nam"):
        return False
    raise ValueError(f"unknown sex {text!r}")


def is_minority(ethnicity: str) -> bool:
    value = fold(ethnicity)
    return value != "" and value != "kinh"


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months; a day the target month lacks becomes its last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def full_months(start: date, end: date) -> int:
    """Full calendar months from ``start`` to ``end`` (Civil Code 2015 Art. 148).

    Month m is full when the day of the month is reached again (``add_months(start, m)``
    on or before ``end``); counted one by one.
    """
    months = 0
    while add_months(start, months + 1) <= end:
        months += 1
    return months


# ---------------------------------------------------------------------------------------------
# The scenario as read from the folder
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    cid: str
    birth: DateSpec
    female: bool
    minority: bool
    unit: str
    current_title: str
    target_title: str
    rank_since: date
    equivalent_months: int
    probation_months: int
    recruitment_level: str
    degree: str
    degree_field_ok: bool
    certificate: bool
    rating: str
    under_discipline: bool
    competence_ok: bool
    language_it_ok: bool
    achievement: str
    service_start: date
    points: Fraction
    points_st: Fraction
    salary_increase: Fraction


@dataclass(frozen=True)
class Limit:
    limit_id: str
    scope: str
    target_title: str
    target_rank: str
    max_text: str
    share_text: str


@dataclass(frozen=True)
class StaffRow:
    unit: str
    title: str
    holders: int
    positions: int


@dataclass
class Scenario:
    deadline: date
    review_year: int
    certificate_waived: bool
    require_excellent: bool
    objective: str
    budget: Fraction
    parent: dict[str, str | None]
    candidates: list[Candidate]
    quotas: dict[tuple[str, str], int]
    limits: list[Limit]
    staff: list[StaffRow]
    rulings: list[tuple[str, str]] = field(default_factory=list)

    def ancestors(self, unit: str) -> list[str]:
        """The unit and every unit above it, nearest first."""
        chain: list[str] = []
        current: str | None = unit
        while current is not None:
            if current in chain:
                raise ValueError(f"parent cycle at {current}")
            chain.append(current)
            current = self.parent[current]
        return chain

    def in_subtree(self, unit: str, scope: str) -> bool:
        return scope in self.ancestors(unit)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(handle)
        ]


def _toml_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return parse_date(str(value))


def load(folder: Path) -> Scenario:
    with (folder / "scenario.toml").open("rb") as handle:
        settings = tomllib.load(handle)
    parent: dict[str, str | None] = {}
    for row in _rows(folder / "units.csv"):
        parent[row["unit_id"]] = row.get("parent_id", "") or None
    candidates = []
    for row in _rows(folder / "candidates.csv"):
        candidates.append(
            Candidate(
                cid=row["candidate_id"],
                birth=parse_birth(row["birth_date"]),
                female=is_female(row["sex"]),
                minority=is_minority(row.get("ethnicity", "")),
                unit=row["unit_id"],
                current_title=row["current_title"],
                target_title=row["target_title"],
                rank_since=parse_date(row["rank_since"]),
                equivalent_months=parse_int(row.get("equivalent_months", "")),
                probation_months=parse_int(row.get("probation_months", "")),
                recruitment_level=row["recruitment_level"],
                degree=row["degree"],
                degree_field_ok=parse_bool(row["degree_field_ok"]),
                certificate=parse_bool(row["certificate"]),
                rating=row["rating_prev_year"],
                under_discipline=parse_bool(row["under_discipline"]),
                competence_ok=parse_bool(row["competence_ok"]),
                language_it_ok=parse_bool(row["language_it_ok"]),
                achievement=row.get("achievement", "").upper(),
                service_start=parse_date(row["service_start"]),
                points=parse_number(row.get("points", "")),
                points_st=parse_number(row.get("points_st", "")),
                salary_increase=parse_number(row.get("salary_increase", "")),
            )
        )
    quotas = {
        (row["agency_id"], row["target_title"]): int(row["quota"])
        for row in _rows(folder / "quotas.csv")
    }
    limits: list[Limit] = []
    if (folder / "limits.csv").exists():
        for row in _rows(folder / "limits.csv"):
            limits.append(
                Limit(
                    limit_id=row["limit_id"],
                    scope=row["scope_unit_id"],
                    target_title=row.get("target_title", ""),
                    target_rank=row.get("target_rank", "").upper(),
                    max_text=row.get("max", ""),
                    share_text=row.get("max_share", ""),
                )
            )
    staff: list[StaffRow] = []
    if (folder / "staff.csv").exists():
        for row in _rows(folder / "staff.csv"):
            staff.append(
                StaffRow(
                    unit=row["unit_id"],
                    title=row["title"],
                    holders=parse_int(row.get("holders", "")),
                    positions=parse_int(row.get("positions", "")),
                )
            )
    rulings: list[tuple[str, str]] = []
    if (folder / "authority_decisions.csv").exists():
        for row in _rows(folder / "authority_decisions.csv"):
            rulings.append((row["candidate_id"], row["decision"].casefold()))
    budget_value = settings.get("budget", 0)
    return Scenario(
        deadline=_toml_date(settings["deadline"]),
        review_year=int(settings["review_year"]),
        certificate_waived=bool(settings.get("certificate_waived", False)),
        require_excellent=bool(settings.get("require_excellent_achievement", False)),
        objective=str(settings.get("objective", "priority")),
        budget=Fraction(str(budget_value)),
        parent=parent,
        candidates=candidates,
        quotas=quotas,
        limits=limits,
        staff=staff,
        rulings=rulings,
    )


# ---------------------------------------------------------------------------------------------
# Eligibility and pools
# ---------------------------------------------------------------------------------------------


def pool_of(scenario: Scenario, cand: Candidate) -> tuple[str, str] | None:
    for agency in scenario.ancestors(cand.unit):
        if (agency, cand.target_title) in scenario.quotas:
            return agency, cand.target_title
    return None


def failed_rules(scenario: Scenario, cand: Candidate) -> tuple[str, ...]:
    """The rule ids ``cand`` fails, in the contract's order."""
    rule = TRANSITIONS[(cand.current_title, cand.target_title)]
    failed: set[str] = set()
    if cand.rating not in PASSING_RATINGS:
        failed.add("rating")
    if cand.under_discipline:
        failed.add("discipline")
    if not cand.competence_ok:
        failed.add("competence")
    if DEGREE_LADDER.index(cand.degree) < DEGREE_LADDER.index(rule.degree_min) or not (
        cand.degree_field_ok
    ):
        failed.add("degree")
    if not cand.certificate and not scenario.certificate_waived:
        failed.add("certificate")
    if not cand.language_it_ok:
        failed.add("language_it")
    required = rule.months_trung_cap if cand.recruitment_level == "trung_cap" else rule.months
    in_rank = full_months(cand.rank_since, scenario.deadline) - cand.probation_months
    if in_rank + cand.equivalent_months < required:
        failed.add("tenure")
    if cand.equivalent_months > 0 and in_rank < required and in_rank < 12:
        failed.add("tenure_12_months")
    if rule.points_min is not None and cand.points < rule.points_min:
        failed.add("points")
    if rule.points_st_min is not None and cand.points_st < rule.points_st_min:
        failed.add("points_st")
    if scenario.require_excellent and (
        ACHIEVEMENT_SCORE[cand.achievement] < ACHIEVEMENT_SCORE[rule.achievement_min]
    ):
        failed.add("excellent_achievement")
    if pool_of(scenario, cand) is None:
        failed.add("no_quota")
    return tuple(r for r in RULE_ORDER if r in failed)


# ---------------------------------------------------------------------------------------------
# Constraints on the winners
# ---------------------------------------------------------------------------------------------


def effective_limit(scenario: Scenario, limit: Limit) -> int:
    """``max``, or ``floor(max_share × positions) − holders`` (never below 0)."""
    if limit.max_text != "":
        return int(limit.max_text)
    share = Fraction(limit.share_text)
    rows = [s for s in scenario.staff if scenario.in_subtree(s.unit, limit.scope)]
    if limit.target_title:
        trade = profession(limit.target_title)
        positions = sum(s.positions for s in rows if profession(s.title) == trade)
        holders = sum(s.holders for s in rows if s.title == limit.target_title)
    elif limit.target_rank:
        positions = sum(s.positions for s in rows)
        holders = sum(s.holders for s in rows if TITLE_RANK[s.title] == limit.target_rank)
    else:
        raise ValueError(f"limit {limit.limit_id}: max_share needs a title or a rank")
    return max(0, floor(share * positions) - holders)


def covered(scenario: Scenario, limit: Limit, cand: Candidate) -> bool:
    if not scenario.in_subtree(cand.unit, limit.scope):
        return False
    if limit.target_title and cand.target_title != limit.target_title:
        return False
    return not (limit.target_rank and TITLE_RANK[cand.target_title] != limit.target_rank)


@dataclass(frozen=True)
class Constraint:
    """At most ``cap`` winners among ``members``."""

    name: str  # "pool:<agency>:<title>" or "limit:<id>"
    members: frozenset[str]
    cap: int


def constraints(
    scenario: Scenario, eligible: Sequence[Candidate], pools: dict[str, tuple[str, str] | None]
) -> list[Constraint]:
    """One per quota row (its pool's eligible members) and one per row of limits.csv."""
    out: list[Constraint] = []
    for key in sorted(scenario.quotas):
        members = frozenset(c.cid for c in eligible if pools[c.cid] == key)
        out.append(Constraint(f"pool:{key[0]}:{key[1]}", members, scenario.quotas[key]))
    for limit in scenario.limits:
        members = frozenset(c.cid for c in eligible if covered(scenario, limit, c))
        out.append(Constraint(f"limit:{limit.limit_id}", members, effective_limit(scenario, limit)))
    return out


def is_feasible(
    scenario: Scenario, winners: Sequence[Candidate], cons: Sequence[Constraint]
) -> bool:
    """Every quota and limit holds, and the budget when there is one (exact fractions)."""
    ids = {c.cid for c in winners}
    if any(len(ids & con.members) > con.cap for con in cons):
        return False
    spent = sum((c.salary_increase for c in winners), Fraction(0))
    return not (scenario.budget > 0 and spent > scenario.budget)


# ---------------------------------------------------------------------------------------------
# Completions of incomplete birth dates
# ---------------------------------------------------------------------------------------------


def weak_orders(items: Sequence[int]) -> Iterator[list[list[int]]]:
    """Every weak order of ``items`` (an ordered partition into blocks, first block first),
    each once: the first item joins a block of a weak order of the rest, or forms a new block
    at any position."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for blocks in weak_orders(rest):
        for i in range(len(blocks)):
            yield [*blocks[:i], [first, *blocks[i]], *blocks[i + 1 :]]
        for i in range(len(blocks) + 1):
            yield [*blocks[:i], [first], *blocks[i:]]


def dense_ranks(values: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    order = sorted(set(values))
    return tuple(order.index(v) for v in values)


def birth_orders(specs: Sequence[DateSpec]) -> set[tuple[int, ...]]:
    """Every order of the dates that some completion of the incomplete ones induces, as dense
    ranks (0 = earliest).  See the module docstring for why this is exact."""
    points = sorted({s.lo for s in specs} | {s.hi for s in specs})
    # slots in chronological order: ("point", day, day, 1) or ("gap", first, last, days)
    slots: list[tuple[str, date, date, int]] = []
    for i, day in enumerate(points):
        slots.append(("point", day, day, 1))
        if i + 1 < len(points):
            first, last = day + timedelta(days=1), points[i + 1] - timedelta(days=1)
            if first <= last:
                slots.append(("gap", first, last, (last - first).days + 1))
    choices: list[list[int]] = []
    for spec in specs:
        if spec.complete:
            choices.append([slots.index(("point", spec.lo, spec.lo, 1))])
        else:
            choices.append([j for j, s in enumerate(slots) if spec.lo <= s[1] and s[2] <= spec.hi])
    result: set[tuple[int, ...]] = set()
    for assignment in itertools.product(*choices):
        gaps = sorted({j for j in assignment if slots[j][0] == "gap"})
        members = [[i for i, j in enumerate(assignment) if j == g] for g in gaps]
        per_gap = [
            [w for w in weak_orders(m) if len(w) <= slots[g][3]]
            for g, m in zip(gaps, members, strict=True)
        ]
        for chosen in itertools.product(*per_gap):
            value = [(j, 0) for j in assignment]
            for order in chosen:
                for label, block in enumerate(order):
                    for i in block:
                        value[i] = (assignment[i], label)
            result.add(dense_ranks(value))
    return result


Classes = tuple[frozenset[str], ...]


def priority_prefix(cand: Candidate) -> tuple[int, int, int]:
    """Achievement, female, ethnic minority: smaller is better."""
    return (-ACHIEVEMENT_SCORE[cand.achievement], -int(cand.female), -int(cand.minority))


def class_structures(eligible: Sequence[Candidate]) -> set[Classes]:
    """The priority classes (best first) under every completion of the birth dates."""
    groups: dict[tuple[int, int, int], list[Candidate]] = {}
    for cand in eligible:
        groups.setdefault(priority_prefix(cand), []).append(cand)
    keys = sorted(groups)
    orders = [sorted(birth_orders([c.birth for c in groups[k]])) for k in keys]
    if prod(len(o) for o in orders) > MAX_STRUCTURES:
        raise OracleTooLarge(f"{[len(o) for o in orders]} birth-date orders per group")
    result: set[Classes] = set()
    for combo in itertools.product(*orders):
        key_of: dict[str, tuple[tuple[int, int, int], int, date]] = {}
        for prefix, ranks in zip(keys, combo, strict=True):
            for cand, rank in zip(groups[prefix], ranks, strict=True):
                key_of[cand.cid] = (prefix, rank, cand.service_start)
        distinct = sorted(set(key_of.values()))
        result.add(
            tuple(frozenset(cid for cid, k in key_of.items() if k == key) for key in distinct)
        )
    return result


# ---------------------------------------------------------------------------------------------
# The oracle
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OracleResult:
    status: dict[str, str]  # candidate_id -> selected | not_selected | ineligible | escalated
    reasons: dict[str, tuple[str, ...]]  # ineligible only
    pool: dict[str, tuple[str, str] | None]
    refused: str | None  # a reason when rulings are refused
    optimal_sets: list[frozenset[str]]  # distinct optimal winner sets over all completions
    tie_groups: list[frozenset[str]] = field(default_factory=list)
    tie_seats: list[tuple[int, ...]] = field(default_factory=list)  # seats each group may take


def optimal_sets(
    feasible: Sequence[frozenset[str]],
    structures: Iterable[Classes],
    objective: str,
) -> set[frozenset[str]]:
    """The winner sets optimal under at least one of ``structures``.

    The lexicographic maximum by successive filtering: keep the sets with the most winners
    in class 1, among those the most in class 2, and so on (for ``fill``, first the sets
    with the most winners)."""
    found: set[frozenset[str]] = set()
    for classes in structures:
        best = list(feasible)
        if objective == "fill":
            most = max(len(w) for w in best)
            best = [w for w in best if len(w) == most]
        for cls in classes:
            most = max(len(w & cls) for w in best)
            best = [w for w in best if len(w & cls) == most]
        found.update(best)
    return found


def statuses_over(ids: Iterable[str], sets: Sequence[frozenset[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for cid in ids:
        wins = sum(1 for s in sets if cid in s)
        out[cid] = "selected" if wins == len(sets) else "not_selected" if wins == 0 else "escalated"
    return out


def _groups(escalated: Sequence[str], cons: Sequence[Constraint]) -> list[frozenset[str]]:
    """Escalated candidates joined when they share a constraint (pool, limit or budget)."""
    root = {cid: cid for cid in escalated}

    def find(cid: str) -> str:
        while root[cid] != cid:
            cid = root[cid]
        return cid

    for con in cons:
        inside = [cid for cid in escalated if cid in con.members]
        for other in inside[1:]:
            root[find(other)] = find(inside[0])
    groups: dict[str, set[str]] = {}
    for cid in escalated:
        groups.setdefault(find(cid), set()).add(cid)
    return sorted((frozenset(g) for g in groups.values()), key=sorted)


def solve_folder(folder: Path) -> OracleResult:
    scenario = load(folder)
    if scenario.objective not in ("priority", "fill"):
        raise ValueError(f"unknown objective {scenario.objective!r}")
    pools = {c.cid: pool_of(scenario, c) for c in scenario.candidates}
    reasons: dict[str, tuple[str, ...]] = {}
    eligible: list[Candidate] = []
    for cand in scenario.candidates:
        failed = failed_rules(scenario, cand)
        if failed:
            reasons[cand.cid] = failed
        else:
            eligible.append(cand)
    if len(eligible) > MAX_BRUTE_FORCE:
        raise OracleTooLarge(f"{len(eligible)} eligible candidates: too many for brute force")
    cons = constraints(scenario, eligible, pools)
    feasible = [
        frozenset(c.cid for c in subset)
        for size in range(len(eligible) + 1)
        for subset in itertools.combinations(eligible, size)
        if is_feasible(scenario, subset, cons)
    ]
    ids = [c.cid for c in eligible]
    sets = sorted(
        optimal_sets(feasible, class_structures(eligible), scenario.objective),
        key=lambda s: (len(s), sorted(s)),
    )
    plain = statuses_over(ids, sets)
    refused: str | None = None
    kept = sets
    if scenario.rulings:
        bad = [cid for cid, _ in scenario.rulings if plain.get(cid) != "escalated"]
        unknown = [d for _, d in scenario.rulings if d not in ("select", "reject")]
        if bad:
            refused = "ruling on a candidate who is not escalated: " + ", ".join(bad)
        elif unknown:
            refused = "unknown decision: " + ", ".join(unknown)
        else:
            kept = [
                s for s in sets if all((cid in s) == (d == "select") for cid, d in scenario.rulings)
            ]
            if not kept:
                refused = "no optimal allocation honours every ruling"
    final = plain if refused is not None else statuses_over(ids, kept)
    status: dict[str, str] = {}
    for cand in scenario.candidates:
        status[cand.cid] = "ineligible" if cand.cid in reasons else final[cand.cid]
    escalated = [cid for cid in ids if status[cid] == "escalated"]
    links = list(cons)
    if scenario.budget > 0:
        links.append(Constraint("budget", frozenset(ids), 0))
    groups = _groups(escalated, links)
    basis = sets if refused is not None else kept
    seats = [tuple(sorted({len(s & g) for s in basis})) for g in groups]
    return OracleResult(
        status=status,
        reasons=reasons,
        pool=pools,
        refused=refused,
        optimal_sets=sets,
        tie_groups=groups,
        tie_seats=seats,
    )


# ---------------------------------------------------------------------------------------------
# Checking an engine's pools.csv
# ---------------------------------------------------------------------------------------------


def pools_invariant_problems(pools_csv: Path, decisions_csv: Path) -> list[str]:
    """Problems of ``pools.csv`` against itself and ``decisions.csv``: per pool
    selected + escalated_seats + unused = quota, no negative count, escalated_seats at most
    the pool's escalated members, selected and eligible equal to the counts in decisions."""
    decisions = _rows(decisions_csv)
    members: dict[tuple[str, str], list[str]] = {}
    for row in decisions:
        if row.get("agency_id", ""):
            members.setdefault((row["agency_id"], row["target_title"]), []).append(row["status"])
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for row in _rows(pools_csv):
        key = (row["agency_id"], row["target_title"])
        seen.add(key)
        name = f"pool {key[0]}/{key[1]}"
        quota, eligible = int(row["quota"]), int(row["eligible"])
        selected, unused = int(row["selected"]), int(row["unused"])
        seats = int(row["escalated_seats"])
        statuses = members.get(key, [])
        if min(quota, eligible, selected, seats, unused) < 0:
            problems.append(f"{name}: a negative count in {row}")
        if selected + seats + unused != quota:
            problems.append(
                f"{name}: selected {selected} + escalated_seats {seats} + unused {unused}"
                f" != quota {quota}"
            )
        n_escalated = statuses.count("escalated")
        if seats > n_escalated:
            problems.append(f"{name}: escalated_seats {seats} > escalated members {n_escalated}")
        if selected != statuses.count("selected"):
            problems.append(
                f"{name}: selected {selected} != {statuses.count('selected')} in decisions.csv"
            )
        n_eligible = sum(1 for s in statuses if s != "ineligible")
        if eligible != n_eligible:
            problems.append(f"{name}: eligible {eligible} != {n_eligible} in decisions.csv")
    for key in sorted(set(members) - seen):
        problems.append(f"pool {key[0]}/{key[1]} in decisions.csv but not in pools.csv")
    return problems
