"""The file schema is the one column contract: the loader, the workbook reader, the template,
the generator and the variants all keep to it."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from allocator.documents.template import header_of
from allocator.io.folder import read_folder
from allocator.io.raw import RawTable
from allocator.io.validate import empty_frame, read_table, validate
from allocator.io.workbook import _match_header, _vocabulary
from allocator.synthetic.generate import Options, generate
from models import schema
from models.errors import Collector
from models.scenario import RoundSettings
from models.schema import Kind, Regime
from models.vocabulary import VOCABULARIES
from tests.support.builders import CANDIDATE_DEFAULTS, UNITS, candidate, raw

ROOT = Path(__file__).resolve().parents[2]
TABLE_COLUMNS = [(t.name, c.name) for t in schema.FOLDER_TABLES for c in t.columns_in()]
REQUIRED = [(t.name, c) for t in schema.FOLDER_TABLES for c in t.required_names()]


def _only(table: str, columns: list[str]) -> RawTable:
    """A one-row table of the given columns, cells filled as the builders fill them."""
    values = {**CANDIDATE_DEFAULTS, "candidate_id": "A1", "agency_id": "D",
              "target_title": "V.11.06.14", "quota": "1", "decision": "select",
              **UNITS[0]}
    frame = pl.DataFrame({"__row": [2], **{c: [values.get(c, "1")] for c in columns}},
                         schema={"__row": pl.Int64, **dict.fromkeys(columns, pl.Utf8)})
    return RawTable(f"{table}.csv", frame)


@pytest.mark.parametrize(("table", "column"), REQUIRED, ids=[f"{t}.{c}" for t, c in REQUIRED])
def test_every_column_the_loader_requires_is_in_the_schema(table: str, column: str) -> None:
    """A file with the schema's required columns but one is refused, naming that column."""
    spec = schema.table(table)
    rs = validate(raw(candidates=[candidate("A1")],
                      quotas=[{"agency_id": "D", "target_title": "V.11.06.14",
                               "quota": "1"}])).rule_set
    problems = Collector()
    columns = [c for c in (*spec.required_names(), *(g[0] for g in spec.one_of)) if c != column]
    typed, _ = read_table(_only(table, columns), spec, rs, problems)
    assert typed is None
    assert [(p.row, p.column, p.en) for p in problems.problems] == [
        (1, column, "required column missing")]


@pytest.mark.parametrize("spec", schema.FOLDER_TABLES, ids=lambda t: t.name)
def test_a_file_with_only_the_required_columns_is_read(spec: schema.Table) -> None:
    """The loader needs nothing the schema calls optional: it fills the defaults."""
    rs = validate(raw(candidates=[candidate("A1")],
                      quotas=[{"agency_id": "D", "target_title": "V.11.06.14",
                               "quota": "1"}])).rule_set
    problems = Collector()
    columns = list(spec.required_names())
    if spec.one_of:
        columns.append(spec.one_of[0][0])
    typed, _ = read_table(_only(spec.name, columns), spec, rs, problems)
    assert typed is not None and not problems.problems
    for column in spec.columns_in():
        if column.name not in columns and column.default is not None:
            assert typed[column.name].to_list() == [column.default], column.name


@pytest.mark.parametrize("name", ["dien-bien-2024", "binh-dinh-2024"])
def test_typed_frames_have_the_schema_columns(name: str) -> None:
    """Every table of a validated round has the schema's columns (and the derived ones) with
    the types of a table that is absent."""
    sc = validate(read_folder(ROOT / "scenarios" / name))
    for frame, spec in ((sc.units, schema.UNITS), (sc.candidates, schema.CANDIDATES),
                        (sc.quotas, schema.QUOTAS), (sc.limits, schema.LIMITS),
                        (sc.staff, schema.STAFF), (sc.decisions, schema.AUTHORITY_DECISIONS)):
        expected = empty_frame(spec).schema
        got = {c: t for c, t in frame.schema.items() if c != "salary_units"}
        assert got == dict(expected), spec.name
        assert set(spec.names()) <= set(frame.columns)


@pytest.mark.parametrize(("table", "column"), TABLE_COLUMNS,
                         ids=[f"{t}.{c}" for t, c in TABLE_COLUMNS])
def test_the_template_headers_are_read_back_by_the_workbook_reader(table: str,
                                                                  column: str) -> None:
    """The header the template writes (Vietnamese or English) names its column."""
    vocab = _vocabulary(table)
    assert _match_header(header_of(table, column), vocab) == column
    assert _match_header(header_of(table, column, english=True), vocab) == column


def test_the_generator_writes_exactly_the_schema_columns(tmp_path: Path) -> None:
    """Every file a synthetic round has carries the schema's columns, in its order (award
    counts aside: the generator draws none)."""
    out = tmp_path / "gen"
    generate(Options(size=60, seed=3, coupled=True, budget=True), out)
    files = sorted(p.name for p in out.iterdir() if p.name != ".allocator-manifest.json")
    assert set(files) <= {t.file for t in (schema.SETTINGS, *schema.FOLDER_TABLES)}
    for spec in schema.FOLDER_TABLES:
        path = out / spec.file
        if not path.exists():
            continue
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        expected = [c for c in spec.names()
                    if not (spec is schema.CANDIDATES and c == "achievement_count")]
        assert header == expected, spec.name
    assert validate(read_folder(out)).candidates.height == 60


def test_settings_are_the_round_settings_model() -> None:
    """The settings table lists exactly the keys of scenario.toml, required as the model
    requires them; ``plan`` is the ``[plan]`` table (``plan.…`` keys in a workbook), whose
    keys are :class:`models.plan.Plan`'s."""
    fields = {k: v for k, v in RoundSettings.model_fields.items() if k != "plan"}
    assert list(schema.SETTINGS.names()) == list(fields)
    for column in schema.SETTINGS.columns:
        assert column.required == fields[column.name].is_required(), column.name


def test_table_and_column_declarations_are_consistent() -> None:
    """Row keys, one-of groups and vocabularies name what exists; headers are not blank; a
    table's column names are unique."""
    for spec in schema.TABLES:
        names = [c.name for c in spec.columns]
        assert len(names) == len(set(names)), spec.name
        assert spec.row_key is None or spec.row_key in names, spec.name
        assert all(c in names for group in spec.one_of for c in group), spec.name
        assert spec.sheet_names[0] == spec.name
        for column in (*spec.columns, *spec.sheet_columns):
            assert column.headers_vi and all(h.strip() for h in column.headers_vi), column.name
            assert column.meaning_vi and column.meaning_en, column.name
            if column.kind is Kind.term:
                assert column.vocabulary in VOCABULARIES
            if column.default is not None:
                assert column.blank_ok
        # every column belongs to a regime (the 2026 level columns to Regime.levels only)
        assert set(spec.columns_in(Regime.titles)) | set(spec.columns_in(Regime.levels)) \
            == set(spec.columns)
    assert [t.name for t in schema.FOLDER_TABLES] == [
        "units", "candidates", "quotas", "limits", "staff", "authority_decisions"]


def test_a_regime_selects_its_columns() -> None:
    """A column of one regime only is left out of the others (how the 2026 level columns
    will be added as data)."""
    other = Regime.titles
    levels_only = schema.Column("level_since", Kind.date, "since", "từ ngày", ("Từ ngày",),
                                regimes=frozenset())
    spec = schema.Table("t", (schema.Column("id", Kind.id, "id", "mã", ("Mã",)), levels_only),
                        "a table", "bảng", ())
    assert spec.names(other) == ("id",)


def test_the_workbook_guide_lists_the_schema_headers() -> None:
    """docs/workbooks.md "Accepted headers" says what the schema accepts, sheet by sheet."""
    text = (ROOT / "docs" / "workbooks.md").read_text(encoding="utf-8")
    section, settings = text.split("## Accepted headers", 1)[1].split("| setting |", 1)
    documented = {}
    for block in section.split("\n**")[1:]:
        title, _, rest = block.partition("\n")
        sheets = tuple(re.findall(r"`([^`]*)`", title.split("sheet names:")[1]))
        documented[title.split("**")[0]] = (sheets, _rows(rest))
    expected = {t.name: (t.sheet_names, {c.name: c.headers_vi for c in t.columns_in()})
                for t in schema.TABLES if not t.key_value}
    assert documented == expected
    assert _rows(settings) == {c.name: c.headers_vi for c in schema.SETTINGS.columns}


def _rows(markdown: str) -> dict[str, tuple[str, ...]]:
    """``| `name` | a; b |`` rows → name → (a, b)."""
    return {line.split("|")[1].strip(" `"): tuple(h.strip() for h in line.split("|")[2].split(";"))
            for line in markdown.splitlines() if line.startswith("| `")}
