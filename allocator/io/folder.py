"""Reading a scenario folder: scenario.toml and the CSV file of each table of the schema."""

from __future__ import annotations

import tomllib
from pathlib import Path

from allocator.io.raw import RawScenario, RawTable, read_csv_table
from models import schema
from models.errors import InputError


def read_folder(folder: Path) -> RawScenario:
    """Read a scenario folder: scenario.toml, the required tables and the optional ones that
    exist."""
    if not folder.exists():
        raise InputError.one(str(folder), None, None, "không tìm thấy kịch bản",
                             "scenario not found")
    if not folder.is_dir():
        raise InputError.one(str(folder), None, None,
                             "kịch bản phải là một thư mục (hoặc tệp .xlsx)",
                             "a scenario is a folder (or an .xlsx workbook)")
    settings_file = schema.SETTINGS.file
    try:
        settings = tomllib.loads((folder / settings_file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.one(settings_file, None, None, "thiếu tệp", "file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError.one(settings_file, None, None, f"TOML không hợp lệ: {exc}",
                             f"invalid TOML: {exc}") from None
    tables: dict[str, RawTable] = {}
    for table in (*schema.FOLDER_TABLES, *schema.REGIME_TABLES):
        path = folder / table.file
        if table.required or path.exists():
            tables[table.name] = read_csv_table(path, table.file)
    return RawScenario(folder, settings, settings_file, tables, folder)


def folder_files(folder: Path) -> list[Path]:
    """The files of a scenario folder that a run reads: scenario.toml and every table's CSV
    file that exists (rule-set files aside)."""
    files = [folder / schema.SETTINGS.file]
    files.extend(folder / t.file for t in (*schema.FOLDER_TABLES, *schema.REGIME_TABLES)
                 if (folder / t.file).is_file())
    return files
