"""A round: its settings (scenario.toml) and the validated :class:`Scenario`.

A :class:`Scenario` is the round as the engine sees it: settings, the rule set it applies and
typed polars frames, one per table of :mod:`models.schema`. It is built by
:mod:`allocator.io` (which reads each cell, then runs the whole-scenario cross-check of
:mod:`models.checks`) and changed only through :meth:`Scenario.replace`, which returns a
validated copy — the base of every what-if variant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models import checks, schema
from models.checks import Judge, Place
from models.enums import Objective
from models.errors import Collector, InputError, Problem
from models.plan import Plan
from models.ruleset import RuleSet
from models.schema import MOST_OF_COLUMN


class RoundSettings(BaseModel):
    """The settings of one review round, as written in scenario.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    deadline: dt.date
    review_year: int = Field(ge=1990, le=2200)
    certificate_waived: bool | None = None
    require_excellent_achievement: bool = False
    objective: Objective = Objective.priority
    budget: Decimal = Field(default=Decimal(0), ge=0, le=MOST_OF_COLUMN["budget"])
    rule_set: str | None = None
    rule_set_file: str | None = None
    transitional_basis: str | None = Field(default=None, min_length=1)
    plan: Plan | None = None

    @model_validator(mode="after")
    def _deadline_in_review_year(self) -> RoundSettings:
        if abs(self.deadline.year - self.review_year) > 1:
            raise ValueError(
                f"deadline {self.deadline} is far from review_year {self.review_year}"
            )
        return self

    @property
    def has_budget(self) -> bool:
        return self.budget > 0


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------

MAX_DECIMALS = 6
#: Frame attribute → table name in :mod:`models.schema` (labels and headers use these).
TABLE_OF = {"units": "units", "candidates": "candidates", "quotas": "quotas",
            "limits": "limits", "staff": "staff", "decisions": "authority_decisions",
            "positions": "positions"}
Unread = Mapping[str, Mapping[str, pl.Series]]
"""Table → column → rows whose cell was filled but could not be read (when reading files)."""


@dataclass(frozen=True)
class Scenario:
    """A validated round: settings, the rule set it applies, and typed frames.

    Money: ``salary_increase`` (a float per candidate) and the settings' ``budget`` are exact
    decimals; ``money_scale`` is the smallest power of ten (at most 10^6) that makes all of
    them whole, ``salary_units`` and ``budget_units`` are those values times it. They are
    derived, never given: :meth:`of` and :meth:`replace` compute them.
    """

    source: Path
    settings: RoundSettings
    rule_set: RuleSet
    units: pl.DataFrame
    candidates: pl.DataFrame
    quotas: pl.DataFrame
    limits: pl.DataFrame
    staff: pl.DataFrame
    decisions: pl.DataFrame
    money_scale: int  # salary_increase and budget are integers in units of 1/money_scale
    budget_units: int
    labels: dict[str, str] = field(default_factory=dict)  # table → file or sheet label
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # table → column → header
    #: candidates' ``__row`` → (list as people name it: file › sheet, spreadsheet row), for
    #: candidates read from workbooks; a folder's rows are ``labels['candidates']``'s own.
    origins: dict[int, tuple[str, int]] = field(default_factory=dict)
    #: What reading the files said (Vietnamese, English): sheets read, rows skipped and why.
    notes: tuple[tuple[str, str], ...] = ()
    #: candidates' ``__row`` → the award as written in words, mapped to ``achievement``.
    award_texts: dict[int, str] = field(default_factory=dict)
    #: candidates' ``__row`` → what the unit's list has beyond the contract (header → text).
    extra_cells: dict[int, dict[str, str]] = field(default_factory=dict)
    # Rounds under the 2026 law: positions.csv, job positions as catalogue codes (else empty)
    positions: pl.DataFrame = field(default_factory=pl.DataFrame)

    @classmethod
    def of(cls, *, source: Path, settings: RoundSettings, rule_set: RuleSet,
           units: pl.DataFrame, candidates: pl.DataFrame, quotas: pl.DataFrame,
           limits: pl.DataFrame, staff: pl.DataFrame, decisions: pl.DataFrame,
           labels: Mapping[str, str], headers: Mapping[str, Mapping[str, str]],
           positions: pl.DataFrame | None = None) -> Scenario:
        """A scenario of typed frames, money scaled; not cross-checked (see :meth:`problems`)."""
        candidates, scale, budget_units = scale_money(candidates, settings.budget)
        return cls(source=source, settings=settings, rule_set=rule_set, units=units,
                   candidates=candidates, quotas=quotas, limits=limits, staff=staff,
                   decisions=decisions, money_scale=scale, budget_units=budget_units,
                   labels=dict(labels), headers={k: dict(v) for k, v in headers.items()},
                   positions=pl.DataFrame() if positions is None else positions)

    def replace(self, *, source: Path | None = None, settings: RoundSettings | None = None,
                rule_set: RuleSet | None = None, units: pl.DataFrame | None = None,
                candidates: pl.DataFrame | None = None, quotas: pl.DataFrame | None = None,
                limits: pl.DataFrame | None = None, staff: pl.DataFrame | None = None,
                decisions: pl.DataFrame | None = None, labels: Mapping[str, str] | None = None,
                headers: Mapping[str, Mapping[str, str]] | None = None) -> Scenario:
        """A copy with the given parts replaced, after the whole-scenario cross-check of every
        rule that reads a replaced part (raises :class:`InputError`); a part given as the very
        object the scenario holds counts as unchanged. Money is scaled again when the
        candidates or the settings change. The rule set is not chosen again from new settings:
        give it (``allocator.io.rulesets.for_round``)."""
        given = {"source": source, "settings": settings, "rule_set": rule_set, "units": units,
                 "candidates": candidates, "quotas": quotas, "limits": limits, "staff": staff,
                 "decisions": decisions}
        parts: dict[str, object] = {k: v for k, v in given.items() if v is not None}
        if labels is not None:
            parts["labels"] = dict(labels)
        if headers is not None:
            parts["headers"] = {k: dict(v) for k, v in headers.items()}
        changed = {k for k, v in parts.items() if v is not getattr(self, k)}
        new: Scenario = dataclasses.replace(self, **parts)  # type: ignore[arg-type]
        if changed & {"candidates", "settings"}:
            cands, scale, budget_units = scale_money(new.candidates, new.settings.budget)
            new = dataclasses.replace(new, candidates=cands, money_scale=scale,
                                      budget_units=budget_units)
        problems = new.problems(changed)
        if problems:
            raise InputError(problems)
        return new

    def problems(self, changed: Collection[str] | None = None, *,
                 unread: Unread | None = None,
                 skip: Collection[str] = ()) -> list[Problem]:
        """The whole-scenario cross-check: the problems found by every rule that reads one of
        the ``changed`` parts (all rules when None), except rules reading a ``skip`` part."""
        found = Collector()
        for reads, rule in _RULES:
            if (changed is None or reads & set(changed)) and not reads & set(skip):
                rule(self, found, unread or {})
        return found.problems

    def origin(self, row: int) -> tuple[str, int]:
        """Where the candidate of spreadsheet row ``row`` (``__row``) was read: list, row."""
        return self.origins.get(row, (self.labels.get("candidates", "candidates.csv"), row))

    def place(self, frame: str) -> Place:
        """How problems name the table held in attribute ``frame``."""
        table = TABLE_OF[frame]
        return Place(self.labels.get(table, f"{table}.csv"), self.headers.get(table, {}))

    def judge(self, frame: str, problems: Collector, unread: Unread) -> Judge:
        """The reporter of problems in the table held in attribute ``frame``."""
        return Judge(getattr(self, frame), self.place(frame), problems,
                     unread.get(TABLE_OF[frame], {}))


def scale_money(candidates: pl.DataFrame,
                budget: Decimal) -> tuple[pl.DataFrame, int, int]:
    """Candidates with ``salary_units``, the money scale and the budget in its units.

    The scale is the smallest power of ten that makes every salary increase and the budget
    whole (at most 10^MAX_DECIMALS); a salary is the exact decimal its float spells (its
    shortest repr: what the file wrote, for up to 15 significant digits).
    """
    salary = candidates["salary_increase"]
    distinct = {v: Decimal(repr(v)) for v in salary.drop_nulls().unique().to_list()}
    scale = scaled_units([*distinct.values(), budget])
    units = salary.replace_strict({k: int(v * scale) for k, v in distinct.items()},
                                  default=0, return_dtype=pl.Int64).alias("salary_units")
    return candidates.with_columns(units), scale, int(budget * scale)


def scaled_units(values: Iterable[Decimal]) -> int:
    """Smallest power of ten that makes every value an integer (at most 10^MAX_DECIMALS)."""
    decimals = 0
    for v in values:
        exp = v.normalize().as_tuple().exponent
        if isinstance(exp, int) and exp < 0:
            decimals = max(decimals, -exp)
    return int(10 ** min(decimals, MAX_DECIMALS))


# ---------------------------------------------------------------------------------------------
# Which rules of models.checks run on which parts
# ---------------------------------------------------------------------------------------------

Rule = Callable[[Scenario, Collector, Unread], None]


def unit_problems(units: pl.DataFrame, place: Place) -> list[Problem]:
    """The problems of the unit tree on its own: unique ids, one root, parents present, no
    cycles. (Files are read no further when the tree is wrong.)"""
    found = Collector()
    j = Judge(units, place, found)
    checks.unique(j, "unit_id")
    checks.unit_tree(j)
    return found.problems


def _units(sc: Scenario, found: Collector, _unread: Unread) -> None:
    found.extend(unit_problems(sc.units, sc.place("units")))


def _candidate_ids(sc: Scenario, found: Collector, unread: Unread) -> None:
    checks.unique(sc.judge("candidates", found, unread), "candidate_id")


def _candidate_units(sc: Scenario, found: Collector, unread: Unread) -> None:
    checks.in_units(sc.judge("candidates", found, unread), "unit_id", sc.units["unit_id"],
                    sc.place("units").label, sc.units["name"])


def _candidate_titles(sc: Scenario, found: Collector, unread: Unread) -> None:
    j = sc.judge("candidates", found, unread)
    if sc.rule_set.regime == "titles":  # career levels: rules no_position and level_range
        checks.title_pairs(j, sc.rule_set)
    checks.achievement_levels(j, sc.rule_set)


def _candidate_dates(sc: Scenario, found: Collector, unread: Unread) -> None:
    checks.before_deadline(sc.judge("candidates", found, unread), sc.settings.deadline)


def _quotas(sc: Scenario, found: Collector, unread: Unread) -> None:
    j = sc.judge("quotas", found, unread)
    checks.in_units(j, "agency_id", sc.units["unit_id"], sc.place("units").label,
                    sc.units["name"])
    checks.quota_titles(j, sc.rule_set)
    checks.unique_pair(j, "agency_id", "target_title",
                       "chỉ tiêu bị khai báo trùng cho cùng cơ quan và chức danh",
                       "duplicate quota for the same agency and title")


def _staff(sc: Scenario, found: Collector, unread: Unread) -> None:
    j = sc.judge("staff", found, unread)
    checks.in_units(j, "unit_id", sc.units["unit_id"], sc.place("units").label)
    checks.known_title(j, "title", sc.rule_set)
    checks.unique_pair(j, "unit_id", "title", "khai báo trùng đơn vị và chức danh",
                       "duplicate unit and title")


def _limits(sc: Scenario, found: Collector, unread: Unread) -> None:
    j = sc.judge("limits", found, unread)
    checks.unique(j, "limit_id")
    checks.in_units(j, "scope_unit_id", sc.units["unit_id"], sc.place("units").label)
    checks.known_title(j, "target_title", sc.rule_set)
    checks.limit_bounds(j)
    checks.limit_shares(j, "staff" in sc.labels)


def _decisions(sc: Scenario, found: Collector, unread: Unread) -> None:
    j = sc.judge("decisions", found, unread)
    checks.unique(j, "candidate_id")
    checks.ruled_candidates(j, sc.candidates["candidate_id"], sc.place("candidates").label)
    ids_header = sc.headers.get("candidates", {}).get("candidate_id", "")
    by_row_number = ids_header in schema.CANDIDATES.column("__tt").headers_vi
    checks.rulings_name_their_people(j, sc.candidates, sc.place("candidates").label,
                                     by_row_number)


_RULES: tuple[tuple[frozenset[str], Rule], ...] = (
    (frozenset({"units"}), _units),
    (frozenset({"candidates"}), _candidate_ids),
    (frozenset({"candidates", "units"}), _candidate_units),
    (frozenset({"candidates", "rule_set"}), _candidate_titles),
    (frozenset({"candidates", "settings"}), _candidate_dates),
    (frozenset({"quotas", "units", "rule_set"}), _quotas),
    (frozenset({"staff", "units", "rule_set"}), _staff),
    (frozenset({"limits", "units", "rule_set", "labels"}), _limits),  # labels: is staff given
    (frozenset({"decisions", "candidates"}), _decisions),
)
