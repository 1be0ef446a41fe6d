"""What-if variants: a small TOML file that names a base scenario and lists changes.

A variant is applied to the base's *raw* tables (all text, exactly as read) and the
result is validated again by :func:`allocator.io.load.build_scenario`, so a variant is
checked by the very same rules as a scenario folder. A change that names something
absent (a pool, a unit, a limit, a candidate) fails with an :class:`InputError` that
names the variant file, the change and the missing thing; a value a change writes that
the validation rejects is reported against the variant too, never against a row of the
base's files that the user cannot find there.

The format, with a full example, is in ``docs/planning.md``. In short::

    base = "../dien-bien-2024"     # a folder, an .xlsx workbook or another variant
    name = "…"                     # optional new round name
    [settings]                     # any key of scenario.toml
    [[quotas]]                     # selector + one of set / add / scale / drop
    [limits]  add / change / drop
    [candidates]  exclude / add / change
    authority_decisions = "keep" | "drop"
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from allocator.io.load import RawScenario, RawTable, Scenario, build_scenario, read_folder
from models.errors import InputError, Problem
from models.scenario import RoundSettings
from models.tree import UnitTree

Remap = Callable[[Path], Path]
"""Maps an absolute path named in a variant to where the file really is (used by replay)."""

Scalar = str | bool | int | float | dt.date

CANDIDATE_COLUMNS = (
    "candidate_id", "full_name", "birth_date", "sex", "ethnicity", "unit_id", "current_title",
    "target_title", "rank_since", "equivalent_months", "probation_months", "recruitment_level",
    "degree", "degree_field_ok", "certificate", "rating_prev_year", "under_discipline",
    "competence_ok", "language_it_ok", "achievement", "achievement_count", "service_start",
    "points", "points_st", "salary_increase",
)
LIMIT_COLUMNS = ("limit_id", "scope_unit_id", "target_title", "target_rank", "max", "max_share")
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

    @property
    def is_empty(self) -> bool:
        """True when the variant changes nothing."""
        return not (self.name or self.settings or self.quotas or self.limits.add
                    or self.limits.change or self.limits.drop or self.candidates.exclude
                    or self.candidates.add or self.candidates.change
                    or self.authority_decisions == "drop")


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.one(label, None, None, "không tìm thấy tệp phương án",
                             "variant file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.one(label, None, None, f"TOML không hợp lệ: {exc}",
                             f"invalid TOML: {exc}") from None
    return parse_variant(data, label)


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
# Loading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A base ready for a variant: its raw tables, the validated scenario, the provenance."""

    raw: RawScenario
    scenario: Scenario
    provenance: Provenance


def load_variant(path: Path, *, remap: Remap | None = None) -> Scenario:
    """Load a variant file: its base (recursively), the changes, validation."""
    return load_any(path, remap=remap).scenario


def load_any(path: Path, *, remap: Remap | None = None,
             _seen: frozenset[Path] = frozenset()) -> Loaded:
    """Load a folder, a workbook or a variant as a :class:`Loaded`."""
    suffix = path.suffix.lower()
    if suffix == ".toml" and path.is_file():
        key = path.resolve()
        if key in _seen:
            raise InputError.one(path.name, None, "base",
                                 "phương án dựa vào chính nó (vòng lặp base)",
                                 "the variant is its own base (a cycle of base files)")
        variant = read_variant(path)
        base = load_any(resolve(path.parent, variant.base, remap), remap=remap,
                        _seen=_seen | {key})
        return apply_variant(base, variant, path.name, path.parent, remap=remap,
                             source=path)
    if suffix == ".xlsx":
        from allocator import workbook  # the workbook reader lives in its own module

        raw = workbook.read_workbook(path)
    else:
        raw = read_folder(path)
    return Loaded(raw, build_scenario(raw), Provenance())


def resolve(folder: Path, name: str, remap: Remap | None) -> Path:
    """A path named in a variant: relative to the variant's folder; absolute ones remapped."""
    target = Path(name).expanduser()
    if target.is_absolute():
        return remap(target) if remap is not None else target
    return folder / target


def apply_variant(base: Loaded, variant: Variant, label: str, folder: Path, *,
                  remap: Remap | None = None, source: Path | None = None) -> Loaded:
    """Apply a variant's changes to a loaded base and validate the result."""
    editor = _Editor(base, label)
    editor.settings(variant, folder, remap)
    for i, change in enumerate(variant.quotas):
        editor.quota(i, change)
    editor.limits(variant.limits)
    editor.candidates(variant.candidates)
    if variant.authority_decisions == "drop":
        editor.tables.pop("authority_decisions", None)
    raw = RawScenario(source or base.raw.source, editor.new_settings, base.raw.settings_label,
                      editor.tables, base.raw.base_dir)
    provenance = base.provenance.merged(editor.provenance)
    quotas = _quotas_only(base, variant, raw, editor.provenance)
    if quotas is not None:  # nothing but quotas changed: revalidating the rest is not needed
        return Loaded(raw, replace(base.scenario, source=raw.source, quotas=quotas), provenance)
    try:
        scenario = build_scenario(raw)
    except InputError as exc:
        raise provenance.relabel(exc, raw.settings_label) from None
    return Loaded(raw, scenario, provenance)


def _quotas_only(base: Loaded, variant: Variant, raw: RawScenario,
                 provenance: Provenance) -> pl.DataFrame | None:
    """The validated quotas frame when a variant changes quotas and nothing else.

    Every value such a variant writes is a whole number ≥ 0 on an existing unit, and a
    created pool is new by construction; only a created pool's title needs checking (when
    it is not a target title, None sends the variant through the full validation, which
    names the problem). The result equals what :func:`build_scenario` would give.
    """
    others = (variant.name, variant.settings, variant.limits.add, variant.limits.change,
              variant.limits.drop, variant.candidates.exclude, variant.candidates.add,
              variant.candidates.change, variant.authority_decisions == "drop")
    if not variant.quotas or any(others):
        return None
    targets = {tr.to_title for tr in base.scenario.rule_set.transitions}
    if any(q.create and q.target_title not in targets for q in variant.quotas):
        return None
    label = raw.tables["quotas"].label
    written = {row for (lab, row, _) in provenance.cells if lab == label}
    written |= {row for (lab, row) in provenance.rows if lab == label}
    frame = raw.tables["quotas"].frame
    old = base.scenario.quotas.select("__row", pl.col("quota").alias("_old"))
    return (
        frame.select("__row", "agency_id", "target_title", pl.col("quota").alias("_text"))
        .join(old, on="__row", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("__row").is_in(sorted(written)))
            .then(pl.col("_text").cast(pl.Int64, strict=False))
            .otherwise(pl.col("_old")).alias("quota"))
        .select(base.scenario.quotas.columns)
    )


class _Editor:
    """Applies one variant's changes to copies of the base's raw tables."""

    def __init__(self, base: Loaded, label: str) -> None:
        self.base = base
        self.label = label
        self.tables: dict[str, RawTable] = dict(base.raw.tables)
        self.new_settings: dict[str, Any] = dict(base.raw.settings)
        self.provenance = Provenance()
        self.tree = UnitTree(base.scenario.units)
        self.unit_ids = set(base.scenario.units["unit_id"].to_list())

    # -- reporting -------------------------------------------------------------------------
    def fail(self, where: str, vi: str, en: str) -> InputError:
        return InputError.one(self.label, None, where, vi, en)

    def missing_unit(self, where: str, unit: str) -> InputError:
        return self.fail(where, f"không có đơn vị '{unit}' trong units", f"no unit '{unit}' in "
                         "units")

    # -- tables ----------------------------------------------------------------------------
    def frame(self, name: str, columns: tuple[str, ...] = ()) -> pl.DataFrame:
        table = self.tables.get(name)
        if table is None:
            return pl.DataFrame(schema={"__row": pl.Int64, **dict.fromkeys(columns, pl.Utf8)})
        frame = table.frame
        for col in columns:
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(col))
        return frame

    def put(self, name: str, frame: pl.DataFrame) -> None:
        old = self.tables.get(name)
        label = old.label if old is not None else f"{name} ({self.label})"
        self.tables[name] = RawTable(label, frame)

    def table_label(self, name: str) -> str:
        old = self.tables.get(name)
        return old.label if old is not None else f"{name} ({self.label})"

    def append(self, name: str, frame: pl.DataFrame, values: dict[str, str | None],
               ref: str) -> pl.DataFrame:
        """Append one text row; remember that it came from this variant."""
        row = int(frame.select(pl.col("__row").max()).item() or 1) + 1 if frame.height else 2
        new = pl.DataFrame({"__row": [row], **{c: [values.get(c)] for c in frame.columns
                                                if c != "__row"}},
                           schema=frame.schema)
        self.provenance.rows[self.table_label(name), row] = (self.label, ref)
        return pl.concat([frame, new], how="vertical")

    def set_cells(self, name: str, frame: pl.DataFrame, mask: pl.Series,
                  values: dict[str, str | None], ref: str) -> pl.DataFrame:
        """Write ``values`` into the rows selected by ``mask``; remember the cells."""
        label = self.table_label(name)
        for row in frame.filter(mask)["__row"].to_list():
            for col in values:
                self.provenance.cells[label, int(row), col] = (self.label, f"{ref}.{col}")
        return frame.with_columns(
            pl.when(mask).then(pl.lit(v, pl.Utf8)).otherwise(pl.col(c)).alias(c)
            for c, v in values.items()
        )

    # -- settings --------------------------------------------------------------------------
    def settings(self, variant: Variant, folder: Path, remap: Remap | None) -> None:
        changed = dict(variant.settings)
        if variant.name is not None:
            changed["name"] = variant.name
        if changed.get("rule_set_file"):
            changed["rule_set_file"] = str(resolve(folder, str(changed["rule_set_file"]), remap))
            if "rule_set" not in changed:
                self.new_settings.pop("rule_set", None)
        elif "rule_set" in changed and "rule_set_file" not in changed:
            self.new_settings.pop("rule_set_file", None)
        for key_, value in changed.items():
            self.new_settings[key_] = value
            where = "name" if key_ == "name" and variant.name is not None else f"settings.{key_}"
            self.provenance.settings[key_] = (self.label, where)

    # -- quotas ----------------------------------------------------------------------------
    def quota(self, i: int, change: QuotaChange) -> None:
        ref = f"quotas[{i}]"
        frame = self.frame("quotas", ("agency_id", "target_title", "quota"))
        for what, unit in (("agency_id", change.agency_id), ("department", change.department)):
            if unit is not None and unit not in self.unit_ids:
                raise self.missing_unit(f"{ref}.{what}", unit)
        mask = pl.Series([True] * frame.height, dtype=pl.Boolean)
        if change.agency_id is not None:
            mask = mask & (frame["agency_id"] == change.agency_id)
        if change.department is not None:
            below = self.tree.ancestors.filter(pl.col("anc_id") == change.department)["unit_id"]
            mask = mask & frame["agency_id"].is_in(below.to_list())
        if change.target_title is not None:
            mask = mask & (frame["target_title"] == change.target_title)
        mask = mask.fill_null(False)
        if change.create:
            if mask.any():
                raise self.fail(ref, f"chỉ tiêu ({change.selector()}) đã có, không tạo lại được",
                                f"the quota ({change.selector()}) exists already; cannot create "
                                "it")
            frame = self.append("quotas", frame, {
                "agency_id": change.agency_id, "target_title": change.target_title,
                "quota": str(change.set)}, ref)
            self.put("quotas", frame)
            return
        if not mask.any():
            raise self.fail(ref, f"không có chỉ tiêu nào khớp ({change.selector()})",
                            f"no quota matches ({change.selector()})")
        if change.drop:
            self.put("quotas", frame.filter(~mask))
            return
        old = frame["quota"]
        new = [_apply_quota(v, change) if m else v for v, m in
               zip(old.to_list(), mask.to_list(), strict=True)]
        label = self.table_label("quotas")
        for row in frame.filter(mask)["__row"].to_list():
            self.provenance.cells[label, int(row), "quota"] = (self.label, ref)
        self.put("quotas", frame.with_columns(pl.Series("quota", new, pl.Utf8)))

    # -- limits ----------------------------------------------------------------------------
    def limits(self, changes: LimitChanges) -> None:
        if not (changes.add or changes.change or changes.drop):
            return
        frame = self.frame("limits", LIMIT_COLUMNS)
        ids = frame["limit_id"]
        for j, lid in enumerate(changes.drop):
            if lid not in ids.to_list():
                raise self.fail(f"limits.drop[{j}]", f"không có giới hạn '{lid}'",
                                f"no limit '{lid}'")
        frame = frame.filter(~pl.col("limit_id").is_in(changes.drop) | pl.col("limit_id")
                             .is_null())
        for j, ch in enumerate(changes.change):
            ref = f"limits.change[{j}]"
            mask = (frame["limit_id"] == ch.limit_id).fill_null(False)
            if not mask.any():
                raise self.fail(f"{ref}.limit_id", f"không có giới hạn '{ch.limit_id}'",
                                f"no limit '{ch.limit_id}'")
            if ch.scope_unit_id is not None and ch.scope_unit_id not in self.unit_ids:
                raise self.missing_unit(f"{ref}.scope_unit_id", ch.scope_unit_id)
            values: dict[str, str | None] = {
                c: _text(getattr(ch, c)) for c in ("scope_unit_id", "target_title",
                                                   "target_rank")
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
                values["max"] = str(max(0, int(Decimal(current)) + ch.add))
            frame = self.set_cells("limits", frame, mask, values, ref)
        for j, add in enumerate(changes.add):
            ref = f"limits.add[{j}]"
            if add.limit_id in frame["limit_id"].to_list():
                raise self.fail(f"{ref}.limit_id", f"giới hạn '{add.limit_id}' đã có",
                                f"limit '{add.limit_id}' exists already")
            if add.scope_unit_id not in self.unit_ids:
                raise self.missing_unit(f"{ref}.scope_unit_id", add.scope_unit_id)
            frame = self.append("limits", frame, {c: _text(getattr(add, c))
                                                  for c in LIMIT_COLUMNS}, ref)
        self.put("limits", frame)

    # -- candidates ------------------------------------------------------------------------
    def candidates(self, changes: CandidateChanges) -> None:
        if not (changes.exclude or changes.add or changes.change):
            return
        frame = self.frame("candidates")
        known = set(frame.columns) | set(CANDIDATE_COLUMNS)
        present = set(frame["candidate_id"].drop_nulls().to_list())
        for j, gone in enumerate(changes.exclude):
            if gone not in present:
                raise self.fail(f"candidates.exclude[{j}]", f"không có ứng viên '{gone}'",
                                f"no candidate '{gone}'")
        frame = frame.filter(~pl.col("candidate_id").is_in(changes.exclude))
        present -= set(changes.exclude)
        for j, row in enumerate(changes.change):
            ref = f"candidates.change[{j}]"
            cid = _text(row.get("candidate_id"))
            if cid is None:
                raise self.fail(f"{ref}.candidate_id", "thiếu candidate_id",
                                "candidate_id missing")
            if cid not in present:
                raise self.fail(f"{ref}.candidate_id", f"không có ứng viên '{cid}'",
                                f"no candidate '{cid}'")
            self._known_columns(ref, row, known)
            values = {c: _text(v) for c, v in row.items() if c != "candidate_id"}
            for col in values:
                if col not in frame.columns:
                    frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(col))
            mask = (frame["candidate_id"] == cid).fill_null(False)
            frame = self.set_cells("candidates", frame, mask, values, ref)
        for j, row in enumerate(changes.add):
            ref = f"candidates.add[{j}]"
            cid = _text(row.get("candidate_id"))
            if cid is None:
                raise self.fail(f"{ref}.candidate_id", "thiếu candidate_id",
                                "candidate_id missing")
            if cid in present:
                raise self.fail(f"{ref}.candidate_id", f"ứng viên '{cid}' đã có",
                                f"candidate '{cid}' exists already")
            self._known_columns(ref, row, known)
            for col in row:
                if col not in frame.columns:
                    frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(col))
            frame = self.append("candidates", frame, {c: _text(v) for c, v in row.items()}, ref)
            present.add(cid)
        self.put("candidates", frame)

    def _known_columns(self, ref: str, row: Mapping[str, Any], known: set[str]) -> None:
        unknown = sorted(set(row) - known)
        if unknown:
            raise InputError([Problem(self.label, None, f"{ref}.{c}", "cột không tồn tại",
                                      "unknown column") for c in unknown])


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


def _apply_quota(value: str | None, change: QuotaChange) -> str | None:
    """New quota text; values that are not whole numbers are left for validation to report."""
    if value is None:
        return value
    try:
        old = Decimal(value.replace(",", ".").replace(" ", ""))
    except ArithmeticError:
        return value
    if change.set is not None:
        new = Decimal(change.set)
    elif change.add is not None:
        new = old + change.add
    else:
        assert change.scale is not None
        new = (old * change.scale).quantize(Decimal(1), rounding=_ROUNDING[change.rounding])
    return str(max(0, int(new)))


# ---------------------------------------------------------------------------------------------
# Writing variants (sweeps generate them) and listing the files a run read
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


def input_files(path: Path, scenario: Scenario | None = None) -> list[Path]:
    """Every file a run of ``path`` reads (variant chain, tables, rule-set files), resolved."""
    files: list[Path] = []
    _collect(path, files, set(), scenario)
    out: list[Path] = []
    for f in files:
        if f not in out:
            out.append(f)
    return out


def _collect(path: Path, files: list[Path], seen: set[Path], scenario: Scenario | None) -> None:
    from allocator.io.load import TABLES

    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    if path.suffix.lower() == ".toml" and path.is_file():
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
        files.append((path / "scenario.toml").resolve())
        files.extend((path / f"{t}.csv").resolve() for t in TABLES
                     if (path / f"{t}.csv").is_file())
        try:
            settings = tomllib.loads((path / "scenario.toml").read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            settings = {}
        rule_file = settings.get("rule_set_file")
    if rule_file:
        rule_path = Path(str(rule_file))
        files.append((rule_path if rule_path.is_absolute() else folder / rule_path).resolve())
