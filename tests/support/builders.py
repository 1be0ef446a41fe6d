"""Build scenarios for tests: in memory (RawScenario) or as a folder of files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from allocator.io.raw import RawScenario, RawTable, tidy_raw
from allocator.io.validate import validate
from models import schema
from models.scenario import Scenario

CANDIDATE_DEFAULTS: dict[str, str] = {
    "full_name": "Nguyễn Văn A",
    "birth_date": "1985-01-01",
    "sex": "male",
    "ethnicity": "Kinh",
    "unit_id": "U1",
    "current_title": "V.11.06.15",
    "target_title": "V.11.06.14",
    "rank_since": "2018-01-01",
    "equivalent_months": "0",
    "probation_months": "0",
    "recruitment_level": "dai_hoc",
    "degree": "dai_hoc",
    "degree_field_ok": "true",
    "certificate": "true",
    "rating_prev_year": "tot",
    "under_discipline": "false",
    "competence_ok": "true",
    "language_it_ok": "true",
    "achievement": "",
    "service_start": "2010-01-01",
    "points": "0",
    "points_st": "0",
    "salary_increase": "0",
}

SETTINGS: dict[str, Any] = {
    "name": "test round",
    "deadline": dt.date(2024, 10, 29),
    "review_year": 2024,
}

UNITS = [
    {"unit_id": "P", "name": "Tỉnh", "parent_id": ""},
    {"unit_id": "D", "name": "Sở", "parent_id": "P"},
    {"unit_id": "U1", "name": "Trung tâm 1", "parent_id": "D"},
    {"unit_id": "U2", "name": "Trung tâm 2", "parent_id": "D"},
]


HEADERS = {t.name: list(t.names()) for t in schema.FOLDER_TABLES}


def candidate(cid: str, **fields: Any) -> dict[str, str]:
    row = {"candidate_id": cid, **CANDIDATE_DEFAULTS}
    row.update({k: "" if v is None else str(v) for k, v in fields.items()})
    return row


def _table(name: str, rows: list[dict[str, str]], columns: list[str] | None = None) -> RawTable:
    if columns is None:
        columns = list(rows[0]) if rows else []
    data = {c: [r.get(c, "") for r in rows] for c in columns}
    frame = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.Utf8))
    return RawTable(f"{name}.csv", tidy_raw(frame))


def raw(settings: dict[str, Any] | None = None, *, units: list[dict[str, str]] | None = None,
        candidates: list[dict[str, str]], quotas: list[dict[str, str]],
        limits: list[dict[str, str]] | None = None, staff: list[dict[str, str]] | None = None,
        decisions: list[dict[str, str]] | None = None) -> RawScenario:
    tables = {
        "units": _table("units", units or UNITS),
        "candidates": _table("candidates", candidates),
        "quotas": _table("quotas", quotas, None if quotas else HEADERS["quotas"]),
    }
    if limits is not None:
        tables["limits"] = _table("limits", limits, HEADERS["limits"])
    if staff is not None:
        tables["staff"] = _table("staff", staff, HEADERS["staff"])
    if decisions is not None:
        tables["authority_decisions"] = _table("authority_decisions", decisions,
                                               HEADERS["authority_decisions"])
    return RawScenario(Path("test"), {**SETTINGS, **(settings or {})}, "scenario.toml", tables,
                       Path("."))


def scenario(settings: dict[str, Any] | None = None, **tables: Any) -> Scenario:
    return validate(raw(settings, **tables))


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, dt.date)):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_folder(folder: Path, settings: dict[str, Any] | None = None, *,
                 units: list[dict[str, str]] | None = None,
                 candidates: list[dict[str, str]], quotas: list[dict[str, str]],
                 limits: list[dict[str, str]] | None = None,
                 staff: list[dict[str, str]] | None = None,
                 decisions: list[dict[str, str]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    merged = {**SETTINGS, **(settings or {})}
    (folder / "scenario.toml").write_text(
        "".join(f"{k} = {_toml_value(v)}\n" for k, v in merged.items()), encoding="utf-8")
    for name, rows in (("units", units or UNITS), ("candidates", candidates),
                       ("quotas", quotas), ("limits", limits), ("staff", staff),
                       ("authority_decisions", decisions)):
        if rows is None:
            continue
        columns = list(rows[0]) if rows else HEADERS[name]
        frame = pl.DataFrame({c: [r.get(c, "") for r in rows] for c in columns},
                             schema=dict.fromkeys(columns, pl.Utf8))
        frame.write_csv(folder / f"{name}.csv")
    return folder
