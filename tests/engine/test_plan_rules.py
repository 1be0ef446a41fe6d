"""The plan's conditions in a round of career levels (SCENARIO.md, "The round's plan states
what the law in hand does not"): each switch and threshold changes exactly the outcome the
contract says, on a copy of the ready round dien-bien-2026."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allocator.engine.flow import run

READY = Path(__file__).resolve().parents[2] / "scenarios" / "dien-bien-2026"


def _reasons(tmp_path: Path, plan_edit: tuple[str, str] | None = None,
             candidates_edit: tuple[str, str] | None = None) -> dict[str, str]:
    folder = tmp_path / "round"
    shutil.copytree(READY, folder)
    for name, edit in (("scenario.toml", plan_edit), ("candidates.csv", candidates_edit)):
        if edit is not None:
            path = folder / name
            text = path.read_text(encoding="utf-8")
            assert edit[0] in text
            path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    decisions = run(folder).decisions
    return {r["candidate_id"]: r["reasons"] or "" for r in decisions.iter_rows(named=True)}


# DB26-06 (engineer, level 3 → 4 since 2021-03-01: 68 months; degree dai_hoc; competence,
# language/IT, certificate all true; not under discipline).
ROW = ("DB26-06,Vì Văn Khánh,1987-09-12,male,Thái,TTKT,Kỹ sư,3,4,2021-03-01,dai_hoc,dai_hoc,"
       "true,true,tot,false,true,true")


@pytest.mark.parametrize(("plan_edit", "cand_edit", "expected"), [
    (None, None, ""),
    (("min_months_at_level = 36", "min_months_at_level = 69"), None, "tenure"),
    (("min_months_at_level = 36", 'min_months_at_level = {"4" = 68, "5" = 72}'), None, ""),
    (("min_months_at_level = 36", 'min_months_at_level = {"4" = 69, "5" = 60}'), None,
     "tenure"),
    (("certificate_required = false", 'degree_min = {"4" = "thac_si"}\n'
      "certificate_required = false"), None, "degree"),
    (None, (ROW, ROW.replace("true,tot,false,true,true", "false,tot,false,true,true")), ""),
    (("certificate_required = false", "certificate_required = true"),
     (ROW, ROW.replace("true,tot,false,true,true", "false,tot,false,true,true")),
     "certificate"),
    (None, (ROW, ROW.replace("tot,false,true,true", "tot,true,true,true")), "discipline"),
    (("discipline_bars = true", "discipline_bars = false"),
     (ROW, ROW.replace("tot,false,true,true", "tot,true,true,true")), ""),
    (None, (ROW, ROW.replace("tot,false,true,true", "tot,false,false,true")), "competence"),
    (("competence_required = true", "competence_required = false"),
     (ROW, ROW.replace("tot,false,true,true", "tot,false,false,true")), ""),
    (None, (ROW, ROW.replace("tot,false,true,true", "tot,false,true,false")), ""),
    (("language_it_required = false", "language_it_required = true"),
     (ROW, ROW.replace("tot,false,true,true", "tot,false,true,false")), "language_it"),
    (("min_rating = \"tot\"", "min_rating = \"xuat_sac\""), None, "rating"),
])
def test_each_plan_rule_decides_as_stated(tmp_path: Path, plan_edit: tuple[str, str] | None,
                                          cand_edit: tuple[str, str] | None,
                                          expected: str) -> None:
    assert _reasons(tmp_path, plan_edit, cand_edit)["DB26-06"] == expected
