"""Command line: ``allocator run``, ``allocator validate`` and friends.

Errors in the input exit with status 2 and one message naming file, row and column;
nothing is written then.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from allocator import __version__
from allocator.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Xét thăng hạng chức danh nghề nghiệp viên chức — phân bổ chỉ tiêu chính xác, có giải "
    "thích.\n\nExact, explainable allocation of promotion-review seats.",
)
err = Console(stderr=True)
out = Console()

XLSX_AUTO_LIMIT = 10_000
STAGE_VI = {"load": "Đọc dữ liệu", "eligibility": "Xét điều kiện", "solve": "Phân bổ chỉ tiêu"}


class RichProgress:
    """Progress on stderr: stages, and a bar over coupled components when there are many."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar: Progress | None = None
        self.task: int | None = None

    def stage(self, name: str) -> None:
        if self.console.is_terminal:
            self.console.print(f"[dim]… {STAGE_VI.get(name, name)} / {name}[/dim]")

    def start(self, total: int, label: str) -> None:
        if total >= 20 and self.console.is_terminal:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(),
                                console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("Nhóm liên kết / coupled components", total=total)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task, n)  # type: ignore[arg-type]
            if self.bar.finished:
                self.bar.stop()
                self.bar = None


def _fail(exc: InputError) -> None:
    err.print("[bold red]Lỗi dữ liệu đầu vào / input error[/bold red]")
    err.print(exc.render(), markup=False, highlight=False)
    err.print("Không ghi kết quả nào. / Nothing was written.")
    raise typer.Exit(code=2)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"allocator {__version__}")
        raise typer.Exit


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Show the version.")] = False,
) -> None:
    """Xét thăng hạng CDNN viên chức / promotion reviews of public employees."""


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (or .xlsx workbook).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    workers: Annotated[int | None, typer.Option(
        help="Parallel workers (processes for independent coupled components / CP-SAT "
             "threads); default: every core. Results do not depend on it.",
        min=1)] = None,
    method: Annotated[str, typer.Option(help="auto (exact propagation + CP-SAT stages) or "
                                             "cpsat (CP-SAT stages only).")] = "auto",
    time_limit: Annotated[float | None, typer.Option(
        help="Seconds per solver stage; a run that hits it says so and writes nothing.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
    xlsx: Annotated[bool | None, typer.Option(
        "--xlsx/--no-xlsx",
        help="Also write the Vietnamese result workbook (ket-qua.xlsx). Default: yes for "
             f"rounds of up to {XLSX_AUTO_LIMIT:,} candidates (a workbook takes about 0.5 s "
             "per thousand candidates).",
    )] = None,
    history: Annotated[bool, typer.Option(
        "--history/--no-history", help="Record the run in the run history (allocator runs).",
    )] = True,
) -> None:
    """Quyết định một kỳ xét: ghi decisions.csv, pools.csv, escalations.csv, summary.json.

    Decide a round and write its outputs into OUT. SCENARIO is a scenario folder, an .xlsx
    workbook or a variant (.toml).
    """
    from allocator.output import write_outputs
    from allocator.pipeline import Options
    from allocator.pipeline import run as run_pipeline

    start = time.perf_counter()
    try:
        result = run_pipeline(scenario, Options(workers=workers or os.cpu_count() or 1,
                                                method=method,
                                                time_limit=time_limit), RichProgress(err))
        n = result.decisions.height
        want_xlsx = xlsx if xlsx is not None else n <= XLSX_AUTO_LIMIT
        write_outputs(result, out_dir, extra=_optional("allocator.report_xlsx",
                                                       "write_result_workbook")
                      if want_xlsx else None)
        if xlsx is None and not want_xlsx and not quiet:
            err.print(f"[dim]{n:,} ứng viên: không ghi ket-qua.xlsx (thêm --xlsx để ghi) / "
                      f"{n:,} candidates: ket-qua.xlsx skipped (add --xlsx to write it)[/dim]")
    except InputError as exc:
        _fail(exc)
        return
    recorder = _optional("allocator.history", "record") if history else None
    if recorder is not None:
        recorder(result, command="run", inputs=scenario)
    if not quiet:
        _print_summary(result.summary, out_dir, time.perf_counter() - start)


def _optional(module: str, attribute: str) -> Any:
    """A function from a feature module, or None while that module is not installed."""
    import importlib

    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def _print_summary(summary: dict, out_dir: Path, seconds: float) -> None:
    c = summary["counts"]
    table = Table(title=f"{summary['scenario']}", show_header=False, box=None)
    table.add_row("Chỉ tiêu / seats", str(c["seats"]))
    table.add_row("Trúng tuyển / selected", str(c["selected"]))
    table.add_row("Chờ cơ quan quản lý quyết định / escalated",
                  f"{c['escalated']} người, {c['escalated_seats']} chỉ tiêu "
                  f"({c['tie_groups']} nhóm) / candidates, seats (groups)")
    table.add_row("Không trúng tuyển / not selected", str(c["not_selected"]))
    table.add_row("Không đủ điều kiện / ineligible", str(c["ineligible"]))
    table.add_row("Chỉ tiêu chưa dùng / unused seats", str(c["unused_seats"]))
    table.add_row("Trạng thái lời giải / solver", summary["solver"]["status"])
    table.add_row("Thời gian / time", f"{seconds:.2f} s")
    table.add_row("Kết quả / outputs", str(out_dir))
    out.print(table)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (or .xlsx workbook).")],
) -> None:
    """Kiểm tra dữ liệu đầu vào, không phân bổ. / Check a scenario's input; decide nothing."""
    from allocator.load import load

    try:
        sc = load(scenario)
    except InputError as exc:
        _fail(exc)
        return
    out.print(
        f"Hợp lệ / valid: {sc.settings.name} — {sc.candidates.height} ứng viên/candidates, "
        f"{sc.units.height} đơn vị/units, {sc.quotas.height} chỉ tiêu/quotas, "
        f"{sc.limits.height} giới hạn/limits; bộ quy tắc/rule set {sc.rule_set.id}"
    )


# Commands that live in their own modules register themselves here; each module exposes
# ``register(app: typer.Typer) -> None``.
PLUGIN_MODULES = (
    "allocator.cli_generate",
    "allocator.cli_workbook",
    "allocator.cli_planning",
    "allocator.web.cli",
)


def _register_plugins() -> None:
    import importlib

    for name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_plugins()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("Đã dừng / interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
