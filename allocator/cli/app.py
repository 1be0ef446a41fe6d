"""Command line: ``allocator run``, ``allocator validate`` and the command groups.

Bad input exits with status 2 and one message naming file, row and column; a result the
solver could not prove exits with status 3; nothing is written then.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from allocator import __version__
from allocator.cli import documents, planning, synthetic, web
from allocator.cli.console import fail, say, table, usage
from models.enums import Method
from models.errors import AllocatorError
from models.result import Summary

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Xét thăng hạng chức danh nghề nghiệp viên chức — phân bổ chỉ tiêu chính xác, có giải "
    "thích.\n\nExact, explainable allocation of promotion-review seats.",
)

XLSX_AUTO_LIMIT = 20_000  # measured: under 10 s of writing up to about this size
STAGE_VI = {"load": "Đọc dữ liệu", "eligibility": "Xét điều kiện", "solve": "Phân bổ chỉ tiêu"}
METHODS = ", ".join(m.value for m in Method)


class TerminalProgress:
    """Progress on stderr when it is a terminal: stages as plain lines, and a bar over the
    coupled components when there are many."""

    def __init__(self) -> None:
        self.console = Console(stderr=True, markup=False, highlight=False)
        self.bar: Progress | None = None
        self.task: int | None = None

    def stage(self, name: str) -> None:
        if self.console.is_terminal:
            say(f"… {STAGE_VI.get(name, name)} / {name}", err=True)

    def start(self, total: int, label: str) -> None:
        if total >= 20 and self.console.is_terminal:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(),
                                console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(f"Nhóm liên kết / {label}", total=total)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task, n)  # type: ignore[arg-type]
            if self.bar.finished:
                self.bar.stop()
                self.bar = None


def version_callback(value: bool) -> None:
    if value:
        say(f"allocator {__version__}")
        raise typer.Exit


def method_of(value: str) -> Method:
    """``--method``, validated where it enters."""
    try:
        return Method(value)
    except ValueError:
        usage(f"--method không hợp lệ: '{value}' (chọn {METHODS})",
              f"unknown --method '{value}' (choose {METHODS})")


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Show the version.")] = False,
) -> None:
    """Xét thăng hạng CDNN viên chức / promotion reviews of public employees."""


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (or .xlsx workbook).")],
    lists: Annotated[list[Path] | None, typer.Argument(
        help="Agencies' candidate workbooks (.xlsx files, or folders of them): every "
             "candidate sheet of each joins the round.", show_default=False)] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    workers: Annotated[int | None, typer.Option(
        help="Parallel workers (processes for independent coupled components / CP-SAT "
             "threads); default: every core. Results do not depend on it.",
        min=1)] = None,
    method: Annotated[str, typer.Option(help="auto (exact propagation + CP-SAT stages) or "
                                             "cpsat (CP-SAT stages only).")] = "auto",
    time_limit: Annotated[float | None, typer.Option(
        help="Seconds per solver stage; a run that hits it says so (exit 3) and writes "
             "nothing.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
    xlsx: Annotated[bool | None, typer.Option(
        "--xlsx/--no-xlsx",
        help="Also write the Vietnamese result workbook (ket-qua.xlsx). Default: yes for "
             f"rounds of up to {XLSX_AUTO_LIMIT:,} candidates (a workbook takes about 0.4 s "
             "per thousand candidates).",
    )] = None,
    history: Annotated[bool, typer.Option(
        "--history/--no-history", help="Record the run in the run history (allocator runs).",
    )] = True,
) -> None:
    """Quyết định một kỳ xét: ghi decisions.csv, pools.csv, escalations.csv, summary.json.

    Decide a round and write its outputs into OUT. SCENARIO is a scenario folder, an .xlsx
    workbook or a variant (.toml); LISTS are the agencies' workbooks (Mẫu 06 lists), whose
    candidates join those of SCENARIO.
    """
    # Imported here, not at the top: ``allocator --help`` and the other commands start
    # without loading the engine, and a run without a workbook or history skips those.
    from allocator.engine.flow import run as run_round
    from allocator.engine.options import Options
    from allocator.io.output import write_outputs

    chosen = method_of(method)
    start = time.perf_counter()
    try:
        snapshot: dict[str, bytes] | None = None
        if history:
            from allocator.planning import history as hist

            snapshot = hist.snapshot(scenario, lists or ())  # before deciding: what is recorded
        result = run_round(scenario, Options(workers=workers or os.cpu_count() or 1,
                                             method=chosen, time_limit=time_limit),
                           TerminalProgress(), lists=lists or ())
        if history:
            # Recorded first: a run whose record fails writes nothing and says so (exit 5).
            hist.record(result, command="run", inputs=scenario, files=snapshot,
                        lists=lists or ())
        n = result.decisions.height
        want_xlsx = xlsx if xlsx is not None else n <= XLSX_AUTO_LIMIT
        if want_xlsx:
            from allocator.documents.result_workbook import write_result_workbook

            write_outputs(result, out_dir, extra=write_result_workbook)
        else:
            write_outputs(result, out_dir)
        if xlsx is None and not want_xlsx and not quiet:
            say(f"{n:,} ứng viên: không ghi ket-qua.xlsx (thêm --xlsx để ghi) / "
                f"{n:,} candidates: ket-qua.xlsx skipped (add --xlsx to write it)", err=True)
    except AllocatorError as exc:
        fail(exc)
    if not quiet:
        print_notes(result.scenario.notes)
        print_summary(result.summary, out_dir, time.perf_counter() - start)


def print_notes(notes: tuple[tuple[str, str], ...]) -> None:
    """What reading the files said: one line per list read, and the rows skipped."""
    for vi, en in notes:
        say(f"{vi}\n  ({en})", err=True)


def print_summary(summary: Summary, out_dir: Path, seconds: float) -> None:
    c = summary.counts
    say(summary.scenario)
    table([
        ("Chỉ tiêu / seats", str(c.seats)),
        ("Trúng tuyển / selected", str(c.selected)),
        ("Chờ cơ quan quản lý quyết định / escalated",
         f"{c.escalated} người, {c.escalated_seats} chỉ tiêu ({c.tie_groups} nhóm) / "
         "candidates, seats (groups)"),
        ("Không trúng tuyển / not selected", str(c.not_selected)),
        ("Không đủ điều kiện / ineligible", str(c.ineligible)),
        ("Chỉ tiêu chưa dùng / unused seats", str(c.unused_seats)),
        ("Trạng thái lời giải / solver", summary.solver.status.value),
        ("Thời gian / time", f"{seconds:.2f} s"),
        ("Kết quả / outputs", str(out_dir)),
    ])
    for warning in summary.warnings:
        say(warning)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (or .xlsx workbook).")],
    lists: Annotated[list[Path] | None, typer.Argument(
        help="Agencies' candidate workbooks (.xlsx files, or folders of them).",
        show_default=False)] = None,
) -> None:
    """Kiểm tra dữ liệu đầu vào, không phân bổ. / Check a scenario's input; decide nothing."""
    from allocator.io.loader import load

    try:
        sc = load(scenario, lists=lists or ())
    except AllocatorError as exc:
        fail(exc)
    print_notes(sc.notes)
    say(f"Hợp lệ / valid: {sc.settings.name} — {sc.candidates.height} ứng viên/candidates, "
        f"{sc.units.height} đơn vị/units, {sc.quotas.height} chỉ tiêu/quotas, "
        f"{sc.limits.height} giới hạn/limits; bộ quy tắc/rule set {sc.rule_set.id}")


for _group in (synthetic, documents, planning, web):
    _group.register(app)


class Terminated(BaseException):
    """SIGTERM, raised where the program is so that every ``finally`` (temporary folders,
    the history's transaction, a staging folder) runs as on Ctrl-C."""


def _terminated(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    interrupted = "Đã dừng; không ghi gì dở dang / interrupted; nothing half-written"
    try:
        code = app(standalone_mode=False)  # Ctrl-C: typer returns 130
    except Terminated:
        say(f"{interrupted} (SIGTERM)", err=True)
        sys.exit(143)
    except (typer.Abort, KeyboardInterrupt):
        say(interrupted, err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: a message, never a traceback (ALLOCATOR_DEBUG=1 shows it)
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()  # a usage error (typer's own click): its usual message, exit 2
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("ALLOCATOR_DEBUG"):
            raise
        say(f"Lỗi nội bộ / internal error: {type(exc).__name__}. Hãy báo lỗi / please report "
            "it (ALLOCATOR_DEBUG=1 shows the details).", err=True)
        sys.exit(70)
    if code == 130:
        say(interrupted, err=True)
    sys.exit(code if isinstance(code, int) else 0)
