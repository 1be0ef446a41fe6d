"""Everything the CLI prints goes through here: plain text, never read as markup, never cut
or re-wrapped to the terminal's width (a round named ``[/bold]`` prints as itself), and one
error printer whose exit status says what kind of failure it was."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NoReturn, TextIO

import typer

from models.errors import (
    AllocatorError,
    HistoryError,
    InputError,
    OutputError,
    ServiceError,
    SolverError,
)

HEADINGS = {
    InputError: "Lỗi dữ liệu đầu vào / input error",
    SolverError: "Không có kết quả đã chứng minh / no proven result",
    OutputError: "Không ghi được kết quả / outputs cannot be written",
    HistoryError: "Lỗi lịch sử chạy / run history error",
    ServiceError: "Không kết nối được / service unreachable",
}


def visible(text: str) -> str:
    """A text as it may reach a terminal: control characters (an escape sequence hidden in
    a name) shown as ``\\xNN``, line feeds and tabs kept."""
    return "".join(ch if ch in "\n\t" or (ord(ch) >= 32 and not 0x7F <= ord(ch) <= 0x9F)
                   else f"\\x{ord(ch):02x}" for ch in text)


def say(text: str = "", *, err: bool = False) -> None:
    """One line (or several), as is."""
    stream: TextIO = sys.stderr if err else sys.stdout
    stream.write(visible(text) + "\n")
    stream.flush()


def fail(exc: AllocatorError) -> NoReturn:
    """Print why the command stopped and exit with the error's own status."""
    say(HEADINGS.get(type(exc), "Lỗi / error"), err=True)
    say(exc.render(), err=True)
    say(f"{exc.aftermath_vi} / {exc.aftermath_en}", err=True)
    raise typer.Exit(code=exc.exit_status)


def usage(vi: str, en: str) -> NoReturn:
    """A command used wrongly (exit 2)."""
    say(f"{vi} / {en}", err=True)
    raise typer.Exit(code=2)


def width(text: str) -> int:
    """Columns a text takes on a terminal (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else
               0 if unicodedata.combining(ch) else 1 for ch in text)


def table(rows: Iterable[Sequence[str]], header: Sequence[str] | None = None,
          *, err: bool = False) -> None:
    """Aligned columns of plain text; the last column is never padded or cut."""
    body = [list(r) for r in rows]
    if header is not None:
        body.insert(0, list(header))
    if not body:
        return
    n = max(len(r) for r in body)
    widths = [max((width(r[i]) for r in body if i < len(r)), default=0) for i in range(n)]
    for k, r in enumerate(body):
        cells = [c + " " * (widths[i] - width(c)) if i < len(r) - 1 else c
                 for i, c in enumerate(r)]
        say("  ".join(cells).rstrip(), err=err)
        if header is not None and k == 0:
            say("  ".join("-" * w for w in widths), err=err)
