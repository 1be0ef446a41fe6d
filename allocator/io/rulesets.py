"""The rule catalogue: built-in rule sets, the user's own files, and choosing one for a round."""

from __future__ import annotations

import datetime as dt
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
from models.errors import InputError
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


_MERGED_BY_KEY = {"titles": ("code",), "transitions": ("from_title", "to_title")}


@cache
def builtin_rule_sets() -> tuple[RuleSet, ...]:
    """Every rule set shipped with the package, sorted by id."""
    found = []
    for entry in resources.files("models.rulesets").iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
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
    """The rule set a round applies: the user's file (``rule_set_file``, relative to
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
