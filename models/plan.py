"""The round's plan (``[plan]``): what the law in hand does not settle for rounds under the
2026 law (SCENARIO.md, "The round's plan states what the law in hand does not").

Decree 259/2026/NĐ-CP, which governs how an employee moves up a career level, is not
encoded. Its conditions and the priority order are what the round's approved plan states;
:class:`Plan` holds them as written in ``scenario.toml`` (or the workbook's ``plan.…``
keys). Which keys a rule set needs is the rule set's ``plan_required``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.enums import Criterion, EducationLevel, Rating

#: What each plan key states, for the message that lists the keys to state
#: (Vietnamese, English).
PLAN_KEYS: dict[str, tuple[str, str]] = {
    "source": ("số, ngày của Đề án/Kế hoạch được phê duyệt (căn cứ của mọi điều kiện)",
               "the approved plan's number and date (cited for every plan rule)"),
    "min_months_at_level": ("thời gian tối thiểu giữ bậc hiện tại (tháng), một số hoặc theo "
                            "từng bậc dự xét, ví dụ {\"4\" = 36}",
                            "minimum months at the current level: a number or one per target "
                            "level, e.g. {\"4\" = 36}"),
    "min_rating": ("mức xếp loại thấp nhất của năm liền trước được xét (vd. tot)",
                   "the lowest rating of review_year - 1 that passes (e.g. tot)"),
    "priority": ("thứ tự ưu tiên, vd. [\"achievement\", \"female\", \"ethnic_minority\", "
                 "\"older\", \"longer_service\"]",
                 "the priority order, e.g. [\"achievement\", \"female\", \"ethnic_minority\", "
                 "\"older\", \"longer_service\"]"),
}

_PAIR = re.compile(r"^\s*(\d)\s*[:=]\s*(\S+)\s*$")


def _pairs(text: str) -> dict[str, str]:
    """``"4=36; 5=72"`` (a workbook cell) as ``{"4": "36", "5": "72"}``."""
    out: dict[str, str] = {}
    for part in re.split(r"[;,]", text.strip().strip("{}")):
        if not part.strip():
            continue
        m = _PAIR.match(part.replace('"', ""))
        if m is None:
            raise ValueError(f"cannot read {part.strip()!r}: write level=value, e.g. 4=36")
        out[m.group(1)] = m.group(2)
    return out


class Plan(BaseModel):
    """The round's plan as written; required keys are checked against the rule set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str | None = Field(default=None, min_length=1)
    min_months_at_level: int | dict[int, int] | None = None
    min_rating: Rating | None = None
    priority: tuple[Criterion, ...] | None = None
    degree_min: dict[int, EducationLevel] = Field(default_factory=dict)
    certificate_required: bool = False
    competence_required: bool = True
    discipline_bars: bool = True
    language_it_required: bool = False

    @field_validator("min_months_at_level", mode="before")
    @classmethod
    def _months_cell(cls, v: Any) -> Any:
        if isinstance(v, str):
            text = v.strip()
            if re.fullmatch(r"\d+(\.0+)?", text):
                return int(float(text))
            return _pairs(text)
        return v

    @field_validator("min_months_at_level")
    @classmethod
    def _months_range(cls, v: int | dict[int, int] | None) -> int | dict[int, int] | None:
        values = [v] if isinstance(v, int) else list((v or {}).values())
        if any(m < 0 for m in values):
            raise ValueError("months must be ≥ 0")
        if isinstance(v, dict) and any(not 2 <= lv <= 5 for lv in v):
            raise ValueError("a target level is 2..5")
        return v

    @field_validator("degree_min", mode="before")
    @classmethod
    def _degree_cell(cls, v: Any) -> Any:
        return _pairs(v) if isinstance(v, str) else v

    @field_validator("priority", mode="before")
    @classmethod
    def _priority_cell(cls, v: Any) -> Any:
        if isinstance(v, str):
            return tuple(p.strip() for p in re.split(r"[;,]", v.strip("[] ")) if p.strip())
        return v

    @field_validator("priority")
    @classmethod
    def _priority_once(cls, v: tuple[Criterion, ...] | None) -> tuple[Criterion, ...] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError("priority lists a criterion twice")
        return v

    def missing(self, required: tuple[str, ...]) -> list[str]:
        """The required keys the plan does not state."""
        return [k for k in required if getattr(self, k, None) is None]

    def months_for(self, target_level: int) -> int | None:
        """The minimum months at the current level for a move to ``target_level``."""
        v = self.min_months_at_level
        if v is None or isinstance(v, int):
            return v
        return v.get(target_level)


def nested_plan(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings with the workbook's ``plan.<key>`` rows gathered into one ``plan`` table."""
    flat = {k: v for k, v in settings.items() if isinstance(k, str) and k.startswith("plan.")}
    if not flat:
        return settings
    out = {k: v for k, v in settings.items() if k not in flat}
    plan = dict(out.get("plan") or {})
    for k, v in flat.items():
        plan[k.removeprefix("plan.")] = v
    out["plan"] = plan
    return out
