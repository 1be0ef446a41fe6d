"""Side-by-side comparison of a base scenario and its what-if variants.

:func:`compare` decides the base and every variant with one shared component cache (a
variant re-solves only the coupled components its changes touch), then builds

* ``figures``: one row per (variant, scope, key) — scope ``total``, ``title`` (target
  title) or ``department`` (the unit directly under the root, the province) — with the
  seats, filled seats, unused seats, escalated seats, ineligible candidates, winners and
  the shares of women and of ethnic-minority employees among winners. Pool figures
  (seats, filled, unused, escalated seats) count by the pool's agency; candidate figures
  (ineligible, winners, shares) by the candidate's own unit, so a province-level pool's
  seats sit under the province while its winners sit under their departments;
* ``changes``: per variant, every candidate whose status differs from the base — who wins
  or loses a seat and why (status and decided_by before and after).

:func:`write_report` writes them as CSV, an .xlsx workbook, a PNG chart and a
self-contained HTML page. Sweeps (:mod:`allocator.planning.sweep`) write the same ``figures``
table, which :func:`read_figures` reads back to render the same report.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from allocator.engine.cache import StageCache
from allocator.engine.flow import run
from allocator.engine.options import Options
from allocator.io.safe_xlsx import open_workbook, write_row
from allocator.io.staging import write_staged
from models.result import RunResult
from models.text import natural
from models.tree import UnitTree

TOTAL = "total"
TITLE = "title"
DEPARTMENT = "department"
ALL = "*"

# (column, Vietnamese, English); the first block exists for every scope.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("seats", "Chỉ tiêu", "Seats"),
    ("filled", "Chỉ tiêu đã dùng (trúng tuyển)", "Filled seats"),
    ("unused", "Chỉ tiêu chưa dùng", "Unused seats"),
    ("escalated_seats", "Chỉ tiêu chờ cơ quan quản lý quyết định", "Escalated seats"),
    ("ineligible", "Không đủ điều kiện", "Ineligible"),
    ("winners", "Người trúng tuyển", "Winners"),
    ("women_share", "Tỉ lệ nữ trong người trúng tuyển", "Share of women among winners"),
    ("minority_share", "Tỉ lệ người dân tộc thiểu số trúng tuyển",
     "Share of ethnic-minority winners"),
)
TOTAL_ONLY: tuple[tuple[str, str, str], ...] = (
    ("escalated", "Người chờ cơ quan quản lý quyết định", "Escalated candidates"),
    ("tie_groups", "Nhóm bằng nhau", "Tie groups"),
    ("components", "Nhóm liên kết", "Coupled components"),
    ("reused_components", "Nhóm liên kết dùng lại (không giải lại)",
     "Reused components (not re-solved)"),
)
FIGURE_SCHEMA: dict[str, pl.DataType] = {
    "variant": pl.Utf8(), "scope": pl.Utf8(), "key": pl.Utf8(), "name": pl.Utf8(),
    "seats": pl.Int64(), "filled": pl.Int64(), "unused": pl.Int64(),
    "escalated_seats": pl.Int64(), "ineligible": pl.Int64(), "winners": pl.Int64(),
    "women": pl.Int64(), "minority": pl.Int64(), "women_share": pl.Float64(),
    "minority_share": pl.Float64(), "escalated": pl.Int64(), "tie_groups": pl.Int64(),
    "components": pl.Int64(), "reused_components": pl.Int64(),
}
CHANGE_KIND_VI = {"wins": "được chọn", "loses": "mất chỉ tiêu", "escalated": "chuyển lên trên",
                  "other": "khác", "added": "ứng viên thêm", "removed": "ứng viên bỏ"}


# ---------------------------------------------------------------------------------------------
# Figures of one run
# ---------------------------------------------------------------------------------------------


def departments(units: pl.DataFrame) -> pl.DataFrame:
    """unit_id → department: the unit's ancestor directly under the root (the root itself
    for the root)."""
    tree = UnitTree(units)
    depth = tree.depth
    top = pl.DataFrame({"anc_id": [u for u, d in depth.items() if d == 1]},
                       schema={"anc_id": pl.Utf8})
    under = tree.ancestors.join(top, on="anc_id", how="inner").select(
        "unit_id", pl.col("anc_id").alias("department"))
    return units.select("unit_id").join(under, on="unit_id", how="left").with_columns(
        pl.col("department").fill_null(pl.lit(tree.root)))


def figures(result: RunResult, label: str) -> pl.DataFrame:
    """The comparison figures of one run (every scope), in :data:`FIGURE_SCHEMA`."""
    sc = result.scenario
    dept = departments(sc.units)
    names = dict(sc.units.select("unit_id", "name").iter_rows())
    title_names = {t.code: t.name_vi for t in sc.rule_set.titles}
    pools = result.pools.join(dept.rename({"unit_id": "agency_id"}), on="agency_id",
                              how="left")
    cands = result.candidates.select(
        "target_title", "unit_id", "status", pl.col("sex") == "female",
        "ethnic_minority").join(dept, on="unit_id", how="left")
    pool_aggs = [pl.col("quota").sum().alias("seats"), pl.col("selected").sum().alias("filled"),
                 pl.col("unused").sum().alias("unused"),
                 pl.col("escalated_seats").sum().alias("escalated_seats")]
    won = pl.col("status") == "selected"
    cand_aggs = [(pl.col("status") == "ineligible").sum().alias("ineligible"),
                 won.sum().alias("winners"), (won & pl.col("sex")).sum().alias("women"),
                 (won & pl.col("ethnic_minority")).sum().alias("minority")]
    parts = []
    for scope, col in ((TOTAL, None), (TITLE, "target_title"), (DEPARTMENT, "department")):
        if col is None:
            p = pools.select(pool_aggs).with_columns(pl.lit(ALL).alias("key"))
            c = cands.select(cand_aggs).with_columns(pl.lit(ALL).alias("key"))
        else:
            p = pools.group_by(col).agg(pool_aggs).rename({col: "key"})
            c = cands.group_by(col).agg(cand_aggs).rename({col: "key"})
        parts.append(p.join(c, on="key", how="full", coalesce=True)
                     .with_columns(pl.lit(scope).alias("scope")))
    frame = pl.concat(parts, how="diagonal_relaxed").filter(pl.col("key").is_not_null())
    counts, solver = result.summary.counts, result.summary.solver
    frame = frame.with_columns(
        pl.lit(label).alias("variant"),
        pl.when(pl.col("scope") == TITLE).then(pl.col("key").replace_strict(
            title_names, default=pl.col("key"), return_dtype=pl.Utf8))
        .when(pl.col("scope") == DEPARTMENT).then(pl.col("key").replace_strict(
            names, default=pl.col("key"), return_dtype=pl.Utf8))
        .otherwise(pl.lit("Tổng / total")).alias("name"),
        *(pl.col(c).fill_null(0).cast(pl.Int64) for c in
          ("seats", "filled", "unused", "escalated_seats", "ineligible", "winners", "women",
           "minority")),
    ).with_columns(
        _share("women"), _share("minority"),
        *(pl.when(pl.col("scope") == TOTAL).then(pl.lit(int(v))).otherwise(None)
          .cast(pl.Int64).alias(k) for k, v in (
              ("escalated", counts.escalated), ("tie_groups", counts.tie_groups),
              ("components", solver.coupled_components),
              ("reused_components", solver.reused_components))),
    )
    order = {TOTAL: 0, TITLE: 1, DEPARTMENT: 2}
    return (frame.with_columns(pl.col("scope").replace_strict(order).alias("_o"))
            .sort("_o", "key").select(list(FIGURE_SCHEMA)).cast(FIGURE_SCHEMA))  # type: ignore[arg-type]


def _share(what: str) -> pl.Expr:
    return (pl.when(pl.col("winners") > 0).then(pl.col(what) / pl.col("winners"))
            .otherwise(None).round(4).alias(f"{what}_share"))


# ---------------------------------------------------------------------------------------------
# Per-candidate changes
# ---------------------------------------------------------------------------------------------


def changes(before: RunResult, after: RunResult, label: str) -> pl.DataFrame:
    """Candidates whose status differs between two runs, with the reasons on both sides."""
    cols = ["status", "decided_by", "reasons", "tie_group", "agency_id", "target_title"]

    def side(r: RunResult, suffix: str) -> pl.DataFrame:
        names = r.candidates.select("candidate_id", "full_name", "unit_id")
        return (r.decisions.join(names, on="candidate_id", how="left", maintain_order="left")
                .select("candidate_id", "full_name", "unit_id",
                        *(pl.col(c).alias(f"{c}_{suffix}") for c in cols)))

    a, b = side(before, "before"), side(after, "after")
    joined = a.join(b, on="candidate_id", how="full", coalesce=True, suffix="_b")
    joined = joined.with_columns(pl.coalesce("full_name", "full_name_b").alias("full_name"),
                                 pl.coalesce("unit_id", "unit_id_b").alias("unit_id"))
    sel_a = pl.col("status_before") == "selected"
    sel_b = pl.col("status_after") == "selected"
    kind = (pl.when(pl.col("status_before").is_null()).then(pl.lit("added"))
            .when(pl.col("status_after").is_null()).then(pl.lit("removed"))
            .when(sel_b & ~sel_a).then(pl.lit("wins"))
            .when(sel_a & ~sel_b).then(pl.lit("loses"))
            .when(pl.col("status_after") == "escalated").then(pl.lit("escalated"))
            .otherwise(pl.lit("other")))
    return (
        joined.filter(pl.col("status_before").ne_missing(pl.col("status_after")))
        .with_columns(pl.lit(label).alias("variant"), kind.alias("change"))
        .select("variant", "candidate_id", "full_name", "unit_id", "change",
                *(f"{c}_{s}" for c in cols for s in ("before", "after")))
        .sort(natural("candidate_id"))
    )


# ---------------------------------------------------------------------------------------------
# Comparing runs
# ---------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Runs of a base and its variants, side by side."""

    labels: list[str]
    results: list[RunResult]
    figures: pl.DataFrame
    changes: pl.DataFrame
    run_ids: list[str | None] = field(default_factory=list)


def what_it_changes(path: Path) -> str:
    """A variant file in words: its name, then what it changes (settings, quotas, limits,
    candidates, rulings); a round (folder, workbook) is the base."""
    from allocator.io.variants import read_variant

    if not (path.suffix.lower() == ".toml" and path.is_file()):
        return "Kỳ xét gốc / the base round"
    v = read_variant(path)
    parts: list[str] = []
    if v.settings:
        parts.append("thiết lập " + ", ".join(f"{_setting_name(k)}: {_setting_word(val)}"
                                             for k, val in v.settings.items()))
    if v.quotas:
        parts.append(f"{len(v.quotas)} thay đổi chỉ tiêu")
    limits = len(v.limits.add) + len(v.limits.change) + len(v.limits.drop)
    if limits:
        parts.append(f"{limits} thay đổi giới hạn chung")
    people = len(v.candidates.exclude) + len(v.candidates.add) + len(v.candidates.change)
    if people:
        parts.append(f"{people} thay đổi ứng viên")
    if v.authority_decisions == "drop":
        parts.append("bỏ các quyết định của cơ quan quản lý")
    changed = "; ".join(parts) or "không thay đổi gì"
    name = v.name or v.description or path.stem
    return f"{name} — {changed}"


def _setting_name(key: str) -> str:
    from models import schema

    if schema.SETTINGS.has(key) and schema.SETTINGS.column(key).headers_vi:
        return schema.SETTINGS.column(key).headers_vi[0].lower()
    return key


def _setting_word(value: Any) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    return str(value)


def labels_for(paths: Sequence[Path]) -> list[str]:
    """Short unique labels: the folder or file name without suffix."""
    out: list[str] = []
    for p in paths:
        stem = p.stem if p.suffix.lower() in (".toml", ".xlsx") else p.name
        label, n = stem, 2
        while label in out:
            label, n = f"{stem}#{n}", n + 1
        out.append(label)
    return out


def compare(base: Path, variants: Sequence[Path], options: Options | None = None, *,
            history: bool = True) -> Comparison:
    """Decide the base and each variant, sharing one component cache; compare them."""
    options = options or Options()
    cache = options.cache if options.cache is not None else StageCache()
    shared = Options(workers=options.workers, method=options.method,
                     time_limit=options.time_limit, cache=cache)
    paths = [base, *variants]
    labels = labels_for(paths)
    snaps = None
    if history:
        from allocator.planning import history as hist

        snaps = [hist.snapshot(p) for p in paths]  # before deciding: what is recorded
    results = [run(p, shared) for p in paths]
    return _comparison(paths, labels, results, history, snaps)


def _comparison(paths: Sequence[Path], labels: list[str], results: list[RunResult],
                history: bool, snaps: list[dict[str, bytes]] | None = None) -> Comparison:
    figs = pl.concat([figures(r, lab) for r, lab in zip(results, labels, strict=True)])
    diffs = [changes(results[0], r, lab) for r, lab in
             zip(results[1:], labels[1:], strict=True)]
    change_frame = pl.concat(diffs) if diffs else changes(results[0], results[0], labels[0])
    run_ids: list[str | None] = [None] * len(results)
    if history:
        from allocator.planning import history as hist

        batch = hist.new_run_id()
        files: list[dict[str, bytes] | None] = list(snaps) if snaps else [None] * len(paths)
        for snap, p, r in zip(files, paths, results, strict=True):
            if snap is not None:
                hist.unchanged_since(snap, p, r)
        records = [hist.make_record(r, command="compare", inputs=p, label=lab,
                                    batch_id=batch, files=snap)
                   for r, p, lab, snap in zip(results, paths, labels, files, strict=True)]
        run_ids = list(hist.record_many(records))  # all land, or HistoryError
    return Comparison(labels, results, figs, change_frame, run_ids)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def read_figures(path: Path) -> pl.DataFrame:
    """A figures table written by :func:`write_report` or a sweep."""
    frame = pl.read_csv(path, schema_overrides=FIGURE_SCHEMA)
    missing = [c for c in FIGURE_SCHEMA if c not in frame.columns]
    if missing:
        from models.errors import InputError

        raise InputError.one(path.name, 1, missing[0], "thiếu cột bắt buộc",
                             "required column missing")
    return frame.select(list(FIGURE_SCHEMA))


def side_by_side(figs: pl.DataFrame, scope: str = TOTAL) -> pl.DataFrame:
    """Rows = (key, metric), one column per variant in their order of appearance."""
    variants = figs["variant"].unique(maintain_order=True).to_list()
    metrics = METRICS + (TOTAL_ONLY if scope == TOTAL else ())
    part = figs.filter(pl.col("scope") == scope)
    labels = {m: f"{vi} / {en}" for m, vi, en in metrics}
    order = {m: i for i, (m, _, _) in enumerate(metrics)}
    long = part.select("variant", "key", "name", *(pl.col(m).cast(pl.Float64)
                                                    for m in labels)).unpivot(
        index=["variant", "key", "name"], variable_name="metric", value_name="value")
    wide = long.pivot(on="variant", index=["key", "name", "metric"], values="value",
                      maintain_order=True)
    for v in variants:
        if v not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(v))
    wide = wide.with_columns(
        pl.col("metric").replace_strict(order, return_dtype=pl.Int64).alias("_o"),
        pl.col("metric").replace_strict(labels, return_dtype=pl.Utf8).alias("label"))
    return wide.sort("key", "_o").select("key", "name", "metric", "label", *variants)


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if metric.endswith("_share"):
        return f"{100 * value:.1f}%"
    return f"{int(value)}"


def summary_rows(figs: pl.DataFrame, change_frame: pl.DataFrame | None = None
                 ) -> tuple[list[str], list[list[str]]]:
    """The totals side by side, and the count of changed candidates per variant: a header and
    rows of plain text for the terminal."""
    wide = side_by_side(figs, TOTAL)
    variants = [c for c in wide.columns if c not in ("key", "name", "metric", "label")]
    rows = [[row["label"], *(_fmt(row["metric"], row[v]) for v in variants)]
            for row in wide.iter_rows(named=True)]
    if change_frame is not None and change_frame.height:
        counts = change_frame.group_by("variant", "change").len()
        per = {(v, c): n for v, c, n in counts.iter_rows()}
        for kind in ("wins", "loses", "escalated", "other", "added", "removed"):
            if any(k == kind for _, k in per):
                rows.append([f"Thay đổi: {CHANGE_KIND_VI[kind]} / changes: {kind}",
                             *(str(per.get((v, kind), 0)) if i else "—"
                               for i, v in enumerate(variants))])
    return ["Chỉ số / figure", *variants], rows


# ---------------------------------------------------------------------------------------------
# Report files
# ---------------------------------------------------------------------------------------------


REPORT_FILES = ("figures.csv", "side_by_side.csv", "changes.csv", "compare.xlsx",
                "compare.png", "compare.html")


def write_report(out: Path, figs: pl.DataFrame, change_frame: pl.DataFrame | None = None,
                 title: str = "So sánh phương án / variants compared",
                 legend: Sequence[tuple[str, str]] = ()) -> list[Path]:
    """Write figures.csv, side_by_side.csv, changes.csv, compare.xlsx, compare.png and
    compare.html into ``out`` atomically (all or nothing). ``legend``: each variant's label
    and what it changes, shown first in the workbook and the page."""
    return write_staged(out, lambda stage: fill_report(stage, figs, change_frame, title,
                                                       legend))


def fill_report(stage: Path, figs: pl.DataFrame, change_frame: pl.DataFrame | None = None,
                title: str = "So sánh phương án / variants compared",
                legend: Sequence[tuple[str, str]] = ()) -> None:
    """The report's files, written into a folder being staged (a sweep adds its own)."""
    figs.write_csv(stage / "figures.csv")
    wide = side_by_side(figs, TOTAL)
    wide.drop("metric").write_csv(stage / "side_by_side.csv")
    if change_frame is not None:
        change_frame.write_csv(stage / "changes.csv")
    png = chart_png(figs, title)
    (stage / "compare.png").write_bytes(png)
    write_workbook(stage / "compare.xlsx", figs, change_frame, legend)
    (stage / "compare.html").write_text(html_page(figs, change_frame, png, title, legend),
                                        encoding="utf-8")


FIGURE_HEADERS = {"key": "Mã / key", "name": "Tên / name", "label": "Chỉ số / figure"}
CHANGE_HEADERS = {
    "variant": "Phương án / variant", "candidate_id": "Mã ứng viên / candidate",
    "full_name": "Họ và tên / name", "unit_id": "Đơn vị / unit", "change": "Thay đổi / change",
    "status_before": "Kết quả trước / status before",
    "status_after": "Kết quả sau / status after",
    "decided_by_before": "Tiêu chí quyết định trước / decided by before",
    "decided_by_after": "Tiêu chí quyết định sau / decided by after",
    "reasons_before": "Điều kiện không đạt trước / failed conditions before",
    "reasons_after": "Điều kiện không đạt sau / failed conditions after",
    "tie_group_before": "Nhóm bằng nhau trước / tie group before",
    "tie_group_after": "Nhóm bằng nhau sau / tie group after",
    "agency_id_before": "Cơ quan có chỉ tiêu trước / agency before",
    "agency_id_after": "Cơ quan có chỉ tiêu sau / agency after",
    "target_title_before": "Chức danh trước / title before",
    "target_title_after": "Chức danh sau / title after",
}


def decided_by_words(code: str | None) -> str | None:
    """A ``decided_by`` code in Vietnamese words ('older' → 'Tuổi (ưu tiên người nhiều tuổi
    hơn)', 'limit:X' → 'Giới hạn chung X' …)."""
    from allocator.documents.explain import CRITERION

    if code is None:
        return None
    if code in CRITERION["vi"]:
        text = CRITERION["vi"][code]
        return text[0].upper() + text[1:]
    if code.startswith("limit:"):
        return f"Giới hạn chung {code.removeprefix('limit:')}"
    return DECIDED_BY_VI.get(code, code)


DECIDED_BY_VI = {"budget": "Ngân sách tăng hệ số lương", "quota": "Hết chỉ tiêu",
                 "authority": "Cơ quan quản lý quyết định không chọn"}


def _reason_words(reasons: str | None) -> str | None:
    """``;``-separated rule ids → the conditions' Vietnamese names."""
    from allocator.io import rulesets

    if reasons is None:
        return None
    conditions = rulesets.builtin_rule_sets()[0].conditions
    return "; ".join(conditions[r].label_vi if r in conditions else r
                     for r in reasons.split(";"))


def readable_changes(change_frame: pl.DataFrame) -> pl.DataFrame:
    """The changes with bilingual headers, and change kinds, statuses, deciding criteria and
    failed conditions in Vietnamese words, for people (changes.csv keeps the codes)."""
    from allocator.documents.explain import STATUS

    words = {k: f"{v} / {k}" for k, v in CHANGE_KIND_VI.items()}
    frame = change_frame.with_columns(
        pl.col("change").replace_strict(words, default=pl.col("change"), return_dtype=pl.Utf8))
    for side in ("before", "after"):
        status, by, why = f"status_{side}", f"decided_by_{side}", f"reasons_{side}"
        if status in frame.columns:
            frame = frame.with_columns(pl.col(status).replace_strict(
                STATUS["vi"], default=pl.col(status), return_dtype=pl.Utf8))
        if by in frame.columns:
            frame = frame.with_columns(pl.col(by).map_elements(
                decided_by_words, return_dtype=pl.Utf8, skip_nulls=True))
        if why in frame.columns:
            frame = frame.with_columns(pl.col(why).map_elements(
                _reason_words, return_dtype=pl.Utf8, skip_nulls=True))
    return frame.rename({k: v for k, v in CHANGE_HEADERS.items() if k in frame.columns})


def write_workbook(path: Path, figs: pl.DataFrame, change_frame: pl.DataFrame | None,
                   legend: Sequence[tuple[str, str]] = ()) -> None:
    """The comparison as an .xlsx workbook, Vietnamese headers first."""
    book = open_workbook(path)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                            "valign": "top", "border": 1})
    pct = book.add_format({"num_format": "0.0%"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    try:
        if legend:
            ws = book.add_worksheet("Phương án")
            write_row(ws, 0, 0, ["Phương án / variant", "Thay đổi gì / what it changes"], head)
            for r, (label, what) in enumerate(legend, start=1):
                write_row(ws, r, 0, [label, what], wrap)
            ws.set_column(0, 0, 24)
            ws.set_column(1, 1, 90)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
        for sheet_name, scope in (("Tổng hợp", TOTAL), ("Theo chức danh", TITLE),
                                  ("Theo sở", DEPARTMENT)):
            wide = side_by_side(figs, scope)
            variants = wide.columns[4:]
            ws = book.add_worksheet(sheet_name)
            headers = ["Mã / key", "Tên / name", "Chỉ số / figure", *variants]
            write_row(ws, 0, 0, headers, head)
            for r, row in enumerate(wide.iter_rows(named=True), start=1):
                write_row(ws, r, 0, [row["key"], row["name"], row["label"]])
                share = str(row["metric"]).endswith("_share")
                for c, v in enumerate(variants, start=3):
                    value = row[v]
                    if value is not None:
                        ws.write_number(r, c, float(value), pct if share else None)
            ws.set_column(0, 0, 14)
            ws.set_column(1, 1, 32)
            ws.set_column(2, 2, 46)
            ws.set_column(3, 3 + len(variants), 14)
            ws.freeze_panes(1, 3)
        if change_frame is not None:
            ws = book.add_worksheet("Thay đổi")
            shown = readable_changes(change_frame)
            write_row(ws, 0, 0, shown.columns, head)
            for r, values in enumerate(shown.iter_rows(), start=1):
                write_row(ws, r, 0, values)
            ws.freeze_panes(1, 2)
            ws.set_column(0, len(change_frame.columns), 16, wrap)
            ws.set_landscape()
            ws.set_paper(9)
            ws.fit_to_pages(1, 0)  # the changes table fits the page's width
            ws.repeat_rows(0)
        ws = book.add_worksheet("Số liệu")
        write_row(ws, 0, 0, figs.columns, head)
        for r, values in enumerate(figs.iter_rows(), start=1):
            write_row(ws, r, 0, values)
    finally:
        book.close()


SEAT_SERIES = (("seats", "Chỉ tiêu / seats", "#4472C4"),
               ("filled", "Đã dùng / filled", "#70AD47"),
               ("unused", "Chưa dùng / unused", "#A5A5A5"),
               ("escalated_seats", "Chờ quyết định / escalated seats", "#ED7D31"),
               ("ineligible", "Không đủ điều kiện / ineligible", "#C00000"))
SHARE_SERIES = (("women_share", "Nữ / women", "#C55A11", "o", "-"),
                ("minority_share", "Dân tộc thiểu số / ethnic minority", "#2E75B6", "s", "--"))
MANY_VARIANTS = 12


def chart_png(figs: pl.DataFrame, title: str) -> bytes:
    """Three panels across variants: seats and their use, filled seats by department, and
    the shares of women and ethnic-minority employees among winners.

    Up to :data:`MANY_VARIANTS` variants the panels show the values as bars; beyond (a
    sweep), each panel shows the difference from the first variant (the base), where
    small changes of large totals are visible.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    # Names come from data: "$\\frac{$" is a department's name, not TeX to typeset.
    with plt.rc_context({"text.parse_math": False}):
        variants = figs.filter(pl.col("scope") == TOTAL)["variant"].to_list()
        n = len(variants)
        many = n > MANY_VARIANTS
        fig, axes = plt.subplots(3, 1, figsize=(max(10.0, min(0.5 * n + 6, 26.0)), 12),
                                 constrained_layout=True)
        fig.suptitle(title, fontsize=13)
        if many:
            _panels_delta(axes, figs, variants)
        else:
            _panels_values(axes, figs, variants)
        for ax in axes:
            ax.set_xticks(range(n))
            ax.set_xticklabels(variants, rotation=90 if many else 15, fontsize=7 if many else 9,
                               ha="center" if many else "right")
            ax.grid(axis="y", alpha=0.3)
            if ax is not axes[2] or not many:
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlim(-0.6, n - 0.4)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
    return buf.getvalue()


def _per_variant(frame: pl.DataFrame, variants: Sequence[str], col: str) -> list[float]:
    got = dict(frame.select("variant", col).iter_rows())
    return [float("nan") if got.get(v) is None else float(got[v]) for v in variants]


def _panels_values(axes: Any, figs: pl.DataFrame, variants: list[str]) -> None:
    import matplotlib.pyplot as plt

    total = figs.filter(pl.col("scope") == TOTAL)
    x = list(range(len(variants)))
    ax = axes[0]
    width = 0.8 / len(SEAT_SERIES)
    for i, (col, lab, color) in enumerate(SEAT_SERIES):
        bars = ax.bar([xi + (i - 2) * width for xi in x], _per_variant(total, variants, col),
                      width, label=lab, color=color)
        ax.bar_label(bars, fontsize=7, padding=1)
    ax.set_ylabel("số lượng / count")
    ax.set_title("Chỉ tiêu và kết quả / seats and outcome", fontsize=10)

    ax = axes[1]
    dept = figs.filter(pl.col("scope") == DEPARTMENT)
    top = (dept.group_by("key", "name").agg(pl.col("filled").sum())
           .sort("filled", "key", descending=[True, False])
           .filter(pl.col("filled") > 0).head(8))
    bottom = [0.0] * len(variants)
    cmap = plt.get_cmap("tab10")
    for j, (key, name) in enumerate(top.select("key", "name").iter_rows()):
        ys = [0.0 if y != y else y for y in
              _per_variant(dept.filter(pl.col("key") == key), variants, "filled")]
        ax.bar(x, ys, 0.6, bottom=bottom, label=f"{key} — {str(name)[:48]}", color=cmap(j))
        bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
    others = [t - b for t, b in zip(_per_variant(total, variants, "filled"), bottom,
                                    strict=True)]
    if any(o > 0 for o in others):
        ax.bar(x, others, 0.6, bottom=bottom, label="khác / others", color="#BBBBBB")
    ax.set_ylabel("chỉ tiêu đã dùng / filled")
    ax.set_title("Chỉ tiêu đã dùng theo sở (cơ quan có chỉ tiêu) / filled seats by department",
                 fontsize=10)

    ax = axes[2]
    for i, (col, lab, color, _, _) in enumerate(SHARE_SERIES):
        ys = [100 * y for y in _per_variant(total, variants, col)]
        bars = ax.bar([xi + (i - 0.5) * 0.35 for xi in x], ys, 0.35, label=lab, color=color)
        ax.bar_label(bars, labels=["" if y != y else f"{y:.0f}%" for y in ys], fontsize=7,
                     padding=1)
    ax.set_ylim(0, 110)
    ax.set_ylabel("% người trúng tuyển / % of winners")
    ax.set_title("Tỉ lệ nữ và dân tộc thiểu số trong người trúng tuyển / "
                 "women and ethnic minorities among winners", fontsize=10)


def _panels_delta(axes: Any, figs: pl.DataFrame, variants: list[str]) -> None:
    import matplotlib.pyplot as plt

    first = variants[0]
    x = list(range(len(variants)))
    total = figs.filter(pl.col("scope") == TOTAL)

    def delta(frame: pl.DataFrame, col: str, scale: float = 1.0) -> list[float]:
        ys = _per_variant(frame, variants, col)
        return [scale * (y - ys[0]) for y in ys]

    markers = "os^Dv"
    ax = axes[0]
    for i, (col, lab, color) in enumerate(SEAT_SERIES):  # points, not lines: no order
        ax.plot([xi + (i - 2) * 0.12 for xi in x], delta(total, col), linestyle="none",
                marker=markers[i], markersize=4, label=lab, color=color)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_ylabel(f"chênh lệch so với {first} / change vs {first}")
    ax.set_title(f"Chỉ tiêu và kết quả, chênh lệch so với {first} / seats and outcome, "
                 f"change vs {first}", fontsize=10)

    ax = axes[1]
    dept = figs.filter(pl.col("scope") == DEPARTMENT)
    spread = (dept.group_by("key", "name").agg((pl.col("filled").max() - pl.col("filled").min())
                                               .alias("range"))
              .filter(pl.col("range") > 0).sort("range", "key", descending=[True, False])
              .head(8))
    cmap = plt.get_cmap("tab10")
    rows = list(spread.select("key", "name").iter_rows())
    for j, (key, name) in enumerate(rows):
        ax.plot([xi + (j - len(rows) / 2) * 0.08 for xi in x],
                delta(dept.filter(pl.col("key") == key), "filled"), linestyle="none",
                marker=markers[j % len(markers)], markersize=4,
                label=f"{key} — {str(name)[:48]}", color=cmap(j))
    if not rows:
        ax.text(0.5, 0.5, "Không sở nào thay đổi số chỉ tiêu đã dùng / no department's filled "
                "seats change", transform=ax.transAxes, ha="center", va="center")
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_ylabel("chênh lệch chỉ tiêu đã dùng / change in filled")
    ax.set_title("Chỉ tiêu đã dùng theo sở: các sở thay đổi nhiều nhất / filled seats by "
                 "department: the departments that change most", fontsize=10)

    ax = axes[2]
    for i, (col, lab, color, mk, _) in enumerate(SHARE_SERIES):
        ax.plot([xi + (i - 0.5) * 0.2 for xi in x], delta(total, col, 100.0), linestyle="none",
                marker=mk, label=lab, color=color, markersize=4)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_ylabel("điểm phần trăm / percentage points")
    ax.set_title("Tỉ lệ nữ và dân tộc thiểu số trong người trúng tuyển, chênh lệch / women "
                 f"and ethnic minorities among winners, change vs {first}", fontsize=10)


def _html_table(frame: pl.DataFrame, headers: Sequence[str] | None = None,
                pct_rows: Sequence[bool] | None = None) -> str:
    heads = headers or frame.columns
    out = ["<table><thead><tr>", *(f"<th>{html.escape(str(h))}</th>" for h in heads),
           "</tr></thead><tbody>"]
    for i, row in enumerate(frame.iter_rows()):
        cells = []
        for v in row:
            if isinstance(v, float):
                text = f"{100 * v:.1f}%" if pct_rows and pct_rows[i] else f"{v:g}"
            else:
                text = "" if v is None else str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


MAX_HTML_CHANGES = 500


def html_page(figs: pl.DataFrame, change_frame: pl.DataFrame | None, png: bytes,
              title: str, legend: Sequence[tuple[str, str]] = ()) -> str:
    """A self-contained page: the chart (embedded) and the tables."""
    sections = []
    if legend:
        sections.append("<h2>Phương án / variants</h2>" + _html_table(pl.DataFrame(
            {"Phương án / variant": [a for a, _ in legend],
             "Thay đổi gì / what it changes": [b for _, b in legend]})))
    for heading, scope in (("Tổng hợp / totals", TOTAL), ("Theo chức danh / by title", TITLE),
                           ("Theo sở / by department", DEPARTMENT)):
        wide = side_by_side(figs, scope)
        shares = [str(m).endswith("_share") for m in wide["metric"].to_list()]
        shown = wide.drop("metric") if scope != TOTAL else wide.drop("metric", "key", "name")
        shown = shown.rename({k: v for k, v in FIGURE_HEADERS.items() if k in shown.columns})
        sections.append(f"<h2>{html.escape(heading)}</h2>"
                        + _html_table(shown, pct_rows=shares))
    if change_frame is not None:
        note = ""
        shown = change_frame
        if change_frame.height > MAX_HTML_CHANGES:
            shown = change_frame.head(MAX_HTML_CHANGES)
            note = (f"<p>{MAX_HTML_CHANGES} dòng đầu trong {change_frame.height}; xem changes.csv "
                    f"/ first {MAX_HTML_CHANGES} of {change_frame.height} rows; see "
                    "changes.csv</p>")
        sections.append("<h2>Thay đổi theo ứng viên / per-candidate changes</h2>" + note
                        + _html_table(readable_changes(shown)))
    image = base64.b64encode(png).decode("ascii")
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2em; font-size: 0.9em; max-width: 100%;
         display: block; overflow-x: auto; }}
@media print {{ table {{ display: table; font-size: 0.7em; }}
               td, th {{ word-break: break-word; }} }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; }}
th {{ background: #DDEBF7; text-align: left; }}
td {{ text-align: right; }} td:first-child, td:nth-child(2) {{ text-align: left; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<img alt="biểu đồ so sánh / comparison chart" src="data:image/png;base64,{image}">
{"".join(sections)}
</body></html>
"""
