"""The domain as data: enums, rule sets, round settings, the scenario, the result, the file
schema and vocabulary, and reference data (ethnic groups, award ladders, the unit tree).

No I/O and no solver lives here; every layer of :mod:`allocator` imports from it. Big
per-row tables (candidates, units) travel as polars frames inside a
:class:`models.scenario.Scenario`, their columns fixed by :mod:`models.schema` and read cell
by cell in :mod:`allocator.io.validate`.
"""
