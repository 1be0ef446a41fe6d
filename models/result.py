"""The result of a run: the decided tables, the tie groups and a typed summary.

``summary.json`` is :meth:`Summary.to_json` of the run's summary; every document, the
history and the planning tools read these fields, never a dictionary by string keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl
from pydantic import BaseModel, ConfigDict

from models.enums import Objective, SolveStatus, TieReason

if TYPE_CHECKING:
    from models.scenario import Scenario


@dataclass(frozen=True)
class TieGroup:
    """Candidates who share seats that only the managing agency may assign."""

    key: str  # internal, stable within a run
    members: tuple[str, ...]  # candidate ids, sorted
    seats: int
    pools: tuple[str, ...]  # pool keys "agency|title"
    reason: TieReason
    tie_group: str = ""  # public id, e.g. T001
    managing_agency_id: str = ""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleSetRef(_Model):
    id: str
    version: str
    name: str


class Counts(_Model):
    candidates: int
    eligible: int
    ineligible: int
    selected: int
    not_selected: int
    escalated: int
    seats: int
    escalated_seats: int
    unused_seats: int
    tie_groups: int
    authority_decisions_applied: int = 0


class SolverSummary(_Model):
    """How the allocation was found and proven."""

    status: SolveStatus
    lone_pools: int
    coupled_components: int
    coupled_candidates: int
    largest_component: int
    active_limits: int
    budget_binding: bool
    cpsat_calls: int
    reused_components: int
    notes: tuple[str, ...] = ()


class TieGroupSummary(_Model):
    tie_group: str
    reason: TieReason
    pools: tuple[str, ...]


class Summary(_Model):
    """``summary.json``: only ``timings_s`` differs between two runs of the same input."""

    scenario: str
    engine_version: str
    rule_set: RuleSetRef
    objective: Objective
    deadline: str
    input_digest: str
    counts: Counts
    solver: SolverSummary
    tie_groups: tuple[TieGroupSummary, ...]
    # Each "Vietnamese / English": the rule set is not in force at the deadline (a round
    # finishing under old rules, with its transitional basis); documents print these.
    warnings: tuple[str, ...] = ()
    # Each "Vietnamese / English": where the decree reads two ways, the reading applied.
    legal_readings: tuple[str, ...] = ()
    timings_s: dict[str, float] = {}

    def to_json(self) -> str:
        """The file's text: fields in declaration order, UTF-8 kept, two-space indent."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def run_warnings(scenario: Scenario) -> tuple[str, ...]:
    """The warnings of a run (``Summary.warnings``): one when the rule set is not in force
    at the round's deadline, naming the transitional basis when the round states one."""
    rs, settings = scenario.rule_set, scenario.settings
    if rs.in_force(settings.deadline):
        return ()
    period = f"{rs.valid_from}–{rs.valid_to or '…'}"
    basis = settings.transitional_basis
    vi = (f"CẢNH BÁO: bộ quy tắc {rs.id} ({rs.name_vi}) không còn/chưa có hiệu lực vào hạn "
          f"nộp hồ sơ {settings.deadline} (hiệu lực {period})")
    en = (f"WARNING: rule set {rs.id} ({rs.name_en}) is not in force at the deadline "
          f"{settings.deadline} (in force {period})")
    if basis:
        vi += f"; kỳ xét hoàn thành theo quy định cũ theo: {basis}"
        en += f"; the round finishes under the old rules by: {basis}"
    return (f"{vi} / {en}",)


def legal_readings(scenario: Scenario) -> tuple[str, ...]:
    """The readings of the decree a run applies (``Summary.legal_readings``)."""
    caps = scenario.rule_set.level_caps
    if caps is None:
        return ()
    return (f"{caps.reading_vi} ({caps.source}) / {caps.reading_en}",)


@dataclass(frozen=True)
class RunResult:
    """Everything a run decided, with what is needed to explain it."""

    scenario: Scenario
    candidates: pl.DataFrame  # every candidate with eligibility, pool, key and outcome
    decisions: pl.DataFrame  # decisions.csv
    pools: pl.DataFrame  # pools.csv
    escalations: pl.DataFrame  # escalations.csv
    groups: tuple[TieGroup, ...]
    summary: Summary
    timings: dict[str, float] = field(default_factory=dict)
