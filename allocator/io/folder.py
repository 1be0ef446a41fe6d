"""Reading a scenario folder: scenario.toml and the CSV file of each table of the schema."""

from __future__ import annotations

from pathlib import Path

from allocator.io.raw import RawScenario, RawTable, read_csv_table, read_toml
from models import schema
from models.errors import InputError


def read_folder(folder: Path, *, candidates_required: bool = True) -> RawScenario:
    """Read a scenario folder: scenario.toml, the required tables and the optional ones that
    exist (without ``candidates_required``, candidates.csv is optional: the candidates come
    from the agencies' workbooks)."""
    if not folder.exists():
        raise InputError.one(str(folder), None, None, "không tìm thấy kịch bản",
                             "scenario not found")
    if not folder.is_dir():
        raise InputError.one(str(folder), None, None,
                             "kịch bản phải là một thư mục (hoặc tệp .xlsx)",
                             "a scenario is a folder (or an .xlsx workbook)")
    settings_file = schema.SETTINGS.file
    settings = read_toml(folder / settings_file, settings_file)
    tables: dict[str, RawTable] = {}
    for table in (*schema.FOLDER_TABLES, *schema.REGIME_TABLES):
        path = folder / table.file
        required = table.required and (candidates_required or table is not schema.CANDIDATES)
        if required or path.exists():
            tables[table.name] = read_csv_table(path, table.file)
    return RawScenario(folder, settings, settings_file, tables, folder)


def folder_files(folder: Path) -> list[Path]:
    """The files of a scenario folder that a run reads: scenario.toml and every table's CSV
    file that exists (rule-set files aside)."""
    files = [folder / schema.SETTINGS.file]
    files.extend(folder / t.file for t in (*schema.FOLDER_TABLES, *schema.REGIME_TABLES)
                 if (folder / t.file).is_file())
    return files
