"""The managing agency's rulings on escalated ties (authority_decisions.csv): which
candidates they fix, and whether the allocation they lead to is still priority-optimal."""

from __future__ import annotations

import polars as pl

from models.errors import Collector, InputError
from models.result import TieGroup


def forced_choices(decisions: pl.DataFrame, groups: list[TieGroup], status: dict[str, str],
                   label: str) -> dict[str, int]:
    """Turn rulings into fixed choices (1 = select, 0 = reject) for whole tie groups.

    A ruling must name an escalated candidate; for each group ruled on, either the selected
    fill exactly its seats (the others are rejected) or the candidates not rejected do.
    """
    problems = Collector()
    group_of = {c: g for g in groups for c in g.members}
    by_group: dict[str, list[tuple[str, str, int]]] = {}
    for row, cid, decision in decisions.select("__row", "candidate_id", "decision").iter_rows():
        g = group_of.get(cid)
        if g is None:
            problems.add(label, row, "candidate_id",
                         f"ứng viên {cid} không thuộc diện báo cáo xin ý kiến (trạng thái: "
                         f"{status.get(cid, 'không rõ')})",
                         f"candidate {cid} is not escalated (status: {status.get(cid, '?')})")
            continue
        by_group.setdefault(g.key, []).append((cid, decision, row))
    forced: dict[str, int] = {}
    for g in groups:
        rulings = by_group.get(g.key)
        if not rulings:
            continue
        selected = {c for c, d, _ in rulings if d == "select"}
        rejected = {c for c, d, _ in rulings if d == "reject"}
        kept = set(g.members) - rejected
        if len(selected) == g.seats:
            chosen = selected
        elif len(kept) == g.seats and selected <= kept:
            chosen = kept
        else:
            row = min(r for _, _, r in rulings)
            problems.add(
                label, row, "decision",
                f"nhóm {g.tie_group} có {g.seats} chỉ tiêu cho {len(g.members)} người "
                f"({', '.join(g.members)}); quyết định chọn {len(selected)}, loại "
                f"{len(rejected)} — phải chọn đúng {g.seats}",
                f"tie group {g.tie_group} has {g.seats} seat(s) for {len(g.members)} "
                f"candidates ({', '.join(g.members)}); the rulings select {len(selected)} and "
                f"reject {len(rejected)} — they must fill exactly {g.seats}",
            )
            continue
        for c in g.members:
            forced[c] = 1 if c in chosen else 0
    problems.raise_if_any()
    return forced


def check_optimal(before: dict[str, tuple[int, ...]], after: dict[str, tuple[int, ...]],
                  label: str) -> None:
    """Rulings must keep a priority-optimal allocation: every coupled component keeps the
    winners per priority class that it had without them (SCENARIO.md, settling ties)."""
    for name, counts in after.items():
        if before.get(name) != counts:
            raise InputError.one(
                label, None, "decision",
                "các quyết định không phù hợp với bất kỳ phương án phân bổ tối ưu theo thứ "
                f"tự ưu tiên nào (nhóm liên kết {name})",
                "the rulings are not consistent with any priority-optimal allocation "
                f"(coupled pools {name})",
            )
