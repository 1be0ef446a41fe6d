"""The web workspace's one adapter to the engine.

Every use of the engine by :mod:`allocator.web` goes through this module: loading a round,
deciding it (with the what-if cache), variants, comparison, rulings, explanations, the
result files, and the run history. The rest of the web package sees plain data (frames,
dicts, paths) and the opaque :class:`Decided` and :class:`Base` handles, so moving the
engine into packages is a change to this file only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from allocator.documents import explain as _narrative
from allocator.documents.letters import write_letters as _write_letters
from allocator.documents.result_workbook import write_result_workbook as _write_workbook
from allocator.engine.cache import StageCache
from allocator.engine.flow import decide
from allocator.engine.options import Options
from allocator.engine.progress import Progress as Progress
from allocator.io.folder import read_folder
from allocator.io.loader import checked, load_base
from allocator.io.output import write_outputs as _write_outputs
from allocator.io.raw import RawScenario
from allocator.io.staging import write_staged
from allocator.io.variants import Loaded, apply_variant, dump_variant, parse_variant
from allocator.io.workbook import read_workbook
from allocator.planning import compare as _compare
from allocator.planning import history as _history
from models.enums import Status
from models.errors import AllocatorError, InputError, Problem
from models.result import Counts, RunResult
from models.text import fold as _fold
from models.tree import UnitTree

OUTPUT_FILES = ("decisions.csv", "pools.csv", "escalations.csv", "summary.json")
WORKBOOK_FILE = "ket-qua.xlsx"
SETTING_SWITCHES = ("certificate_waived", "require_excellent_achievement")
_SHEET_LABEL = re.compile(r"^(?P<sheet>.*) \(trang tính/sheet\)$")


# ---------------------------------------------------------------------------------------------
# Problems with the input
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebProblem:
    """One problem of the input as the API reports it."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message_vi: str
    message_en: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "message_vi": self.message_vi, "message_en": self.message_en}


class BadInput(Exception):
    """The input cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[WebProblem]) -> None:
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = list(problems)


def problem(file: str, vi: str, en: str, *, column: str | None = None) -> WebProblem:
    """A problem that the web layer itself finds (an upload, a request body)."""
    return WebProblem(file, None, None, column, vi, en)


def _web_problem(p: Problem, workbook: str | None) -> WebProblem:
    match = _SHEET_LABEL.match(p.file)
    if match is not None:
        return WebProblem(workbook or p.file, match["sheet"], p.row, p.column, p.vi, p.en)
    return WebProblem(p.file, None, p.row, p.column, p.vi, p.en)


def _bad_input(exc: InputError, workbook: str | None = None) -> BadInput:
    return BadInput([_web_problem(p, workbook) for p in exc.problems])


def _failure(exc: AllocatorError, workbook: str | None = None) -> BadInput:
    """A run that gives no result: bad input, or (never with the server's options) a result
    the solver could not prove."""
    if isinstance(exc, InputError):
        return _bad_input(exc, workbook)
    return BadInput([problem("solver", str(exc), str(exc))])


# ---------------------------------------------------------------------------------------------
# Rounds: the base input, held in memory with its what-if cache
# ---------------------------------------------------------------------------------------------


@dataclass
class Base:
    """A round's input, loaded once, with the engine's what-if cache; ``raw`` is the input as
    read (a workbook or a folder; None for a variant file), from which rulings are written."""

    entry: Path
    loaded: Loaded
    raw: RawScenario | None = None
    cache: StageCache = field(default_factory=StageCache)


@dataclass
class Decided:
    """One decided run (the round itself or a variant) and what is derived from it lazily."""

    result: RunResult
    context: _narrative.Context | None = None  # built on the first explanation
    listing: pl.DataFrame | None = None  # rows(): built once
    folded: pl.Series | None = None  # folded_names(): built on the first search
    words: dict[str, object] = field(default_factory=dict)  # the page's words; memos
    scope_units: tuple[str, ...] | None = None  # an agency's view: the units it sees

    @property
    def decisions(self) -> pl.DataFrame:
        return self.result.decisions

    @property
    def summary(self) -> dict[str, Any]:
        """summary.json as JSON data (plus ``scope_units`` in an agency's view)."""
        data: dict[str, Any] = self.result.summary.model_dump(mode="json")
        if self.scope_units is not None:
            data["scope_units"] = list(self.scope_units)
        return data


def open_base(entry: Path) -> Base:
    """Load and validate a round's input (a folder, an .xlsx workbook or a variant)."""
    try:
        if entry.suffix.lower() == ".toml":
            return Base(entry, load_base(entry))
        raw = read_workbook(entry) if entry.suffix.lower() == ".xlsx" else read_folder(entry)
        return Base(entry, Loaded(checked(raw), base_dir=raw.base_dir), raw)
    except InputError as exc:
        raise _bad_input(exc, entry.name if entry.suffix.lower() == ".xlsx" else None) from None


def decide_base(base: Base, progress: Progress | None = None) -> Decided:
    """Decide the round as loaded."""
    try:
        return Decided(decide(base.loaded.scenario, Options(cache=base.cache), progress))
    except AllocatorError as exc:
        raise _failure(exc, _workbook_name(base)) from None


def _workbook_name(base: Base) -> str | None:
    return base.entry.name if base.entry.suffix.lower() == ".xlsx" else None


# ---------------------------------------------------------------------------------------------
# Variants
# ---------------------------------------------------------------------------------------------


def variant_spec(base_ref: str, name: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """A variant document (as a variant TOML holds it) from the API's JSON changes.

    ``budget``, ``objective`` and ``switches`` are shorthands for settings; ``quotas``,
    ``limits``, ``settings``, ``candidates`` and ``authority_decisions`` are the variant
    format's own keys.
    """
    spec: dict[str, Any] = {"base": base_ref}
    if name:
        spec["name"] = name
    settings = dict(changes.get("settings") or {})
    if changes.get("budget") is not None:
        settings["budget"] = changes["budget"]
    if changes.get("objective") is not None:
        settings["objective"] = changes["objective"]
    settings.update(dict(changes.get("switches") or {}))
    if settings:
        spec["settings"] = settings
    for key in ("quotas", "limits", "candidates", "authority_decisions"):
        if changes.get(key):
            spec[key] = changes[key]
    return spec


def merge_changes(first: Mapping[str, Any], then: Mapping[str, Any]) -> dict[str, Any]:
    """The changes of ``first`` followed by those of ``then`` (later ones win)."""
    out: dict[str, Any] = {k: v for k, v in first.items()}
    for key, value in then.items():
        if key == "quotas":
            out["quotas"] = [*out.get("quotas", []), *value]
        elif key == "limits":
            limits = {k: list(v) for k, v in out.get("limits", {}).items()}
            for part, items in value.items():
                limits[part] = [*limits.get(part, []), *items]
            out["limits"] = limits
        elif key in ("settings", "switches", "candidates") and isinstance(value, Mapping):
            merged = dict(out.get(key, {}))
            merged.update(value)
            out[key] = merged
        else:
            out[key] = value
    return out


def check_variant(spec: Mapping[str, Any], label: str) -> None:
    """Validate a variant document without applying it."""
    try:
        parse_variant(spec, label)
    except InputError as exc:
        raise _bad_input(exc) from None


def decide_variant(base: Base, spec: Mapping[str, Any], label: str, folder: Path,
                   progress: Progress | None = None) -> Decided:
    """Apply a variant document to the in-memory base and decide it with the base's cache
    (a change of seats re-solves only what it touches)."""
    try:
        variant = parse_variant(spec, label)
        loaded = apply_variant(base.loaded, variant, label, folder, source=folder / label)
        return Decided(decide(loaded.scenario, Options(cache=base.cache), progress))
    except InputError as exc:
        raise _bad_input(exc, _workbook_name(base)) from None


def variant_toml(spec: Mapping[str, Any]) -> str:
    """A variant document as the TOML text ``allocator run`` reads."""
    return dump_variant(spec)


def decide_file(entry: Path, cache: StageCache, progress: Progress | None = None
                ) -> Decided:
    """Load and decide a stored input (a variant file after a restart)."""
    try:
        return Decided(decide(load_base(entry).scenario, Options(cache=cache), progress))
    except InputError as exc:
        raise _bad_input(exc) from None


# ---------------------------------------------------------------------------------------------
# Rulings of the managing agency
# ---------------------------------------------------------------------------------------------


def with_rulings(base: Base, rulings: Sequence[tuple[str, str]], folder: Path) -> Path:
    """Write the round's input with these rulings as a scenario folder (``folder``, which
    must not exist), the way ``allocator run`` reads it: ``scenario.toml``, the tables as
    CSV and ``authority_decisions.csv``. Returns the folder."""
    raw = raw_of(base)
    folder.mkdir(parents=True)
    settings = dict(raw.settings)
    rule_file = settings.get("rule_set_file")
    if rule_file and not Path(str(rule_file)).is_absolute():
        source = raw.base_dir / str(rule_file)
        if source.is_file():
            target = folder / str(rule_file)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    (folder / "scenario.toml").write_text(dump_variant(settings), encoding="utf-8")
    for name, table in raw.tables.items():
        if name == "authority_decisions":
            continue
        frame = table.frame
        frame.select(c for c in frame.columns if not c.startswith("__")).write_csv(
            folder / f"{name}.csv")
    pl.DataFrame({"candidate_id": [c for c, _ in rulings], "decision": [d for _, d in rulings]},
                 schema={"candidate_id": pl.Utf8, "decision": pl.Utf8}).write_csv(
        folder / "authority_decisions.csv")
    return folder


def existing_rulings(base: Base) -> list[tuple[str, str]]:
    """The rulings the round's input holds already (its authority_decisions table)."""
    if base.raw is None:
        return []
    table = base.raw.tables.get("authority_decisions")
    if table is None:
        return []
    rows = table.frame.select("candidate_id", "decision").drop_nulls().iter_rows()
    return [(str(c), str(d)) for c, d in rows]


def raw_of(base: Base) -> RawScenario:
    """The round's input as read (rulings apply to an uploaded round, never to a variant)."""
    if base.raw is None:
        raise ValueError(f"{base.entry} is a variant: it has no input of its own")
    return base.raw


# ---------------------------------------------------------------------------------------------
# Result files
# ---------------------------------------------------------------------------------------------


def write_result(decided: Decided, folder: Path) -> None:
    """decisions.csv, pools.csv, escalations.csv and summary.json, all or nothing, exactly as
    ``allocator run`` writes them."""
    _write_outputs(decided.result, folder)


def write_workbook(decided: Decided, folder: Path) -> Path:
    """``ket-qua.xlsx`` of a run, into ``folder``."""
    written = write_staged(folder, lambda stage: _write_workbook(decided.result, stage),
                           keep_others=True)
    return next(p for p in written if p.name == WORKBOOK_FILE)


def write_letters(decided: Decided, folder: Path) -> list[Path]:
    """The draft reports to the managing agencies (one DOCX each), into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return _write_letters(decided.result, folder)


def summary_json(decided: Decided) -> str:
    """summary.json of a run, exactly as ``allocator run`` writes it (with ``scope_units`` in
    an agency's view)."""
    return json.dumps(decided.summary, ensure_ascii=False, indent=2) + "\n"


def decisions_csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv().encode()


# ---------------------------------------------------------------------------------------------
# Who sees what: an agency's subtree
# ---------------------------------------------------------------------------------------------


def subtree(decided: Decided, unit_id: str) -> frozenset[str]:
    """The unit and every unit below it (empty when the round has no such unit)."""
    tree = UnitTree(decided.result.scenario.units)
    below = tree.ancestors.filter(pl.col("anc_id") == unit_id)["unit_id"].to_list()
    return frozenset(str(u) for u in below)


def scoped(decided: Decided, units: frozenset[str]) -> Decided:
    """The run as an agency sees it: only the candidates employed in ``units``; pools where
    one of them competes or whose agency is in ``units``; tie groups wholly inside; counts
    recomputed over what is left."""
    r = decided.result
    cands = r.candidates.filter(pl.col("unit_id").is_in(sorted(units)))
    ids = cands["candidate_id"]
    decisions = r.decisions.filter(pl.col("candidate_id").is_in(ids.implode()))
    in_pools = set(decisions.select("agency_id", "target_title").drop_nulls().iter_rows())
    keys = sorted(f"{a}|{t}" for a, t in in_pools)
    pools = r.pools.filter(pl.col("agency_id").is_in(sorted(units))
                           | pl.concat_str("agency_id", pl.lit("|"), "target_title")
                           .is_in(keys))
    visible = set(ids.to_list())
    groups = [g for g in r.groups if set(g.members) <= visible]
    names = {g.tie_group for g in groups}
    escalations = r.escalations.filter(pl.col("tie_group").is_in(sorted(names)))
    summary = r.summary.model_copy(update={
        "counts": _counts(decisions, pools, len(groups)),
        "tie_groups": tuple(t for t in r.summary.tie_groups if t.tie_group in names)})
    result = replace(r, candidates=cands, decisions=decisions, pools=pools,
                     escalations=escalations, groups=tuple(groups), summary=summary)
    return Decided(result, decided.context, scope_units=tuple(sorted(units)))


def _counts(decisions: pl.DataFrame, pools: pl.DataFrame, groups: int) -> Counts:
    by = dict(decisions.group_by("status").len().iter_rows())
    return Counts(
        candidates=decisions.height,
        eligible=decisions.height - int(by.get(Status.ineligible, 0)),
        ineligible=int(by.get(Status.ineligible, 0)),
        selected=int(by.get(Status.selected, 0)),
        not_selected=int(by.get(Status.not_selected, 0)),
        escalated=int(by.get(Status.escalated, 0)),
        seats=int(pools["quota"].sum()),
        escalated_seats=int(pools["escalated_seats"].sum()),
        unused_seats=int(pools["unused"].sum()),
        tie_groups=groups,
    )


def hides_competitors(decided: Decided, scope: Decided) -> bool:
    """True when an agency's view leaves out a winner (selected or escalated) of one of its
    pools: the result workbook compares each loser with the pool's weakest winner, who may
    then be someone the agency does not see."""
    winners = pl.col("status").is_in([Status.selected.value, Status.escalated.value])
    shown = scope.result.decisions.select("agency_id", "target_title").drop_nulls().unique()
    full = decided.result.decisions.filter(winners).join(shown, on=["agency_id", "target_title"])
    return full.height != scope.result.decisions.filter(winners).height


# ---------------------------------------------------------------------------------------------
# What the page shows
# ---------------------------------------------------------------------------------------------

ROW_COLUMNS = ("candidate_id", "full_name", "unit_id", "wanted_title", "status", "agency_id",
               "target_title", "priority_rank", "reasons", "decided_by", "tie_group")


def rows(decided: Decided) -> pl.DataFrame:
    """Every candidate with the columns the page and the API list."""
    if decided.listing is None:
        r = decided.result
        names = r.candidates.select("candidate_id", "full_name", "unit_id",
                                    pl.col("target_title").alias("wanted_title"))
        frame = r.decisions.join(names, on="candidate_id", how="left", maintain_order="left")
        decided.listing = frame.select(ROW_COLUMNS)
    return decided.listing


def folded_names(decided: Decided) -> pl.Series:
    """The names as search compares them, row by row with :func:`rows` (made on the first
    search)."""
    if decided.folded is None:
        names = rows(decided)["full_name"]
        distinct = names.drop_nulls().unique().to_list()
        folded = {n: _fold(n) for n in distinct}
        decided.folded = names.replace_strict(folded, default="", return_dtype=pl.Utf8)
    return decided.folded


def search_key(text: str) -> str:
    """A name as search compares it (case, diacritics and spacing ignored)."""
    return _fold(text)


def status_words(lang: str) -> dict[str, str]:
    return dict(_narrative.STATUS[lang])


def criterion_words(lang: str) -> dict[str, str]:
    return dict(_narrative.CRITERION[lang])


def rule_words(decided: Decided, lang: str) -> dict[str, str]:
    """Each rule id's condition in words."""
    conditions = decided.result.scenario.rule_set.conditions
    return {rule: (c.label_vi if lang == "vi" else c.label_en) for rule, c in conditions.items()}


def decided_by_words(value: str | None, lang: str) -> str:
    """The deciding criterion of a candidate not selected, in words."""
    if not value:
        return ""
    vi = lang == "vi"
    words = criterion_words(lang)
    if value in words:
        return (f"Kém hơn người trúng tuyển cuối cùng về {words[value]}" if vi
                else f"Lower than the last winner on {words[value]}")
    if value.startswith("limit:"):
        lid = value.removeprefix("limit:")
        return f"Vượt giới hạn chung {lid}" if vi else f"Beyond the shared limit {lid}"
    fixed = {"budget": ("Vượt ngân sách tăng lương", "Beyond the salary budget"),
             "authority": ("Cơ quan quản lý quyết định không chọn",
                           "The managing agency decided not to select"),
             "quota": ("Hết chỉ tiêu", "No seat left")}
    vi_text, en_text = fixed.get(value, (value, value))
    return vi_text if vi else en_text


def explain(decided: Decided, candidate_id: str, lang: str) -> str:
    """The explanation ``allocator explain`` gives (raises KeyError for an unknown id)."""
    if decided.context is None:
        decided.context = _narrative.Context.of(decided.result)
    return str(_narrative.explain(decided.result, candidate_id, lang, decided.context))


_UNIT_NAMES: OrderedDict[int, tuple[pl.DataFrame, dict[str, str]]] = OrderedDict()
_UNIT_NAMES_LOCK = threading.Lock()


def unit_names(decided: Decided) -> dict[str, str]:
    """unit_id → name. Variants of a round share its units table: the names are read once
    per table (kept for the last few tables)."""
    units = decided.result.scenario.units
    with _UNIT_NAMES_LOCK:
        hit = _UNIT_NAMES.get(id(units))
        if hit is not None and hit[0] is units:
            _UNIT_NAMES.move_to_end(id(units))
            return hit[1]
    names = dict(zip(units["unit_id"].cast(pl.Utf8).to_list(),
                     units["name"].cast(pl.Utf8).to_list(), strict=True))
    with _UNIT_NAMES_LOCK:
        _UNIT_NAMES[id(units)] = (units, names)
        while len(_UNIT_NAMES) > 8:
            _UNIT_NAMES.popitem(last=False)
    return names


def title_names(decided: Decided, lang: str) -> dict[str, str]:
    titles = decided.result.scenario.rule_set.titles
    return {t.code: (t.name_vi if lang == "vi" else t.name_en) for t in titles}


def limits(decided: Decided) -> list[dict[str, Any]]:
    """The round's shared limits (rows of limits.csv)."""
    frame = decided.result.scenario.limits
    cols = ["limit_id", "scope_unit_id", "target_title", "target_rank", "max", "max_share"]
    return [{c: row.get(c) for c in cols} for row in frame.iter_rows(named=True)]


def settings(decided: Decided) -> dict[str, Any]:
    """The round's settings that the page shows or edits."""
    s = decided.result.scenario.settings
    return {"name": s.name, "deadline": s.deadline.isoformat(), "review_year": s.review_year,
            "objective": s.objective.value, "budget": float(s.budget),
            "certificate_waived": s.certificate_waived,
            "require_excellent_achievement": s.require_excellent_achievement}


def tie_groups(decided: Decided) -> list[dict[str, Any]]:
    """The ties awaiting the managing agency."""
    return [{"tie_group": g.tie_group, "managing_agency_id": g.managing_agency_id,
             "seats": g.seats, "members": list(g.members), "reason": g.reason.value,
             "pools": list(g.pools)} for g in decided.result.groups]


# ---------------------------------------------------------------------------------------------
# Comparing variants
# ---------------------------------------------------------------------------------------------


def changed(before: Decided, after: Decided, label: str) -> pl.DataFrame:
    """Candidates whose status differs, with the reasons on both sides (kept on ``after``
    for the last ``before`` asked)."""
    key = (id(before.result), label)
    kept = after.words.get("_changed")
    if isinstance(kept, tuple) and kept[0] == key and kept[1] is before.result:
        frame: pl.DataFrame = kept[2]
        return frame
    frame = _compare.changes(*_only_moved(before.result, after.result), label)
    after.words["_changed"] = (key, before.result, frame)
    return frame


def _only_moved(before: RunResult, after: RunResult) -> tuple[RunResult, RunResult]:
    """The two runs cut to the candidates whose status differs, when both decide the same
    candidates (rows in the same order): the comparison then joins a handful of rows, not
    the whole province. Otherwise the runs as they are."""
    a, b = before.decisions, after.decisions
    if a.height != b.height or not a["candidate_id"].equals(b["candidate_id"]):
        return before, after
    moved = a.filter(a["status"] != b["status"])["candidate_id"]

    def cut(r: RunResult) -> RunResult:
        keep = pl.col("candidate_id").is_in(moved.implode())
        return replace(r, decisions=r.decisions.filter(keep),
                       candidates=r.candidates.filter(keep))

    return cut(before), cut(after)


def figures(decided: Decided, label: str) -> pl.DataFrame:
    return _compare.figures(decided.result, label)


def side_by_side(figs: pl.DataFrame) -> pl.DataFrame:
    return _compare.side_by_side(figs)


def chart_png(figs: pl.DataFrame, title: str) -> bytes:
    return _compare.chart_png(figs, title)


# ---------------------------------------------------------------------------------------------
# The run history
# ---------------------------------------------------------------------------------------------


# One connection to the history at a time in this process: two connections that both open
# the database write its schema and would conflict (a lost run).
_HISTORY = threading.Lock()


def use_history(path: Path) -> None:
    """Point the run history at ``path`` (the engine reads ``$ALLOCATOR_HISTORY``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["ALLOCATOR_HISTORY"] = str(path)


def record_run(decided: Decided, *, command: str, inputs: Path, label: str | None = None
               ) -> str | None:
    """Record a run in the history; None when the history cannot be written."""
    from models.errors import AllocatorError

    with _HISTORY:
        try:
            return _history.record(decided.result, command=command, inputs=inputs,
                                   label=label)
        except AllocatorError:
            return None


def list_runs(limit: int = 100) -> list[dict[str, Any]]:
    with _HISTORY:
        frame = _history.list_runs(limit)
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
            for row in frame.iter_rows(named=True)]


def replay(run_id: str) -> dict[str, Any]:
    """Re-decide a recorded run from its stored inputs and compare byte for byte.
    Raises KeyError for an unknown run."""
    try:
        with _HISTORY:
            rep = _history.replay(run_id)
    except InputError as exc:
        raise _bad_input(exc) from None
    return {"run_id": rep.run_id, "identical": rep.identical,
            "stored_sha256": rep.stored_sha256, "replayed_sha256": rep.replayed_sha256,
            "changed": rep.changed.to_dicts(), "rule_set_changed": rep.rule_set_changed,
            "engine_then": rep.engine_then, "engine_now": rep.engine_now}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def temporary_folder(parent: Path, prefix: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


Writer = Callable[[Path], object]
