"""Variants apply exactly what they say, and name themselves when they cannot."""

from __future__ import annotations

import math
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.engine import flow as pipeline
from allocator.engine.cache import StageCache
from allocator.engine.digest import input_digest
from allocator.engine.flow import decide
from allocator.engine.options import Options
from allocator.io.folder import read_folder
from allocator.io.loader import load
from allocator.io.validate import validate
from allocator.io.variants import Loaded
from allocator.solve import dispatch
from models.errors import InputError
from models.result import RunResult
from tests.support.builders import raw
from tests.support.strategies import scenarios
from tests.support.variants import BINH_DINH, DIEN_BIEN, apply, loaded, write_variant

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TABLES = ("units", "candidates", "quotas", "limits", "staff", "decisions")


def _ready(path: Path) -> Loaded:
    raw = read_folder(path)
    return Loaded(validate(raw), base_dir=raw.base_dir)


def _same_outputs(a: RunResult, b: RunResult) -> None:
    assert a.decisions.equals(b.decisions)
    assert a.pools.equals(b.pools)
    assert a.escalations.equals(b.escalations)


# ---------------------------------------------------------------------------------------------
# A variant with no changes is its base
# ---------------------------------------------------------------------------------------------


@FAST
@given(scenarios(max_candidates=8, ineligible=True))
def test_empty_variant_equals_its_base(args: dict[str, Any]) -> None:
    base = loaded(args)
    same = apply(base, {})
    for name in TABLES:
        assert getattr(same.scenario, name).equals(getattr(base.scenario, name)), name
    assert same.scenario.settings == base.scenario.settings
    assert input_digest(same.scenario) == input_digest(base.scenario)
    _same_outputs(decide(same.scenario, Options()), decide(base.scenario, Options()))


@pytest.mark.parametrize("folder", [DIEN_BIEN, BINH_DINH], ids=lambda p: p.name)
def test_empty_variant_file_equals_its_ready_round(tmp_path: Path, folder: Path) -> None:
    round_copy = tmp_path / "rounds" / folder.name
    shutil.copytree(folder, round_copy)
    variant = write_variant(tmp_path / "same.toml", f"rounds/{folder.name}",
                            {"description": "nothing changes"})
    via_variant = pipeline.run(variant)
    direct = pipeline.run(round_copy)
    _same_outputs(via_variant, direct)
    assert via_variant.summary.input_digest == direct.summary.input_digest


# ---------------------------------------------------------------------------------------------
# A quota change touches only its component
# ---------------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_candidates=10), st.data())
def test_quota_change_resolves_only_its_component(args: dict[str, Any],
                                                  data: st.DataObject) -> None:
    base = loaded(args)
    quotas = base.scenario.quotas
    row = quotas.row(data.draw(st.integers(0, quotas.height - 1)), named=True)
    new = data.draw(st.integers(0, 4).filter(lambda v: v != row["quota"]))
    variant = apply(base, {"quotas": [{"agency_id": row["agency_id"],
                                       "target_title": row["target_title"], "set": new}]})
    changed = quotas.with_columns(
        pl.when((pl.col("agency_id") == row["agency_id"])
                & (pl.col("target_title") == row["target_title"]))
        .then(pl.lit(new, pl.Int64)).otherwise(pl.col("quota")).alias("quota"))
    assert variant.scenario.quotas.equals(changed)

    cache = StageCache()
    before = decide(base.scenario, Options(cache=cache))
    solved = []
    real = dispatch.solve_component

    def spy(problem: Any, **kw: Any) -> Any:
        solved.append(problem)
        return real(problem, **kw)

    with patch.object(dispatch, "solve_component", spy):
        after = decide(variant.scenario, Options(cache=cache))
    pool = f"{row['agency_id']}|{row['target_title']}"
    assert len(solved) <= 1
    assert all(pool in p.labels for p in solved)
    solver = after.summary.solver
    assert solver.reused_components == solver.coupled_components - len(solved)
    touched = {c for p in solved for c in p.ids}
    touched |= set(before.candidates.filter(pl.col("_pool") == pool)["candidate_id"].to_list())
    cols = ["candidate_id", "status", "decided_by", "priority_rank", "agency_id"]
    outside = [d.filter(~pl.col("candidate_id").is_in(sorted(touched))).select(cols)
               for d in (before.decisions, after.decisions)]
    assert outside[0].equals(outside[1])


# ---------------------------------------------------------------------------------------------
# Quota selectors and operations, against a plain model
# ---------------------------------------------------------------------------------------------

SUBTREE = {"P": {"P", "D1", "D2", "U1", "U2", "U3"}, "D1": {"D1", "U1", "U2"},
           "D2": {"D2", "U3"}}
TITLES = ["V.11.06.14", "V.11.05.11", "V.05.01.03"]


@st.composite
def quota_changes(draw: st.DrawFn) -> dict[str, Any]:
    change: dict[str, Any] = {}
    where = draw(st.sampled_from(["agency", "department", "title", "all"]))
    if where == "agency":
        change["agency_id"] = draw(st.sampled_from(["P", "D1", "D2"]))
    elif where == "department":
        change["department"] = draw(st.sampled_from(["P", "D1", "D2"]))
    if where != "all" and (where == "title" or draw(st.booleans())):
        change["target_title"] = draw(st.sampled_from(TITLES))
    op = draw(st.sampled_from(["set", "add", "scale", "drop"]))
    if op == "set":
        change["set"] = draw(st.integers(0, 5))
    elif op == "add":
        change["add"] = draw(st.integers(-3, 3))
    elif op == "scale":
        change["scale"] = draw(st.sampled_from([0.0, 0.25, 0.5, 1.5, 2.0, 1.1]))
        change["rounding"] = draw(st.sampled_from(["nearest", "down", "up"]))
    else:
        change["drop"] = True
    return change


def _expected(quotas: list[dict[str, Any]], change: dict[str, Any]) -> list[dict[str, Any]] | None:
    def hit(q: dict[str, Any]) -> bool:
        if "agency_id" in change and q["agency_id"] != change["agency_id"]:
            return False
        if "department" in change and q["agency_id"] not in SUBTREE[change["department"]]:
            return False
        return "target_title" not in change or q["target_title"] == change["target_title"]

    if not any(hit(q) for q in quotas):
        return None
    out = []
    for q in quotas:
        if not hit(q):
            out.append(q)
            continue
        if change.get("drop"):
            continue
        v = q["quota"]
        if "set" in change:
            v = change["set"]
        elif "add" in change:
            v = max(0, v + change["add"])
        else:
            x = Fraction(str(change["scale"])) * v
            v = {"nearest": math.floor(x + Fraction(1, 2)), "down": math.floor(x),
                 "up": math.ceil(x)}[change["rounding"]]
        out.append({**q, "quota": v})
    return out


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_candidates=3, coupled=False), quota_changes())
def test_quota_change_applies_exactly_what_it_says(args: dict[str, Any],
                                                   change: dict[str, Any]) -> None:
    base = loaded(args)
    rows = base.scenario.quotas.select("agency_id", "target_title", "quota").to_dicts()
    expected = _expected(rows, change)
    if expected is None:
        with pytest.raises(InputError) as info:
            apply(base, {"quotas": [change]})
        assert info.value.problems[0].file == "variant.toml"
        assert str(info.value.problems[0].column).startswith("quotas[0]")
        return
    variant = apply(base, {"quotas": [change]})
    got = variant.scenario.quotas.select("agency_id", "target_title", "quota").to_dicts()
    assert got == expected
    # The typed change gives exactly what reading a quotas file with those values gives.
    written = [{k: str(v) for k, v in q.items()} for q in got]
    full = validate(raw(**{**args, "quotas": written}))
    assert variant.scenario.quotas.drop("__row").equals(full.quotas.drop("__row"))
    assert input_digest(variant.scenario) == input_digest(full)


def test_created_pool_and_chained_changes_apply_in_order() -> None:
    base = _ready(DIEN_BIEN)
    variant = apply(base, {"quotas": [
        {"target_title": "V.11.05.11", "drop": True},
        {"agency_id": "TTCNTT", "target_title": "V.11.05.11", "set": 2, "create": True},
        {"target_title": "V.11.05.11", "scale": 1.5},
    ]})
    quotas = variant.scenario.quotas.select("agency_id", "target_title", "quota").to_dicts()
    assert quotas == [{"agency_id": "STTTT", "target_title": "V.11.06.14", "quota": 1},
                      {"agency_id": "TTCNTT", "target_title": "V.11.05.11", "quota": 3}]
    result = decide(variant.scenario, Options())
    pools = result.decisions.filter(pl.col("target_title") == "V.11.05.11")
    assert set(pools["agency_id"].to_list()) == {"TTCNTT"}


# ---------------------------------------------------------------------------------------------
# Limits, candidates, settings
# ---------------------------------------------------------------------------------------------


def test_limit_changes_apply() -> None:
    base = _ready(BINH_DINH)
    raised = apply(base, {"limits": {"change": [{"limit_id": "TTUD-HANG-III", "add": 2}]}})
    assert raised.scenario.limits["max"].to_list() == [4]
    dropped = apply(base, {"limits": {"drop": ["TTUD-HANG-III"]}})
    assert dropped.scenario.limits.height == 0
    added = apply(base, {"limits": {"add": [{"limit_id": "NEW", "scope_unit_id": "SKHCN",
                                             "target_title": "V.05.02.07", "max": 1}]}})
    assert added.scenario.limits.select("limit_id", "max").rows() == [
        ("TTUD-HANG-III", 2), ("NEW", 1)]
    share = apply(base, {"limits": {"change": [{"limit_id": "TTUD-HANG-III",
                                                "max_share": 0.5}]}})
    row = share.scenario.limits.row(0, named=True)
    assert row["max"] is None and row["max_share"] == "0.5"
    # The binding limit, raised above its demand, stops blocking anyone.
    decided = decide(raised.scenario, Options()).decisions
    assert not decided["decided_by"].eq("limit:TTUD-HANG-III").any()


def test_candidate_changes_apply() -> None:
    base = _ready(DIEN_BIEN)
    first = base.scenario.candidates.row(1, named=True)
    copy = {k: first[k] for k in ("full_name", "birth_date", "sex", "ethnicity", "unit_id",
                                  "current_title", "target_title", "recruitment_level",
                                  "degree", "rating_prev_year")}
    copy.update(candidate_id="NEW1", rank_since=first["rank_since"],
                service_start=first["service_start"], degree_field_ok=True, certificate=True,
                under_discipline=False, competence_ok=True, language_it_ok=True)
    variant = apply(base, {"candidates": {
        "exclude": ["DB01"],
        "change": [{"candidate_id": "DB25", "rating_prev_year": "tot", "certificate": True}],
        "add": [copy]}})
    cands = variant.scenario.candidates
    ids = set(cands["candidate_id"].to_list())
    assert "DB01" not in ids and "NEW1" in ids
    assert cands.height == base.scenario.candidates.height
    db25 = cands.filter(pl.col("candidate_id") == "DB25").row(0, named=True)
    assert (db25["rating_prev_year"], db25["certificate"]) == ("tot", True)
    decisions = decide(variant.scenario, Options()).decisions
    assert decisions.filter(pl.col("candidate_id") == "NEW1")["status"][0] != "ineligible"


def test_settings_switch_waives_the_certificate() -> None:
    base = _ready(DIEN_BIEN)
    waived = apply(base, {"settings": {"certificate_waived": True}, "name": "miễn chứng chỉ"})
    assert waived.scenario.settings.certificate_waived is True
    assert waived.scenario.settings.name == "miễn chứng chỉ"
    before = decide(base.scenario, Options()).decisions
    after = decide(waived.scenario, Options()).decisions
    only_cert = before.filter(pl.col("reasons") == "certificate")["candidate_id"].to_list()
    assert only_cert
    assert after.filter(pl.col("candidate_id").is_in(only_cert)
                        & (pl.col("status") == "ineligible")).height == 0


def test_objective_budget_and_rule_set_settings() -> None:
    base = _ready(BINH_DINH)
    changed = apply(base, {"settings": {"objective": "fill", "budget": 0.68,
                                        "rule_set": base.scenario.rule_set.id}})
    s = changed.scenario
    assert (s.settings.objective.value, str(s.settings.budget)) == ("fill", "0.68")
    assert s.budget_units == 68 and s.money_scale == 100
    result = decide(s, Options())
    assert result.summary.solver.budget_binding


# ---------------------------------------------------------------------------------------------
# Changes that name something absent, and other bad variants
# ---------------------------------------------------------------------------------------------

BAD = [
    # unit that does not exist
    (DIEN_BIEN, {"quotas": [{"agency_id": "NOPE", "set": 1}]}, "quotas[0].agency_id", "NOPE"),
    (DIEN_BIEN, {"quotas": [{"department": "NOPE", "add": 1}]}, "quotas[0].department", "NOPE"),
    # a unit without any quota
    (DIEN_BIEN, {"quotas": [{"agency_id": "TTCNTT", "set": 1}]}, "quotas[0]", "TTCNTT"),
    # a title without any quota
    (DIEN_BIEN, {"quotas": [{"target_title": "V.05.01.03", "set": 1}]}, "quotas[0]",
     "V.05.01.03"),
    # creating a pool that exists
    (DIEN_BIEN, {"quotas": [{"agency_id": "STTTT", "target_title": "V.11.05.11", "set": 1,
                             "create": True}]}, "quotas[0]", "V.11.05.11"),
    # creating a pool for a title that is no promotion target (found by validation)
    (DIEN_BIEN, {"quotas": [{"agency_id": "TTCNTT", "target_title": "V.11.05.12", "set": 1,
                             "create": True}]}, "quotas[0].target_title", "V.11.05.12"),
    # two operations at once
    (DIEN_BIEN, {"quotas": [{"agency_id": "STTTT", "set": 1, "add": 1}]}, "quotas.0",
     "exactly one"),
    (BINH_DINH, {"limits": {"drop": ["NOPE"]}}, "limits.drop[0]", "NOPE"),
    (BINH_DINH, {"limits": {"change": [{"limit_id": "NOPE", "max": 1}]}},
     "limits.change[0].limit_id", "NOPE"),
    (BINH_DINH, {"limits": {"add": [{"limit_id": "TTUD-HANG-III", "scope_unit_id": "TTUD",
                                     "max": 1}]}}, "limits.add[0].limit_id", "TTUD-HANG-III"),
    (BINH_DINH, {"limits": {"add": [{"limit_id": "X", "scope_unit_id": "NOPE", "max": 1}]}},
     "limits.add[0].scope_unit_id", "NOPE"),
    (BINH_DINH, {"limits": {"change": [{"limit_id": "TTUD-HANG-III",
                                        "target_title": "V.99"}]}},
     "limits.change[0].target_title", "V.99"),
    (DIEN_BIEN, {"candidates": {"exclude": ["NOPE"]}}, "candidates.exclude[0]", "NOPE"),
    (DIEN_BIEN, {"candidates": {"change": [{"candidate_id": "NOPE", "certificate": True}]}},
     "candidates.change[0].candidate_id", "NOPE"),
    (DIEN_BIEN, {"candidates": {"change": [{"candidate_id": "DB02", "certficate": True}]}},
     "candidates.change[0].certficate", "unknown column"),
    (DIEN_BIEN, {"candidates": {"change": [{"candidate_id": "DB02", "birth_date": "19xx"}]}},
     "candidates.change[0].birth_date", "19xx"),
    (DIEN_BIEN, {"candidates": {"add": [{"candidate_id": "DB02", "full_name": "X"}]}},
     "candidates.add[0].candidate_id", "DB02"),
    (DIEN_BIEN, {"candidates": {"add": [{"candidate_id": "N1", "full_name": "X"}]}},
     "candidates.add[0].", "empty cell"),
    (DIEN_BIEN, {"settings": {"budgett": 1}}, "settings.budgett", "unknown setting"),
    (DIEN_BIEN, {"settings": {"objective": "max"}}, "settings.objective", "invalid"),
    (DIEN_BIEN, {"settings": {"rule_set": "nope"}}, "settings.rule_set", "nope"),
    (DIEN_BIEN, {"quota": []}, "quota", "unknown key"),
]


@pytest.mark.parametrize(("folder", "spec", "column", "text"), BAD,
                         ids=[b[2] + ":" + b[3] for b in BAD])
def test_bad_change_names_the_variant(folder: Path, spec: dict[str, Any], column: str,
                                      text: str) -> None:
    with pytest.raises(InputError) as info:
        apply(_ready(folder), spec, "what-if.toml")
    problems = [p for p in info.value.problems if p.file == "what-if.toml"]
    assert problems, info.value.render()
    assert any(str(p.column).startswith(column) and (text in p.en or text in str(p.column))
               for p in problems), info.value.render()


def test_chained_variants_and_relative_bases(tmp_path: Path) -> None:
    write_variant(tmp_path / "one.toml", DIEN_BIEN, {"quotas": [
        {"agency_id": "STTTT", "target_title": "V.11.05.11", "add": 1}]})
    (tmp_path / "more").mkdir()
    two = write_variant(tmp_path / "more" / "two.toml", "../one.toml",
                        {"quotas": [{"target_title": "V.11.06.14", "set": 0}]})
    sc = load(two)
    assert sc.quotas.select("target_title", "quota").sort("target_title").rows() == [
        ("V.11.05.11", 4), ("V.11.06.14", 0)]
    assert sc.source == two


def test_variant_cycle_and_missing_base_fail(tmp_path: Path) -> None:
    write_variant(tmp_path / "a.toml", "b.toml", {})
    write_variant(tmp_path / "b.toml", "a.toml", {})
    with pytest.raises(InputError, match="cycle"):
        load(tmp_path / "a.toml")
    write_variant(tmp_path / "c.toml", "nowhere", {})
    with pytest.raises(InputError, match="not found"):
        load(tmp_path / "c.toml")
    (tmp_path / "d.toml").write_text("base = [", encoding="utf-8")
    with pytest.raises(InputError, match="invalid TOML"):
        load(tmp_path / "d.toml")


def test_cli_runs_a_variant_and_refuses_a_bad_one(tmp_path: Path) -> None:
    runner = CliRunner()
    good = write_variant(tmp_path / "good.toml", DIEN_BIEN,
                         {"settings": {"certificate_waived": True}})
    res = runner.invoke(app, ["run", str(good), "--out", str(tmp_path / "out"), "-q",
                              "--no-xlsx", "--no-history"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "decisions.csv").exists()
    bad = write_variant(tmp_path / "bad.toml", DIEN_BIEN,
                        {"candidates": {"exclude": ["NOPE"]}})
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "bad-out"), "-q",
                              "--no-history"])
    assert res.exit_code == 2
    assert "bad.toml" in res.output and "candidates.exclude[0]" in res.output
    assert not (tmp_path / "bad-out").exists()


def test_shipped_what_if_files_apply_what_they_say() -> None:
    """The walk-through's variants (scenarios/whatif/) load from a fresh clone and change
    exactly what their comments promise."""
    whatif = DIEN_BIEN.parent / "whatif"
    base = load(DIEN_BIEN)
    waived = load(whatif / "mien-chung-chi.toml")
    assert waived.settings.certificate_waived and not base.settings.certificate_waived
    assert waived.quotas.equals(base.quotas)
    more = load(whatif / "them-chi-tieu.toml")
    seats = {(a, t): q for a, t, q in base.quotas.select(
        "agency_id", "target_title", "quota").iter_rows()}
    for agency, title, quota in more.quotas.select(
            "agency_id", "target_title", "quota").iter_rows():
        expected = seats[(agency, title)] + 1 if (agency, title) == ("STTTT", "V.11.05.11") \
            else 3 if title == "V.11.06.14" else seats[(agency, title)]
        assert quota == expected, (agency, title)
    added = more.limits.filter(pl.col("limit_id") == "TTCNTT-HANG-III")
    assert added.select("scope_unit_id", "target_rank", "max").row(0) == ("TTCNTT", "III", 4)
    result = decide(more, Options())
    assert result.summary.counts.seats == sum(more.quotas["quota"].to_list())


def test_variant_on_a_workbook_base_bug(tmp_path: Path) -> None:
    """A variant whose base is an .xlsx workbook loaded nothing: the loader imported the
    workbook reader from a module path that no longer existed (ImportError, a traceback)."""
    shutil.copy(DIEN_BIEN.parent / "dien-bien-2024.xlsx", tmp_path / "round.xlsx")
    variant = write_variant(tmp_path / "waived.toml", "round.xlsx",
                            {"settings": {"certificate_waived": True}})
    waived = load(variant)
    assert waived.settings.certificate_waived is True
    assert input_digest(load(tmp_path / "round.xlsx")) == input_digest(load(DIEN_BIEN))


def test_a_variant_is_validated_by_the_rules_of_a_file() -> None:
    """What a variant writes is read and cross-checked as a file's cells are: a value that
    does not read, and a reference to nothing, both name the change."""
    base = _ready(BINH_DINH)
    with pytest.raises(InputError) as info:
        apply(base, {"limits": {"add": [{"limit_id": "X", "scope_unit_id": "SKHCN",
                                         "target_rank": "VI", "max": 1}]}}, "what-if.toml")
    assert [(p.file, p.column) for p in info.value.problems] == [
        ("what-if.toml", "limits.add[0].target_rank")]
    with pytest.raises(InputError) as info:
        apply(base, {"candidates": {"change": [{"candidate_id": "BD01", "unit_id": "NOPE"}]}},
              "what-if.toml")
    assert [(p.file, p.column) for p in info.value.problems] == [
        ("what-if.toml", "candidates.change[0].unit_id")]


def test_excluding_a_ruled_candidate_names_the_ruling() -> None:
    """A ruling on a candidate that a variant excludes points at nobody: reported on the
    rulings file, as a folder without that candidate would be."""
    base = _ready(DIEN_BIEN)
    rulings = pl.DataFrame({"__row": [2], "candidate_id": ["DB09"], "decision": ["select"]})
    ruled = Loaded(base.scenario.replace(decisions=rulings, labels={
        **base.scenario.labels, "authority_decisions": "authority_decisions.csv"}))
    with pytest.raises(InputError) as info:
        apply(ruled, {"candidates": {"exclude": ["DB09"]}})
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        ("authority_decisions.csv", 2, "candidate_id")]


def test_changing_a_salary_rescales_the_money() -> None:
    """Money stays exact under a variant: a salary with more decimals than any before
    changes the scale of every salary and of the budget."""
    base = _ready(BINH_DINH)
    changed = apply(base, {"settings": {"budget": 1}, "candidates": {"change": [
        {"candidate_id": "BD01", "salary_increase": 0.125}]}}).scenario
    assert changed.money_scale == 1000 and changed.budget_units == 1000
    row = changed.candidates.filter(pl.col("candidate_id") == "BD01").row(0, named=True)
    assert (row["salary_increase"], row["salary_units"]) == (0.125, 125)
    others = changed.candidates.filter(pl.col("candidate_id") != "BD01")
    before = base.scenario.candidates.filter(pl.col("candidate_id") != "BD01")
    assert (others["salary_units"] * base.scenario.money_scale).to_list() == (
        before["salary_units"] * changed.money_scale).to_list()
