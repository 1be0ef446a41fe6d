"""Validated domain models: rule sets, round settings and the typed enums shared by every stage.

Big per-row tables (candidates, units) travel as polars frames inside a
:class:`models.scenario.Scenario`, their columns fixed by :mod:`models.schema` and read cell
by cell in :mod:`allocator.io.validate`; the small objects that give them meaning live here.
"""

from models.enums import (
    CandidateStatus,
    Criterion,
    EducationLevel,
    Objective,
    Rank,
    Rating,
    SolveStatus,
)
from models.ruleset import AchievementLevel, RuleSet, Title, Transition
from models.scenario import RoundSettings

__all__ = [
    "AchievementLevel",
    "CandidateStatus",
    "Criterion",
    "EducationLevel",
    "Objective",
    "Rank",
    "Rating",
    "RoundSettings",
    "RuleSet",
    "SolveStatus",
    "Title",
    "Transition",
]
