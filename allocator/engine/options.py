"""How a run solves: no option changes a decision."""

from __future__ import annotations

from dataclasses import dataclass, field

from allocator.engine.cache import StageCache
from models.enums import Method


@dataclass(frozen=True)
class Options:
    """``workers``: parallel processes for independent components and CP-SAT threads;
    ``method``: :class:`~models.enums.Method` (a string is validated into it);
    ``time_limit``: seconds per solver stage; ``cache``: reuse across what-if runs."""

    workers: int = 1
    method: Method = Method.auto
    time_limit: float | None = None
    cache: StageCache | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", Method(self.method))
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
