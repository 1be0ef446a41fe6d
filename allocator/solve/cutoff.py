"""Lone pools: the exact sort and cut, vectorised over every lone pool at once.

With only a quota ``q``, candidate x wins in every priority-optimal allocation when fewer
than ``q`` others could rank at or above it, and in none when at least ``q`` others rank
strictly above it in every reading of the data; otherwise x shares the last seats with
its equals and is escalated.

Birth dates known only to the year (or month) are intervals: two candidates equal on the
criteria before ``older`` whose intervals overlap, one of them incomplete, can go either
way, and no later criterion may order them (SCENARIO.md "Incomplete data"). The counts
below take every such pair both ways, which is exact for a pool: the worst reading for x
puts every undecided rival above it, and that reading is consistent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from allocator.solve.problem import ESCALATED, NOT_SELECTED, SELECTED

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class LonePools:
    """The eligible candidates of lone pools as arrays, one entry per candidate.

    ``before`` and ``after`` are dense ranks (smaller = higher priority) on the criteria
    that come before and after ``older`` in the priority order; ``birth_lo``/``birth_hi``
    the interval of each birth date (equal when the date is complete; both 0 when the order
    has no ``older``). ``quota[pool[i]]`` is the seats of candidate i's pool.
    """

    pool: Ints
    quota: Ints
    before: Ints
    birth_lo: Ints
    birth_hi: Ints
    after: Ints

    @property
    def n(self) -> int:
        return len(self.pool)


def cut(lone: LonePools) -> npt.NDArray[np.int8]:
    """Each candidate's status code (``SELECTED``, ``NOT_SELECTED``, ``ESCALATED``), in the
    order given."""
    n = lone.n
    if n == 0:
        return np.zeros(0, np.int8)
    complete = lone.birth_lo == lone.birth_hi
    order = _sort_order([lone.pool, lone.before, lone.birth_lo, ~complete, lone.after])
    pool, before = lone.pool[order], lone.before[order]
    lo, hi = lone.birth_lo[order], lone.birth_hi[order]
    comp, after = complete[order], lone.after[order]
    idx = np.arange(n, dtype=np.int64)
    pool_start, _ = _blocks([pool])
    group_start, group_end = _blocks([pool, before])
    same_start, same_end = _blocks([pool, before, lo, comp])
    equal_start, equal_end = _blocks([pool, before, lo, comp, after])
    # Within a group: how many are surely older (their latest possible birth date is before
    # x's earliest) and surely younger. Keys combine the group number and the date so that
    # one sorted array answers for every group at once.
    gid = np.cumsum(group_start == idx) - 1
    base = min(int(lo.min()), int(hi.min())) - 1
    span = max(int(lo.max()), int(hi.max())) - base + 2
    sorted_hi = np.sort(gid * span + (hi - base))
    sorted_lo = np.sort(gid * span + (lo - base))
    surely_older = np.searchsorted(sorted_hi, gid * span + (lo - base), side="left") - group_start
    surely_younger = group_end - np.searchsorted(sorted_lo, gid * span + (hi - base),
                                                 side="right")
    # Same complete birth date: the later criteria decide; exact ties stay ties.
    later_better = np.where(comp, equal_start - same_start, 0)
    later_worse = np.where(comp, same_end - equal_end, 0)
    better_groups = group_start - pool_start
    surely_above = better_groups + surely_older + later_better
    maybe_above = better_groups + (group_end - group_start) - 1 - surely_younger - later_worse
    quota = lone.quota[pool]
    code = np.where(maybe_above < quota, SELECTED,
                    np.where(surely_above >= quota, NOT_SELECTED, ESCALATED)).astype(np.int8)
    out = np.empty(n, np.int8)
    out[order] = code
    return out


def _sort_order(keys: list[npt.NDArray[np.generic]]) -> Ints:
    """The stable order of the rows by the keys, first key first (as ``np.lexsort`` of the
    keys reversed): one stable sort of a mixed-radix number when it fits in 62 bits."""
    lows = [int(k.min()) for k in keys]
    spans = [int(k.max()) - lo + 1 for k, lo in zip(keys, lows, strict=True)]
    product = 1
    for span in spans:
        product *= span
    if product >= 1 << 62:
        return np.lexsort(keys[::-1])
    code = np.zeros(len(keys[0]), dtype=np.int64)
    for k, lo, span in zip(keys, lows, spans, strict=True):
        code *= span
        code += k.astype(np.int64) - lo
    return np.argsort(code, kind="stable")


def _blocks(cols: list[npt.NDArray[np.generic]]) -> tuple[Ints, Ints]:
    """For arrays sorted together: each row's block start and block end (exclusive), a block
    being a run of rows equal on every array."""
    n = len(cols[0])
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for c in cols:
        new[1:] |= c[1:] != c[:-1]
    idx = np.arange(n, dtype=np.int64)
    start = np.maximum.accumulate(np.where(new, idx, 0))
    last = np.empty(n, dtype=bool)
    last[:-1] = new[1:]
    last[-1] = True
    end = np.minimum.accumulate(np.where(last, idx + 1, n)[::-1])[::-1]
    return start, end
