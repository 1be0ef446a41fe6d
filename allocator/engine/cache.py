"""What a what-if run may reuse from earlier runs of the same round.

Two kinds of entries: the result of a stage, valid while the stage's inputs are the very
same objects (a variant that changes a table builds a new frame) and, when given, an equal
``same`` frame (by content); and the result of a coupled component, by content digest, so
that a re-run solves only the components whose content changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

import polars as pl

from allocator.solve.problem import ComponentResult

T = TypeVar("T")

@dataclass(frozen=True)
class _Entry:
    owners: tuple[object, ...]
    value: object
    same: pl.DataFrame | None

    def serves(self, owners: tuple[object, ...], same: pl.DataFrame | None) -> bool:
        if len(self.owners) != len(owners) or any(
                a is not b for a, b in zip(self.owners, owners, strict=True)):
            return False
        return same is None or (self.same is not None and same.equals(self.same))

class StageCache:
    """Memo of stages and components across runs; no option of it changes a decision."""

    def __init__(self) -> None:
        self._stages: dict[str, _Entry] = {}
        self._components: dict[str, ComponentResult] = {}

    def stage(self, key: str, owners: tuple[object, ...], compute: Callable[[], T],
              same: pl.DataFrame | None = None) -> T:
        hit = self._stages.get(key)
        if hit is not None and hit.serves(owners, same):
            return cast(T, hit.value)
        value = compute()
        self._stages[key] = _Entry(owners, value, same)
        return value

    def component(self, digest: str) -> ComponentResult | None:
        return self._components.get(digest)

    def keep(self, digest: str, result: ComponentResult) -> None:
        self._components[digest] = result

    def __contains__(self, digest: object) -> bool:
        return digest in self._components

    def __len__(self) -> int:
        return len(self._components)

def memo(cache: StageCache | None, key: str, owners: tuple[object, ...],
         compute: Callable[[], T], same: pl.DataFrame | None = None) -> T:
    """``compute()``, or the cached value of an earlier run with the same inputs."""
    if cache is None:
        return compute()
    return cache.stage(key, owners, compute, same)
