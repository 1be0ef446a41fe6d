"""Plain, picklable data for one independent component: what the solvers see.

Candidates are listed in priority order (``cls`` non-decreasing, 0 = best class; equal
classes are exact ties). Every shared limit is a packing constraint
``sum(coef * x) <= cap`` over the candidates it covers: the pool quota, a limit of
limits.csv, the budget. No solver object lives here, so a problem can be hashed for
reuse and sent to another process.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from models.enums import Objective, SolveStatus

SELECTED = 1
NOT_SELECTED = 0
ESCALATED = 2

FREE = -1


@dataclass(frozen=True, slots=True)
class ComponentProblem:
    name: str
    ids: tuple[str, ...]
    cls: tuple[int, ...]
    caps: tuple[int, ...]
    kinds: tuple[str, ...]  # "quota" | "limit" | "budget", one per constraint
    labels: tuple[str, ...]  # pool "agency|title", limit id, or "budget"
    rows: tuple[tuple[tuple[int, int], ...], ...]  # per candidate: ((constraint, coef), ...)
    objective: Objective = Objective.priority
    forced: tuple[int, ...] = ()  # per candidate: FREE, 0 (rejected) or 1 (selected)

    def __post_init__(self) -> None:
        n = len(self.ids)
        if len(self.cls) != n or len(self.rows) != n:
            raise ValueError("ids, cls and rows must have one entry per candidate")
        if self.forced and len(self.forced) != n:
            raise ValueError("forced must have one entry per candidate")
        if not (len(self.caps) == len(self.kinds) == len(self.labels)):
            raise ValueError("caps, kinds and labels must have one entry per constraint")

    def validate(self) -> ComponentProblem:
        """Every invariant the solvers rely on (the constructor checks only the shapes)."""
        if self.cls and (self.cls[0] != 0 or any(
                b - a not in (0, 1) for a, b in itertools.pairwise(self.cls))):
            raise ValueError("cls must be dense class numbers 0, 1, … in priority order")
        m = len(self.caps)
        if any(not 0 <= k < m or coef < 0 for row in self.rows for k, coef in row):
            raise ValueError("constraint index out of range or negative coefficient")
        if any(cap < 0 for cap in self.caps):
            raise ValueError("negative capacity")
        if any(list(row) != sorted(row) for row in self.rows):
            raise ValueError("each row must list its constraints in index order")
        return self

    @property
    def n(self) -> int:
        return len(self.ids)

    def forced_of(self, i: int) -> int:
        return self.forced[i] if self.forced else FREE

    def classes(self) -> list[list[int]]:
        """Positions grouped by priority class, best first."""
        starts = [i for i in range(len(self.cls)) if i == 0 or self.cls[i] != self.cls[i - 1]]
        starts.append(len(self.cls))
        return [list(range(a, b)) for a, b in itertools.pairwise(starts)]

    def digest(self) -> str:
        """Content digest: equal problems (whatever their origin) have equal digests."""
        data = (self.ids, self.cls, self.caps, self.kinds, self.labels, self.rows,
                self.objective.value, self.forced)
        return hashlib.sha256(pickle.dumps(data, protocol=5)).hexdigest()


@dataclass(frozen=True)
class Cluster:
    """Candidates of one coupled component whose order cannot all be told from their birth
    dates (peers of an incomplete date). ``positions`` are contiguous in the problem (the
    earliest placement); ``lo``/``hi`` are each one's birth interval and ``after`` its values
    on the later criteria (used only between equal complete dates)."""

    positions: tuple[int, ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    after: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class SolveStats:
    cpsat_calls: int = 0
    stages: int = 0
    seconds: float = 0.0
    method: str = ""


@dataclass(frozen=True, slots=True)
class ComponentResult:
    """Statuses of one component, proven over every priority-optimal allocation.

    ``blocker[i]`` is the constraint that excluded a not-selected candidate (-1 when no
    single constraint is to blame); ``groups`` are the tie groups: member positions and
    the seats they share; ``class_counts[c]`` is the number of winners of class ``c`` in
    every optimal allocation (the lexicographic optimum); ``unsettled`` (with
    ``not_proven``) the incomplete birth dates whose orders were not all solved.
    """

    status: tuple[int, ...]
    blocker: tuple[int, ...]
    groups: tuple[tuple[tuple[int, ...], int], ...]
    class_counts: tuple[int, ...]
    solve_status: SolveStatus = SolveStatus.optimal
    stats: SolveStats = field(default_factory=SolveStats)
    unsettled: tuple[int, ...] = ()  # positions whose order could not all be tried


def linked_groups(members: Sequence[int], rows: Sequence[tuple[tuple[int, int], ...]],
                  link_of: Callable[[int], int | None]) -> list[list[int]]:
    """Candidates joined (transitively) when their rows share a link: ``link_of(k)`` for
    each constraint ``k`` they use, None where ``k`` links nobody. Groups come in the order
    of their smallest member, members in the order given."""
    parent = {i: i for i in members}

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    owner: dict[int, int] = {}
    for i in members:
        for k, _ in rows[i]:
            link = link_of(k)
            if link is None:
                continue
            if link in owner:
                ra, rb = find(owner[link]), find(i)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            else:
                owner[link] = i
    groups: dict[int, list[int]] = {}
    for i in members:
        groups.setdefault(find(i), []).append(i)
    return [groups[r] for r in sorted(groups)]
