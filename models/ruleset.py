"""Rule sets: the law of a review round as data (DOMAIN.md §7).

A rule set carries its legal basis and the dates it is in force, the titles and the
transitions between them with every condition and the legal source of each, the
priority order and the achievement ladder. Nothing here is code the user must
change to add a profession: a TOML file of the same shape does it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.enums import Criterion, EducationLevel, Rank, Rating

RULE_IDS: tuple[str, ...] = (
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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Frozen):
    """One eligibility condition: its wording for people and where the law states it."""

    label_vi: str
    label_en: str
    source: str


class AchievementLevel(_Frozen):
    """A rung of the achievement ladder; ladders are listed high to low."""

    code: str = Field(min_length=1)
    name_vi: str
    name_en: str
    awards: tuple[str, ...] = ()


class Title(_Frozen):
    """A professional title (chức danh nghề nghiệp) identified by its code (mã số)."""

    code: str = Field(min_length=1)
    name_vi: str
    name_en: str
    profession: str = Field(min_length=1)
    rank: Rank


class Transition(_Frozen):
    """Promotion from a title to the title one rank higher in the same profession."""

    from_title: str
    to_title: str
    name_vi: str
    name_en: str
    tenure_months: int = Field(ge=0)
    tenure_months_by_recruitment_level: dict[EducationLevel, int] = Field(default_factory=dict)
    min_degree: EducationLevel = EducationLevel.dai_hoc
    degree_field_required: bool = True
    min_points: float = Field(default=0, ge=0)
    min_points_st: float = Field(default=0, ge=0)
    certificate_required: bool = True
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("sources")
    @classmethod
    def _known_rule_ids(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(RULE_IDS))
        if unknown:
            raise ValueError(f"unknown rule ids in sources: {unknown}; known: {list(RULE_IDS)}")
        return v

    def required_months(self, recruitment_level: EducationLevel) -> int:
        return self.tenure_months_by_recruitment_level.get(recruitment_level, self.tenure_months)


class RuleSet(_Frozen):
    """The rules a round applies. Validated as a whole: every reference resolves."""

    id: str = Field(min_length=1)
    name_vi: str
    name_en: str
    version: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    legal_basis: tuple[str, ...] = ()
    priority: tuple[Criterion, ...]
    priority_source: str = ""
    min_rating: Rating = Rating.tot
    certificate_waived: bool = False
    achievement_compare: Literal["level", "level_then_count"] = "level"
    achievement_levels: tuple[AchievementLevel, ...]
    excellent_achievement: dict[Rank, str] = Field(default_factory=dict)
    conditions: dict[str, Condition]
    titles: tuple[Title, ...]
    transitions: tuple[Transition, ...]

    @model_validator(mode="after")
    def _cross_check(self) -> RuleSet:
        if len(set(self.priority)) != len(self.priority):
            raise ValueError("priority lists a criterion twice")
        codes = [a.code for a in self.achievement_levels]
        if len(set(codes)) != len(codes):
            raise ValueError("achievement level codes must be unique")
        for rank, code in self.excellent_achievement.items():
            if code not in codes:
                raise ValueError(f"excellent_achievement for rank {rank}: unknown level {code!r}")
        missing = sorted(set(RULE_IDS) - set(self.conditions))
        if missing:
            raise ValueError(f"conditions must describe every rule id; missing {missing}")
        titles: dict[str, Title] = {}
        for t in self.titles:
            if t.code in titles:
                raise ValueError(f"title {t.code} is listed twice")
            titles[t.code] = t
        seen: set[tuple[str, str]] = set()
        for tr in self.transitions:
            for code in (tr.from_title, tr.to_title):
                if code not in titles:
                    raise ValueError(
                        f"transition {tr.from_title}→{tr.to_title}: unknown title {code}")
            a, b = titles[tr.from_title], titles[tr.to_title]
            if a.profession != b.profession:
                raise ValueError(
                    f"transition {tr.from_title}→{tr.to_title} crosses professions "
                    f"({a.profession} → {b.profession})"
                )
            if a.rank.level != b.rank.level + 1:
                raise ValueError(
                    f"transition {tr.from_title}→{tr.to_title} must go up exactly one rank "
                    f"({a.rank} → {b.rank})"
                )
            if (tr.from_title, tr.to_title) in seen:
                raise ValueError(f"transition {tr.from_title}→{tr.to_title} is listed twice")
            seen.add((tr.from_title, tr.to_title))
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    # -- look-ups -----------------------------------------------------------------------------
    def title(self, code: str) -> Title:
        for t in self.titles:
            if t.code == code:
                return t
        raise KeyError(code)

    @property
    def title_codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.titles)

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def achievement_rank(self, code: str | None) -> int:
        """0 for the highest level; ``len(ladder)`` for no recognised achievement."""
        codes = [a.code for a in self.achievement_levels]
        if code is None or code == "":
            return len(codes)
        return codes.index(code)
