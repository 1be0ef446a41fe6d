"""Round settings (scenario.toml) and the validated scenario."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.enums import Objective
from models.ruleset import RuleSet


class RoundSettings(BaseModel):
    """The settings of one review round, as written in scenario.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    deadline: dt.date
    review_year: int = Field(ge=1990, le=2200)
    certificate_waived: bool | None = None
    require_excellent_achievement: bool = False
    objective: Objective = Objective.priority
    budget: Decimal = Field(default=Decimal(0), ge=0)
    rule_set: str | None = None
    rule_set_file: str | None = None

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


@dataclass(frozen=True)
class Scenario:
    """A validated round: settings, the rule set it applies, and typed frames."""

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
    labels: dict[str, str] = field(default_factory=dict)
