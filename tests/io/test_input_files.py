"""Input files that are not what they should be: a clear message, exit 2, no hang, no
traceback, and no cell content echoed."""

from __future__ import annotations

import io
import os
import signal
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli.app import app
from allocator.io import workbook
from tests.support.hostile import tiny_copy

runner = CliRunner()


def _validate(path: Path) -> tuple[int, str]:
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, " ".join(res.output.split())


def test_an_unterminated_quote_names_the_row_not_the_content(tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round")
    path = folder / "candidates.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Nguyễn Văn B", '"Nguyễn Văn B')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = _validate(folder)
    assert code == 2
    assert "candidates.csv, dòng 3" in text and "quote" in text
    assert "Nguyễn Văn C" not in text and "1985-05-05" not in text


def test_a_ragged_row_names_the_row(tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round")
    with (folder / "quotas.csv").open("a", encoding="utf-8") as f:
        f.write("K2,V.11.06.14,1,secret,more\n")
    code, text = _validate(folder)
    assert code == 2 and "quotas.csv, dòng 3" in text and "secret" not in text


@pytest.mark.parametrize("file", ["scenario.toml", "candidates.csv"])
def test_a_file_not_in_utf8_is_named(tmp_path: Path, file: str) -> None:
    folder = tiny_copy(tmp_path / "round")
    path = folder / file
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1258", errors="replace")
                     .replace(b"\x3f", b"\xd2"))
    code, text = _validate(folder)
    assert code == 2 and file in text and "UTF-8" in text


def _with_rule_set(folder: Path, rule_set_file: str) -> None:
    with (folder / "scenario.toml").open("a", encoding="utf-8") as f:
        f.write(f'rule_set_file = "{rule_set_file}"\n')


def test_a_rule_set_that_is_a_folder_or_not_utf8(tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round")
    (folder / "rules").mkdir()
    _with_rule_set(folder, "rules")
    code, text = _validate(folder)
    assert code == 2 and "rules" in text and "folder" in text
    (folder / "rules.toml").write_bytes(b'extends = "x\xff"\n')
    text_toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(text_toml.replace('"rules"', '"rules.toml"'),
                                          encoding="utf-8")
    code, text = _validate(folder)
    assert code == 2 and "rules.toml" in text and "UTF-8" in text


def _hung(*_: object) -> None:
    raise TimeoutError("opened a FIFO")


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.alarm(30)
    try:
        _fifos(tmp_path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _fifos(tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round")
    os.mkfifo(folder / "rules.toml")
    _with_rule_set(folder, "rules.toml")
    code, text = _validate(folder)  # would wait for a writer forever if opened
    assert code == 2 and "FIFO" in text
    os.mkfifo(tmp_path / "base.xlsx")
    code, text = _validate(tmp_path / "base.xlsx")
    assert code == 2 and "FIFO" in text
    variant = tmp_path / "v.toml"
    variant.write_text(f'base = "{tmp_path / "base.xlsx"}"\n', encoding="utf-8")
    code, text = _validate(variant)
    assert code == 2 and "FIFO" in text


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tiny_copy(tmp_path / "round")
    book = tmp_path / "round.xlsx"
    assert runner.invoke(app, ["to-workbook", str(folder), str(book)]).exit_code == 0
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * (8 << 20))  # 8 MiB of zeros, ~8 KiB
    assert bomb.stat().st_size < (1 << 20)
    monkeypatch.setattr(workbook, "MAX_UNZIPPED_BYTES", 4 << 20)  # the bomb is 2x the limit
    code, text = _validate(bomb)
    assert code == 2 and "bomb.xlsx" in text and "unpacks to too much" in text


def test_a_sheet_with_too_many_rows_is_refused(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "round.xlsx"
    assert runner.invoke(app, ["to-workbook", str(tiny_copy(tmp_path / "round")),
                               str(book)]).exit_code == 0
    monkeypatch.setattr(workbook, "MAX_SHEET_ROWS", 2)
    code, text = _validate(book)
    assert code == 2 and "more than 2 rows" in text


def test_bytes_that_are_no_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(io.BytesIO(b"PK\x03\x04garbage" * 10).getvalue())
    code, text = _validate(bad)
    assert code == 2 and "x.xlsx" in text


def test_a_message_quotes_a_long_cell_only_in_part(tmp_path: Path) -> None:
    folder = tiny_copy(tmp_path / "round")
    path = folder / "candidates.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    secret = "Nguyễn Thị Bí Mật " * 300
    lines[1] = lines[1].replace("1980-01-01", f'"{secret}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = _validate(folder)
    assert code == 2 and "candidates.csv, dòng 2, cột birth_date" in text
    assert secret.strip() not in text and text.count("Bí Mật") <= 8
