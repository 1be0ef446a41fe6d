"""The synthetic round generator: deterministic, loadable, shaped as asked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine.flow import decide
from allocator.engine.options import Options as RunOptions
from allocator.engine.pools import key_columns
from allocator.io.loader import load
from allocator.synthetic.generate import Options, generate


def _make(root: Path, name: str, size: int, seed: int = 7, coupled: bool = False,
          budget: bool = False) -> Path:
    return generate(Options(size=size, seed=seed, coupled=coupled, budget=budget), root / name)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = _files(_make(tmp_path, "a", 1500, seed=3, coupled=True, budget=True))
    b = _files(_make(tmp_path, "b", 1500, seed=3, coupled=True, budget=True))
    c = _files(_make(tmp_path, "c", 1500, seed=4, coupled=True, budget=True))
    assert {"scenario.toml", "units.csv", "candidates.csv", "quotas.csv", "limits.csv"} <= set(a)
    assert a == b
    assert a["candidates.csv"] != c["candidates.csv"]


def test_cli_writes_what_the_function_writes(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["generate", str(tmp_path / "cli"), "--size", "800",
                                    "--seed", "5", "--coupled", "--budget"])
    assert done.exit_code == 0, done.output
    assert _files(tmp_path / "cli") == _files(_make(tmp_path, "api", 800, seed=5, coupled=True,
                                                    budget=True))


@pytest.mark.parametrize(("size", "coupled", "budget"),
                         [(100, False, False), (1500, False, False), (1500, True, False),
                          (1500, False, True), (1500, True, True)])
def test_loads_and_decides(tmp_path: Path, size: int, coupled: bool, budget: bool) -> None:
    scenario = load(_make(tmp_path, "s", size, coupled=coupled, budget=budget))
    assert scenario.candidates.height == size
    assert scenario.candidates["candidate_id"].n_unique() == size
    assert (scenario.limits.height > 0) == coupled
    assert (scenario.budget_units > 0) == budget
    result = decide(scenario, RunOptions())
    counts = result.summary.counts
    assert counts.candidates == size
    assert counts.selected > 0
    if coupled or budget:
        solver = result.summary.solver
        assert solver.coupled_components >= 1
        assert solver.active_limits > 0 if coupled else solver.budget_binding


def test_shares_roughly_as_asked(tmp_path: Path) -> None:
    """Census ethnic shares, most without an award, some ineligible, most pools contested,
    exact ties inside pools, working-age birth dates."""
    scenario = load(_make(tmp_path, "s", 4000, seed=11))
    cands = scenario.candidates
    share = cands.select(
        (pl.col("ethnicity") == "Kinh").mean().alias("kinh"),
        (pl.col("sex") == "female").mean().alias("female"),
        (pl.col("achievement").fill_null("") == "").mean().alias("no_award"),
    ).row(0, named=True)
    assert 0.78 <= share["kinh"] <= 0.92
    assert cands["ethnicity"].n_unique() >= 10
    assert 0.35 <= share["female"] <= 0.65
    assert share["no_award"] >= 0.5
    titles = {t.code for t in scenario.rule_set.titles}
    assert set(cands["target_title"].unique().to_list()) <= titles
    deadline = scenario.settings.deadline
    births = cands.select(pl.col("birth_lo").min().alias("lo"),
                          pl.col("birth_hi").max().alias("hi")).row(0)
    assert deadline - births[1] >= dt.timedelta(days=365 * 18)
    assert deadline - births[0] <= dt.timedelta(days=365 * 66)

    result = decide(scenario, RunOptions())
    counts = result.summary.counts
    assert 0.02 <= counts.ineligible / counts.candidates <= 0.5
    pools = result.pools.filter(pl.col("eligible") > 0)
    contested = pools.filter(pl.col("eligible") > pl.col("quota")).height
    assert contested >= 0.5 * pools.height
    keys = key_columns(scenario.rule_set)
    tied = (result.candidates.filter(pl.col("eligible"))
            .group_by(["_pool", *keys]).len().filter(pl.col("len") > 1).height)
    assert tied > 0, "no exact ties inside a pool"
