"""The managing agency's rulings settle escalated ties on a re-run; wrong rulings are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allocator.engine.flow import decide, run
from allocator.engine.options import Options
from allocator.verify.checker import check
from models.errors import InputError
from models.result import RunResult
from tests.support.builders import candidate, scenario

ROOT = Path(__file__).resolve().parents[2] / "scenarios"


def _with_decisions(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(ROOT / name, folder)
    (folder / "authority_decisions.csv").write_text(text, encoding="utf-8")
    return folder


def test_a_ruling_settles_the_dien_bien_tie(tmp_path: Path, dien_bien: RunResult) -> None:
    assert dien_bien.escalations["candidate_ids"].to_list() == ["DB09;DB10"]
    folder = _with_decisions(tmp_path, "dien-bien-2024", "candidate_id,decision\nDB10,select\n")
    result = run(folder)
    status = dict(result.decisions.select("candidate_id", "status").iter_rows())
    decided = dict(result.decisions.select("candidate_id", "decided_by").iter_rows())
    assert status["DB10"] == "selected"
    assert status["DB09"] == "not_selected" and decided["DB09"] == "authority"
    assert result.escalations.height == 0
    assert result.pools.filter(result.pools["target_title"] == "V.11.06.14")["selected"].item() == 1
    assert result.summary.counts.authority_decisions_applied == 2
    # everyone else is untouched
    before = dict(dien_bien.decisions.select("candidate_id", "status").iter_rows())
    assert {c: s for c, s in status.items() if c not in ("DB09", "DB10")} == \
        {c: s for c, s in before.items() if c not in ("DB09", "DB10")}
    assert check(result.scenario, result.decisions, result.escalations, pools=result.pools) == []


def test_rejecting_all_but_the_seats_is_a_ruling_too(tmp_path: Path) -> None:
    folder = _with_decisions(tmp_path, "dien-bien-2024", "candidate_id,decision\nDB10,reject\n")
    status = dict(run(folder).decisions.select("candidate_id", "status").iter_rows())
    assert (status["DB09"], status["DB10"]) == ("selected", "not_selected")


@pytest.mark.parametrize("text", [
    "candidate_id,decision\nDB09,select\nDB10,select\n",   # two for one seat
    "candidate_id,decision\nDB09,reject\nDB10,reject\n",   # nobody for one seat
    "candidate_id,decision\nDB01,select\n",                # not escalated
])
def test_wrong_rulings_are_refused(tmp_path: Path, text: str) -> None:
    folder = _with_decisions(tmp_path, "dien-bien-2024", text)
    with pytest.raises(InputError) as err:
        run(folder)
    assert "authority_decisions.csv" in err.value.render()


def test_a_tie_that_only_limits_can_tell_apart_is_never_decided_by_the_engine() -> None:
    """A limit of one winner over U1 couples the IT and InfoSec pools. Whoever of A and B
    takes it, the other pool goes to C or D: both ways fill the same seats with equally
    ranked people, so all four are escalated and a ruling decides."""
    cands = [
        candidate("A", unit_id="U1"),
        candidate("B", unit_id="U1", current_title="V.11.05.12", target_title="V.11.05.11"),
        candidate("C", unit_id="U2", birth_date="1990-01-01", current_title="V.11.05.12",
                  target_title="V.11.05.11"),
        candidate("D", unit_id="U2", birth_date="1990-01-01"),
    ]
    quotas = [{"agency_id": "D", "target_title": "V.11.06.14", "quota": "1"},
              {"agency_id": "D", "target_title": "V.11.05.11", "quota": "1"}]
    limits = [{"limit_id": "L", "scope_unit_id": "U1", "max": "1"}]
    base = decide(scenario(candidates=cands, quotas=quotas, limits=limits), Options())
    status = dict(base.decisions.select("candidate_id", "status").iter_rows())
    assert set(status.values()) == {"escalated"}
    groups = sorted(base.escalations["candidate_ids"].to_list())
    assert groups == ["A;B", "C;D"]
    assert base.escalations["seats"].to_list() == [1, 1]

    ruled = decide(scenario(candidates=cands, quotas=quotas, limits=limits,
                            decisions=[{"candidate_id": "B", "decision": "select"}]), Options())
    status = dict(ruled.decisions.select("candidate_id", "status").iter_rows())
    assert status == {"A": "not_selected", "B": "selected", "C": "not_selected",
                      "D": "selected"}
    assert check(ruled.scenario, ruled.decisions, ruled.escalations, pools=ruled.pools) == []

    with pytest.raises(InputError) as err:  # B and C would both take the one InfoSec seat
        decide(scenario(candidates=cands, quotas=quotas, limits=limits,
                        decisions=[{"candidate_id": "B", "decision": "select"},
                                   {"candidate_id": "C", "decision": "select"}]), Options())
    assert "authority_decisions" in err.value.render()
