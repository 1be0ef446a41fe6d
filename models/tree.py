"""The organisation tree (units.csv): parent links and a vectorised ancestor table."""

from __future__ import annotations

from functools import cached_property

import polars as pl


class UnitTree:
    """Units with their managing agency (parent). Built from a validated units frame."""

    def __init__(self, units: pl.DataFrame) -> None:
        self.parent: dict[str, str | None] = dict(
            units.select("unit_id", "parent_id").iter_rows()
        )
        self.names: dict[str, str] = dict(units.select("unit_id", "name").iter_rows())
        roots = [u for u, p in self.parent.items() if p is None]
        self.root: str = roots[0]
        self._units = units.select("unit_id", "parent_id")

    @cached_property
    def ancestors(self) -> pl.DataFrame:
        """Every (unit_id, anc_id, dist) with dist 0 for the unit itself, 1 for its parent …"""
        level = self._units.select("unit_id", pl.col("unit_id").alias("anc_id"),
                                   pl.lit(0, pl.Int32).alias("dist"))
        parts = [level]
        links = self._units.rename({"unit_id": "anc_id", "parent_id": "next_id"})
        while level.height:
            level = (
                level.join(links, on="anc_id", how="inner")
                .filter(pl.col("next_id").is_not_null())
                .select("unit_id", pl.col("next_id").alias("anc_id"),
                        (pl.col("dist") + 1).alias("dist"))
            )
            parts.append(level)
        return pl.concat(parts)

    def managing_agency(self, unit_id: str) -> str:
        """The agency that manages a unit's employees: its parent, or itself for the root."""
        parent = self.parent[unit_id]
        return unit_id if parent is None else parent

    def lowest_common_ancestor(self, nodes: list[str]) -> str:
        """Lowest common ancestor of several units (a unit is its own ancestor)."""
        depth = self.depth
        nodes = sorted(set(nodes))
        current = nodes[0]
        for other in nodes[1:]:
            a, b = current, other
            while depth[a] > depth[b]:
                a = self.parent[a] or a
            while depth[b] > depth[a]:
                b = self.parent[b] or b
            while a != b:
                a = self.parent[a] or a
                b = self.parent[b] or b
            current = a
        return current

    @cached_property
    def depth(self) -> dict[str, int]:
        """Distance of every unit from the root, read off the ancestor table (already built
        for the pools) rather than a graph traversal."""
        deepest = self.ancestors.group_by("unit_id").agg(pl.col("dist").max())
        return dict(deepest.iter_rows())
