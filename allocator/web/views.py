"""What the API returns and the page shows, built from a decided run (through the service
adapter): rows of decisions with their reasons in words, pools, limits, ties, changes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from allocator.web import service
from allocator.web.service import Decided

STATUSES = ("selected", "escalated", "not_selected", "ineligible")
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
PER_PAGE = 50
MAX_PER_PAGE = 1000


@dataclass(frozen=True)
class Query:
    status: str | None = None
    units: frozenset[str] | None = None  # ?agency=: the employing unit's subtree
    q: str | None = None
    page: int = 1
    per_page: int = PER_PAGE


class Words:
    """The words of one run in one language (see :func:`words`)."""

    def __init__(self, decided: Decided, lang: str) -> None:
        self.decided = decided
        self.lang = lang
        self.status = service.status_words(lang)
        self.rules = service.rule_words(decided, lang)
        self.units = service.unit_names(decided)
        self.titles = service.title_names(decided, lang)

    def unit(self, unit_id: str | None) -> str:
        return self.units.get(unit_id or "", unit_id or "")

    def title(self, code: str | None) -> str:
        return self.titles.get(code or "", code or "")

    def reasons(self, reasons: str | None) -> list[str]:
        return [self.rules.get(r, r) for r in (reasons or "").split(";") if r]

    def decided_by(self, value: str | None) -> str:
        return service.decided_by_words(value, self.lang)


def words(decided: Decided, lang: str) -> Words:
    """The run's words in a language, made once per run."""
    found = decided.words.get(lang)
    if not isinstance(found, Words):
        found = decided.words[lang] = Words(decided, lang)
    return found


def filtered(decided: Decided, query: Query) -> pl.DataFrame:
    """The candidates a query selects (in no particular order; see :func:`_page`)."""
    frame = service.rows(decided)
    if query.q and service.search_key(query.q):
        frame = frame.with_columns(service.folded_names(decided).alias("_folded"))
    if query.status in STATUS_ORDER:
        frame = frame.filter(pl.col("status") == query.status)
    if query.units is not None:
        frame = frame.filter(pl.col("unit_id").is_in(sorted(query.units)))
    if query.q:
        needle = service.search_key(query.q)
        if needle:
            frame = frame.filter(pl.col("_folded").str.contains(needle, literal=True)
                                 | pl.col("candidate_id").str.to_lowercase()
                                 .str.contains(needle, literal=True))
    return frame


SORT_KEYS = ("_order", "_agency", "_title", "_rank", "candidate_id")


def _page(frame: pl.DataFrame, page: int, per_page: int) -> pl.DataFrame:
    """Rows ``page`` of ``frame`` in the page's order: outcome (selected, escalated, not
    selected, ineligible), pool, priority rank, id. The first page needs no full sort."""
    keyed = frame.with_columns(
        pl.col("status").replace_strict(STATUS_ORDER, default=9, return_dtype=pl.Int64)
        .alias("_order"),
        pl.col("agency_id").fill_null("\uffff").alias("_agency"),
        pl.col("target_title").fill_null("\uffff").alias("_title"),
        pl.col("priority_rank").fill_null(2**62).alias("_rank"))
    if page == 1:
        return keyed.bottom_k(per_page, by=list(SORT_KEYS)).sort(list(SORT_KEYS))
    return keyed.sort(list(SORT_KEYS)).slice((page - 1) * per_page, per_page)


def decision_page(decided: Decided, query: Query, lang: str) -> dict[str, Any]:
    """One page of decisions as JSON rows."""
    frame = filtered(decided, query)
    per_page = max(1, min(query.per_page, MAX_PER_PAGE))
    pages = max(1, math.ceil(frame.height / per_page))
    page = max(1, min(query.page, pages))
    part = _page(frame, page, per_page)
    said = words(decided, lang)
    return {"total": frame.height, "page": page, "per_page": per_page, "pages": pages,
            "rows": [row_json(r, said) for r in part.iter_rows(named=True)]}


def row_json(row: dict[str, Any], words: Words) -> dict[str, Any]:
    reasons = [r for r in (row["reasons"] or "").split(";") if r]
    return {
        "candidate_id": row["candidate_id"], "full_name": row["full_name"],
        "unit_id": row["unit_id"], "unit_name": words.unit(row["unit_id"]),
        "status": row["status"], "status_text": words.status.get(row["status"], ""),
        "agency_id": row["agency_id"], "agency_name": words.unit(row["agency_id"]),
        "target_title": row["target_title"], "title_name": words.title(row["wanted_title"]),
        "priority_rank": row["priority_rank"], "reasons": reasons,
        "reasons_text": words.reasons(row["reasons"]), "decided_by": row["decided_by"],
        "decided_by_text": words.decided_by(row["decided_by"]), "tie_group": row["tie_group"],
    }


POOLS_PER_PAGE = 25
TIES_SHOWN = 30
CHANGES_SHOWN = 200


def pools(decided: Decided, lang: str) -> list[dict[str, Any]]:
    """Every pool with its agency and title in words."""
    said = words(decided, lang)
    return [{**row, "agency_name": said.unit(row["agency_id"]),
             "title_name": said.title(row["target_title"])}
            for row in decided.result.pools.iter_rows(named=True)]


def pool_page(decided: Decided, lang: str, *, q: str | None = None, page: int = 1,
              base: Decided | None = None) -> dict[str, Any]:
    """One page of pools: those whose quota differs from ``base`` first, then by agency and
    title; ``q`` filters by the agency's or the title's name (or code)."""
    frame = decided.result.pools
    if base is not None:
        before = base.result.pools.select("agency_id", "target_title",
                                          pl.col("quota").alias("_before"))
        frame = frame.join(before, on=["agency_id", "target_title"], how="left",
                           maintain_order="left")
    else:
        frame = frame.with_columns(pl.col("quota").alias("_before"))
    frame = frame.with_columns(pl.col("quota").ne_missing(pl.col("_before")).alias("_moved"))
    said = words(decided, lang)
    if q and service.search_key(q):
        needle = service.search_key(q)
        keys = {a: service.search_key(f"{a} {said.unit(a)}")
                for a in frame["agency_id"].unique().to_list()}
        keys.update({t: service.search_key(f"{t} {said.title(t)}")
                     for t in frame["target_title"].unique().to_list()})
        frame = frame.filter(
            pl.col("agency_id").replace_strict(keys, return_dtype=pl.Utf8)
            .str.contains(needle, literal=True)
            | pl.col("target_title").replace_strict(keys, return_dtype=pl.Utf8)
            .str.contains(needle, literal=True))
    frame = frame.sort(["_moved", "agency_id", "target_title"], descending=[True, False, False])
    pages = max(1, math.ceil(frame.height / POOLS_PER_PAGE))
    page = max(1, min(page, pages))
    part = frame.slice((page - 1) * POOLS_PER_PAGE, POOLS_PER_PAGE)
    rows = [{**row, "agency_name": said.unit(row["agency_id"]),
             "title_name": said.title(row["target_title"])}
            for row in part.iter_rows(named=True)]
    return {"total": frame.height, "page": page, "pages": pages, "rows": rows}


def limits(decided: Decided, lang: str) -> list[dict[str, Any]]:
    said = words(decided, lang)
    return [{**lim, "scope_name": said.unit(lim["scope_unit_id"]),
             "title_name": said.title(lim["target_title"]) if lim["target_title"] else ""}
            for lim in service.limits(decided)]


def limit_page(decided: Decided, lang: str, *, q: str | None = None, page: int = 1,
               ) -> dict[str, Any]:
    """One page of the shared limits; ``q`` filters by id or the scope's name."""
    found = limits(decided, lang)
    needle = service.search_key(q or "")
    if needle:
        found = [lim for lim in found if needle in service.search_key(
            f"{lim['limit_id']} {lim['scope_unit_id']} {lim['scope_name']}")]
    pages = max(1, math.ceil(len(found) / POOLS_PER_PAGE))
    page = max(1, min(page, pages))
    return {"total": len(found), "page": page, "pages": pages,
            "rows": found[(page - 1) * POOLS_PER_PAGE:page * POOLS_PER_PAGE]}


def ties(decided: Decided, lang: str) -> list[dict[str, Any]]:
    """The tie groups with their members' names."""
    groups = service.tie_groups(decided)
    members = sorted({c for g in groups for c in g["members"]})
    listing = service.rows(decided).filter(pl.col("candidate_id").is_in(members))
    names = dict(listing.select("candidate_id", "full_name").iter_rows())
    said = words(decided, lang)
    out = []
    for g in groups:
        out.append({**g, "managing_name": said.unit(g["managing_agency_id"]),
                    "members": [{"candidate_id": c, "full_name": names.get(c, "")}
                                for c in g["members"]]})
    return out


def changes(frame: pl.DataFrame, visible: Iterable[str] | None, words: Words,
            ) -> list[dict[str, Any]]:
    """Per-candidate changes (compare module's table) with statuses in words."""
    if visible is not None:
        frame = frame.filter(pl.col("candidate_id").is_in(sorted(visible)))
    out = []
    for row in frame.iter_rows(named=True):
        out.append({
            "variant": row["variant"], "candidate_id": row["candidate_id"],
            "full_name": row["full_name"], "unit_name": words.unit(row["unit_id"]),
            "change": row["change"],
            "status_before": row["status_before"], "status_after": row["status_after"],
            "before_text": words.status.get(row["status_before"] or "", ""),
            "after_text": words.status.get(row["status_after"] or "", ""),
            "decided_by_after": row["decided_by_after"],
            "why_after": words.decided_by(row["decided_by_after"]),
        })
    return out


def side_by_side(figs: pl.DataFrame, labels: Sequence[str]) -> list[dict[str, Any]]:
    """The total figures, one row per metric, one value per variant."""
    table = service.side_by_side(figs)
    out = []
    for row in table.iter_rows(named=True):
        values = [row.get(lab) for lab in labels]
        shown = [_fmt(row["metric"], v) for v in values]
        out.append({"metric": row["metric"], "label": row["label"], "values": values,
                    "shown": shown})
    return out


def _fmt(metric: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if metric.endswith("_share"):
        return f"{100 * value:.1f}%"
    return f"{int(value)}"
