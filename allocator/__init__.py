"""allocator — exact, explainable allocation of promotion-review seats.

Public entry points: :func:`allocator.engine.flow.run` (a scenario on disk) and
:func:`allocator.engine.flow.decide` (an already loaded scenario).
"""

__version__ = "0.1.0"
