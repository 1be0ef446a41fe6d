"""Rule sets: the law of a review round as data (DOMAIN.md §7).

A rule set carries its legal basis and the dates it is in force, the titles and the
transitions between them with every condition and the legal source of each, the
priority order and the achievement ladder. Nothing here is code the user must
change to add a profession: a TOML file of the same shape does it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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
    "no_position",
    "level_range",
    "no_quota",
)
#: Rule ids of rounds under the 2026 law only (career levels of a job position).
LEVEL_RULE_IDS: tuple[str, ...] = ("no_position", "level_range")
#: The lowest and the highest career level of Decree 232/2026 (Art. 7.1).
LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)


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


class Position(_Frozen):
    """A job position (vị trí việc làm) of the catalogue and the levels it may use."""

    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    sector: str = ""
    lowest_level: int | None = Field(default=None, ge=1, le=5)
    highest_level: int | None = Field(default=None, ge=1, le=5)
    note: str = ""

    @model_validator(mode="after")
    def _range(self) -> Position:
        if self.lowest_level is not None and self.highest_level is not None \
                and self.lowest_level > self.highest_level:
            raise ValueError(f"position {self.code}: lowest level above highest")
        return self

    @property
    def levels(self) -> tuple[int, ...]:
        """The levels the catalogue allows: none for a manager's position of Annex I, nor
        where the catalogue could not read one end of the range (no level of such a position
        can be used until a user's rule-set file states it)."""
        if self.lowest_level is None or self.highest_level is None:
            return ()
        return tuple(range(self.lowest_level, self.highest_level + 1))


class LevelCaps(_Frozen):
    """Decree 232/2026 Art. 10: the share of a position's approved headcount each level may
    hold, and which reading applies where two are possible."""

    top_5: Decimal = Decimal("0.3")  # Art. 10.2a: highest level used 5, at level 5
    below_top_5: Decimal = Decimal("0.4")  # Art. 10.2a: the level used just below 5
    top_4: Decimal = Decimal("0.4")  # Art. 10.2b: highest level used 4, at level 4
    two_levels_higher: Decimal = Decimal("0.5")  # Art. 10.2c: two levels used, the higher
    two_levels_reading: Literal["10.2c", "10.2b"] = "10.2c"
    source: str
    reading_vi: str
    reading_en: str

    def shares(self, lowest: int, highest: int) -> dict[int, Decimal]:
        """The decree's share of each level a unit uses from ``lowest`` to ``highest``;
        levels without one are absent (no cap)."""
        used = highest - lowest + 1
        if used <= 1:
            return {}  # Art. 10.4: one level (or none): no cap
        if used == 2 and self.two_levels_reading == "10.2c":
            return {highest: self.two_levels_higher}
        if highest == 5:
            return {5: self.top_5, 4: self.below_top_5}
        if highest == 4:
            return {4: self.top_4}
        return {}


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
    titles: tuple[Title, ...] = ()
    transitions: tuple[Transition, ...] = ()
    # Rounds under the 2026 law: the job-position catalogue, the level caps, the plan keys
    # the round must state; the switches a plan may turn (the title rules keep them on).
    regime: Literal["titles", "levels"] = "titles"
    positions: tuple[Position, ...] = ()
    level_caps: LevelCaps | None = None
    plan_required: tuple[str, ...] = ()
    plan_source: str = ""
    competence_required: bool = True
    discipline_bars: bool = True
    language_it_required: bool = True

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
        needed = set(RULE_IDS) if self.regime == "levels" else set(RULE_IDS) - set(LEVEL_RULE_IDS)
        missing = sorted(needed - set(self.conditions))
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
        self._check_levels()
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def _check_levels(self) -> None:
        if self.regime == "levels" and self.level_caps is None:
            raise ValueError("a rule set of career levels states its level_caps")
        position_codes = [p.code for p in self.positions]
        if len(set(position_codes)) != len(position_codes):
            raise ValueError("position codes must be unique")

    # -- look-ups -----------------------------------------------------------------------------
    def title(self, code: str) -> Title:
        for t in self.titles:
            if t.code == code:
                return t
        raise KeyError(code)

    @property
    def title_codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.titles)

    def position(self, code: str) -> Position:
        for p in self.positions:
            if p.code == code:
                return p
        raise KeyError(code)

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def achievement_rank(self, code: str | None) -> int:
        """0 for the highest level; ``len(ladder)`` for no recognised achievement."""
        codes = [a.code for a in self.achievement_levels]
        if code is None or code == "":
            return len(codes)
        return codes.index(code)
