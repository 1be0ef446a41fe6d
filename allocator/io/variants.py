"""What-if variants: a small TOML file that names a base scenario and lists changes.

A variant is a validated copy of its base (:meth:`models.scenario.Scenario.replace`): the
changes are applied to the base's typed frames and settings, every cell a change writes is
read by the same per-cell rules as a file's (:func:`allocator.io.validate.read_table`), and
the copy passes the same whole-scenario cross-check. A change that names something absent (a
pool, a unit, a limit, a candidate) fails with an :class:`InputError` that names the variant
file, the change and the missing thing; a value a change writes that the validation rejects
is reported against the variant too (:class:`Provenance`), never against a row of the base's
files that the user cannot find there.

The format, with a full example, is in ``docs/planning.md``. In short::

    base = "../dien-bien-2024"     # a folder, an .xlsx workbook or another variant
    name = "…"                     # optional new round name
    [settings]                     # any key of scenario.toml
    [[quotas]]                     # selector + one of set / add / scale / drop
    [limits]  add / change / drop
    [candidates]  exclude / add / change
    authority_decisions = "keep" | "drop"

Loading a variant file with its chain of bases is :func:`allocator.io.loader.load`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from allocator.io import rulesets
from allocator.io.raw import ROW, RawTable, read_toml
from allocator.io.validate import empty_frame, read_table, round_settings
from models import schema
from models.errors import Collector, InputError, Problem
from models.scenario import TABLE_OF, RoundSettings, Scenario
from models.tree import UnitTree

Remap = Callable[[Path], Path]
"""Maps an absolute path named in a variant to where the file really is (used by replay)."""

Scalar = str | bool | int | float | dt.date

_ROUNDING = {"nearest": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}


# ---------------------------------------------------------------------------------------------
# The file format
# ---------------------------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuotaChange(_Spec):
    """One quota change: a selector and exactly one operation.

    Selectors: ``agency_id`` (+ ``target_title``) = that agency's pools; ``department``
    (+ ``target_title``) = every pool whose agency is the department or below it;
    ``target_title`` alone = every pool of that title; nothing = every pool.
    """

    agency_id: str | None = None
    department: str | None = None
    target_title: str | None = None
    set: int | None = Field(default=None, ge=0)
    add: int | None = None
    scale: Decimal | None = Field(default=None, ge=0)
    drop: bool = False
    create: bool = False
    rounding: Literal["nearest", "down", "up"] = "nearest"

    @model_validator(mode="after")
    def _one_operation(self) -> QuotaChange:
        ops = [self.set is not None, self.add is not None, self.scale is not None, self.drop]
        if sum(ops) != 1:
            raise ValueError("give exactly one of set, add, scale, drop")
        if self.agency_id is not None and self.department is not None:
            raise ValueError("give agency_id or department, not both")
        if self.create and (self.agency_id is None or self.target_title is None
                            or self.set is None):
            raise ValueError("create needs agency_id, target_title and set")
        return self

    def selector(self) -> str:
        parts = []
        if self.agency_id is not None:
            parts.append(f"agency_id={self.agency_id}")
        if self.department is not None:
            parts.append(f"department={self.department}")
        if self.target_title is not None:
            parts.append(f"target_title={self.target_title}")
        return ", ".join(parts) or "mọi chỉ tiêu / every pool"


class _LimitFields(_Spec):
    scope_unit_id: str | None = None
    target_title: str | None = None
    target_rank: str | None = None
    max: int | None = Field(default=None, ge=0)
    max_share: Decimal | None = Field(default=None, ge=0, le=1)


class LimitAdd(_LimitFields):
    """A new limit (a row of limits.csv)."""

    limit_id: str = Field(min_length=1)
    scope_unit_id: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_bound(self) -> LimitAdd:
        if (self.max is None) == (self.max_share is None):
            raise ValueError("give exactly one of max and max_share")
        return self


class LimitChange(_LimitFields):
    """Change fields of an existing limit; ``add`` moves its ``max`` by a whole number."""

    limit_id: str = Field(min_length=1)
    add: int | None = None

    @model_validator(mode="after")
    def _something(self) -> LimitChange:
        if not self.model_fields_set - {"limit_id"}:
            raise ValueError("nothing to change")
        if self.max is not None and self.max_share is not None:
            raise ValueError("give at most one of max and max_share")
        if self.add is not None and (self.max is not None or self.max_share is not None):
            raise ValueError("add cannot be combined with max or max_share")
        return self


class LimitChanges(_Spec):
    add: list[LimitAdd] = Field(default_factory=list)
    change: list[LimitChange] = Field(default_factory=list)
    drop: list[str] = Field(default_factory=list)


class CandidateChanges(_Spec):
    exclude: list[str] = Field(default_factory=list)
    add: list[dict[str, Scalar]] = Field(default_factory=list)
    change: list[dict[str, Scalar]] = Field(default_factory=list)


class Variant(_Spec):
    """A whole variant file."""

    base: str = Field(min_length=1)
    name: str | None = None
    description: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    quotas: list[QuotaChange] = Field(default_factory=list)
    limits: LimitChanges = Field(default_factory=LimitChanges)
    candidates: CandidateChanges = Field(default_factory=CandidateChanges)
    authority_decisions: Literal["keep", "drop"] = "keep"


def parse_variant(data: Mapping[str, Any], label: str) -> Variant:
    """Validate a variant's content (a parsed TOML document)."""
    try:
        variant = Variant.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or None
            if err["type"] == "extra_forbidden":
                problems.append(Problem(label, None, loc, "khoá không được hỗ trợ",
                                        "unknown key"))
            elif err["type"] == "missing":
                problems.append(Problem(label, None, loc, "thiếu khoá bắt buộc",
                                        "required key missing"))
            else:
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(Problem(label, None, loc, f"giá trị không hợp lệ: {msg}",
                                        f"invalid value: {msg}"))
        raise InputError(problems) from None
    unknown = sorted(set(variant.settings) - set(RoundSettings.model_fields))
    if unknown:
        raise InputError([Problem(label, None, f"settings.{k}", "thiết lập không tồn tại",
                                  "unknown setting") for k in unknown])
    return variant


def read_variant(path: Path) -> Variant:
    """Read and validate a variant file (its base is not opened)."""
    label = path.name
    if not path.exists() and not path.is_symlink():
        raise InputError.one(label, None, None, "không tìm thấy tệp phương án",
                             "variant file not found")
    return parse_variant(read_toml(path, label), label)


# ---------------------------------------------------------------------------------------------
# Where each changed cell came from (to name the variant in validation errors)
# ---------------------------------------------------------------------------------------------


@dataclass
class Provenance:
    """Cells, rows and settings written by variants: (table label, row[, column]) → ref."""

    rows: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    cells: dict[tuple[str, int, str], tuple[str, str]] = field(default_factory=dict)
    settings: dict[str, tuple[str, str]] = field(default_factory=dict)

    def merged(self, other: Provenance) -> Provenance:
        return Provenance({**self.rows, **other.rows}, {**self.cells, **other.cells},
                          {**self.settings, **other.settings})

    def relabel(self, exc: InputError, settings_label: str) -> InputError:
        """The same problems, those caused by a variant named after it."""
        out = []
        for p in exc.problems:
            ref: tuple[str, str] | None = None
            column = p.column
            if p.row is not None and p.column is not None:
                ref = self.cells.get((p.file, p.row, p.column))
                if ref is not None:
                    column = ref[1]
            if ref is None and p.row is not None and (p.file, p.row) in self.rows:
                ref = self.rows[p.file, p.row]
                column = f"{ref[1]}.{p.column}" if p.column else ref[1]
            if ref is None and p.file == settings_label and p.row is None and p.column:
                top = p.column.split(".")[0]
                if top in self.settings:
                    ref = self.settings[top]
                    column = ref[1]
            out.append(p if ref is None else Problem(ref[0], None, column, p.vi, p.en))
        return InputError(out)


# ---------------------------------------------------------------------------------------------
# Applying a variant
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A scenario ready for a variant: the validated scenario, where the cells that earlier
    variants wrote came from, and the folder the base's relative paths resolve from."""

    scenario: Scenario
    provenance: Provenance = field(default_factory=Provenance)
    base_dir: Path = Path(".")


def resolve(folder: Path, name: str, remap: Remap | None) -> Path:
    """A path named in a variant: relative to the variant's folder; absolute ones remapped."""
    target = Path(name).expanduser()
    if target.is_absolute():
        return remap(target) if remap is not None else target
    return folder / target


def apply_variant(base: Loaded, variant: Variant, label: str, folder: Path, *,
                  remap: Remap | None = None, source: Path | None = None) -> Loaded:
    """Apply a variant's changes to a loaded base: a validated copy of its scenario."""
    editor = _Editor(base, label)
    editor.settings(variant, folder, remap)
    for i, change in enumerate(variant.quotas):
        editor.quota(i, change)
    editor.limits(variant.limits)
    editor.candidates(variant.candidates)
    if variant.authority_decisions == "drop":
        editor.drop_decisions()
    provenance = base.provenance.merged(editor.provenance)
    settings_label = editor.settings_label
    if editor.cells.problems:
        raise provenance.relabel(InputError(editor.cells.problems), settings_label)
    sc = base.scenario
    try:
        scenario = sc.replace(
            source=source or sc.source, settings=editor.new_settings,
            rule_set=editor.rule_set, candidates=editor.frames.get("candidates"),
            quotas=editor.frames.get("quotas"), limits=editor.frames.get("limits"),
            decisions=editor.frames.get("decisions"),
            labels=editor.labels if editor.labels != sc.labels else None,
            headers=editor.headers if editor.headers != sc.headers else None)
    except InputError as exc:
        raise provenance.relabel(exc, settings_label) from None
    return Loaded(scenario, provenance, base.base_dir)


class _Editor:
    """Applies one variant's changes to copies of the base's typed frames and settings."""

    def __init__(self, base: Loaded, label: str) -> None:
        sc = base.scenario
        self.base = base
        self.label = label
        self.settings_label = sc.labels.get("scenario", schema.SETTINGS.file)
        self.frames: dict[str, pl.DataFrame] = {}  # frame attribute → edited frame
        self.labels = dict(sc.labels)
        self.headers = {k: dict(v) for k, v in sc.headers.items()}
        self.new_settings: RoundSettings | None = None
        self.rule_set = sc.rule_set
        self.provenance = Provenance()
        self.cells = Collector()  # problems of the cells the variant writes
        self.tree = UnitTree(sc.units)
        self.unit_ids = set(sc.units["unit_id"].to_list())

    # -- reporting -------------------------------------------------------------------------
    def fail(self, where: str, vi: str, en: str) -> InputError:
        return InputError.one(self.label, None, where, vi, en)

    def missing_unit(self, where: str, unit: str) -> InputError:
        return self.fail(where, f"không có đơn vị '{unit}' trong units", f"no unit '{unit}' in "
                         "units")

    # -- frames ----------------------------------------------------------------------------
    def frame(self, attr: str) -> pl.DataFrame:
        """The frame as edited so far."""
        found = self.frames.get(attr)
        return found if found is not None else getattr(self.base.scenario, attr)

    def put(self, attr: str, frame: pl.DataFrame) -> None:
        """Keep an edited frame. Its table is named plainly from now on (a workbook's headers
        do not name cells a variant wrote), and after this variant when the base lacked it."""
        table = TABLE_OF[attr]
        self.frames[attr] = frame
        self.labels.setdefault(table, f"{table} ({self.label})")
        self.headers.pop(table, None)

    def table_label(self, attr: str) -> str:
        table = TABLE_OF[attr]
        return self.labels.get(table, f"{table} ({self.label})")

    def read_cells(self, attr: str, rows: Sequence[int], values: Mapping[str, str | None],
                   *, whole_rows: bool) -> pl.DataFrame:
        """The cells a change writes (the same values on each of ``rows``), read by the
        table's per-cell rules: every column of the table for a new row (``whole_rows``),
        only the written ones otherwise. Problems go to ``self.cells``."""
        table = schema.table(TABLE_OF[attr])
        names = list(table.names()) if whole_rows else list(values)
        raw = pl.DataFrame({ROW: pl.Series(list(rows), dtype=pl.Int64),
                            **{c: pl.Series([values.get(c)] * len(rows), dtype=pl.Utf8)
                               for c in names}})
        typed, _ = read_table(RawTable(self.table_label(attr), raw), table, self.rule_set,
                              self.cells, names=None if whole_rows else names)
        assert typed is not None
        return typed

    def write_cells(self, attr: str, mask: pl.Series, values: dict[str, str | None],
                    ref: str) -> None:
        """Write ``values`` into the rows selected by ``mask``; remember the cells."""
        frame = self.frame(attr)
        label = self.table_label(attr)
        rows = frame.filter(mask)[ROW].to_list()
        for row in rows:
            for col in values:
                self.provenance.cells[label, int(row), col] = (self.label, f"{ref}.{col}")
        typed = self.read_cells(attr, rows[:1], values, whole_rows=False)
        self.put(attr, frame.with_columns(
            pl.when(mask).then(pl.lit(typed[c][0], frame.schema[c])).otherwise(pl.col(c))
            .alias(c) for c in typed.columns if c != ROW))

    def append_row(self, attr: str, values: dict[str, str | None], ref: str) -> None:
        """Append one row of text values, read as a file's row; remember it came from here."""
        frame = self.frame(attr)
        row = int(frame[ROW].max() or 1) + 1 if frame.height else 2  # type: ignore[arg-type]
        self.provenance.rows[self.table_label(attr), row] = (self.label, ref)
        typed = self.read_cells(attr, [row], values, whole_rows=True)
        derived_later = [pl.lit(None, dtype).alias(c) for c, dtype in frame.schema.items()
                         if c not in typed.columns]  # salary_units: Scenario.replace
        typed = typed.with_columns(derived_later).select(frame.columns)
        self.put(attr, pl.concat([frame, typed], how="vertical"))

    # -- settings --------------------------------------------------------------------------
    def settings(self, variant: Variant, folder: Path, remap: Remap | None) -> None:
        """The base's settings with the variant's changes, validated; the rule set again when
        a change can choose another."""
        changed = dict(variant.settings)
        if variant.name is not None:
            changed["name"] = variant.name
        if not changed:
            return
        data = self.base.scenario.settings.model_dump()
        if changed.get("rule_set_file"):
            changed["rule_set_file"] = str(resolve(folder, str(changed["rule_set_file"]), remap))
            if "rule_set" not in changed:
                data.pop("rule_set", None)
        elif "rule_set" in changed and "rule_set_file" not in changed:
            data.pop("rule_set_file", None)
        for key_, value in changed.items():
            data[key_] = value
            where = "name" if key_ == "name" and variant.name is not None else f"settings.{key_}"
            self.provenance.settings[key_] = (self.label, where)
        try:
            self.new_settings = round_settings(data, self.settings_label)
            if changed.keys() & {"rule_set", "rule_set_file", "deadline"}:
                self.rule_set = rulesets.for_round(self.new_settings, self.base.base_dir,
                                                   self.settings_label)
        except InputError as exc:
            raise self.provenance.relabel(exc, self.settings_label) from None

    # -- quotas ----------------------------------------------------------------------------
    def quota(self, i: int, change: QuotaChange) -> None:
        ref = f"quotas[{i}]"
        frame = self.frame("quotas")
        for what, unit in (("agency_id", change.agency_id), ("department", change.department)):
            if unit is not None and unit not in self.unit_ids:
                raise self.missing_unit(f"{ref}.{what}", unit)
        mask = pl.Series([True] * frame.height, dtype=pl.Boolean)
        if change.agency_id is not None:
            mask = mask & (frame["agency_id"] == change.agency_id)
        if change.department is not None:
            below = self.tree.ancestors.filter(pl.col("anc_id") == change.department)["unit_id"]
            mask = mask & frame["agency_id"].is_in(below.implode())
        if change.target_title is not None:
            mask = mask & (frame["target_title"] == change.target_title)
        mask = mask.fill_null(False)
        if change.create:
            if mask.any():
                raise self.fail(ref, f"chỉ tiêu ({change.selector()}) đã có, không tạo lại được",
                                f"the quota ({change.selector()}) exists already; cannot create "
                                "it")
            self.append_row("quotas", {"agency_id": change.agency_id,
                                       "target_title": change.target_title,
                                       "quota": str(change.set)}, ref)
            return
        if not mask.any():
            raise self.fail(ref, f"không có chỉ tiêu nào khớp ({change.selector()})",
                            f"no quota matches ({change.selector()})")
        if change.drop:
            self.put("quotas", frame.filter(~mask))
            return
        label = self.table_label("quotas")
        for row in frame.filter(mask)[ROW].to_list():
            self.provenance.cells[label, int(row), "quota"] = (self.label, ref)
        new = {v: _apply_quota(v, change) for v in frame["quota"].unique().to_list()}
        self.put("quotas", frame.with_columns(
            pl.when(mask).then(pl.col("quota").replace_strict(new, return_dtype=pl.Int64))
            .otherwise(pl.col("quota")).alias("quota")))

    # -- limits ----------------------------------------------------------------------------
    def limits(self, changes: LimitChanges) -> None:
        if not (changes.add or changes.change or changes.drop):
            return
        frame = self.frame("limits")
        ids = frame["limit_id"].to_list()
        for j, lid in enumerate(changes.drop):
            if lid not in ids:
                raise self.fail(f"limits.drop[{j}]", f"không có giới hạn '{lid}'",
                                f"no limit '{lid}'")
        self.put("limits", frame.filter(~pl.col("limit_id").is_in(changes.drop)
                                        | pl.col("limit_id").is_null()))
        for j, ch in enumerate(changes.change):
            self._limit_change(f"limits.change[{j}]", ch)
        for j, add in enumerate(changes.add):
            ref = f"limits.add[{j}]"
            if add.limit_id in self.frame("limits")["limit_id"].to_list():
                raise self.fail(f"{ref}.limit_id", f"giới hạn '{add.limit_id}' đã có",
                                f"limit '{add.limit_id}' exists already")
            if add.scope_unit_id not in self.unit_ids:
                raise self.missing_unit(f"{ref}.scope_unit_id", add.scope_unit_id)
            self.append_row("limits", {c: _text(getattr(add, c))
                                       for c in schema.LIMITS.names()}, ref)

    def _limit_change(self, ref: str, ch: LimitChange) -> None:
        frame = self.frame("limits")
        mask = (frame["limit_id"] == ch.limit_id).fill_null(False)
        if not mask.any():
            raise self.fail(f"{ref}.limit_id", f"không có giới hạn '{ch.limit_id}'",
                            f"no limit '{ch.limit_id}'")
        if ch.scope_unit_id is not None and ch.scope_unit_id not in self.unit_ids:
            raise self.missing_unit(f"{ref}.scope_unit_id", ch.scope_unit_id)
        values: dict[str, str | None] = {
            c: _text(getattr(ch, c)) for c in ("scope_unit_id", "target_title", "target_rank")
            if c in ch.model_fields_set}
        if ch.max is not None:
            values.update({"max": str(ch.max), "max_share": None})
        if ch.max_share is not None:
            values.update({"max_share": str(ch.max_share), "max": None})
        if ch.add is not None:
            current = frame.filter(mask)["max"][0]
            if current is None:
                raise self.fail(f"{ref}.add", f"giới hạn '{ch.limit_id}' không có max để "
                                "cộng thêm", f"limit '{ch.limit_id}' has no max to add to")
            values["max"] = str(max(0, int(current) + ch.add))
        self.write_cells("limits", mask, values, ref)

    # -- candidates ------------------------------------------------------------------------
    def candidates(self, changes: CandidateChanges) -> None:
        if not (changes.exclude or changes.add or changes.change):
            return
        frame = self.frame("candidates")
        present = set(frame["candidate_id"].drop_nulls().to_list())
        for j, gone in enumerate(changes.exclude):
            if gone not in present:
                raise self.fail(f"candidates.exclude[{j}]", f"không có ứng viên '{gone}'",
                                f"no candidate '{gone}'")
        if changes.exclude:
            self.put("candidates", frame.filter(~pl.col("candidate_id").is_in(changes.exclude)))
        present -= set(changes.exclude)
        for j, row in enumerate(changes.change):
            ref = f"candidates.change[{j}]"
            cid = self._candidate_id(ref, row)
            if cid not in present:
                raise self.fail(f"{ref}.candidate_id", f"không có ứng viên '{cid}'",
                                f"no candidate '{cid}'")
            self._known_columns(ref, row)
            values = {c: _text(v) for c, v in row.items() if c != "candidate_id"}
            if values:
                mask = (self.frame("candidates")["candidate_id"] == cid).fill_null(False)
                self.write_cells("candidates", mask, values, ref)
        for j, row in enumerate(changes.add):
            ref = f"candidates.add[{j}]"
            cid = self._candidate_id(ref, row)
            if cid in present:
                raise self.fail(f"{ref}.candidate_id", f"ứng viên '{cid}' đã có",
                                f"candidate '{cid}' exists already")
            self._known_columns(ref, row)
            self.append_row("candidates", {c: _text(v) for c, v in row.items()}, ref)
            present.add(cid)

    def _candidate_id(self, ref: str, row: Mapping[str, Any]) -> str:
        """The candidate a change names."""
        cid = _text(row.get("candidate_id"))
        if cid is None:
            raise self.fail(f"{ref}.candidate_id", "thiếu candidate_id", "candidate_id missing")
        return cid

    def _known_columns(self, ref: str, row: Mapping[str, Any]) -> None:
        """Every column a change writes is a column of the schema's candidates table."""
        unknown = sorted(set(row) - set(schema.CANDIDATES.names()))
        if unknown:
            raise InputError([Problem(self.label, None, f"{ref}.{c}", "cột không tồn tại",
                                      "unknown column") for c in unknown])

    # -- rulings ---------------------------------------------------------------------------
    def drop_decisions(self) -> None:
        """The variant ignores the base's rulings (``authority_decisions = "drop"``)."""
        self.frames["decisions"] = empty_frame(schema.AUTHORITY_DECISIONS)
        self.labels.pop(schema.AUTHORITY_DECISIONS.name, None)
        self.headers.pop(schema.AUTHORITY_DECISIONS.name, None)


def _text(value: Any) -> str | None:
    """A TOML value as the text a CSV cell would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _apply_quota(value: int, change: QuotaChange) -> int:
    """The new quota: set, moved by a whole number or scaled (rounded as asked); never
    below 0."""
    if change.set is not None:
        new = Decimal(change.set)
    elif change.add is not None:
        new = Decimal(value + change.add)
    else:
        assert change.scale is not None
        new = (value * change.scale).quantize(Decimal(1), rounding=_ROUNDING[change.rounding])
    return max(0, int(new))


# ---------------------------------------------------------------------------------------------
# Writing variants (sweeps generate them)
# ---------------------------------------------------------------------------------------------


def dump_variant(spec: Mapping[str, Any]) -> str:
    """A variant document (plain data as :class:`Variant` accepts) as TOML text."""
    lines: list[str] = []
    scalars = {k: v for k, v in spec.items() if not isinstance(v, (dict, list))}
    for k, v in scalars.items():
        lines.append(f"{k} = {_toml(v)}")
    for k, v in spec.items():
        if isinstance(v, dict):
            lines.extend(_toml_table(k, v))
    for k, v in spec.items():
        if isinstance(v, list):
            for item in v:
                lines.append("")
                lines.append(f"[[{k}]]")
                lines.extend(f"{ik} = {_toml(iv)}" for ik, iv in item.items())
    return "\n".join(lines) + "\n"


def _toml_table(name: str, table: Mapping[str, Any]) -> list[str]:
    lines = ["", f"[{name}]"]
    lines.extend(f"{k} = {_toml(v)}" for k, v in table.items()
                 if not isinstance(v, dict) and not (isinstance(v, list) and v
                                                     and isinstance(v[0], dict)))
    for k, v in table.items():
        if isinstance(v, dict):
            lines.extend(_toml_table(f"{name}.{k}", v))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for item in v:
                lines.extend(["", f"[[{name}.{k}]]"])
                lines.extend(f"{ik} = {_toml(iv)}" for ik, iv in item.items())
    return lines


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'
