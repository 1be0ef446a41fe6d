"""allocator — exact, explainable allocation of promotion-review seats.

Public entry points: :func:`allocator.pipeline.run` (a scenario on disk) and
:func:`allocator.pipeline.decide` (an already loaded scenario).
"""

__version__ = "0.1.0"
