"""Rounds under the 2026 law as data: a career level of a job position is an internal title.

The engine decides a round of career levels with the same machinery as a round of titles:
each (job position, level) of the catalogue is a :class:`~models.ruleset.Title` whose code is
``<position code>@<level>`` (:func:`title_code`), each move to the next level a
:class:`~models.ruleset.Transition` carrying the plan's conditions. These codes never leave
the engine: the outputs name a pool by ``job_position`` and ``target_level``
(SCENARIO.md, "Outputs in this regime").
"""

from __future__ import annotations

import difflib

from models.enums import EducationLevel, Rank
from models.plan import Plan
from models.ruleset import Condition, Position, RuleSet, Title, Transition
from models.text import fold

SEPARATOR = "@"
_RANK_OF_LEVEL = {1: Rank.V, 2: Rank.IV, 3: Rank.III, 4: Rank.II, 5: Rank.I}


def title_code(position: str, level: int) -> str:
    """The internal title of a level of a position: ``CM.057@4``."""
    return f"{position}{SEPARATOR}{level}"


def split_code(code: str) -> tuple[str, int]:
    """The position code and the level of an internal title code."""
    position, _, level = code.rpartition(SEPARATOR)
    return position, int(level)


def rank_of_level(level: int) -> Rank:
    """The rank the internal title of a level carries (level 5 ↔ rank I), so that a move to
    the next level is a move up one rank for the title machinery (and for ``target_rank``)."""
    return _RANK_OF_LEVEL[level]


def level_rule_set(rs: RuleSet, plan: Plan) -> RuleSet:
    """The rule set a round of career levels applies: the catalogue's levels as titles, each
    move to the next level as a transition with the plan's conditions, the plan's threshold,
    priority and switches, and the plan's ``source`` cited for every plan rule."""
    titles: list[Title] = []
    transitions: list[Transition] = []
    source = plan.source or rs.plan_source
    for p in rs.positions:
        for level in p.levels:
            titles.append(Title(code=title_code(p.code, level),
                                name_vi=f"{p.name_vi}, bậc {level}",
                                name_en=f"{p.name_vi}, level {level}", profession=p.code,
                                rank=rank_of_level(level)))
            if level == p.lowest_level:
                continue
            months = plan.months_for(level)
            transitions.append(Transition(
                from_title=title_code(p.code, level - 1), to_title=title_code(p.code, level),
                name_vi=f"{p.name_vi}: bậc {level - 1} lên bậc {level}",
                name_en=f"{p.name_vi}: level {level - 1} to {level}",
                tenure_months=months if months is not None else 0,
                min_degree=plan.degree_min.get(level, EducationLevel.trung_cap),
                degree_field_required=False,
                certificate_required=plan.certificate_required,
                sources={"tenure": source, "degree": source, "certificate": source}))
    conditions = {
        rule: Condition(label_vi=c.label_vi, label_en=c.label_en,
                        source=source if c.source == rs.plan_source else c.source)
        for rule, c in rs.conditions.items()}
    update = {
        "titles": tuple(titles), "transitions": tuple(transitions), "conditions": conditions,
        "priority_source": source,
        "competence_required": plan.competence_required,
        "discipline_bars": plan.discipline_bars,
        "language_it_required": plan.language_it_required,
    }
    if plan.priority is not None:
        update["priority"] = plan.priority
    if plan.min_rating is not None:
        update["min_rating"] = plan.min_rating
    return RuleSet.model_validate({**rs.model_dump(), **update})


def position_lookup(rs: RuleSet) -> dict[str, str]:
    """Folded code or name → position code (case, diacritics and spacing ignored)."""
    found: dict[str, str] = {}
    for p in rs.positions:
        found.setdefault(fold(p.name_vi), p.code)
    for p in rs.positions:
        found[fold(p.code)] = p.code
    return found


def closest_positions(rs: RuleSet, text: str, n: int = 3) -> list[str]:
    """The catalogue names closest to ``text`` (for the message of an unknown position)."""
    names = {fold(p.name_vi): f"{p.code} {p.name_vi}" for p in rs.positions}
    close = difflib.get_close_matches(fold(text), list(names), n=n, cutoff=0.5)
    return [names[c] for c in close]


def resolve_position(rs: RuleSet, text: str) -> Position | None:
    """The catalogue position a cell names by code or by name (None when none)."""
    code = position_lookup(rs).get(fold(text))
    return rs.position(code) if code is not None else None
