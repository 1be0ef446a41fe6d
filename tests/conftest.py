"""Shared fixtures: the ready rounds, decided once per session, and a private run history."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.engine.flow import run
from models.result import RunResult

ROOT = Path(__file__).resolve().parents[1]
READY_ROUNDS = ("dien-bien-2024", "binh-dinh-2024")
#: Ready rounds of career levels (the documents do not speak of levels yet).
LEVEL_ROUNDS = ("dien-bien-2026",)


@pytest.fixture(autouse=True)
def _private_history(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into the user's run history."""
    monkeypatch.setenv("ALLOCATOR_HISTORY",
                       str(tmp_path_factory.mktemp("history") / "history.duckdb"))


@pytest.fixture(scope="session", params=READY_ROUNDS)
def ready_round(request: pytest.FixtureRequest) -> tuple[str, RunResult]:
    name = request.param
    return name, run(ROOT / "scenarios" / name)


@pytest.fixture(scope="session", params=LEVEL_ROUNDS)
def level_round(request: pytest.FixtureRequest) -> tuple[str, RunResult]:
    name = request.param
    return name, run(ROOT / "scenarios" / name)


@pytest.fixture(scope="session")
def dien_bien() -> RunResult:
    return run(ROOT / "scenarios" / "dien-bien-2024")


@pytest.fixture(scope="session")
def binh_dinh() -> RunResult:
    return run(ROOT / "scenarios" / "binh-dinh-2024")


DATA = Path(__file__).resolve().parent / "data"


def _tiny(name: str) -> RunResult:
    return run(DATA / name)


@pytest.fixture(scope="session")
def tie_for_last_seat() -> RunResult:
    """Quota 2: one older winner, then two candidates equal on every criterion."""
    return _tiny("tie_for_last_seat")


@pytest.fixture(scope="session")
def limit_couples_two_pools() -> RunResult:
    """An IT and an InfoSec pool under one department limit of 2 rank-III winners."""
    return _tiny("limit_couples_two_pools")


@pytest.fixture(scope="session")
def budget_couples_two_pools() -> RunResult:
    """Two pools of two departments coupled by a budget of 1.0."""
    return _tiny("budget_couples_two_pools")


@pytest.fixture(scope="session")
def year_only_birth_lone_pool() -> RunResult:
    """One seat; the oldest candidate's birth date is known only to the year."""
    return _tiny("year_only_birth_lone_pool")
