"""The template of the 2026 regime (career levels of a job position): what a planner fills
in, and the reader taking it back exactly as the same round written as CSV files."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.documents.template import _header_vi, tables_to_workbook
from allocator.io.raw import ROW, read_csv_table
from allocator.io.rulesets import builtin_rule_sets
from allocator.io.workbook import read_workbook
from models import levels_schema

runner = CliRunner()
LEVEL_TABLES = ("units", "positions", "staff", "candidates", "quotas", "limits")
#: The built-in rule set a 2026 round names: the 2026 one where it is built in.
RULE_SET = ("nd232-2026" if any(r.id == "nd232-2026" for r in builtin_rule_sets())
            else "nd115-2020+nd85-2023")

SCENARIO_TOML = f'''name = "Điện Biên — bậc nghề nghiệp 2026"
deadline = 2026-10-15
review_year = 2026
rule_set = "{RULE_SET}"
transitional_basis = "Công văn số 1/SNV ngày 01/08/2026"

[plan]
source = "Đề án số 15/ĐA-SNV ngày 01/10/2026"
min_months_at_level = {{"4" = 36, "5" = 72}}
min_rating = "tot"
priority = ["achievement", "female", "ethnic_minority", "older", "longer_service"]
degree_min = {{"5" = "thac_si"}}
competence_required = true
language_it_required = false
'''
#: The same round as CSV text (the contract) and as a person types it in the template.
ROUND: dict[str, list[dict[str, tuple[str, Any]]]] = {
    "units": [
        {"unit_id": ("UBND", "UBND"), "name": ("UBND tỉnh", "UBND tỉnh")},
        {"unit_id": ("SKHCN", "SKHCN"), "name": ("Sở Khoa học và Công nghệ", "Sở Khoa học "
                                                  "và Công nghệ"),
         "parent_id": ("UBND", "UBND")},
    ],
    "positions": [
        {"unit_id": ("SKHCN", "SKHCN"), "job_position": ("CM.057", "An toàn thông tin"),
         "headcount": ("10", 10), "lowest_level": ("3", 3), "highest_level": ("5", 5),
         "ratio_5": ("0.2", 0.2)},
        {"unit_id": ("SKHCN", "SKHCN"), "job_position": ("CM.055", "cm.055"),
         "headcount": ("6", 6), "lowest_level": ("1", 1), "highest_level": ("5", 5),
         "self_determined_ratios": ("true", "Có")},
    ],
    "staff": [
        {"unit_id": ("SKHCN", "SKHCN"), "job_position": ("CM.057", "CM.057"),
         "level": ("4", 4), "holders": ("3", 3)},
    ],
    "candidates": [
        {"candidate_id": ("K1", "K1"), "full_name": ("Lò Thị Hoa", "Lò Thị Hoa"),
         "birth_date": ("1988-02-03", "03/02/1988"), "sex": ("female", "Nữ"),
         "ethnicity": ("Thái", "Thái"), "unit_id": ("SKHCN", "SKHCN"),
         "job_position": ("CM.057", "An toan thong tin"), "current_level": ("3", 3),
         "target_level": ("4", 4), "level_since": ("2021-05-10", "10/05/2021"),
         "recruitment_level": ("dai_hoc", "Đại học"), "degree": ("thac_si", "Thạc sĩ"),
         "rating_prev_year": ("tot", "Tốt"), "competence_ok": ("true", "Có"),
         "service_start": ("2012-09-01", "01/09/2012")},
        {"candidate_id": ("K2", "K2"), "full_name": ("Quàng Văn Minh", "Quàng Văn Minh"),
         "birth_date": ("1990", "1990"), "sex": ("male", "Nam"),
         "ethnicity": ("Kinh", "Kinh"), "unit_id": ("SKHCN", "SKHCN"),
         "job_position": ("CM.055", "Kỹ sư"), "current_level": ("2", 2),
         "level_since": ("2020-01-01", "01/01/2020"),
         "recruitment_level": ("cao_dang", "Cao đẳng"), "degree": ("dai_hoc", "Đại học"),
         "rating_prev_year": ("xuat_sac", "Xuất sắc"), "competence_ok": ("false", "Không"),
         "service_start": ("2014-03-01", "01/03/2014")},
    ],
    "quotas": [
        {"agency_id": ("SKHCN", "SKHCN"), "job_position": ("CM.057", "An toàn thông tin"),
         "target_level": ("4", 4), "quota": ("1", 1)},
        {"agency_id": ("SKHCN", "SKHCN"), "job_position": ("CM.055", "Kỹ sư"),
         "target_level": ("3", 3), "quota": ("2", 2)},
    ],
    "limits": [
        {"limit_id": ("L1", "L1"), "scope_unit_id": ("SKHCN", "SKHCN"),
         "job_position": ("CM.055", "Kỹ sư"), "max": ("1", 1)},
    ],
}
#: The plan and the transitional basis, as a person types them in the scenario sheet.
SETTINGS_TYPED = {
    "name": "Điện Biên — bậc nghề nghiệp 2026", "deadline": "15/10/2026",
    "review_year": "2026", "rule_set": RULE_SET,
    "transitional_basis": "Công văn số 1/SNV ngày 01/08/2026",
    "plan.source": "Đề án số 15/ĐA-SNV ngày 01/10/2026",
    "plan.min_months_at_level": "4: 36; 5: 72", "plan.min_rating": "Tốt",
    "plan.priority": "achievement, female, ethnic_minority, older, longer_service",
    "plan.degree_min": "5: Thạc sĩ", "plan.competence_required": "Có",
    "plan.language_it_required": "Không",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "mau-2026.xlsx"
    result = runner.invoke(app, ["template", str(path), "--deadline", "2026-10-15"])
    assert result.exit_code == 0, result.output
    return path


def _headers(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


def _validations(ws: Any) -> dict[str, tuple[str, str]]:
    """Header → (validation type, its formula), for the columns of a sheet."""
    headers = {get_column_letter(c.column): c.value for c in ws[1]}
    return {headers[get_column_letter(rng.min_col)]: (dv.type, str(dv.formula1))
            for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges}


def test_a_deadline_from_july_2026_gives_the_level_template(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[:8] == ["Hướng dẫn", "scenario", *LEVEL_TABLES]
    assert "BẬC NGHỀ NGHIỆP" in str(wb["Hướng dẫn"]["A1"].value)
    assert _headers(wb["positions"]) == [
        "Mã đơn vị", "Vị trí việc làm", "Biên chế được giao", "Bậc thấp nhất", "Bậc cao nhất",
        "Tỷ lệ bậc 1", "Tỷ lệ bậc 2", "Tỷ lệ bậc 3", "Tỷ lệ bậc 4", "Tỷ lệ bậc 5",
        "Tự xác định tỷ lệ"]
    assert _headers(wb["staff"]) == ["Mã đơn vị", "Vị trí việc làm", "Bậc", "Số người giữ bậc"]
    cands = _headers(wb["candidates"])
    assert cands[6:10] == ["Vị trí việc làm", "Bậc hiện giữ", "Bậc dự xét",
                           "Ngày xếp bậc hiện giữ"]
    assert not any("chức danh" in h.lower() for h in cands)
    rows = {r[0].value: (r[1].value, r[2].value) for r in wb["scenario"].iter_rows(min_row=2)}
    assert rows["deadline"][0] is not None  # the deadline given is filled in
    for key in levels_schema.PLAN_KEYS:
        assert key.setting in rows and key.example in str(rows[key.setting][1])
    assert "certificate_waived" not in rows


def test_positions_and_levels_have_drop_down_lists(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    lists = {c[0].value: [v.value for v in c[1:] if v.value] for c in wb["Danh mục"].columns}
    assert lists["levels"] == ["1", "2", "3", "4", "5"]
    assert "An toàn thông tin" in lists["positions"] and "Giáo viên tiểu học" in lists[
        "positions"]
    for sheet, header in (("candidates", "Vị trí việc làm"), ("candidates", "Bậc hiện giữ"),
                          ("candidates", "Bậc dự xét"), ("staff", "Bậc"),
                          ("quotas", "Bậc dự xét"), ("positions", "Bậc cao nhất")):
        kind, formula = _validations(wb[sheet])[header]
        assert kind == "list", (sheet, header)
        assert "Danh mục" in formula


@pytest.mark.parametrize("args", [["--regime", "2020"], ["--deadline", "2026-06-30"],
                                  ["--rule-set", "nd115-2020+nd85-2023"]])
def test_the_title_template_stays_available(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", str(path), *args]).exit_code == 0
    wb = openpyxl.load_workbook(path)
    assert "positions" not in wb.sheetnames
    assert "Mã số chức danh nghề nghiệp hiện giữ" in _headers(wb["candidates"])


@pytest.mark.parametrize("args", [["--regime", "2023"], ["--deadline", "15/10/2026"]])
def test_a_bad_regime_or_deadline_exits_2(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", str(path), *args]).exit_code == 2
    assert not path.exists()


def _fill(template: Path, path: Path) -> None:
    wb = openpyxl.load_workbook(template)
    for row in wb["scenario"].iter_rows(min_row=2):
        row[1].value = SETTINGS_TYPED.get(str(row[0].value))
    for table, rows in ROUND.items():
        ws = wb[table]
        by_header = {h: i + 1 for i, h in enumerate(_headers(ws))}
        columns = {c.name: by_header[_header_vi(c, True)]
                   for c in levels_schema.level_columns(table)}
        for r, data in enumerate(rows, start=2):
            for name, (_text, typed) in data.items():
                ws.cell(r, columns[name]).value = typed
    wb.save(path)


def _write_csv(folder: Path) -> None:
    folder.mkdir()
    (folder / "scenario.toml").write_text(SCENARIO_TOML, encoding="utf-8")
    for table, rows in ROUND.items():
        columns = list(dict.fromkeys(c for r in rows for c in r))
        frame = pl.DataFrame({c: [r[c][0] if c in r else None for r in rows] for c in columns},
                             schema=dict.fromkeys(columns, pl.Utf8))
        frame.write_csv(folder / f"{table}.csv")


def test_a_filled_level_template_reads_back_as_the_same_round_in_csv(
        template: Path, tmp_path: Path) -> None:
    filled = tmp_path / "round.xlsx"
    _fill(template, filled)
    folder = tmp_path / "round"
    _write_csv(folder)
    raw = read_workbook(filled)
    assert raw.settings == tomllib.loads(SCENARIO_TOML)
    assert set(raw.tables) >= set(ROUND)
    for table in ROUND:
        csv = read_csv_table(folder / f"{table}.csv", table).frame.drop(ROW)
        sheet = raw.tables[table].frame.drop(ROW)
        assert sheet.select(csv.columns).equals(csv), table
        rest = sheet.drop(csv.columns)
        assert rest.null_count().row(0) == (rest.height,) * rest.width, table


def test_a_level_folder_becomes_a_workbook_of_the_same_round(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    _write_csv(folder)
    csv = {t: read_csv_table(folder / f"{t}.csv", t).frame for t in ROUND}
    path = tmp_path / "round.xlsx"
    rs = builtin_rule_sets()[0]
    tables_to_workbook(path, rs, tomllib.loads(SCENARIO_TOML), csv)
    raw = read_workbook(path)
    assert raw.settings == tomllib.loads(SCENARIO_TOML)
    for table, frame in csv.items():
        sheet = raw.tables[table].frame.drop(ROW)
        assert sheet.select(frame.drop(ROW).columns).equals(frame.drop(ROW)), table
    assert "positions" in openpyxl.load_workbook(path).sheetnames
