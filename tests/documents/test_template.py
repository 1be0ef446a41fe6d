"""The template: what a planner fills in, and the round trip through a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from allocator.cli.app import app
from models import schema
from models.result import RunResult
from models.vocabulary import RATING
from tests.support.sheets import (
    SCENARIOS,
    csv_rows,
    decisions_of,
    result_statuses,
    settings_rows,
)

runner = CliRunner()
RATING_VI = RATING.labels("vi", cell=True)
#: table → column → the Vietnamese headers accepted (the first is the template's)
HEADERS = {t.name: {c.name: c.headers_vi for c in t.columns_in()} for t in schema.TABLES
           if not t.key_value}
EDUCATION = {"trung_cap": "Trung cấp", "cao_dang": "Cao đẳng", "dai_hoc": "Đại học",
             "thac_si": "Thạc sĩ", "tien_si": "Tiến sĩ"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "mau-nhap-lieu.xlsx"
    result = runner.invoke(app, ["template", str(path), "--regime", "2020"])
    assert result.exit_code == 0, result.output
    return path


def _list_columns(ws: Any) -> dict[str, str]:
    """Header → data-validation type, for the columns of a sheet."""
    headers = {get_column_letter(c.column): c.value for c in ws[1]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[headers[get_column_letter(rng.min_col)]] = dv.type
    return out


def test_template_has_instructions_sheets_and_vietnamese_headers(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[:4] == ["Hướng dẫn", "scenario", "units", "candidates"]
    assert "HƯỚNG DẪN" in str(wb["Hướng dẫn"]["A1"].value)
    for table, columns in HEADERS.items():
        row = [c.value for c in wb[table][1]]
        assert row == [names[0] for names in columns.values()]
    keys = [r[0].value for r in wb["scenario"].iter_rows(min_row=2)]
    assert keys[:3] == ["name", "deadline", "review_year"]


def test_enumerated_columns_have_drop_down_lists(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    lists = {h for h, kind in _list_columns(wb["candidates"]).items() if kind == "list"}
    named = {HEADERS["candidates"][c][0] for c in (
        "sex", "ethnicity", "current_title", "target_title", "rating_prev_year",
        "achievement", "recruitment_level", "degree", "degree_field_ok", "certificate",
        "under_discipline", "competence_ok", "language_it_ok")}
    assert named <= lists
    whole = {h for h, kind in _list_columns(wb["quotas"]).items() if kind == "whole"}
    assert HEADERS["quotas"]["quota"][0] in whole
    catalogue = wb["Danh mục"]
    assert catalogue.sheet_state == "hidden"
    columns = {c[0].value: [v.value for v in c[1:] if v.value] for c in catalogue.columns}
    assert len(columns["ethnicity"]) == 54 and columns["sex"] == ["Nam", "Nữ"]
    assert columns["rating"] == list(RATING_VI.values())


def _fill(template: Path, path: Path, name: str) -> None:
    """Type a ready round into the template as a person would: text dates dd/mm/yyyy,
    Vietnamese words, numbers as numbers."""
    wb = openpyxl.load_workbook(template)
    settings = dict(settings_rows(name)[1:])
    for row in wb["scenario"].iter_rows(min_row=2):
        value = settings.get(row[0].value)
        if value is not None:
            row[1].value = (value.strftime("%d/%m/%Y") if hasattr(value, "strftime")
                            else ("Có" if value is True else "Không" if value is False
                                  else str(value)))
    for table in ("units", "candidates", "quotas", "staff", "limits"):
        if not (SCENARIOS / name / f"{table}.csv").exists():
            continue
        ws = wb[table]
        columns = list(HEADERS[table])
        for r, data in enumerate(csv_rows(name, table), start=2):
            for c, column in enumerate(columns, start=1):
                ws.cell(r, c).value = _typed(column, data.get(column))
    wb.save(path)


def _typed(column: str, value: str | None) -> Any:
    if value is None:
        return None
    if column in ("birth_date", "rank_since", "service_start") and len(value) == 10:
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
    if column in ("quota", "holders", "positions", "equivalent_months", "probation_months",
                  "max"):
        return int(value)
    if column in ("points", "points_st", "salary_increase"):
        return float(value)
    if column in ("degree_field_ok", "certificate", "under_discipline", "competence_ok",
                  "language_it_ok"):
        return "Có" if value == "true" else "Không"
    if column == "rating_prev_year":
        return RATING_VI[value]
    if column in ("recruitment_level", "degree"):
        return EDUCATION[value]
    if column == "sex":
        return {"male": "Nam", "female": "Nữ"}[value]
    return value


@pytest.mark.parametrize("name", ["dien-bien-2024", "binh-dinh-2024"])
def test_template_filled_run_and_read_back_gives_the_csv_decisions(
        template: Path, tmp_path: Path, name: str, dien_bien: RunResult,
        binh_dinh: RunResult) -> None:
    filled = tmp_path / "filled.xlsx"
    _fill(template, filled, name)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(filled), "--out", str(out), "--no-history"])
    assert result.exit_code == 0, result.output
    expected = decisions_of(dien_bien if name == "dien-bien-2024" else binh_dinh)
    assert result_statuses(out / "ket-qua.xlsx") == expected
    assert (out / "decisions.csv").read_text(encoding="utf-8") == \
        (dien_bien if name == "dien-bien-2024" else binh_dinh).decisions.write_csv()
