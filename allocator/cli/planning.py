"""Planning commands: ``allocator compare``, ``allocator sweep`` and ``allocator runs …``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.console import fail, say, table, usage
from models.errors import AllocatorError

runs_app = typer.Typer(
    no_args_is_help=True,
    help="Lịch sử chạy: xem lại, chạy lại để đối chiếu.\n\nRun history: list, show and replay "
    "recorded runs (database: $ALLOCATOR_HISTORY or ~/.local/share/allocator/history.duckdb).",
)


def _print_figures(figures: object, changes: object | None) -> None:
    from allocator.planning.compare import summary_rows

    header, rows = summary_rows(figures, changes)  # type: ignore[arg-type]
    say("So sánh phương án / variants compared")
    table(rows, header)


def _local(recorded_at: object) -> str:
    """A recorded (UTC) time in the machine's local time, to the minute."""
    if not isinstance(recorded_at, dt.datetime):
        return str(recorded_at)
    return recorded_at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------------------------


def compare_command(
    scenarios: Annotated[list[Path] | None, typer.Argument(
        help="BASE then VARIANT…: the base scenario (folder, .xlsx or variant .toml) and the "
             "variants to compare with it.", show_default=False)] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder for figures.csv, "
                                          "changes.csv, compare.xlsx, compare.png, "
                                          "compare.html.")] = Path("compare"),
    figures_csv: Annotated[Path | None, typer.Option(
        "--figures", help="Render the report from a figures.csv written by a sweep (or an "
                          "earlier compare) instead of running scenarios.")] = None,
    workers: Annotated[int, typer.Option(help="Parallel workers per run; results do not "
                                              "depend on it.", min=1)] = 1,
    history: Annotated[bool, typer.Option("--history/--no-history",
                                          help="Record every run in the run history.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No table on screen.")] = False,
) -> None:
    """So sánh phương án với phương án gốc. / Compare variants with their base side by side.

    Runs BASE and every VARIANT (unchanged coupled components are solved once), writes the
    figures by total, title and department, the per-candidate changes (who wins or loses a
    seat, and why), a workbook, a chart and an HTML page into OUT.
    """
    from allocator.engine.options import Options
    from allocator.planning import compare as cmp

    try:
        if figures_csv is not None:
            if scenarios:
                usage("dùng --figures hoặc danh sách kịch bản, không dùng cả hai",
                       "give --figures or scenarios, not both")
            figs = cmp.read_figures(figures_csv)
            cmp.write_report(out_dir, figs, None)
            if not quiet:
                _print_figures(figs, None)
            say(f"Kết quả / outputs: {out_dir}")
            return
        if not scenarios or len(scenarios) < 2:
            usage("cần BASE và ít nhất một VARIANT", "give BASE and at least one VARIANT")
            return
        comparison = cmp.compare(scenarios[0], scenarios[1:], Options(workers=workers),
                                 history=history)
        legend = list(zip(comparison.labels, [cmp.what_it_changes(p) for p in scenarios],
                          strict=True))
        cmp.write_report(out_dir, comparison.figures, comparison.changes, legend=legend)
    except AllocatorError as exc:
        fail(exc)
    if not quiet:
        _print_figures(comparison.figures, comparison.changes)
        ids = [i for i in comparison.run_ids if i]
        if ids:
            say("Lưu lịch sử / recorded runs: "
                + ", ".join(f"{lab}={rid}" for lab, rid in
                            zip(comparison.labels, comparison.run_ids, strict=True)))
    say(f"Kết quả / outputs: {out_dir}")


# ---------------------------------------------------------------------------------------------
# sweep
# ---------------------------------------------------------------------------------------------


def _totals(values: list[str]) -> list[int]:
    totals: list[int] = []
    for v in values:
        if ".." in v:
            lo, hi = v.split("..", 1)
            totals.extend(range(int(lo), int(hi) + 1))
        else:
            totals.append(int(v))
    return totals


def sweep_command(
    base: Annotated[Path, typer.Argument(help="Base scenario: folder, .xlsx or variant .toml.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder: sweep.csv, "
                                          "variants/*.toml, figures.csv and the comparison "
                                          "report.")] = Path("sweep"),
    rule: Annotated[str, typer.Option(
        help="quota-steps: every pool's quota from −k to +k, one pool at a time; spread: a "
             "total number of seats of --title spread across its departments.")
    ] = "quota-steps",
    k: Annotated[int, typer.Option(help="quota-steps: largest change of a quota.", min=1)] = 1,
    title: Annotated[list[str] | None, typer.Option(
        help="spread: the target title (required); quota-steps: only pools of these titles.")
    ] = None,
    total: Annotated[list[str] | None, typer.Option(
        help="spread: total seats, a number or a range A..B; repeatable.")] = None,
    method: Annotated[list[str] | None, typer.Option(
        help="spread: proportional (eligible candidates), equal, shortage (positions − "
             "holders in staff.csv); repeatable; default all three.")] = None,
    every: Annotated[bool, typer.Option(
        "--every", help="spread: every split of each total across the departments.")] = False,
    max_variants: Annotated[int, typer.Option(help="At most this many variants.", min=1)
                            ] = 1000,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); default: a local cluster.")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (default: one per core); 0 = in this process, one by "
             "one.", min=0)] = None,
    keep_decisions: Annotated[bool, typer.Option(
        "--keep-decisions", help="Also write each variant's decisions.csv.")] = False,
    history: Annotated[bool, typer.Option("--history/--no-history",
                                          help="Record every run in the run history.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No table on screen.")] = False,
) -> None:
    """Quét nhiều phương án sinh theo quy tắc. / Generate many variants by a rule and run them.

    Runs on a local Dask cluster by default, or on a Dask distributed cluster given
    --scheduler (same code). Results go to sweep.csv and figures.csv, which
    `allocator compare --figures` reads.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from allocator.engine.flow import decide
    from allocator.engine.options import Options
    from allocator.io.loader import load
    from allocator.planning import sweep as sw

    try:
        scenario = load(base)
        if rule == "quota-steps":
            jobs = sw.quota_steps(scenario, k, titles=title or ())
        elif rule == "spread":
            if not title or len(title) != 1 or not total:
                usage("spread cần đúng một --title và ít nhất một --total",
                       "spread needs exactly one --title and at least one --total")
                return
            methods = method or list(sw.METHODS)
            bad = sorted(set(methods) - set(sw.METHODS))
            if bad:
                usage(f"phương pháp không hợp lệ: {bad}", f"unknown method: {bad}")
            base_result = decide(scenario, Options())
            jobs = sw.spread(scenario, base_result, title[0], _totals(total), methods,
                             every=every, max_variants=max_variants)
        else:
            usage(f"quy tắc không hợp lệ: {rule}", f"unknown rule {rule!r}: quota-steps, spread")
            return
    except ValueError as exc:
        usage("không sinh được phương án", str(exc))
        return
    except AllocatorError as exc:
        fail(exc)
    if len(jobs) > max_variants:
        jobs = jobs[:max_variants]
    if not jobs:
        usage("quy tắc không sinh phương án nào", "the rule generates no variant")
    say(f"{len(jobs)} phương án / variants", err=True)
    console = Console(stderr=True, markup=False, highlight=False)
    try:
        with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("sweep", total=len(jobs) + 1)
            result = sw.run_sweep(base, jobs, scheduler=scheduler, workers=workers,
                                  progress=lambda done, _total: bar.update(task,
                                                                           completed=done))
        sw.write_sweep(out_dir, base, result, keep_decisions=keep_decisions)
        if history:
            sw.record_sweep(out_dir, base, result)
    except AllocatorError as exc:
        fail(exc)
    errors = result.table.filter(result.table["status"] == "error")
    if not quiet:
        if len(result.jobs) <= 12:
            _print_figures(result.figures, None)
        say(f"{len(result.jobs)} lần chạy / runs in {result.seconds:.1f} s "
            f"({result.engine}); lỗi / errors: {errors.height}")
    for row in errors.head(5).iter_rows(named=True):
        say(f"{row['id']} ({row['description']}):\n{row['error']}", err=True)
    say(f"Kết quả / outputs: {out_dir}")


# ---------------------------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------------------------


@runs_app.command("list")
def runs_list(
    limit: Annotated[int, typer.Option(help="How many runs to show, newest first.", min=1)
                     ] = 30,
    batch: Annotated[str | None, typer.Option(help="Only the runs of this compare/sweep "
                                                   "batch id.")] = None,
) -> None:
    """Các lần chạy gần đây. / The latest recorded runs."""
    from allocator.planning import history

    try:
        frame = history.list_runs(limit, batch_id=batch)
    except AllocatorError as exc:
        fail(exc)
    say(f"Lịch sử chạy / run history: {history.history_path()}")
    table(([row["run_id"], _local(row["recorded_at"]), row["command"], row["label"] or "",
            f"{row['n_selected']}/{row['n_escalated']}/{row['n_candidates']}",
            row["scenario_name"] or ""] for row in frame.iter_rows(named=True)),
          ["run_id", "giờ/local time", "lệnh/cmd", "nhãn/label", "chọn/chờ/tổng",
           "kịch bản/scenario"])


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print everything as JSON.")] = False,
) -> None:
    """Chi tiết một lần chạy. / Show one recorded run: inputs, rules, solver, counts."""
    from allocator.planning import history

    try:
        info = history.show_run(run_id)
    except KeyError as exc:
        usage("không tìm thấy", str(exc.args[0]))
        return
    except AllocatorError as exc:
        fail(exc)
    if as_json:
        doc = {"meta": {k: str(v) if v is not None else None for k, v in info.meta.items()},
               "files": info.files.to_dicts(), "status_counts": info.status_counts,
               "summary": info.summary.model_dump(mode="json")}
        say(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    say(f"Lần chạy / run {info.run_id}")
    rows = [(key, "" if info.meta.get(key) is None else str(info.meta[key]))
            for key in ("recorded_at", "command", "label", "batch_id", "inputs",
                        "scenario_name", "rule_set_id", "rule_set_version", "engine_version",
                        "solver_status", "objective", "input_digest", "decisions_sha256")]
    rows.append(("decisions", ", ".join(f"{k}: {v}" for k, v in info.status_counts.items())))
    solver = info.summary.solver.model_dump(mode="json")
    rows.append(("solver", ", ".join(f"{k}={v}" for k, v in solver.items())))
    table(rows)
    say("Tệp đầu vào đã lưu / stored input files (sha256[:16], bytes, path):")
    for path, sha, size in info.files.iter_rows():
        say(f"  {sha[:16]}  {size:>10}  {path}")


@runs_app.command("replay")
def runs_replay(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix).")],
) -> None:
    """Chạy lại từ dữ liệu đã lưu và đối chiếu. / Re-run from the stored inputs and confirm
    the same decisions byte for byte (exit 1 when they differ)."""
    from allocator.planning import history

    try:
        rep = history.replay(run_id)
    except KeyError as exc:
        usage("không tìm thấy", str(exc.args[0]))
        return
    except AllocatorError as exc:
        fail(exc)
    if rep.identical:
        say(f"Trùng khớp từng byte / identical byte for byte: run {rep.run_id}, "
            f"decisions.csv sha256 {rep.replayed_sha256}")
    else:
        say(f"Khác / differs: run {rep.run_id}: stored {rep.stored_sha256}, "
            f"now {rep.replayed_sha256}; {rep.changed.height} candidates differ")
        for row in rep.changed.head(20).iter_rows():
            say("  " + " ".join("" if v is None else str(v) for v in row))
    if rep.rule_set_changed:
        say("Bộ quy tắc hiện nay khác với lúc chạy / the rule set differs from the one recorded")
    if rep.engine_then != rep.engine_now:
        say(f"Phiên bản / engine: then {rep.engine_then}, now {rep.engine_now}")
    if not rep.identical:
        raise typer.Exit(code=1)


@runs_app.command("verify")
def runs_verify() -> None:
    """Kiểm tra tính toàn vẹn của lịch sử. / Check that every recorded run is complete."""
    from allocator.planning import history

    try:
        problems = history.verify()
    except AllocatorError as exc:
        fail(exc)
    if problems:
        for p in problems:
            say(p, err=True)
        raise typer.Exit(code=1)
    say(f"Lịch sử nhất quán / history consistent: {history.history_path()}")


def register(app: typer.Typer) -> None:
    """Add compare, sweep and runs to the main command."""
    app.command("compare")(compare_command)
    app.command("sweep")(sweep_command)
    app.add_typer(runs_app, name="runs")
