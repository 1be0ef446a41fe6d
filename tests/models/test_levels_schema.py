"""The columns of level rounds (models/levels_schema.py): every Vietnamese header reads back
as its own column, none shadows another, and each table keeps the title round's other
columns in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.io.workbook import _match_header, _vocabulary, header_key
from models import levels_schema, schema

TABLES = (*levels_schema.LEVEL_COLUMNS, levels_schema.POSITIONS.name)


@pytest.mark.parametrize("table", TABLES)
def test_every_header_of_a_level_column_names_that_column(table: str) -> None:
    vocab = _vocabulary(table)
    for column in levels_schema.level_columns(table):
        for header in (column.name, *column.headers_vi):
            assert _match_header(header, vocab) == column.name, (table, header)


@pytest.mark.parametrize("table", TABLES)
def test_the_headers_of_one_table_are_distinct(table: str) -> None:
    seen: dict[str, str] = {}
    for column in levels_schema.level_columns(table):
        for header in column.headers_vi:
            assert seen.setdefault(header_key(header), column.name) == column.name, header


def test_level_columns_replace_the_title_columns_in_place() -> None:
    names = [c.name for c in levels_schema.level_columns("candidates")]
    title_names = schema.CANDIDATES.names()
    assert names[:6] == list(title_names[:6])
    assert names[6:10] == ["job_position", "current_level", "target_level", "level_since"]
    assert not {"current_title", "target_title", "rank_since"} & set(names)
    assert [c.name for c in levels_schema.level_columns("staff")] == [
        "unit_id", "job_position", "level", "holders"]
    assert [c.name for c in levels_schema.level_columns("quotas")] == [
        "agency_id", "job_position", "target_level", "quota"]


def test_the_plan_keys_are_those_of_the_contract() -> None:
    required = {k.name for k in levels_schema.PLAN_KEYS if k.required}
    optional = {k.name for k in levels_schema.PLAN_KEYS if not k.required}
    assert required == {"source", "min_months_at_level", "min_rating", "priority"}
    assert optional == {"degree_min", "certificate_required", "competence_required",
                        "discipline_bars", "language_it_required"}


def test_the_workbook_guide_lists_the_level_headers() -> None:
    """docs/workbooks.md, "Rounds of the 2026 regime", lists what the reader accepts."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "workbooks.md").read_text(encoding="utf-8")
    section = text.split("## Rounds of the 2026 regime", 1)[1].split("\n## ", 1)[0]
    rows = {(line.split("|")[1].strip(), line.split("|")[2].strip()):
            tuple(h.strip() for h in line.split("|")[3].split(";"))
            for line in section.splitlines() if line.count("|") == 4
            and line.split("|")[1].strip() in TABLES}
    expected = {(t, c.name): c.headers_vi for t in ("positions", "staff", "candidates",
                                                    "quotas", "limits")
                for c in (levels_schema.POSITIONS.columns if t == "positions"
                          else levels_schema.LEVEL_COLUMNS[t])}
    assert rows == expected
    for key in levels_schema.PLAN_KEYS:
        assert f"| {key.setting} | {key.example} |" in section
