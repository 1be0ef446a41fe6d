"""Loading a scenario, whatever it is: a folder of CSV files, an .xlsx workbook, or a
what-if variant (.toml) on a chain of bases; and listing the files a run of it reads.
"""

from __future__ import annotations

from pathlib import Path

from allocator.io import rulesets
from allocator.io.folder import folder_files, read_folder
from allocator.io.raw import read_toml
from allocator.io.validate import validate
from allocator.io.variants import Loaded, Remap, apply_variant, read_variant, resolve
from allocator.io.workbook import read_workbook
from models.errors import InputError
from models.scenario import Scenario


def load(path: Path, *, remap: Remap | None = None) -> Scenario:
    """Load and validate a scenario: a folder, an .xlsx workbook, or a variant (.toml).

    ``remap`` maps the absolute paths a variant names to where the files really are (a
    replay restores them under a temporary folder), an absolute ``rule_set_file`` too."""
    with rulesets.remapped(remap):
        return load_base(path, remap=remap).scenario


def load_base(path: Path, *, remap: Remap | None = None,
              _seen: frozenset[Path] = frozenset()) -> Loaded:
    """Load a folder, a workbook or a variant as a :class:`Loaded`, ready for variants."""
    if _is_variant(path):
        key = path.resolve()
        if key in _seen:
            raise InputError.one(path.name, None, "base",
                                 "phương án dựa vào chính nó (vòng lặp base)",
                                 "the variant is its own base (a cycle of base files)")
        variant = read_variant(path)
        base = load_base(resolve(path.parent, variant.base, remap), remap=remap,
                         _seen=_seen | {key})
        return apply_variant(base, variant, path.name, path.parent, remap=remap,
                             source=path)
    raw = read_workbook(path) if path.suffix.lower() == ".xlsx" else read_folder(path)
    return Loaded(validate(raw), base_dir=raw.base_dir)


def _is_variant(path: Path) -> bool:
    return path.suffix.lower() == ".toml" and path.is_file()


def input_files(path: Path, scenario: Scenario | None = None) -> list[Path]:
    """Every file a run of ``path`` reads (variant chain, tables, rule-set files), resolved,
    each once. ``scenario`` (the loaded workbook) names a workbook's rule-set file."""
    files: list[Path] = []
    _collect(path, files, set(), scenario)
    return list(dict.fromkeys(files))


def _collect(path: Path, files: list[Path], seen: set[Path], scenario: Scenario | None) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    if _is_variant(path):
        files.append(resolved)
        variant = read_variant(path)
        rule_file = variant.settings.get("rule_set_file")
        if rule_file:
            files.append(resolve(path.parent, str(rule_file), None).resolve())
        _collect(resolve(path.parent, variant.base, None), files, seen, None)
        return
    if path.suffix.lower() == ".xlsx":
        files.append(resolved)
        folder = path.parent
        rule_file = scenario.settings.rule_set_file if scenario is not None else None
    else:
        folder = path
        files.extend(f.resolve() for f in folder_files(path))
        try:
            settings = read_toml(path / "scenario.toml", "scenario.toml")
        except InputError:
            settings = {}
        rule_file = settings.get("rule_set_file")
    if rule_file:
        rule_path = Path(str(rule_file))
        files.append((rule_path if rule_path.is_absolute() else folder / rule_path).resolve())
