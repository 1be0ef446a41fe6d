"""Bad input: exit status 2, one message naming file, row and column, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from tests.support.builders import candidate, write_folder

runner = CliRunner()

CANDIDATES = [
    candidate("A1", birth_date="1980-01-01"),
    candidate("A2", birth_date="1981-01-01", unit_id="U2"),
    candidate("A3", birth_date="1982-01-01", sex="female"),
]
QUOTAS = [{"agency_id": "D", "target_title": "V.11.06.14", "quota": "1"}]


def _edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test set-up: {old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def _append(name: str, line: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        with (folder / name).open("a", encoding="utf-8") as f:
            f.write(line + "\n")
    return apply


def _remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _write(name: str, content: bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / name).write_bytes(content)
    return apply


CASES = [
    # (id, mutation, expected fragments of the message)
    ("missing candidates file", _remove("candidates.csv"), ["candidates.csv", "file is missing"]),
    ("missing column", _edit("candidates.csv", "birth_date,", "born,"),
     ["candidates.csv", "row 1", "column birth_date", "required column missing"]),
    ("unknown title pair",
     _edit("candidates.csv", "V.11.06.15,V.11.06.14", "V.11.06.15,V.11.05.11"),
     ["candidates.csv", "row 2", "column target_title", "unknown title pair"]),
    ("unknown unit", _edit("candidates.csv", ",U2,", ",U9,"),
     ["candidates.csv", "row 3", "column unit_id", "unit not in units.csv"]),
    ("duplicate candidate id", _edit("candidates.csv", "A2,", "A1,"),
     ["candidates.csv", "row 3", "column candidate_id", "duplicate id"]),
    ("malformed date", _edit("candidates.csv", "1981-01-01", "1981-13-01"),
     ["candidates.csv", "row 3", "column birth_date", "1981-13-01"]),
    ("day-first date in a CSV", _edit("candidates.csv", "1981-01-01", "01/01/1981"),
     ["candidates.csv", "row 3", "column birth_date"]),
    ("date after the deadline", _edit("candidates.csv", "2018-01-01", "2025-01-01"),
     ["candidates.csv", "row 2", "column rank_since", "after the dossier deadline"]),
    ("bad boolean", _edit("candidates.csv", ",true,true,tot,", ",maybe,true,tot,"),
     ["candidates.csv", "row 2", "column degree_field_ok", "maybe"]),
    ("bad sex", _edit("candidates.csv", ",female,", ",other,"),
     ["candidates.csv", "row 4", "column sex"]),
    ("negative salary increase", _edit("candidates.csv", ",0\n", ",-0.3\n"),
     ["candidates.csv", "row 2", "column salary_increase"]),
    ("negative quota", _edit("quotas.csv", ",1", ",-1"),
     ["quotas.csv", "row 2", "column quota"]),
    ("fractional quota", _edit("quotas.csv", ",1", ",1.5"),
     ["quotas.csv", "row 2", "column quota", "whole number"]),
    ("quota for an unknown agency", _edit("quotas.csv", "D,", "X,"),
     ["quotas.csv", "row 2", "column agency_id"]),
    ("duplicate quota", _append("quotas.csv", "D,V.11.06.14,2"),
     ["quotas.csv", "row 3", "duplicate quota"]),
    ("parent cycle", _edit("units.csv", "D,Sở,P", "D,Sở,U1"),
     ["units.csv", "column parent_id", "cycle"]),
    ("missing parent", _edit("units.csv", "U2,Trung tâm 2,D", "U2,Trung tâm 2,Z"),
     ["units.csv", "row 5", "column parent_id", "'Z' does not exist"]),
    ("two roots", _edit("units.csv", "D,Sở,P", "D,Sở,"),
     ["units.csv", "column parent_id", "more than one root"]),
    ("duplicate unit", _append("units.csv", "U1,Khác,D"),
     ["units.csv", "row 6", "column unit_id", "duplicate id"]),
    ("missing deadline", _edit("scenario.toml", "deadline = 2024-10-29\n", ""),
     ["scenario.toml", "column deadline", "required setting missing"]),
    ("unknown setting", _append("scenario.toml", 'buget = 3'),
     ["scenario.toml", "buget", "unknown setting"]),
    ("bad objective", _append("scenario.toml", 'objective = "fastest"'),
     ["scenario.toml", "objective"]),
    ("invalid TOML", _append("scenario.toml", "name = "), ["scenario.toml", "invalid TOML"]),
    ("not UTF-8", _write("quotas.csv", "agency_id,target_title,quota\nD,V.11.06.14,\xff1\n"
                         .encode("latin-1")), ["quotas.csv", "not UTF-8"]),
    ("limit with max and max_share",
     _write("limits.csv", b"limit_id,scope_unit_id,max,max_share\nL1,D,1,0.5\n"),
     ["limits.csv", "row 2", "exactly one of max and max_share"]),
    ("max_share without staff",
     _write("limits.csv", b"limit_id,scope_unit_id,target_rank,max_share\nL1,D,III,0.5\n"),
     ["limits.csv", "row 2", "column max_share", "needs staff.csv"]),
    ("decision for an unknown candidate",
     _write("authority_decisions.csv", b"candidate_id,decision\nZZ,select\n"),
     ["authority_decisions.csv", "row 2", "column candidate_id"]),
    ("decision for a candidate who is not escalated",
     _write("authority_decisions.csv", b"candidate_id,decision\nA1,select\n"),
     ["authority_decisions.csv", "row 2", "not escalated"]),
    ("unknown rule set", _append("scenario.toml", 'rule_set = "nd-999"'),
     ["scenario.toml", "rule_set"]),
]


@pytest.mark.parametrize(("mutate", "fragments"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_exits_2_names_the_place_and_writes_nothing(
        tmp_path: Path, mutate: Callable[[Path], None], fragments: list[str]) -> None:
    folder = write_folder(tmp_path / "round", candidates=CANDIDATES, quotas=QUOTAS)
    assert runner.invoke(app, ["validate", str(folder)]).exit_code == 0
    mutate(folder)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--no-history"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{result.output}"
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_a_failed_rerun_leaves_the_previous_outputs_untouched(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "round", candidates=CANDIDATES, quotas=QUOTAS)
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(folder), "--out", str(out), "--no-history",
                               "--no-xlsx"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _edit("quotas.csv", ",1", ",-1")(folder)
    assert runner.invoke(app, ["run", str(folder), "--out", str(out),
                               "--no-history"]).exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_missing_scenario_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "scenario not found" in " ".join(result.output.split())  # long paths wrap lines


def test_limits_file_with_only_max_share_column_bug(tmp_path: Path) -> None:
    """A limits.csv giving every bound as max_share, without a max column, was refused
    ("required column missing: max") although each row gives exactly one bound."""
    folder = write_folder(
        tmp_path / "round", candidates=CANDIDATES, quotas=QUOTAS,
        limits=[{"limit_id": "L1", "scope_unit_id": "D", "target_rank": "III",
                 "max_share": "0.5"}],
        staff=[{"unit_id": "D", "title": "V.11.06.14", "holders": "1", "positions": "4"}])
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    _write("limits.csv", b"limit_id,scope_unit_id,target_rank\nL1,D,III\n")(folder)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "column max" in " ".join(result.output.split())


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    """Cells that cannot be read and references to nothing come in one message, file by
    file (the user fixes them in one pass)."""
    folder = write_folder(tmp_path / "round", candidates=CANDIDATES, quotas=QUOTAS)
    _edit("candidates.csv", "1981-01-01", "1981-13-01")(folder)
    _edit("candidates.csv", ",U2,", ",U9,")(folder)
    _edit("quotas.csv", "D,", "X,")(folder)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    for fragment in ("column birth_date", "unit not in units.csv", "quotas.csv, row 2, column "
                     "agency_id"):
        assert fragment in text, text
