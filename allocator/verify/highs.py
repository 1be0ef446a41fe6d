"""A second, independent exact method for a coupled component: HiGHS MIP stages.

Written from the semantics alone (it shares no code with :mod:`allocator.solve.sequential`
or :mod:`allocator.solve.cpsat`), so that the two methods check each other.

The priority-optimal allocations of a component are the feasible selections whose numbers
of winners per priority class are lexicographically largest (class 0 first; for ``fill``,
the total number of winners comes before class 0). A candidate is *selected* when every
optimal allocation takes them, *not selected* when none does, *escalated* otherwise.

The formulation:

* members of one class with identical constraint rows are interchangeable: they become one
  integer variable ``y`` (how many of them win), ``0 <= y <= size``. Its members are
  selected when ``y = size`` in every optimum, not selected when ``y = 0`` in every optimum,
  escalated otherwise;
* every constraint is a packing row ``sum(coef * y) <= cap`` on one HiGHS model, reused
  from stage to stage: a stage changes the objective and adds one equality (the proven
  number of winners of a class), a decision changes bounds.

Exactness: integer data, zero MIP gap, only ``Optimal`` answers accepted, every solution
rounded and re-checked in integer arithmetic (objective and dual bound included) before its
value is fixed; anything else raises :class:`NotProven`, nothing is fixed at an unproven
value.

For ``priority`` the feasible selections are closed under removal, which decides most
classes without a MIP: the *open* region holds the variables whose values still differ
between optimal allocations, with a bound ``L[k] <= usage[k] <= U[k]`` on what it can use
of each constraint ``k`` (cheap bounds, tightened by exact MIP bounds when needed). A group
that cannot fit next to the fixed winners even if the open region used its least is out;
when every group of a class fits at its own maximum next to the fixed winners and *any*
completion of the open region, that maximum is taken in every optimum (and the open region
keeps all its choices). Only the remaining classes get a MIP stage. ``fill`` has no such
closure once the total is fixed: it runs stages over windows of consecutive classes whose
mixed-radix weights stay below :data:`MAX_WEIGHT`, skipping a window whose bound the
incumbent already reaches.

Finally each still-open variable is classified by probes (its least and its largest value
over the optimal face), skipped where solutions already seen prove it escalated.

OR-Tools bundles its own, older ``libhighs.so.1``; the dynamic loader shares one library per
soname, so ``highspy`` and OR-Tools cannot live in one process (whichever loads second
fails). :mod:`allocator.solve` loads OR-Tools, so the MIPs run in a helper process that loads
this file alone (not its package); :func:`solve_many` talks to it.
"""

from __future__ import annotations

import atexit
import math
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from allocator.solve.problem import (
    ESCALATED,
    FREE,
    NOT_SELECTED,
    SELECTED,
    ComponentProblem,
    ComponentResult,
    SolveStats,
)
from models.enums import Objective, SolveStatus

if TYPE_CHECKING:
    import highspy

MAX_WEIGHT = 1 << 20  # largest objective of a window stage (exact in floating point)
_TOL = 1e-6
WORKER = "_allocator_highs_worker"  # this file's module name inside the helper process


class Infeasible(Exception):
    """The forced choices (rulings) exceed a quota, limit or budget."""


class NotProven(Exception):
    """A MIP was not proven optimal (time limit or numerical trouble)."""


Row = tuple[tuple[int, int], ...]


def _hs() -> Any:
    """The ``highspy`` module, imported on first use (in the helper process only)."""
    import highspy

    return highspy


def solve_component(problem: ComponentProblem, *, time_limit: float | None = None,
                    threads: int = 1) -> ComponentResult:
    """Statuses of every candidate of one component over all priority-optimal allocations,
    computed with HiGHS. ``time_limit`` bounds the call (seconds)."""
    return solve_many([problem], time_limit=time_limit, threads=threads)[0]


def solve_many(problems: Sequence[ComponentProblem], *, time_limit: float | None = None,
               threads: int = 1) -> list[ComponentResult]:
    """:func:`solve_component` for several components in one call (``time_limit`` per
    component), in the helper process (started on first use, kept for later calls)."""
    if __name__ == WORKER:
        return [_Lex(p, time_limit, threads).run() for p in problems]
    return _helper().solve(list(problems), time_limit, threads)


class _Helper:
    """A child Python process that loads this file by path and answers solve requests
    (pickles over its stdin and a private copy of its stdout)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(Path(__file__).resolve())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return self.proc

    def solve(self, problems: list[ComponentProblem], time_limit: float | None,
              threads: int) -> list[ComponentResult]:
        with self.lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                pickle.dump((problems, time_limit, threads), proc.stdin, protocol=5)
                proc.stdin.flush()
                answer = pickle.load(proc.stdout)
            except (BrokenPipeError, EOFError) as exc:
                self.close()
                raise RuntimeError("the HiGHS helper process stopped") from exc
        kind, payload = answer
        if kind == "ok":
            return list(payload)
        if kind == "infeasible":
            raise Infeasible(payload)
        if kind == "not_proven":
            raise NotProven(payload)
        raise RuntimeError(f"HiGHS helper: {payload}")

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


_HELPER: _Helper | None = None


def _helper() -> _Helper:
    global _HELPER
    if _HELPER is None:
        _HELPER = _Helper()
        atexit.register(_HELPER.close)
    return _HELPER


def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    """The helper's loop: one request in, one answer out, until the input closes."""
    while True:
        try:
            problems, time_limit, threads = pickle.load(inp)
        except EOFError:
            return
        answer: tuple[str, Any]
        try:
            answer = ("ok", solve_many(problems, time_limit=time_limit, threads=threads))
        except Infeasible as exc:
            answer = ("infeasible", str(exc))
        except NotProven as exc:
            answer = ("not_proven", str(exc))
        except Exception as exc:  # reported to the caller, who raises it
            answer = ("error", f"{type(exc).__name__}: {exc}")
        pickle.dump(answer, out, protocol=5)
        out.flush()


_BOOT = f"""
import importlib.util, os, sys
out = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)  # anything printed goes to stderr, the answers to the private copy
spec = importlib.util.spec_from_file_location({WORKER!r}, sys.argv[1])
mod = importlib.util.module_from_spec(spec)
sys.modules[{WORKER!r}] = mod
spec.loader.exec_module(mod)
mod.serve(sys.stdin.buffer, out)
"""


class _Lex:
    """The lexicographic optimum of one component and the classification of its members."""

    def __init__(self, problem: ComponentProblem, time_limit: float | None,
                 threads: int) -> None:
        self.p = problem
        self.start = time.perf_counter()
        self.deadline = None if time_limit is None else self.start + time_limit
        self.threads = threads
        self.caps = list(problem.caps)
        m = len(self.caps)
        self.outside = [0] * m  # usage of fixed winners that are not model columns
        self.inside = [0] * m  # usage of fixed model columns
        self.free = list(self.caps)  # caps - outside - inside
        # Variables: interchangeable members of one class.
        self.members: list[list[int]] = []
        self.row: list[Row] = []
        self.cls: list[int] = []
        self.class_vars: list[list[int]] = []
        self.value: list[int | None] = []  # fixed value in every optimum; None = open
        self.ub: list[int] = []
        self.col: list[int] = []  # model column, -1 when not in the model
        self.class_total: list[int] = []  # winners of the class in every optimum
        self.forced_in: list[int] = []
        self._aggregate()
        # The model (created on first use).
        self.h: highspy.Highs | None = None
        self.col_var: list[int] = []
        self.row_of: dict[int, int] = {}  # constraint -> model row
        self.cap_rows: dict[int, list[tuple[int, int]]] = {}  # constraint -> (col, coef)
        self.eq_rows: list[tuple[list[int], int]] = []  # (cols, value): sum == value
        self.costed: list[int] = []
        # The open region.
        self.open: list[int] = []
        self.hi_use: dict[int, int] = {}  # U[k]
        self.lo_use: dict[int, int] = {}  # L[k]
        self.exact: set[int] = set()  # constraints whose U/L are exact for the open region
        self.mips = 0
        self.seen: list[list[int]] = []  # solutions on the final optimal face

    # -- set-up ---------------------------------------------------------------------------

    def _aggregate(self) -> None:
        """One variable per class and distinct row; forced winners use capacity up front."""
        p = self.p
        forced = p.forced
        rows = p.rows
        n_cls = p.cls[-1] + 1 if p.n else 0
        self.class_vars = [[] for _ in range(n_cls)]
        self.class_total = [0] * n_cls
        bounds = np.flatnonzero(np.diff(np.asarray(p.cls, dtype=np.int64))) + 1
        starts = [0, *bounds.tolist(), p.n]
        for c in range(n_cls):
            a, b = starts[c], starts[c + 1]
            if b - a == 1 and (not forced or forced[a] == FREE):  # most classes: one member
                self._new_var(c, rows[a], [a])
                continue
            key_of: dict[Row, int] = {}
            for i in range(a, b):
                f = forced[i] if forced else FREE
                if f != FREE:
                    if f == 1:
                        self.forced_in.append(i)
                        self.class_total[c] += 1
                        for k, coef in rows[i]:
                            self.outside[k] += coef
                            self.free[k] -= coef
                    continue
                v = key_of.get(rows[i])
                if v is None:
                    key_of[rows[i]] = self._new_var(c, rows[i], [i])
                else:
                    self.members[v].append(i)
        if any(f < 0 for f in self.free):
            raise Infeasible

    def _new_var(self, c: int, row: Row, members: list[int]) -> int:
        v = len(self.members)
        self.members.append(members)
        self.row.append(row)
        self.cls.append(c)
        self.value.append(None)
        self.ub.append(0)
        self.col.append(-1)
        self.class_vars[c].append(v)
        return v

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> ComponentResult:
        if self.p.objective is Objective.fill:
            self._fill()
        else:
            self._priority()
        status = self._classify()
        groups = self._groups(status)
        counts = tuple(self.class_total)
        blocker = blockers(self.p, status, groups)
        return ComponentResult(
            status=tuple(status), blocker=tuple(blocker), groups=tuple(groups),
            class_counts=counts, solve_status=SolveStatus.optimal,
            stats=SolveStats(cpsat_calls=0, stages=self.mips,
                             seconds=time.perf_counter() - self.start, method="highs"),
        )

    def _fix(self, v: int, val: int) -> None:
        """``y_v = val`` in every optimal allocation."""
        self.value[v] = val
        self.class_total[self.cls[v]] += val
        if self.col[v] >= 0:
            assert self.h is not None
            self.h.changeColBounds(self.col[v], val, val)
            for k, a in self.row[v]:
                self.inside[k] += a * val
                self.free[k] -= a * val
        elif val:
            for k, a in self.row[v]:
                self.outside[k] += a * val
                self.free[k] -= a * val
                if k in self.row_of:
                    assert self.h is not None
                    self.h.changeRowBounds(self.row_of[k], -_hs().kHighsInf,
                                           self.caps[k] - self.outside[k])

    # -- priority -------------------------------------------------------------------------

    def _priority(self) -> None:
        free, members, rows, value = self.free, self.members, self.row, self.value
        for c, vs in enumerate(self.class_vars):
            if len(vs) == 1 and not self.open:
                # One group and nothing open: its maximum next to the fixed winners is taken
                # in every optimum (feasible selections are closed under removal).
                v = vs[0]
                hi = len(members[v])
                for k, a in rows[v]:
                    if a and free[k] < a * hi:
                        hi = free[k] // a
                if hi > 0:
                    self._fix(v, hi)
                else:
                    value[v] = 0
            elif vs:
                self._decide_class(c, vs)

    def _limits(self, v: int) -> tuple[int, int]:
        """(most y_v can be next to any completion of the open region, most next to some)."""
        size = len(self.members[v])
        lo = hi = size
        for k, a in self.row[v]:
            if not a:
                continue
            room = self.free[k]
            hi = min(hi, (room - self.lo_use.get(k, 0)) // a)
            lo = min(lo, (room - self.hi_use.get(k, 0)) // a)
        return max(lo, 0), hi

    def _decide_class(self, c: int, vs: list[int]) -> None:
        refined = False
        while True:
            live: list[int] = []
            safe: list[int] = []
            for v in vs:
                lo, hi = self._limits(v)
                if hi <= 0:
                    continue
                self.ub[v] = hi
                live.append(v)
                safe.append(lo)
            if not live:
                for v in vs:
                    self._fix(v, 0)
                return
            if all(s == self.ub[v] for v, s in zip(live, safe, strict=True)) and \
                    self._fits_together(live):
                for v in vs:
                    self._fix(v, self.ub[v] if v in live else 0)
                return
            if self.open and not refined:
                refined = True
                if self._refine({k for v in live for k, _ in self.row[v]}):
                    continue
            break
        for v in vs:
            if v not in live:
                self._fix(v, 0)
        self._stage(c, live)

    def _fits_together(self, live: list[int]) -> bool:
        """Every variable at its maximum, next to any completion of the open region."""
        if len(live) == 1:
            return True
        need: dict[int, int] = {}
        for v in live:
            for k, a in self.row[v]:
                need[k] = need.get(k, 0) + a * self.ub[v]
        return all(need[k] + self.hi_use.get(k, 0) <= self.free[k] for k in need)

    def _refine(self, touched: set[int]) -> bool:
        """Exact bounds of the open region's usage on the constraints it shares with a class;
        True when one of them moved."""
        on_open: dict[int, list[tuple[int, int]]] = {}
        for v in self.open:
            for k, a in self.row[v]:
                if k in touched and k not in self.exact:
                    on_open.setdefault(k, []).append((self.col[v], a))
        moved = False
        for k, terms in sorted(on_open.items()):
            hi, _ = self._optimize(dict(terms))
            lo_neg, _ = self._optimize({col: -a for col, a in terms})
            lo = -lo_neg
            self.exact.add(k)
            if hi < self.hi_use.get(k, 0) or lo > self.lo_use.get(k, 0):
                moved = True
            self.hi_use[k], self.lo_use[k] = hi, lo
        return moved

    def _stage(self, c: int, live: list[int]) -> None:
        for v in live:
            self._add_column(v)
        best, _ = self._optimize({self.col[v]: 1 for v in live})
        if best == 0:
            for v in live:
                self._fix(v, 0)
            return
        if best == sum(self.ub[v] for v in live):
            for v in live:
                self._fix(v, self.ub[v])
            return
        self._add_equality([self.col[v] for v in live], best)
        self.class_total[c] += best
        self._open_up(live, best)

    def _open_up(self, live: list[int], seats: int) -> None:
        """Variables join the open region, ``seats`` of their units win: widen U and L."""
        self.open.extend(live)
        self.exact.clear()
        units: dict[int, list[int]] = {}
        for v in live:
            for k, a in self.row[v]:
                units.setdefault(k, []).extend([a] * self.ub[v])
        total = sum(self.ub[v] for v in live)
        for k, coefs in units.items():
            coefs.sort()
            zeros = total - len(coefs)
            self.hi_use[k] = self.hi_use.get(k, 0) + sum(coefs[-seats:])
            self.lo_use[k] = self.lo_use.get(k, 0) + sum(coefs[:max(0, seats - zeros)])

    # -- fill -----------------------------------------------------------------------------

    def _fill(self) -> None:
        """The most winners, kept as an equality; then the classes in priority order. A class
        is in whole in every optimum iff some selection of that many winners takes it next to
        the decisions above; so consecutive classes are tried whole together (one feasibility
        MIP: the run doubles while they fit, and is bisected when they do not — a superset of
        what cannot be taken cannot be taken either) and the first class that cannot be
        taken whole gets a stage of its own: its most winners, fixed, or kept as an equality
        with its variables open."""
        live = self._fill_live()
        if not live:
            return
        for v in live:
            self._add_column(v)
        total, _ = self._optimize({self.col[v]: 1 for v in live})
        self._add_equality([self.col[v] for v in live], total)
        todo = [(c, vs) for c, vs in ((c, [v for v in vs if self.value[v] is None])
                                      for c, vs in enumerate(self.class_vars)) if vs]
        pos, size = 0, 1
        while pos < len(todo):
            run, blocked = self._fill_run(todo, pos, size)
            done = self._fill_accepted(run)
            for take, drop in run[:done]:
                self._fill_fix(take, drop)
            pos += done
            if done < len(run) or blocked:
                self._fill_class(*todo[pos])
                pos, size = pos + 1, max(1, size // 4)
            else:
                size *= 2

    def _fill_live(self) -> list[int]:
        """Variables that can win next to the fixed winners, with their upper bounds; the
        others are fixed at 0."""
        live: list[int] = []
        for v in range(len(self.members)):
            hi = len(self.members[v])
            for k, a in self.row[v]:
                if a:
                    hi = min(hi, self.free[k] // a)
            if hi <= 0:
                self._fix(v, 0)
            else:
                self.ub[v] = hi
                live.append(v)
        return live

    def _fill_run(self, todo: list[tuple[int, list[int]]], pos: int, size: int
                  ) -> tuple[list[tuple[list[int], list[int]]], bool]:
        """Up to ``size`` classes from ``pos`` that can be taken whole as far as capacity goes
        (next to the fixed winners, the least the open classes use, and the classes before
        them in the run): per class, the
        variables taken whole and those that cannot have one winner. True when the class
        after the run stopped it (its variables that fit do not fit all together)."""
        extra = dict(self.lo_use)  # the open classes use at least this in every optimum
        run: list[tuple[list[int], list[int]]] = []
        for _, vs in todo[pos:pos + size]:
            take: list[int] = []
            drop: list[int] = []
            for v in vs:
                fits = all(self.free[k] - extra.get(k, 0) >= a for k, a in self.row[v] if a)
                (take if fits else drop).append(v)
            need: dict[int, int] = {}
            for v in take:
                for k, a in self.row[v]:
                    need[k] = need.get(k, 0) + a * len(self.members[v])
            if any(self.free[k] - extra.get(k, 0) < a for k, a in need.items()):
                return run, True
            for k, a in need.items():
                extra[k] = extra.get(k, 0) + a
            run.append((take, drop))
        return run, False

    def _fill_accepted(self, run: list[tuple[list[int], list[int]]]) -> int:
        """The longest prefix of the run that some selection of the most winners takes."""
        if not any(take for take, _ in run) or self._fill_feasible(run):
            return len(run)
        good, bad = 0, len(run)
        while bad - good > 1:
            mid = (good + bad) // 2
            if self._fill_feasible(run[:mid]):
                good = mid
            else:
                bad = mid
        return good

    def _fill_feasible(self, run: list[tuple[list[int], list[int]]]) -> bool:
        """Is there an allocation on the current face with these variables whole (taken) or
        at 0 (dropped)? The bounds are put back afterwards."""
        h = self._model()
        moved = [(v, len(self.members[v])) for take, _ in run for v in take]
        moved += [(v, 0) for _, drop in run for v in drop]
        for v, val in moved:
            h.changeColBounds(self.col[v], val, val)
        found = self._solution()
        for v, _ in moved:
            h.changeColBounds(self.col[v], 0, self.ub[v])
        return found is not None

    def _fill_fix(self, take: list[int], drop: list[int]) -> None:
        for v in take:
            self._fix(v, len(self.members[v]))
        for v in drop:
            self._fix(v, 0)

    def _fill_class(self, c: int, vs: list[int]) -> None:
        """A stage: the most winners of class ``c`` next to the decisions above."""
        best, _ = self._optimize({self.col[v]: 1 for v in vs})
        if best == 0:
            self._fill_fix([], vs)
        elif best == sum(len(self.members[v]) for v in vs):
            self._fill_fix(vs, [])
        else:
            self._add_equality([self.col[v] for v in vs], best)
            self.class_total[c] += best
            self._open_up(vs, best)  # the least they use counts in the capacity test

    # -- the model ------------------------------------------------------------------------

    def _model(self) -> highspy.Highs:
        if self.h is None:
            hs = _hs()
            h = hs.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("threads", self.threads)
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("mip_abs_gap", 0.0)
            h.setOptionValue("mip_feasibility_tolerance", 1e-9)
            h.setOptionValue("random_seed", 0)
            h.changeObjectiveSense(hs.ObjSense.kMaximize)
            self.h = h
        return self.h

    def _add_column(self, v: int) -> None:
        assert self.col[v] < 0, "a variable is staged once"
        h = self._model()
        for k, _ in self.row[v]:
            if k not in self.row_of:
                self.row_of[k] = h.getNumRow()
                self.cap_rows[k] = []
                h.addRow(-_hs().kHighsInf, self.caps[k] - self.outside[k], 0,
                         np.array([], dtype=np.int32), np.array([], dtype=np.float64))
        col = h.getNumCol()
        idx = np.array([self.row_of[k] for k, a in self.row[v] if a], dtype=np.int32)
        val = np.array([a for _, a in self.row[v] if a], dtype=np.float64)
        h.addCol(0.0, 0.0, float(self.ub[v]), len(idx), idx, val)
        h.changeColIntegrality(col, _hs().HighsVarType.kInteger)
        for k, a in self.row[v]:
            self.cap_rows[k].append((col, a))
        self.col[v] = col
        self.col_var.append(v)

    def _add_equality(self, cols: list[int], value: int) -> None:
        h = self._model()
        h.addRow(value, value, len(cols), np.array(cols, dtype=np.int32),
                 np.ones(len(cols), dtype=np.float64))
        self.eq_rows.append((cols, value))

    def _optimize(self, costs: dict[int, int]) -> tuple[int, list[int]]:
        """Proven maximum of ``sum(costs[col] * x[col])`` over the current face, with one
        optimal solution (rounded, re-checked in integers)."""
        h = self._model()
        self._costs(costs)
        status = self._run()
        if status != _hs().HighsModelStatus.kOptimal:
            raise NotProven(h.modelStatusToString(status))
        x = self._checked(h.getSolution().col_value)
        best = sum(costs[c] * x[c] for c in costs)
        info = h.getInfo()
        if abs(info.objective_function_value - best) > 0.5 or \
                math.floor(info.mip_dual_bound + 0.5) > best:
            raise NotProven("objective and dual bound differ")
        return best, x

    def _solution(self) -> list[int] | None:
        """One allocation on the current face (re-checked in integers), or None when HiGHS
        proves there is none. The LP relaxation at the least budget comes first: when it is
        infeasible so is every allocation, and an integral vertex is an allocation (the rows
        are often a network, whose vertices are integral); otherwise the MIP decides."""
        h = self._model()
        hs = _hs()
        self._costs(self._thrift())
        h.setOptionValue("solve_relaxation", True)
        try:
            status = self._run()
        finally:
            h.setOptionValue("solve_relaxation", False)
        if status == hs.HighsModelStatus.kInfeasible:
            return None
        if status == hs.HighsModelStatus.kOptimal:
            values = h.getSolution().col_value
            if all(abs(val - round(val)) <= _TOL for val in values):
                return self._checked(values)
        self._costs({})
        status = self._run()
        if status == hs.HighsModelStatus.kInfeasible:
            return None
        if status != hs.HighsModelStatus.kOptimal:
            raise NotProven(h.modelStatusToString(status))
        return self._checked(h.getSolution().col_value)

    def _thrift(self) -> dict[int, int]:
        """Per model column, minus its budget coefficient (maximised: the least spend)."""
        budget = {k for k, kind in enumerate(self.p.kinds) if kind == "budget"}
        return {col: -a for col, v in enumerate(self.col_var) for k, a in self.row[v]
                if k in budget and a}

    def _costs(self, costs: dict[int, int]) -> None:
        h = self._model()
        if self.costed:
            h.changeColsCost(len(self.costed), np.array(self.costed, dtype=np.int32),
                             np.zeros(len(self.costed)))
        cols = list(costs)
        h.changeColsCost(len(cols), np.array(cols, dtype=np.int32),
                         np.array([float(costs[c]) for c in cols]))
        self.costed = cols

    def _run(self) -> Any:
        """Solve the model as it stands (within the time left); HiGHS's model status."""
        h = self._model()
        if self.deadline is not None:
            left = self.deadline - time.perf_counter()
            if left <= 0:
                raise NotProven("time limit")
            h.setOptionValue("time_limit", left)
        h.run()
        self.mips += 1
        return h.getModelStatus()

    def _checked(self, values: Sequence[float]) -> list[int]:
        """The solution rounded to integers, within bounds and every row, or NotProven."""
        x = [round(val) for val in values]
        if any(abs(val - r) > _TOL for val, r in zip(values, x, strict=True)):
            raise NotProven("fractional solution")
        for col, v in enumerate(self.col_var):
            fixed = self.value[v]
            lo, hi = (fixed, fixed) if fixed is not None else (0, self.ub[v])
            if not lo <= x[col] <= hi:
                raise NotProven("solution out of bounds")
        for k, terms in self.cap_rows.items():
            if sum(a * x[col] for col, a in terms) > self.caps[k] - self.outside[k]:
                raise NotProven("solution breaks a constraint")
        if any(sum(x[col] for col in cols) != value for cols, value in self.eq_rows):
            raise NotProven("solution breaks a stage")
        return x

    # -- classification -------------------------------------------------------------------

    def _classify(self) -> list[int]:
        """Status per candidate; probes settle the variables still open."""
        seen: list[list[int]] = []
        still = [v for v in self.open if self.value[v] is None]
        if still:
            seen.append(self._optimize({})[1])
        lowest: dict[int, int] = {}
        highest: dict[int, int] = {}
        for v in still:
            col, size = self.col[v], len(self.members[v])
            if not any(x[col] > 0 for x in seen):
                top, x = self._optimize({col: 1})
                seen.append(x)
                if top == 0:
                    highest[v] = 0
            if v not in highest and not any(x[col] < size for x in seen):
                neg, x = self._optimize({col: -1})
                seen.append(x)
                lowest[v] = -neg
        self.seen = seen
        status = [NOT_SELECTED] * self.p.n
        for i in self.forced_in:
            status[i] = SELECTED
        for v, members in enumerate(self.members):
            size = len(members)
            val = self.value[v]
            if val is not None:
                s = SELECTED if val == size else NOT_SELECTED if val == 0 else ESCALATED
            elif highest.get(v, 1) == 0:
                s = NOT_SELECTED
            elif lowest.get(v, 0) == size:
                s = SELECTED
            else:
                s = ESCALATED
            for i in members:
                status[i] = s
        return status

    def _groups(self, status: list[int]) -> list[tuple[tuple[int, ...], int]]:
        """Tie groups: per class, its escalated members, split by pool when each pool's share
        of the seats is the same in every optimal allocation."""
        p = self.p
        first = np.array([m[0] for m in self.members], dtype=np.int64)
        esc_vars = np.flatnonzero(np.asarray(status, dtype=np.int64)[first] == ESCALATED)
        if not esc_vars.size:
            return []
        cls = np.asarray(p.cls, dtype=np.int64)
        chosen = np.asarray(status, dtype=np.int64) == SELECTED
        selected = np.bincount(cls[chosen], minlength=len(self.class_total)).tolist()
        by_class: dict[int, list[int]] = {}
        for v in esc_vars.tolist():
            by_class.setdefault(self.cls[v], []).append(v)
        out: list[tuple[tuple[int, ...], int]] = []
        for c, esc in by_class.items():
            seats = self.class_total[c] - selected[c]
            by_pool: dict[int, list[int]] = {}
            for v in esc:
                by_pool.setdefault(_pool(p, self.members[v][0]), []).append(v)
            everyone = tuple(sorted(i for v in esc for i in self.members[v]))
            if len(by_pool) == 1:
                out.append((everyone, seats))
                continue
            parts = []
            for vs_pool in by_pool.values():
                share = self._share(vs_pool)
                if share is None:
                    parts = [(everyone, seats)]
                    break
                parts.append((tuple(sorted(i for v in vs_pool for i in self.members[v])), share))
            out.extend(sorted(parts))
        return out

    def _share(self, vs: list[int]) -> int | None:
        """Winners among these variables if the same in every optimum, else None."""
        fixed = sum(self.value[v] or 0 for v in vs if self.value[v] is not None)
        free = [self.col[v] for v in vs if self.value[v] is None]
        if not free:
            return fixed
        sums = {sum(x[c] for c in free) for x in self.seen}
        if len(sums) > 1:
            return None
        hi, _ = self._optimize(dict.fromkeys(free, 1))
        lo_neg, _ = self._optimize(dict.fromkeys(free, -1))
        return fixed + hi if hi == -lo_neg else None


def _pool(p: ComponentProblem, i: int) -> int:
    """A candidate's pool: its quota constraint."""
    return next((k for k, _ in p.rows[i] if p.kinds[k] == "quota"), -1)


def blockers(p: ComponentProblem, status: Sequence[int],
             groups: Sequence[tuple[tuple[int, ...], int]]) -> list[int]:
    """Per not-selected candidate, the first constraint of their row (pool, limits by id,
    budget) that cannot take them next to the winners of their own or a better class —
    selected ones at their cost, each tie group at its seats times its members' largest
    cost; -1 when none is full. Vectorised over the (candidate, constraint) entries."""
    n = p.n
    out = np.full(n, -1, dtype=np.int64)
    lens = np.fromiter((len(r) for r in p.rows), dtype=np.int64, count=n)
    if n == 0 or not lens.sum():
        return out.tolist()
    owner = np.repeat(np.arange(n, dtype=np.int64), lens)
    flat = np.array([e for r in p.rows for e in r], dtype=np.int64).reshape(-1, 2)
    k, a = flat[:, 0], flat[:, 1]
    cls = np.asarray(p.cls, dtype=np.int64)[owner]
    st = np.asarray(status, dtype=np.int64)[owner]
    width = int(cls.max()) + 1
    # What the winners use, as (constraint, class, amount) entries: selected candidates, then
    # tie groups at their seats.
    sel = st == SELECTED
    use_k, use_c, use_a = [k[sel]], [cls[sel]], [a[sel]]
    for members, seats in groups:
        most: dict[int, int] = {}
        for i in members:
            for kk, aa in p.rows[i]:
                most[kk] = max(most.get(kk, 0), aa)
        use_k.append(np.fromiter(most, dtype=np.int64, count=len(most)))
        use_c.append(np.full(len(most), p.cls[members[0]], dtype=np.int64))
        use_a.append(np.fromiter(most.values(), dtype=np.int64, count=len(most)) * seats)
    key = np.concatenate(use_k) * width + np.concatenate(use_c)
    order = np.argsort(key, kind="stable")
    key = key[order]
    total = np.concatenate([[0], np.cumsum(np.concatenate(use_a)[order])])
    ask = np.flatnonzero(st == NOT_SELECTED)
    upto = total[np.searchsorted(key, k[ask] * width + cls[ask], side="right")]
    before = total[np.searchsorted(key, k[ask] * width, side="left")]
    caps = np.asarray(p.caps, dtype=np.int64)
    idx = ask[upto - before + a[ask] > caps[k[ask]]]
    if idx.size:
        who = owner[idx]
        first = np.unique(who, return_index=True)[1]
        out[who[first]] = k[idx[first]]
    return out.tolist()
