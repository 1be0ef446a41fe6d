"""Rounds under the 2026 law: positions.csv, and the level columns read as internal titles.

A job position is named by catalogue code or name (case, diacritics and spacing ignored);
an unknown one is refused with the closest catalogue names. After this step every table
carries the internal title codes of :mod:`models.levels` (``target_title`` …) beside its
``job_position`` (now the catalogue code) and levels, so that pools, eligibility and limits
run as for titles (SCENARIO.md, "Rounds under the 2026 law").
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from allocator.io.raw import ROW, RawScenario
from models import schema
from models.errors import Collector
from models.levels import closest_positions, rank_of_level, resolve_position
from models.ruleset import LEVELS, RuleSet
from models.scenario import RoundSettings

_Frames = dict[str, pl.DataFrame]


def _resolve(frame: pl.DataFrame, label: str, rs: RuleSet, problems: Collector,
             *, optional: bool = False) -> pl.DataFrame:
    """``job_position`` as catalogue codes; an unknown position is a problem of its row."""
    codes: list[str | None] = []
    for row, text in zip(frame[ROW].to_list(), frame["job_position"].to_list(), strict=True):
        if text is None:
            if not optional:
                problems.add(label, row, "job_position", "ô trống", "empty cell")
            codes.append(None)
            continue
        found = resolve_position(rs, text)
        if found is None:
            near = "; ".join(closest_positions(rs, text)) or "—"
            problems.add(label, row, "job_position",
                         f"vị trí việc làm '{text}' không có trong danh mục {rs.id}; gần nhất: "
                         f"{near}",
                         f"job position '{text}' is not in the {rs.id} catalogue; closest: "
                         f"{near}")
        codes.append(found.code if found else None)
    return frame.with_columns(pl.Series("job_position", codes, pl.Utf8))


def _catalogue_level(rs: RuleSet, code: str | None, level: int | None) -> bool:
    return code is not None and level is not None and level in rs.position(code).levels


def positions_frame(typed: pl.DataFrame, raw: RawScenario, rs: RuleSet,
                    problems: Collector) -> pl.DataFrame:
    """positions.csv (its ``typed`` cells), checked: known units and positions, levels within
    the catalogue's range, one row per (unit, position), ratios not above the decree's share
    unless ``self_determined_ratios`` (Art. 10.3)."""
    label = raw.tables[schema.POSITIONS.name].label
    frame = _resolve(typed, label, rs, problems)
    units = set(raw.tables["units"].frame["unit_id"].drop_nulls().to_list())
    caps = rs.level_caps
    assert caps is not None
    seen: set[tuple[str, str]] = set()
    for r in frame.iter_rows(named=True):
        row, code = r[ROW], r["job_position"]
        if r["unit_id"] is not None and r["unit_id"] not in units:
            problems.add(label, row, "unit_id", f"không có đơn vị '{r['unit_id']}'",
                         f"unknown unit '{r['unit_id']}'")
        if code is None:
            continue
        if (r["unit_id"], code) in seen:
            problems.add(label, row, "job_position", "khai báo trùng đơn vị và vị trí việc làm",
                         "duplicate unit and job position")
        seen.add((r["unit_id"], code))
        lo, hi = r["lowest_level"], r["highest_level"]
        if lo is None or hi is None:
            continue
        allowed = rs.position(code).levels
        for column, level in (("lowest_level", lo), ("highest_level", hi)):
            if level not in allowed:
                span = f"{allowed[0]}–{allowed[-1]}" if allowed else "không có bậc / none"
                problems.add(label, row, column,
                             f"bậc {level} ngoài phạm vi của vị trí việc làm {code} ({span})",
                             f"level {level} is outside position {code}'s range ({span})")
        if lo > hi:
            problems.add(label, row, "lowest_level", "bậc thấp nhất cao hơn bậc cao nhất",
                         "lowest level above highest level")
            continue
        shares = caps.shares(lo, hi)
        for level in LEVELS:
            given = r[f"ratio_{level}"]
            if given is None:
                continue
            decree = shares.get(level)
            if decree is not None and Decimal(given) > decree and not r["self_determined_ratios"]:
                problems.add(label, row, f"ratio_{level}",
                             f"tỷ lệ {given} cao hơn tỷ lệ {decree} của Điều 10 Nghị định "
                             "232/2026/NĐ-CP mà đơn vị không được tự xác định tỷ lệ "
                             "(self_determined_ratios)",
                             f"ratio {given} is above the decree's {decree} (Decree 232/2026 "
                             "Art. 10) and the unit may not set its own "
                             "(self_determined_ratios)")
    return frame


def _levels_in_range(frame: pl.DataFrame, label: str, columns: tuple[str, ...],
                     problems: Collector) -> None:
    for column in columns:
        if column not in frame.columns:
            continue
        for row, level in zip(frame[ROW].to_list(), frame[column].to_list(), strict=True):
            if level is not None and level not in LEVELS:
                problems.add(label, row, column, f"bậc {level} không thuộc 1–5",
                             f"level {level} is not 1–5")


def as_titles(frames: _Frames, positions: pl.DataFrame, rs: RuleSet, settings: RoundSettings,
              raw: RawScenario, problems: Collector) -> _Frames:
    """Every table of the round with its job positions resolved and its internal title
    columns added (candidates: ``current_title``, ``target_title``, ``rank_since`` and the
    inputs of rules no_position and level_range; quotas, staff and limits: their titles)."""
    label = {name: raw.tables[name].label if name in raw.tables else f"{name}.csv"
             for name in ("candidates", "quotas", "staff", "limits")}
    out = dict(frames)
    out["candidates"] = _candidates(frames["candidates"], positions, rs, settings,
                                    (label["candidates"], raw.settings_label), problems)
    quotas = _resolve(frames["quotas"], label["quotas"], rs, problems)
    _levels_in_range(quotas, label["quotas"], ("target_level",), problems)
    for r in quotas.iter_rows(named=True):
        code, level = r["job_position"], r["target_level"]
        if code is not None and level in LEVELS and not _catalogue_level(rs, code, level):
            problems.add(label["quotas"], r[ROW], "target_level",
                         f"bậc {level} ngoài phạm vi của vị trí việc làm {code}",
                         f"level {level} is outside position {code}'s range")
    out["quotas"] = quotas.with_columns(_title("job_position", "target_level"))
    staff = _resolve(frames["staff"], label["staff"], rs, problems)
    _levels_in_range(staff, label["staff"], ("level",), problems)
    out["staff"] = staff.with_columns(_title("job_position", "level").alias("title"),
                                      pl.lit(None, pl.Int64).alias("positions"))
    limits = _resolve(frames["limits"], label["limits"], rs, problems, optional=True)
    _levels_in_range(limits, label["limits"], ("target_level",), problems)
    for r in limits.iter_rows(named=True):
        if (r["job_position"] is not None and r["target_level"] is None
                and r.get("max_share") is not None):
            problems.add(label["limits"], r[ROW], "max_share",
                         "giới hạn theo vị trí việc làm ở mọi bậc phải ghi số người tối đa (max), "
                         "không ghi tỷ lệ; hoặc ghi bậc dự xét",
                         "a limit by job position at every level takes a number (max), not a "
                         "share; or give its target_level")
    ranks = {lv: rank_of_level(lv).value for lv in LEVELS}
    out["limits"] = limits.with_columns(
        _title("job_position", "target_level"),
        pl.when(pl.col("job_position").is_null())
        .then(pl.col("target_level").replace_strict(ranks, default=None, return_dtype=pl.Utf8))
        .alias("target_rank"))
    return out


def _title(position: str, level: str) -> pl.Expr:
    return pl.when(pl.col(position).is_not_null() & pl.col(level).is_not_null()).then(
        pl.concat_str([pl.col(position), pl.lit("@"), pl.col(level).cast(pl.Utf8)])
    ).alias("target_title")


def _candidates(cands: pl.DataFrame, positions: pl.DataFrame, rs: RuleSet,
                settings: RoundSettings, labels: tuple[str, str],
                problems: Collector) -> pl.DataFrame:
    label, settings_label = labels
    cands = _resolve(cands, label, rs, problems)
    cands = cands.with_columns(
        pl.col("target_level").fill_null(pl.col("current_level") + 1).alias("target_level"))
    _levels_in_range(cands, label, ("current_level", "target_level"), problems)
    plan = settings.plan
    assert plan is not None
    unstated = sorted({lv for lv in cands["target_level"].drop_nulls().to_list()
                       if lv in LEVELS and plan.months_for(lv) is None})
    for level in unstated:
        problems.add(settings_label, None, "plan.min_months_at_level",
                     f"Đề án chưa ghi thời gian giữ bậc tối thiểu để lên bậc {level}",
                     f"the plan states no minimum months for a move to level {level}")
    used = positions.select("unit_id", "job_position", "lowest_level", "highest_level",
                            pl.lit(True).alias("_position_ok")) if positions.height else \
        pl.DataFrame(schema={"unit_id": pl.Utf8, "job_position": pl.Utf8,
                             "lowest_level": pl.Int64, "highest_level": pl.Int64,
                             "_position_ok": pl.Boolean})
    cands = cands.join(used, on=["unit_id", "job_position"], how="left", maintain_order="left")
    target, current = pl.col("target_level"), pl.col("current_level")
    return cands.with_columns(
        _title("job_position", "current_level").alias("current_title"),
        _title("job_position", "target_level"),
        pl.col("level_since").alias("rank_since"),
        pl.col("_position_ok").fill_null(False),
        ((target == current + 1) & (target >= pl.col("lowest_level"))
         & (target <= pl.col("highest_level"))).alias("_levels_ok"),
    ).drop("lowest_level", "highest_level")

