"""Write scenario folders in the contract's file format, and draw small coupled ones.

Nothing here imports ``allocator`` or ``models``: the files are written from the contract
(``SCENARIO.md``) so that an independent oracle and the engine read the same input.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import strategies as st

Row = Mapping[str, object]

CANDIDATE_COLUMNS: tuple[str, ...] = (
    "candidate_id",
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "unit_id",
    "current_title",
    "target_title",
    "rank_since",
    "equivalent_months",
    "probation_months",
    "recruitment_level",
    "degree",
    "degree_field_ok",
    "certificate",
    "rating_prev_year",
    "under_discipline",
    "competence_ok",
    "language_it_ok",
    "achievement",
    "service_start",
    "points",
    "points_st",
    "salary_increase",
)

#: The columns of a plain eligible candidate (IT IV→III, long in rank, every condition met).
CANDIDATE_DEFAULTS: dict[str, object] = {
    "birth_date": "1980-01-01",
    "sex": "male",
    "ethnicity": "Kinh",
    "current_title": "V.11.06.15",
    "target_title": "V.11.06.14",
    "rank_since": "2012-01-01",
    "equivalent_months": 0,
    "probation_months": 0,
    "recruitment_level": "dai_hoc",
    "degree": "dai_hoc",
    "degree_field_ok": True,
    "certificate": True,
    "rating_prev_year": "tot",
    "under_discipline": False,
    "competence_ok": True,
    "language_it_ok": True,
    "achievement": "",
    "service_start": "2005-01-01",
    "points": 0,
    "points_st": 0,
    "salary_increase": 0,
}

SETTINGS_DEFAULTS: dict[str, object] = {
    "name": "oracle scenario",
    "deadline": date(2024, 10, 29),
    "review_year": 2024,
    "certificate_waived": False,
    "require_excellent_achievement": False,
    "objective": "priority",
}

LIMIT_COLUMNS = ("limit_id", "scope_unit_id", "target_title", "target_rank", "max", "max_share")
STAFF_COLUMNS = ("unit_id", "title", "holders", "positions")


def cell(value: object) -> str:
    """A CSV cell as the contract spells it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return str(Decimal(value.numerator) / Decimal(value.denominator))
    return json.dumps(str(value), ensure_ascii=False)


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in columns])


def write_scenario(
    folder: Path,
    *,
    settings: Row,
    units: Sequence[Row],
    candidates: Sequence[Row],
    quotas: Sequence[Row],
    limits: Sequence[Row] | None = None,
    staff: Sequence[Row] | None = None,
    decisions: Sequence[Row] | None = None,
) -> Path:
    """Write a scenario folder; missing candidate columns get a plain eligible candidate's
    values, a missing unit name is the unit id, a missing setting its default.  An optional
    file given as ``None`` is absent from the folder (removed if an earlier write left it)."""
    folder.mkdir(parents=True, exist_ok=True)
    merged = {**SETTINGS_DEFAULTS, **settings}
    (folder / "scenario.toml").write_text(
        "".join(f"{key} = {toml_value(value)}\n" for key, value in merged.items()),
        encoding="utf-8",
    )
    _write_csv(
        folder / "units.csv",
        ("unit_id", "name", "parent_id"),
        [{"name": u["unit_id"], "parent_id": "", **u} for u in units],
    )
    full = [
        {"full_name": f"Nguyễn Văn {c['candidate_id']}", **CANDIDATE_DEFAULTS, **c}
        for c in candidates
    ]
    _write_csv(folder / "candidates.csv", CANDIDATE_COLUMNS, full)
    _write_csv(folder / "quotas.csv", ("agency_id", "target_title", "quota"), quotas)
    optional = (
        ("limits.csv", LIMIT_COLUMNS, limits),
        ("staff.csv", STAFF_COLUMNS, staff),
        ("authority_decisions.csv", ("candidate_id", "decision"), decisions),
    )
    for name, columns, rows in optional:
        if rows is None:
            (folder / name).unlink(missing_ok=True)  # never a stale file of an earlier write
        else:
            _write_csv(folder / name, columns, rows)
    return folder


@dataclass(frozen=True)
class ScenarioInput:
    """The keyword arguments of ``write_scenario``, as one drawn value."""

    settings: dict[str, object]
    units: list[dict[str, object]]
    candidates: list[dict[str, object]]
    quotas: list[dict[str, object]]
    limits: list[dict[str, object]] | None = None
    staff: list[dict[str, object]] | None = None
    decisions: list[dict[str, object]] | None = None

    def write(self, folder: Path) -> Path:
        return write_scenario(
            folder,
            settings=self.settings,
            units=self.units,
            candidates=self.candidates,
            quotas=self.quotas,
            limits=self.limits,
            staff=self.staff,
            decisions=self.decisions,
        )


# ---------------------------------------------------------------------------------------------
# The strategy
# ---------------------------------------------------------------------------------------------

#: (current, target, tenure months) of the transitions drawn.
DRAWN_TRANSITIONS: tuple[tuple[str, str, int], ...] = (
    ("V.11.06.15", "V.11.06.14", 24),  # IT IV→III
    ("V.11.05.12", "V.11.05.11", 24),  # InfoSec IV→III
    ("V.05.02.08", "V.05.02.07", 36),  # technician → engineer
    ("V.05.01.03", "V.05.01.02", 108),  # researcher → principal researcher
    ("V.05.02.07", "V.05.02.06", 108),  # engineer → principal engineer
)
BIRTH_DATES = (
    "1980-01-01",
    "1984",
    "1984-06",
    "1984-06-15",
    "1984-06-30",
    "1984-12-31",
    "1985",
    "1985-03-03",
    "1985-06",
    "1985-06-15",
)
COMPLETED = {
    "1984": "1984-06-15",
    "1984-06": "1984-06-15",
    "1985": "1985-06-15",
    "1985-06": "1985-06-15",
}
MAX_INCOMPLETE = 4
SERVICE_STARTS = ("2005-01-01", "2008-08-08")
ACHIEVEMENTS = ("", "", "C", "B", "A")
ETHNICITIES = ("Kinh", "Kinh", "Kinh", "kinh", "Tày", "Thái")
SALARY_INCREASES = ("0.3", "0.5", "0.7")
BUDGETS = (None, None, None, 0.8, 1.0, 1.2, 1.5)
#: Ways to break one condition: (name, columns to set).
FAULTS: tuple[tuple[str, dict[str, object]], ...] = (
    ("rating", {"rating_prev_year": "hoan_thanh"}),
    ("discipline", {"under_discipline": True}),
    ("competence", {"competence_ok": False}),
    ("degree", {"degree": "cao_dang"}),
    ("field", {"degree_field_ok": False}),
    ("certificate", {"certificate": False}),
    ("language_it", {"language_it_ok": False}),
    ("tenure", {"rank_since": "2022-10-30"}),
    ("tenure_12_months", {"rank_since": "2023-11-15", "equivalent_months": 13}),
    ("tenure_and_12", {"rank_since": "2023-11-15", "equivalent_months": 5}),
    ("probation", {"rank_since": "2022-10-29", "probation_months": 1}),
    ("trung_cap", {"rank_since": "2021-10-29", "recruitment_level": "trung_cap"}),
    ("points", {"points": 1, "points_st": 1}),
    ("points_st", {"points": 4, "points_st": 0}),
)


def _subtree(units: Sequence[dict[str, object]], top: str) -> list[str]:
    parent = {str(u["unit_id"]): str(u["parent_id"]) for u in units}
    out = []
    for unit in parent:
        current = unit
        while True:
            if current == top:
                out.append(unit)
                break
            if not parent[current]:
                break
            current = parent[current]
    return out


Pool = tuple[str, tuple[str, str, int]]  # (agency, (current, target, tenure months))
Dicts = list[dict[str, object]]


def _draw_units(draw: st.DrawFn) -> Dicts:
    """P → K1 (, K2) → 0–2 units under each K when the tree has three levels."""
    units: Dicts = [{"unit_id": "P", "parent_id": ""}]
    depth = draw(st.integers(2, 3))
    for k in range(1, draw(st.integers(1, 2)) + 1):
        units.append({"unit_id": f"K{k}", "parent_id": "P"})
        if depth == 3:
            for u in range(1, draw(st.integers(0, 2)) + 1):
                units.append({"unit_id": f"U{k}{u}", "parent_id": f"K{k}"})
    return units


def _draw_pools(draw: st.DrawFn, unit_ids: list[str]) -> list[Pool]:
    """1–3 distinct (agency, transition) pairs; the agency is the root half of the time and
    most transitions are IV→III (rank III), so that rank limits couple pools."""
    n_pools = draw(st.sampled_from((1, 2, 2, 3, 3)))
    agency = st.sampled_from(unit_ids) | st.just("P")
    transition = st.sampled_from(DRAWN_TRANSITIONS[:3]) | st.sampled_from(DRAWN_TRANSITIONS)
    pools: dict[tuple[str, str], Pool] = {}
    for _ in range(3 * n_pools):
        pool = draw(st.tuples(agency, transition))
        pools.setdefault((pool[0], pool[1][1]), pool)
        if len(pools) == n_pools:
            break
    return list(pools.values())


PROFILE = st.fixed_dictionaries(
    {
        "birth_date": st.sampled_from(BIRTH_DATES),
        "sex": st.sampled_from(("male", "female")),
        "ethnicity": st.sampled_from(ETHNICITIES),
        "achievement": st.sampled_from(ACHIEVEMENTS),
        "service_start": st.sampled_from(SERVICE_STARTS),
    }
)


def _draw_candidate(
    draw: st.DrawFn,
    cid: str,
    units: Dicts,
    pool: Pool,
    profiles: Sequence[Mapping[str, object]],
    *,
    salary: bool,
    faulty: bool,
) -> dict[str, object]:
    agency, (current, target, months) = pool
    mine: dict[str, object] = dict(draw(st.sampled_from(profiles)))
    if draw(st.integers(0, 2)) == 0:  # one attribute of the profile changed
        key = draw(st.sampled_from(sorted(mine)))
        mine[key] = draw(PROFILE)[key]
    row: dict[str, object] = {
        "candidate_id": cid,
        "unit_id": draw(st.sampled_from(_subtree(units, agency))),
        "current_title": current,
        "target_title": target,
        **mine,
    }
    if months == 108:
        row["degree"] = "thac_si"
        row["points"] = draw(st.sampled_from((3, 4)))
        row["points_st"] = draw(st.sampled_from((1, 2)))
    elif draw(st.integers(0, 3)) == 0:  # exactly at the tenure boundary
        row["rank_since"] = "2022-10-29" if months == 24 else "2021-10-29"
    if salary:
        row["salary_increase"] = draw(st.sampled_from(SALARY_INCREASES))
    if faulty:
        name, change = draw(st.sampled_from(FAULTS))
        if name.startswith("points") and months != 108:
            change = {"rank_since": "2022-10-30"}
        row.update(change)
    return row


def _draw_limits(
    draw: st.DrawFn, unit_ids: list[str], titles: list[str]
) -> tuple[Dicts | None, Dicts | None]:
    """0–2 limits (a scope, an optional title or rank filter, max 0–3 or, now and then, a
    share of staff.csv's headcount) and the staff rows the shares need."""
    n_limits = draw(st.sampled_from((0, 1, 1, 2)))
    if not n_limits:
        return None, None
    limits: Dicts = []
    staff: dict[tuple[str, str], dict[str, object]] = {}
    for j in range(n_limits):
        kind = draw(st.sampled_from(("none", "title", "rank")))
        limit: dict[str, object] = {
            "limit_id": f"L{j}",
            "scope_unit_id": draw(st.sampled_from(unit_ids)),
            "target_title": draw(st.sampled_from(titles)) if kind == "title" else "",
            "target_rank": draw(st.sampled_from(("III", "II"))) if kind == "rank" else "",
        }
        if kind != "none" and draw(st.integers(0, 4)) == 0:
            limit["max_share"] = draw(st.sampled_from(("0.3", "0.5", "0.75")))
            for unit in draw(st.lists(st.sampled_from(unit_ids), max_size=2, unique=True)):
                for t in titles:
                    staff.setdefault(
                        (unit, t),
                        {
                            "unit_id": unit,
                            "title": t,
                            "holders": draw(st.integers(0, 2)),
                            "positions": draw(st.integers(1, 5)),
                        },
                    )
        else:
            limit["max"] = draw(st.integers(0, 3))
        limits.append(limit)
    share = any("max_share" in limit for limit in limits)
    return limits, list(staff.values()) if share else None


@st.composite
def small_coupled_scenarios(draw: st.DrawFn) -> ScenarioInput:
    """2–8 candidates meant to be eligible (plus 0–3 with a broken condition), 1–3 pools in a
    2–3 level tree, random limits, an optional budget, priority data drawn from few values so
    that exact ties and incomplete birth dates occur often, optional rulings."""
    units = _draw_units(draw)
    unit_ids = [str(u["unit_id"]) for u in units]
    pools = _draw_pools(draw, unit_ids)
    quotas: Dicts = [
        {"agency_id": agency, "target_title": t[1], "quota": draw(st.integers(1, 3))}
        for agency, t in pools
    ]
    budget = draw(st.sampled_from(BUDGETS))
    settings: dict[str, object] = {
        "objective": draw(st.sampled_from(("priority", "priority", "fill"))),
        "certificate_waived": draw(st.booleans()),
        "require_excellent_achievement": draw(st.sampled_from((False,) * 6 + (True,))),
    }
    if budget is not None:
        settings["budget"] = budget

    # a few priority profiles shared by several candidates, so that ties occur often
    profiles = draw(st.lists(PROFILE, min_size=1, max_size=3))
    n_good = draw(st.integers(2, 8))
    n_bad = draw(st.integers(0, 3))
    candidates = [
        _draw_candidate(
            draw,
            f"c{i:02d}",
            units,
            pools[i] if i < len(pools) else draw(st.sampled_from(pools)),  # every pool used
            profiles,
            salary=budget is not None,
            faulty=i >= n_good,
        )
        for i in range(n_good + n_bad)
    ]
    # at most MAX_INCOMPLETE incomplete birth dates, so that the oracle stays small
    incomplete = [c for c in candidates if len(str(c["birth_date"])) < 10]
    for c in incomplete[MAX_INCOMPLETE:]:
        c["birth_date"] = COMPLETED[str(c["birth_date"])]

    limits, staff = _draw_limits(draw, unit_ids, sorted({t[1] for _, t in pools}))
    decisions: Dicts | None = None
    if draw(st.integers(0, 3)) == 0:
        named = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique_by=id))
        decisions = [
            {
                "candidate_id": c["candidate_id"],
                "decision": draw(st.sampled_from(("select", "reject"))),
            }
            for c in named
        ]
    return ScenarioInput(
        settings=settings,
        units=units,
        candidates=candidates,
        quotas=quotas,
        limits=limits,
        staff=staff,
        decisions=decisions,
    )
