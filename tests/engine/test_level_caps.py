"""The level caps of Decree 232/2026 Art. 10 (SCENARIO.md, "The level caps"), against an
oracle written from the contract's words, and winners of random rounds never above a cap."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.engine.flow import run
from allocator.engine.limits import level_caps
from allocator.io import rulesets
from models.enums import Status

RS = rulesets.builtin_rule_set("nd232-2026")
POSITION = "CM.055"  # Kỹ sư: the catalogue allows levels 1–5


def oracle(lo: int, hi: int, headcount: int, holders: dict[int, int],
           ratios: dict[int, Fraction]) -> dict[int, int]:
    """Brute force from the contract: the most winners w ≥ 0 at level L such that
    holders_L + w ≤ share_L × headcount (0 when already at or over); share_L is ratio_L where
    given, else two levels used → 1/2 at the higher; highest 5 → 3/10 at 5 and 4/10 at 4;
    highest 4 → 4/10 at 4; one level → nothing."""
    used = list(range(lo, hi + 1))
    decree: dict[int, Fraction] = {}
    if len(used) == 2:
        decree[hi] = Fraction(1, 2)
    elif len(used) > 2 and hi == 5:
        decree = {5: Fraction(3, 10), 4: Fraction(4, 10)}
    elif len(used) > 2 and hi == 4:
        decree = {4: Fraction(4, 10)}
    caps: dict[int, int] = {}
    for level in used:
        share = ratios.get(level, decree.get(level))
        if share is None or len(used) == 1:
            continue
        w = 0
        while holders.get(level, 0) + w + 1 <= share * headcount:
            w += 1
        caps[level] = w
    return caps


def _limits_like() -> pl.DataFrame:
    return pl.DataFrame(schema={"limit_id": pl.Utf8, "scope_unit_id": pl.Utf8,
                                "target_title": pl.Utf8, "target_rank": pl.Utf8,
                                "max": pl.Int64, "max_share": pl.Utf8, "cap": pl.Int64})


ranges = st.tuples(st.integers(1, 5), st.integers(1, 5)).map(lambda t: (min(t), max(t)))


@given(span=ranges, headcount=st.integers(0, 60),
       holders=st.lists(st.integers(0, 30), min_size=5, max_size=5),
       ratios=st.dictionaries(st.integers(1, 5), st.integers(0, 100), max_size=3))
def test_derived_caps_equal_the_contract(span: tuple[int, int], headcount: int,
                                         holders: list[int], ratios: dict[int, int]) -> None:
    lo, hi = span
    held = {lv: holders[lv - 1] for lv in range(1, 6)}
    shares = {lv: Fraction(r, 100) for lv, r in ratios.items() if lo <= lv <= hi}
    row: dict[str, object] = {"unit_id": "U", "job_position": POSITION, "headcount": headcount,
                              "lowest_level": lo, "highest_level": hi}
    for lv in range(1, 6):
        row[f"ratio_{lv}"] = f"{shares[lv].numerator / shares[lv].denominator}" \
            if lv in shares else None
    positions = pl.DataFrame([row], schema={**{k: pl.Utf8 for k in row},
                                            "headcount": pl.Int64, "lowest_level": pl.Int64,
                                            "highest_level": pl.Int64})
    staff = pl.DataFrame({"unit_id": ["U"] * 5,
                          "title": [f"{POSITION}@{lv}" for lv in range(1, 6)],
                          "holders": [held[lv] for lv in range(1, 6)]})
    got = {int(r["limit_id"].rsplit(":", 1)[1]): r["cap"]
           for r in level_caps(positions, staff, RS, _limits_like()).iter_rows(named=True)}
    assert got == oracle(lo, hi, headcount, held, shares)


def _write(folder: Path, name: str, rows: list[dict[str, object]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(span=ranges, headcount=st.integers(2, 20),
       holders=st.lists(st.integers(0, 8), min_size=5, max_size=5),
       wanted=st.lists(st.integers(1, 4), min_size=1, max_size=8),
       quota=st.integers(1, 6))
def test_winners_never_exceed_a_cap(tmp_path_factory: object, span: tuple[int, int],
                                    headcount: int, holders: list[int], wanted: list[int],
                                    quota: int) -> None:
    lo, hi = span
    folder = Path(tmp_path_factory.mktemp("round"))  # type: ignore[attr-defined]
    (folder / "scenario.toml").write_text(
        'name = "r"\ndeadline = 2026-11-30\nreview_year = 2026\n[plan]\nsource = "ĐA"\n'
        'min_months_at_level = 12\nmin_rating = "tot"\npriority = ["older"]\n',
        encoding="utf-8")
    _write(folder, "units.csv", [{"unit_id": "P", "name": "Tỉnh", "parent_id": ""},
                                 {"unit_id": "U", "name": "Trung tâm", "parent_id": "P"}])
    _write(folder, "positions.csv", [{"unit_id": "U", "job_position": "Kỹ sư",
                                      "headcount": headcount, "lowest_level": lo,
                                      "highest_level": hi}])
    _write(folder, "staff.csv", [{"unit_id": "U", "job_position": POSITION, "level": lv,
                                  "holders": holders[lv - 1]} for lv in range(1, 6)])
    _write(folder, "quotas.csv", [{"agency_id": "P", "job_position": POSITION,
                                   "target_level": lv, "quota": quota} for lv in range(2, 6)])
    _write(folder, "candidates.csv", [
        {"candidate_id": f"C{i:02d}", "full_name": f"Người {i}",
         "birth_date": f"19{70 + i}-01-01", "sex": "male", "ethnicity": "Kinh",
         "unit_id": "U", "job_position": POSITION, "current_level": cur,
         "level_since": "2020-01-01", "recruitment_level": "dai_hoc", "degree": "dai_hoc",
         "degree_field_ok": "true", "certificate": "true", "rating_prev_year": "tot",
         "under_discipline": "false", "competence_ok": "true", "language_it_ok": "true",
         "achievement": "", "service_start": "2000-01-01"} for i, cur in enumerate(wanted)])
    result = run(folder)
    held = {lv: holders[lv - 1] for lv in range(1, 6)}
    caps = oracle(lo, hi, headcount, held, {})
    won = result.decisions.filter(pl.col("status") == Status.selected.value)
    for level, cap in caps.items():
        assert won.filter(pl.col("target_level") == level).height <= cap
    eligible = result.decisions.filter(pl.col("status") != Status.ineligible.value)
    # level_range: the target level is one the unit uses (the current one need not be).
    assert set(eligible["target_level"].to_list()) <= set(range(lo, hi + 1))
