"""The rule catalogue: built-in rule sets, the user's own files, and choosing one for a round."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from allocator.io.raw import read_toml
from models.errors import InputError, Problem
from models.levels import level_rule_set
from models.plan import PLAN_KEYS
from models.ruleset import RuleSet
from models.scenario import RoundSettings

#: Where an absolute ``rule_set_file`` really is while a replay (or a run from a snapshot)
#: loads stored copies: the live file is never read then.
_ABSOLUTE_REMAP: ContextVar[Callable[[Path], Path] | None] = ContextVar("rule_set_remap",
                                                                         default=None)


@contextmanager
def remapped(remap: Callable[[Path], Path] | None) -> Iterator[None]:
    """Within the block, absolute rule-set paths go through ``remap``."""
    token = _ABSOLUTE_REMAP.set(remap)
    try:
        yield
    finally:
        _ABSOLUTE_REMAP.reset(token)


_MERGED_BY_KEY = {"titles": ("code",), "transitions": ("from_title", "to_title"),
                  "positions": ("code",)}
#: The first day of the 2026 law (Law 129/2025/QH15): a round from then on needs a
#: ``transitional_basis`` to apply a rule set of titles that has expired.
LEVELS_FROM = dt.date(2026, 7, 1)


def _positions(file_name: str) -> list[dict[str, Any]]:
    """The job-position catalogue of a built-in rule set (a CSV file beside it)."""
    text = resources.files("models.rulesets").joinpath(file_name).read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return [{"code": r["code"], "name_vi": r["name"], "sector": r["sector"],
             "lowest_level": int(r["lowest_level"]) if r["lowest_level"] else None,
             "highest_level": int(r["highest_level"]) if r["highest_level"] else None,
             "note": r["note"]} for r in rows]


@cache
def builtin_rule_sets() -> tuple[RuleSet, ...]:
    """Every rule set shipped with the package, sorted by id."""
    found = []
    for entry in resources.files("models.rulesets").iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            positions_file = data.pop("positions_file", None)
            if positions_file is not None:
                data["positions"] = _positions(str(positions_file))
            found.append(RuleSet.model_validate(data))
    return tuple(sorted(found, key=lambda r: r.id))


def builtin_rule_set(rule_set_id: str) -> RuleSet:
    for rs in builtin_rule_sets():
        if rs.id == rule_set_id:
            return rs
    known = ", ".join(r.id for r in builtin_rule_sets())
    raise KeyError(f"unknown rule set {rule_set_id!r}; built in: {known}")


def rule_set_in_force(day: dt.date) -> RuleSet | None:
    """The built-in rule set in force on ``day`` (the latest valid_from wins)."""
    candidates = [r for r in builtin_rule_sets() if r.in_force(day)]
    return max(candidates, key=lambda r: r.valid_from) if candidates else None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Overlay a user's rule file on a base: scalars replace, titles/transitions merge by key."""
    merged = dict(base)
    for key, value in extra.items():
        if key in _MERGED_BY_KEY and isinstance(value, list):
            fields = _MERGED_BY_KEY[key]
            items = {tuple(item[f] for f in fields): item for item in base.get(key, [])}
            for item in value:
                items[tuple(item.get(f) for f in fields)] = item
            merged[key] = list(items.values())
        elif key == "conditions" and isinstance(value, dict):
            merged[key] = {**base.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def load_rule_set_file(path: Path, label: str) -> RuleSet:
    """Read a user's rule-set file; ``extends = "<id>"`` builds on a built-in rule set."""
    if not path.exists() and not path.is_symlink():
        raise InputError.one(
            label, None, None, "không tìm thấy tệp bộ quy tắc", "rule-set file not found")
    data = read_toml(path, label)
    base_id = data.pop("extends", None)
    if base_id is not None:
        try:
            base = builtin_rule_set(str(base_id))
        except KeyError as exc:
            raise InputError.one(
                label, None, "extends", f"không có bộ quy tắc {base_id!r}", str(exc)
            ) from None
        data = _merge(base.model_dump(mode="json"), data)
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or None
        raise InputError.one(
            label, None, loc, f"bộ quy tắc không hợp lệ: {err['msg']}",
            f"invalid rule set: {err['msg']}"
        ) from None


def for_round(settings: RoundSettings, base_dir: Path, label: str) -> RuleSet:
    """The rule set a round applies, checked against the round (:func:`chosen` and
    :func:`fit_to_round`)."""
    return fit_to_round(chosen(settings, base_dir, label), settings, label)


def fit_to_round(rs: RuleSet, settings: RoundSettings, label: str) -> RuleSet:
    """A rule set of titles past its end needs ``transitional_basis`` for a round from
    2026-07-01; a rule set of career levels needs the round's ``[plan]`` with every key it
    requires, and becomes the rule set that plan makes (:func:`models.levels.level_rule_set`).
    Exit 2 (InputError naming the settings ``label``) otherwise."""
    if rs.regime == "titles":
        expired = rs.valid_to is not None and settings.deadline > rs.valid_to
        if expired and settings.deadline >= LEVELS_FROM and not settings.transitional_basis:
            raise InputError.one(
                label, None, "transitional_basis",
                f"hạn nộp hồ sơ {settings.deadline} sau ngày {rs.id} hết hiệu lực "
                f"({rs.valid_to}): kỳ xét theo quy định cũ phải ghi transitional_basis "
                "(văn bản cho phép hoàn thành theo quy định cũ); hoặc bỏ rule_set để xét "
                "nâng bậc theo nd232-2026",
                f"deadline {settings.deadline} is after {rs.id} expired ({rs.valid_to}): a "
                "round finishing under the old rules must state transitional_basis (the "
                "document that lets it); or drop rule_set to decide under nd232-2026")
        return rs
    plan = settings.plan
    missing = list(rs.plan_required) if plan is None else plan.missing(rs.plan_required)
    if missing:
        listed_vi = "; ".join(f"{k}: {PLAN_KEYS.get(k, (k, k))[0]}" for k in missing)
        listed_en = "; ".join(f"{k}: {PLAN_KEYS.get(k, (k, k))[1]}" for k in missing)
        what_vi = "thiếu mục [plan]" if plan is None else "mục [plan] thiếu khoá bắt buộc"
        what_en = "no [plan]" if plan is None else "[plan] lacks required keys"
        raise InputError([Problem(
            label, None, "plan",
            f"{what_vi} — kỳ xét nâng bậc theo {rs.id} phải ghi theo Đề án được duyệt (Nghị "
            f"định 259/2026/NĐ-CP chưa được mã hoá): {listed_vi}",
            f"{what_en} — a round under {rs.id} states, from its approved plan (Decree "
            f"259/2026 is not encoded): {listed_en}")])
    assert plan is not None
    return level_rule_set(rs, plan)


def chosen(settings: RoundSettings, base_dir: Path, label: str) -> RuleSet:
    """The rule set a round names: the user's file (``rule_set_file``, relative to
    ``base_dir``), else the built-in one named by ``rule_set``, else the built-in one in force
    at the deadline. Problems name the settings file ``label``."""
    if settings.rule_set_file:
        path = base_dir / settings.rule_set_file
        remap = _ABSOLUTE_REMAP.get()
        if remap is not None and Path(settings.rule_set_file).is_absolute():
            path = remap(path)
        # Named with the setting that points at it: the file may have any name.
        rs = load_rule_set_file(path, f"{settings.rule_set_file} ({label}: rule_set_file)")
        if settings.rule_set and settings.rule_set != rs.id:
            raise InputError.one(label, None, "rule_set",
                                 f"rule_set '{settings.rule_set}' khác id của tệp ({rs.id})",
                                 f"rule_set '{settings.rule_set}' differs from the file's id "
                                 f"({rs.id})")
        return rs
    if settings.rule_set:
        try:
            return builtin_rule_set(settings.rule_set)
        except KeyError as exc:
            raise InputError.one(label, None, "rule_set", f"không có bộ quy tắc này ({exc})",
                                 str(exc)) from None
    in_force = rule_set_in_force(settings.deadline)
    if in_force is None:
        known = "; ".join(f"{r.id} ({r.valid_from}–{r.valid_to or '…'})"
                          for r in builtin_rule_sets())
        raise InputError.one(
            label, None, "deadline",
            f"không có bộ quy tắc có sẵn còn hiệu lực vào {settings.deadline}; hãy chỉ rõ "
            f"rule_set hoặc rule_set_file (có sẵn: {known})",
            f"no built-in rule set is in force on {settings.deadline}; name one with rule_set "
            f"or rule_set_file (built in: {known})",
        )
    return in_force
