"""Round settings (scenario.toml)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.enums import Objective


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
