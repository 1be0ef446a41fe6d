"""compare: per-candidate changes agree with the decision tables; figures agree with runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine.flow import decide
from allocator.engine.options import Options
from allocator.planning import compare as cmp
from models.errors import InputError
from models.result import RunResult
from tests.support.strategies import scenarios
from tests.support.variants import BINH_DINH, DIEN_BIEN, apply, loaded, write_variant


@st.composite
def variant_specs(draw: st.DrawFn) -> dict[str, Any]:
    """Random what-ifs on the strategies' round: quotas, settings, exclusions."""
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        spec["quotas"] = [{"department": draw(st.sampled_from(["P", "D1", "D2"])),
                           "add": draw(st.integers(-2, 2))}]
    if draw(st.booleans()):
        spec["settings"] = {"objective": draw(st.sampled_from(["priority", "fill"]))}
    if draw(st.booleans()):
        spec["candidates"] = {"exclude": ["C00"]}
    return spec


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_candidates=8, ineligible=True), variant_specs())
def test_changes_agree_with_both_decision_tables(args: dict[str, Any],
                                                 spec: dict[str, Any]) -> None:
    base = loaded(args)
    try:
        other = apply(base, spec)
    except InputError:  # the drawn department may hold no quota: nothing to compare
        assume(False)
        return
    before = decide(base.scenario, Options())
    after = decide(other.scenario, Options())
    diff = cmp.changes(before, after, "v")
    was = dict(before.decisions.select("candidate_id", "status").iter_rows())
    now = dict(after.decisions.select("candidate_id", "status").iter_rows())
    differing = {c for c in was.keys() | now.keys() if was.get(c) != now.get(c)}
    assert set(diff["candidate_id"].to_list()) == differing
    assert diff["candidate_id"].is_unique().all()
    for row in diff.iter_rows(named=True):
        assert row["status_before"] == was.get(row["candidate_id"])
        assert row["status_after"] == now.get(row["candidate_id"])
        wins = row["status_after"] == "selected" and row["status_before"] is not None
        assert (row["change"] == "wins") == (wins and row["status_before"] != "selected")
    why = after.decisions.select("candidate_id", "decided_by")
    joined = diff.join(why, on="candidate_id", how="inner")
    assert joined["decided_by_after"].eq_missing(joined["decided_by"]).all()


def _check_figures(result: RunResult, figs: pl.DataFrame) -> None:
    total = figs.filter(pl.col("scope") == "total").row(0, named=True)
    counts = result.summary.counts
    assert total["seats"] == counts.seats
    assert total["filled"] == counts.selected == total["winners"]
    assert total["unused"] == counts.unused_seats
    assert total["escalated_seats"] == counts.escalated_seats
    assert total["ineligible"] == counts.ineligible
    won = result.candidates.filter(pl.col("status") == "selected")
    if won.height:
        assert total["women_share"] == pytest.approx((won["sex"] == "female").mean(), abs=1e-4)
        assert total["minority_share"] == pytest.approx(won["ethnic_minority"].mean(),
                                                        abs=1e-4)
    for scope in ("title", "department"):
        part = figs.filter(pl.col("scope") == scope)
        for col in ("seats", "filled", "unused", "escalated_seats", "ineligible", "winners"):
            assert part[col].sum() == total[col], (scope, col)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_candidates=9, ineligible=True))
def test_figures_add_up_to_the_run(args: dict[str, Any]) -> None:
    result = decide(loaded(args).scenario, Options())
    _check_figures(result, cmp.figures(result, "x"))


def test_compare_shares_the_cache_and_writes_the_report(tmp_path: Path) -> None:
    # A lone pool's quota changes: the coupled component of Bình Định is reused.
    lone = write_variant(tmp_path / "lone.toml", BINH_DINH, {"quotas": [
        {"agency_id": "SKHCN", "target_title": "V.05.01.02", "set": 2}]})
    limit = write_variant(tmp_path / "limit.toml", BINH_DINH, {"limits": {"change": [
        {"limit_id": "TTUD-HANG-III", "add": 1}]}})
    c = cmp.compare(BINH_DINH, [lone, limit], history=False)
    assert c.labels == ["binh-dinh-2024", "lone", "limit"]
    reused = [r.summary.solver.reused_components for r in c.results]
    assert reused == [0, 1, 0]
    for r, label in zip(c.results, c.labels, strict=True):
        _check_figures(r, c.figures.filter(pl.col("variant") == label))
    files = cmp.write_report(tmp_path / "out", c.figures, c.changes)
    assert sorted(p.name for p in files) == sorted(cmp.REPORT_FILES)
    out = tmp_path / "out"
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "lone" in page
    book = openpyxl.load_workbook(out / "compare.xlsx", read_only=True)
    assert book.sheetnames == ["Tổng hợp", "Theo chức danh", "Theo sở", "Thay đổi", "Số liệu"]
    header = next(book["Tổng hợp"].iter_rows(max_row=1, values_only=True))
    assert header[3:] == ("binh-dinh-2024", "lone", "limit")
    book.close()
    back = cmp.read_figures(out / "figures.csv")
    assert back.equals(c.figures)
    changes = pl.read_csv(out / "changes.csv", infer_schema=False)
    assert changes.height == c.changes.height


def test_cli_compare_and_figures(tmp_path: Path) -> None:
    v = write_variant(tmp_path / "waive.toml", DIEN_BIEN,
                      {"settings": {"certificate_waived": True}})
    runner = CliRunner()
    res = runner.invoke(app, ["compare", str(DIEN_BIEN), str(v), "--out",
                              str(tmp_path / "cmp"), "--no-history"])
    assert res.exit_code == 0, res.output
    assert "waive" in res.output
    changes = pl.read_csv(tmp_path / "cmp" / "changes.csv", infer_schema=False)
    assert (changes["change"] == "wins").any()
    res = runner.invoke(app, ["compare", "--figures", str(tmp_path / "cmp" / "figures.csv"),
                              "--out", str(tmp_path / "again"), "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "again" / "compare.xlsx").exists()
    res = runner.invoke(app, ["compare", str(DIEN_BIEN), "--out", str(tmp_path / "x")])
    assert res.exit_code == 2
