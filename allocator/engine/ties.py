"""Tie groups: who decides them (the managing agency) and their public ids."""

from __future__ import annotations

from models.result import TieGroup
from models.tree import UnitTree


def managing_agency(tree: UnitTree, units: list[str]) -> str:
    """The agency that manages the tied candidates' units (SCENARIO.md): the parent of
    their unit (the unit itself for the root); for several units, the lowest common
    ancestor of those parents."""
    return tree.lowest_common_ancestor([tree.managing_agency(u) for u in units])


def number(groups: list[TieGroup], tree: UnitTree, unit_of: dict[str, str]
           ) -> list[TieGroup]:
    """Public ids in a canonical order: by pool, then by the members' ids."""
    ordered = sorted(groups, key=lambda g: (g.pools, g.members))
    width = max(3, len(str(len(ordered))))
    out = []
    for n, g in enumerate(ordered, start=1):
        agency = managing_agency(tree, [unit_of[c] for c in g.members])
        out.append(TieGroup(g.key, g.members, g.seats, g.pools, g.reason,
                            f"T{n:0{width}d}", agency))
    return out
