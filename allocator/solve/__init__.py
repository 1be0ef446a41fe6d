"""Stage 6 — allocation.

* :mod:`allocator.solve.cutoff` — lone pools: an exact, vectorised sort and cut.
* :mod:`allocator.solve.sequential` — coupled components: the lexicographic optimum found
  class by class, exact propagation where it proves a decision and CP-SAT stages where it
  does not; the ``fill`` objective and the independent check run on
  :mod:`allocator.solve.cpsat` alone.
"""

from allocator.solve.sequential import solve_component

__all__ = ["solve_component"]
