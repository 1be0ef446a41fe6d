"""Malformed CSVs, TOMLs and workbooks through the CLI: random bytes, truncation, other
encodings, extreme numbers and dates, markup and formula strings in every text field.

The property (tests.fuzz.cli.check_run): exit 0 with complete, consistent outputs, or exit 2
with the place named and nothing written; never exit 1, never a traceback.
``FUZZ_SCALE=10 pytest tests/fuzz`` runs ten times as many cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator.cli.app import app
from tests.fuzz.cli import check_run
from tests.fuzz.conftest import cases
from tests.support.hostile import DATA, PAYLOADS

ROUNDS = [DATA / "tie_for_last_seat", DATA / "budget_couples_two_pools"]
FILES = ["candidates.csv", "units.csv", "quotas.csv", "scenario.toml"]

EXTREME_TEXT = st.sampled_from([
    "1e400", "-1e400", "1e-400", "NaN", "inf", "-0", "-1", "0", "99999999999999999999",
    "1" + "0" * 20, "1,5", "1.5", "0x10", "１２", "٣", "", " ", "0001-01-01", "9999-12-31",
    "1899-12-31", "1940-01-01", "2024-02-30", "2024-10-29", "2100", "0001", "00", "31/12/1899",
    "true", "có", "x", "\x00", "\x1b[31m", "\u202e", "\ufeff", "a\nb", '"', '""', "'", ",",
    *PAYLOADS, "$\\frac{$", "[/bold]", "<script>alert(1)</script>", "{{7*7}}", "../../etc",
    "a" * 5000,
])
VALUES = st.one_of(EXTREME_TEXT, st.text(max_size=12),
                   st.integers(-10**25, 10**25).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))
SETTINGS = ["objective", "rule_set"]
DEFAULT = settings(deadline=None, derandomize=False, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


def fuzz(n: int) -> settings:
    """The settings of one input kind: ``n`` cases (scaled by FUZZ_SCALE)."""
    return settings(DEFAULT, max_examples=cases(n))


def _copy(work: Path, which: int) -> Path:
    folder = work / "round"
    shutil.copytree(ROUNDS[which], folder)
    return folder


def _work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@fuzz(40)
@given(which=st.integers(0, 1), file=st.sampled_from(FILES), data=st.binary(max_size=400))
def test_random_bytes_as_a_file(tmp_path_factory: pytest.TempPathFactory, which: int,
                                file: str, data: bytes) -> None:
    work = _work(tmp_path_factory)
    folder = _copy(work, which)
    (folder / file).write_bytes(data)
    assert check_run("bytes", folder, work) == 2 or file != "scenario.toml" or data


@fuzz(40)
@given(which=st.integers(0, 1), file=st.sampled_from(FILES), cut=st.floats(0, 1))
def test_a_truncated_file(tmp_path_factory: pytest.TempPathFactory, which: int, file: str,
                          cut: float) -> None:
    work = _work(tmp_path_factory)
    folder = _copy(work, which)
    data = (folder / file).read_bytes()
    (folder / file).write_bytes(data[:int(len(data) * cut)])
    check_run("truncation", folder, work)


@fuzz(25)
@given(which=st.integers(0, 1), file=st.sampled_from(FILES),
       encoding=st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1258",
                                 "gb18030", "utf-8-sig", "utf-7"]))
def test_another_encoding(tmp_path_factory: pytest.TempPathFactory, which: int, file: str,
                          encoding: str) -> None:
    work = _work(tmp_path_factory)
    folder = _copy(work, which)
    text = (folder / file).read_text(encoding="utf-8")
    (folder / file).write_bytes(text.encode(encoding, errors="replace"))
    check_run("encoding", folder, work)


def _set_cell(path: Path, row: int, col: int, value: str, *, raw: bool) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    r = min(row, len(rows) - 1)
    c = min(col, len(rows[r]) - 1)
    rows[r][c] = value
    if raw:  # the value as typed into the file, separators and quotes unescaped
        text = "\n".join(",".join(cells) for cells in rows) + "\n"
    else:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        text = buf.getvalue()
    path.write_text(text, encoding="utf-8")


@fuzz(90)
@given(which=st.integers(0, 1), file=st.sampled_from(FILES[:3]), row=st.integers(0, 8),
       col=st.integers(0, 30), value=VALUES, raw=st.booleans(), more=st.integers(0, 2))
def test_extreme_values_in_cells(tmp_path_factory: pytest.TempPathFactory, which: int,
                                 file: str, row: int, col: int, value: str, raw: bool,
                                 more: int) -> None:
    work = _work(tmp_path_factory)
    folder = _copy(work, which)
    for k in range(more + 1):
        _set_cell(folder / file, row + k, col + 3 * k, value, raw=raw)
    check_run("csv cell", folder, work)


TEXT_COLUMNS = {"candidates.csv": ["full_name"], "units.csv": ["name"]}


@fuzz(30)
@given(which=st.integers(0, 1), names=st.lists(st.one_of(st.sampled_from(PAYLOADS),
                                                         EXTREME_TEXT, st.text(max_size=20)),
                                               min_size=1, max_size=4))
def test_markup_and_formulas_in_every_text_field(tmp_path_factory: pytest.TempPathFactory,
                                                 which: int, names: list[str]) -> None:
    """Names are text: a round whose names are formulas, links or markup still decides."""
    work = _work(tmp_path_factory)
    folder = _copy(work, which)
    k = 0
    for file, columns in TEXT_COLUMNS.items():
        rows = list(csv.DictReader(io.StringIO((folder / file).read_text(encoding="utf-8"))))
        for r in rows:
            for c in columns:
                r[c] = names[k % len(names)]
                k += 1
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (folder / file).write_text(buf.getvalue(), encoding="utf-8")
    status = check_run("text fields", folder, work)
    cleaned = [n for n in names if n.strip() and "\x00" not in n and "\n" not in n]
    if cleaned == names and all(len(n) < 1000 for n in names):
        assert status == 0


TOML_VALUES = st.sampled_from([
    "1e400", "-1e400", "inf", "nan", "-1", "0", "99999999999999999999", '"x"', '""',
    '"\\u0000"', "[1, 2]", "{ a = 1 }", "0001-01-01", "9999-12-31", "1899-12-31",
    "2024-10-29T00:00:00", '"[/bold]"', '"=cmd|\' /C calc\'!A0"', "true", '"/dev/zero"',
    '"."', '"/"', '"../../etc/passwd"', '"rules.toml"',
])
TOML_KEYS = ["name", "deadline", "review_year", "certificate_waived", "objective",
             "budget", "rule_set", "rule_set_file", "unknown_key"]


@fuzz(45)
@given(which=st.integers(0, 1), key=st.sampled_from(TOML_KEYS), value=TOML_VALUES)
def test_extreme_settings(tmp_path_factory: pytest.TempPathFactory, which: int, key: str,
                          value: str) -> None:
    work = _work(tmp_path_factory)
    folder = _copy(work, which)
    lines = [line for line in (folder / "scenario.toml").read_text(encoding="utf-8")
             .splitlines() if not line.startswith(f"{key} =")]
    lines.append(f"{key} = {value}")
    (folder / "scenario.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    check_run("toml", folder, work)


@pytest.fixture(scope="module")
def workbook_bytes(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = []
    for i, folder in enumerate(ROUNDS):
        path = tmp_path_factory.mktemp("book") / f"r{i}.xlsx"
        res = CliRunner().invoke(app, ["to-workbook", str(folder), str(path)])
        assert res.exit_code == 0, res.output
        out.append(path.read_bytes())
    return out


@fuzz(30)
@given(which=st.integers(0, 1), cut=st.floats(0, 1), flips=st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=3))
def test_damaged_workbooks(tmp_path_factory: pytest.TempPathFactory,
                           workbook_bytes: list[bytes], which: int, cut: float,
                           flips: list[tuple[float, int]]) -> None:
    work = _work(tmp_path_factory)
    data = bytearray(workbook_bytes[which])
    for where, byte in flips:
        data[int(where * (len(data) - 1))] = byte
    path = work / "round.xlsx"
    path.write_bytes(bytes(data[:max(1, int(len(data) * cut))]) if cut < 0.9 else bytes(data))
    check_run("workbook bytes", path, work)


CELL_VALUES = st.one_of(
    EXTREME_TEXT, st.integers(-10**18, 10**18), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)), st.booleans())


@fuzz(30)
@given(which=st.integers(0, 1), sheet=st.sampled_from(["candidates", "units", "quotas",
                                                       "scenario"]),
       row=st.integers(1, 6), col=st.integers(1, 26), value=CELL_VALUES)
def test_extreme_workbook_cells(tmp_path_factory: pytest.TempPathFactory,
                                workbook_bytes: list[bytes], which: int, sheet: str, row: int,
                                col: int, value: object) -> None:
    work = _work(tmp_path_factory)
    path = work / "round.xlsx"
    path.write_bytes(workbook_bytes[which])
    book = openpyxl.load_workbook(path)
    if isinstance(value, str):
        value = "".join(ch for ch in value if ch >= " " or ch in "\t\n")  # openpyxl refuses
    book[sheet].cell(row, col).value = value
    book.save(path)
    check_run("workbook cell", path, work)
