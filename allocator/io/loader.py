"""Loading a scenario, whatever it is: a folder of CSV files, an .xlsx workbook, or a
what-if variant (.toml) on a chain of bases; and listing the files a run of it reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from allocator.io import rulesets
from allocator.io.folder import folder_files, read_folder
from allocator.io.raw import MERGED_LABEL, RawScenario, read_toml
from allocator.io.validate import validate
from allocator.io.variants import Loaded, Remap, apply_variant, read_variant, resolve
from allocator.io.workbook import list_files, read_lists, read_workbook
from models.errors import Collector, InputError, Problem
from models.scenario import Scenario


def load(path: Path, *, remap: Remap | None = None, lists: Sequence[Path] = ()) -> Scenario:
    """Load and validate a scenario: a folder, an .xlsx workbook, or a variant (.toml).

    ``remap`` maps the absolute paths a variant names to where the files really are (a
    replay restores them under a temporary folder), an absolute ``rule_set_file`` too.
    ``lists`` are the agencies' workbooks (files or folders of them) whose candidate sheets
    join the round's candidates."""
    if lists:
        return load_round(path, lists)
    with rulesets.remapped(remap):
        return load_base(path, remap=remap).scenario


def load_round(path: Path, lists: Sequence[Path]) -> Scenario:
    """A round (folder or round workbook: settings, units, quotas …) with the candidates of
    the agency workbooks ``lists``."""
    if _is_variant(path):
        raise InputError.one(path.name, None, None,
                             "danh sách của đơn vị đi kèm một kỳ xét (thư mục hoặc tệp .xlsx), "
                             "không đi kèm một phương án",
                             "agency lists go with a round (a folder or an .xlsx workbook), "
                             "not with a variant")
    raw = (read_workbook(path, lists_follow=True) if path.suffix.lower() == ".xlsx"
           else read_folder(path, candidates_required=False))
    return checked(read_lists(raw, lists))


def checked(raw: RawScenario) -> Scenario:
    """:func:`validate`, each problem of candidates merged from several lists named by the
    list, sheet and row it came from; the scenario keeps where each candidate was read and
    what reading said."""
    try:
        scenario = validate(raw)
    except InputError as exc:
        if not raw.merged:
            raise
        raise InputError([_renamed(p, raw.merged) for p in exc.problems]) from None
    return dataclasses.replace(scenario, origins=dict(raw.origins), notes=raw.notes,
                               award_texts=dict(raw.award_texts),
                               extra_cells=dict(raw.extra_cells))


def _renamed(problem: Problem, merged: dict[int, tuple[str, int]]) -> Problem:
    if problem.file != MERGED_LABEL or problem.row is None or problem.row not in merged:
        return problem
    label, row = merged[problem.row]
    return dataclasses.replace(problem, file=label, row=row)


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
    return Loaded(checked(raw), base_dir=raw.base_dir)


def _is_variant(path: Path) -> bool:
    return path.suffix.lower() == ".toml" and path.is_file()


def input_files(path: Path, scenario: Scenario | None = None,
                lists: Sequence[Path] = ()) -> list[Path]:
    """Every file a run of ``path`` reads (variant chain, tables, rule-set files, the
    agencies' ``lists``), resolved, each once. ``scenario`` (the loaded workbook) names a
    workbook's rule-set file."""
    files: list[Path] = []
    _collect(path, files, set(), scenario)
    files.extend(list_files(lists, Collector()))
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
