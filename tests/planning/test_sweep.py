"""Sweeps: the rules generate what they say; a Dask sweep equals running variants one by one."""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine.flow import decide, run
from allocator.engine.options import Options
from allocator.io.loader import load
from allocator.planning import sweep as sw
from allocator.planning.compare import figures, read_figures
from tests.support.variants import BINH_DINH, DIEN_BIEN

SAME_COLUMNS = [c for c in ("variant", "scope", "key", "seats", "filled", "unused",
                            "escalated_seats", "ineligible", "winners", "women", "minority",
                            "escalated", "tie_groups", "components")]


def test_sweep_of_50_variants_on_a_local_cluster_equals_runs_one_by_one(tmp_path: Path) -> None:
    scenario = load(BINH_DINH)
    jobs = sw.quota_steps(scenario, 12)[:50]
    assert len(jobs) == 50
    result = sw.run_sweep(BINH_DINH, jobs, workers=2)
    assert result.engine.startswith("LocalCluster")
    assert result.table["status"].eq("ok").all()
    # The work was spread: both worker processes ran jobs.
    assert len({o["pid"] for o in result.outcomes.values()}) == 2
    out = tmp_path / "sweep"
    sw.write_sweep(out, BINH_DINH, result)
    for job in [sw.Job(sw.BASE_ID, "", {}), *jobs]:
        path = BINH_DINH if job.id == sw.BASE_ID else out / "variants" / f"{job.id}.toml"
        alone = run(path)  # no cache, no Dask: the plain CLI path
        csv = alone.decisions.write_csv().encode()
        assert csv == result.decisions_csv(job.id), job.id
        mine = result.figures.filter(pl.col("variant") == job.id).select(SAME_COLUMNS)
        assert mine.equals(figures(alone, job.id).select(SAME_COLUMNS)), job.id
    table = pl.read_csv(out / "sweep.csv", infer_schema=False)
    assert table.height == 51
    assert read_figures(out / "figures.csv").equals(result.figures)


def test_serial_sweep_reuses_components_and_reports_errors() -> None:
    scenario = load(BINH_DINH)
    lone = [j for j in sw.quota_steps(scenario, 1) if "V.05.01.02" in j.description]
    bad = sw.Job("v999", "absent pool", {"quotas": [{"agency_id": "NOPE", "set": 1}]})
    result = sw.run_sweep(BINH_DINH, [*lone, bad], workers=0)
    assert result.engine == "serial"
    ok = result.table.filter(pl.col("status") == "ok")
    # The base solved the coupled component; variants of a lone pool reuse it.
    assert ok.filter(pl.col("id") != sw.BASE_ID)["reused_components"].to_list() == [1] * len(lone)
    err = result.table.filter(pl.col("id") == "v999").row(0, named=True)
    assert err["status"] == "error" and "NOPE" in err["error"]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.lists(st.integers(0, 9), min_size=1, max_size=6)
       .filter(lambda w: sum(w) > 0))
def test_apportion_is_a_largest_remainder_split(total: int, w: list[int]) -> None:
    got = sw.apportion(total, [Decimal(x) for x in w])
    assert sum(got) == total
    for seats, weight in zip(got, w, strict=True):
        exact = Fraction(total * weight, sum(w))
        assert math.floor(exact) <= seats <= math.ceil(exact)


def test_quota_steps_move_one_pool_by_each_step() -> None:
    scenario = load(BINH_DINH)
    k = 2
    jobs = sw.quota_steps(scenario, k)
    expected = sum(k + min(k, q) for q in scenario.quotas["quota"].to_list())
    assert len(jobs) == expected
    assert len({j.id for j in jobs}) == len(jobs)
    for job in jobs:
        (change,) = job.spec["quotas"]
        old = scenario.quotas.filter((pl.col("agency_id") == change["agency_id"])
                                     & (pl.col("target_title") == change["target_title"]))
        assert 0 < abs(change["set"] - old["quota"][0]) <= k


def test_spread_rules_split_the_total_across_departments() -> None:
    scenario = load(DIEN_BIEN)
    base = decide(scenario, Options())
    title = "V.11.06.14"
    assert sw.departments_for(scenario, title) == ["STTTT", "SYT"]
    jobs = sw.spread(scenario, base, title, [1, 2, 3])
    splits = {}
    for j in jobs:  # "V.11.06.14: 2 (proportional, shortage) — STTTT=2, SYT=0"
        total, how = j.description.split(" — ")[0].split(": ")[1].split(" ", 1)
        for method in how.strip("()").split(", "):
            splits[int(total), method] = [q["set"] for q in j.spec["quotas"][1:]]
    assert len(splits) == 9  # every total with every method, equal splits merged
    # shortage: STTTT has 5 positions and 3 holders of the title, SYT none.
    assert splits[2, "shortage"] == [2, 0]
    assert splits[2, "equal"] == [1, 1]
    assert splits[3, "equal"] == [2, 1]
    for j in jobs:
        assert sum(q["set"] for q in j.spec["quotas"][1:]) == int(j.description.split()[1])
    every = sw.spread(scenario, base, title, [2], every=True)
    assert sorted(tuple(q["set"] for q in j.spec["quotas"][1:]) for j in every) == [
        (0, 2), (1, 1), (2, 0)]
    result = sw.run_sweep(DIEN_BIEN, every, workers=0)
    seats = result.figures.filter((pl.col("scope") == "title") & (pl.col("key") == title)
                                  & (pl.col("variant") != sw.BASE_ID))["seats"].to_list()
    assert seats == [2, 2, 2]
    with pytest.raises(ValueError, match="max-variants"):
        sw.spread(scenario, base, title, [50], every=True, max_variants=10)


def test_cli_sweep_then_compare_reads_its_table(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "sweep"
    res = runner.invoke(app, ["sweep", str(DIEN_BIEN), "--out", str(out), "--rule", "spread",
                              "--title", "V.11.06.14", "--total", "1..2", "--workers", "0",
                              "--keep-decisions"])
    assert res.exit_code == 0, res.output
    table = pl.read_csv(out / "sweep.csv", infer_schema=False)
    assert table["status"].eq("ok").all()
    for row in table.filter(pl.col("id") != sw.BASE_ID).iter_rows(named=True):
        kept = (out / "variants" / f"{row['id']}.decisions.csv").read_bytes()
        assert hashlib.sha256(kept).hexdigest() == row["decisions_sha256"]
    res = runner.invoke(app, ["compare", "--figures", str(out / "figures.csv"), "--out",
                              str(tmp_path / "report"), "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report" / "compare.html").exists()
    res = runner.invoke(app, ["sweep", str(DIEN_BIEN), "--out", str(tmp_path / "x"),
                              "--rule", "spread", "--workers", "0"])
    assert res.exit_code == 2
