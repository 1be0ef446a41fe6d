"""The documents' wording for the regime of a run: titles and ranks (Decree 115/2020) or job
positions and career levels (Decree 232/2026), the sources a level round cites, and the
run's warnings.

In a level round a pool is (agency, job position, target level): documents speak of "vị trí
việc làm … bậc …"; the conditions and the priority order are the round's approved plan's
(``[plan]``, cited by its ``source``, since Decree 259/2026 is not in hand); the level caps
are Decree 232/2026 Art. 10's. Every document prints the run's warnings (for instance a
round decided under a rule set not in force at its deadline).

The run's fields this reads are read through the accessors here (``warnings``,
``plan.source``), so that a result without them is described as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from models.enums import Criterion
from models.result import RunResult
from models.title_levels import catalogue

CAPS_SOURCE = "Điều 10 Nghị định 232/2026/NĐ-CP"
CAPS_SOURCE_EN = "Decree 232/2026/ND-CP Art. 10"
FREEZE_SOURCE = "Khoản 2 Điều 18 Nghị định 232/2026/NĐ-CP"
#: Conditions a level round takes from its plan (cited by the plan's source).
PLAN_RULES = frozenset({"rating", "discipline", "competence", "degree", "certificate",
                        "language_it", "tenure", "tenure_12_months"})
#: The conditions of a level round that no title round has: label (vi, en) and source.
LEVEL_RULES: dict[str, tuple[str, str, str]] = {
    "no_position": (
        "Đơn vị không có vị trí việc làm này trong danh mục được phê duyệt",
        "The unit has no approved row for this job position",
        "Khoản 5 Điều 11 Nghị định 232/2026/NĐ-CP"),
    "level_range": (
        "Bậc dự xét phải là bậc liền kề trên bậc hiện giữ và trong các bậc đơn vị áp dụng",
        "The target level must be the next one and among the levels the unit uses",
        "Khoản 1 Điều 7 Nghị định 232/2026/NĐ-CP"),
}


def council(levels: bool) -> str:
    """The review council that signs a round's lists and reports."""
    return ("Hội đồng xét thay đổi bậc nghề nghiệp" if levels
            else "Hội đồng xét thăng hạng chức danh nghề nghiệp")


def warnings_of(result: RunResult) -> list[str]:
    """The run's warnings (``summary.warnings``; none where the summary has no such field)."""
    return [str(w) for w in getattr(result.summary, "warnings", None) or ()]


def warning_lines(result: RunResult, lang: str = "vi") -> list[str]:
    """One line per warning, headed in the document's language."""
    word = "Cảnh báo" if lang == "vi" else "Warning"
    return [f"{word}: {w}" for w in warnings_of(result)]


def plan_of(result: RunResult) -> Any:
    """The round's plan (``settings.plan``), or None."""
    return getattr(result.scenario.settings, "plan", None)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def plan_source(result: RunResult) -> str | None:
    """The plan's ``source`` (the approved plan a level round cites), or None."""
    plan = plan_of(result)
    source = _field(plan, "source") if plan is not None else None
    return str(source) if source else None


def plan_priority(result: RunResult) -> tuple[Criterion, ...] | None:
    """The plan's priority order (``plan.priority``), or None where there is none or it is
    not a list of known criteria."""
    plan = plan_of(result)
    order = _field(plan, "priority") if plan is not None else None
    if not order or isinstance(order, str):
        return None
    try:
        return tuple(Criterion(getattr(c, "value", c)) for c in order)
    except ValueError:
        return None


def is_levels(result: RunResult) -> bool:
    """Whether the run's pools are (agency, job position, target level): the rule set says
    so (``regime``), or the pools are named so."""
    if getattr(result.scenario.rule_set, "regime", None) == "levels":
        return True
    return "target_level" in result.pools.columns or "job_position" in result.pools.columns


def position_name(code: str | None, rs: Any = None) -> str:
    """A job position's name: the rule set's (a user's rule set may add positions), else the
    catalogue's, else the code as given."""
    if code is None:
        return ""
    for p in getattr(rs, "positions", None) or ():
        if getattr(p, "code", None) == code:
            name = getattr(p, "name_vi", None) or getattr(p, "name", None)
            if name:
                return str(name)
    found = catalogue().get(code)
    return found.name if found is not None else code


def position_text(code: str | None, level: Any, lang: str = "vi", rs: Any = None) -> str:
    """'vị trí việc làm An toàn thông tin (CM.057) bậc 4'."""
    name = position_name(code, rs)
    shown = f"{name} ({code})" if code and name != code else str(code or "")
    if lang == "vi":
        return f"vị trí việc làm {shown} bậc {level}"
    return f"job position {shown}, level {level}"


def pool_parts(key: str) -> tuple[str, str, str | None]:
    """A pool key 'agency|title', 'agency|position|level' or 'agency|position@level' as
    (agency, title or position, level or None)."""
    parts = key.split("|")
    if len(parts) >= 3:
        return parts[0], parts[1], parts[2]
    what = parts[1] if len(parts) > 1 else ""
    position, at, level = what.rpartition("@")
    if at and level.isdigit():  # the engine's own name of a level pool: 'agency|CODE@L'
        return parts[0], position, level
    return parts[0], what, None


def pool_filter(key: str) -> pl.Expr:
    """The rows of a pools (or decisions) frame that belong to a pool key."""
    agency, what, level = pool_parts(key)
    if level is None:
        return (pl.col("agency_id") == agency) & (pl.col("target_title") == what)
    return ((pl.col("agency_id") == agency) & (pl.col("job_position") == what)
            & (pl.col("target_level").cast(pl.Utf8) == level))


def pool_columns(levels: bool) -> list[str]:
    """The columns that name a pool in decisions and pools."""
    return ["agency_id", "job_position", "target_level"] if levels else ["agency_id",
                                                                          "target_title"]


def ratio_cap_text(limit: str, unit_name: str, lang: str = "vi",
                   rs: Any = None) -> str | None:
    """``ratio:<unit>:<position>:<level>`` (a derived level cap) in words; None otherwise."""
    parts = limit.split(":")
    if len(parts) != 4 or parts[0] != "ratio":
        return None
    _ratio, _unit, position, level = parts
    what = position_text(position, level, lang, rs)
    if lang == "vi":
        return (f"Vượt tỷ lệ viên chức {what} tại {unit_name} ({CAPS_SOURCE}); một bậc đã "
                f"đủ hoặc vượt tỷ lệ thì không xét thêm ({FREEZE_SOURCE}); các chỗ trong tỷ "
                "lệ dành cho người được ưu tiên hơn")
    return (f"Beyond the share of {what} in {unit_name} ({CAPS_SOURCE_EN}); a level at or "
            "over its share takes nobody; its places go to candidates with higher priority")
