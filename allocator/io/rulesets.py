"""The rule catalogue: built-in rule sets, the user's own files, and choosing one for a round."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.errors import InputError
from models.ruleset import RuleSet

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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.one(
            label, None, None, "không tìm thấy tệp bộ quy tắc", "rule-set file not found"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError.one(
            label, None, None, f"TOML không hợp lệ: {exc}", f"invalid TOML: {exc}"
        ) from None
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
