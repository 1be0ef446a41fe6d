"""The outcomes that stop a run, each with its own exit status and a message in Vietnamese
and English: bad input (2: file, row and column named), a result the solver could not
prove (3), outputs that cannot be written (4), a run that could not be recorded in the
run history (5) and a service that cannot be reached (6). The CLI prints them as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input.

    ``row`` is the row number a person sees in a spreadsheet (the header is row 1);
    ``None`` when the problem is about the whole file or a setting.
    """

    file: str
    row: int | None
    column: str | None
    vi: str
    en: str

    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def where_vi(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column is not None:
            parts.append(f"cột {self.column}")
        return ", ".join(parts)

    def render(self) -> str:
        return f"{self.where_vi()}: {self.vi}\n  ({self.where()}: {self.en})"


class AllocatorError(Exception):
    """A run that cannot give a result, and why."""

    exit_status = 1
    # What the CLI says after the message: most failures stop before anything is written.
    aftermath_vi = "Không ghi kết quả nào."
    aftermath_en = "Nothing was written."

    def render(self) -> str:
        return str(self)


class SolverError(AllocatorError):
    """No proven result: a solver stage reached the time limit before proving optimality."""

    exit_status = 3

    def __init__(self, vi: str, en: str) -> None:
        self.vi, self.en = vi, en
        super().__init__(self.render())

    def render(self) -> str:
        return f"Lời giải chưa được chứng minh: {self.vi}\n  (not proven: {self.en})"


class OutputError(AllocatorError):
    """The outputs cannot be written (a file where a folder should be, a read-only place, a
    full disk, a user's file with an output's name). The previous outputs stay as they were."""

    exit_status = 4

    def __init__(self, place: str, vi: str, en: str) -> None:
        self.place, self.vi, self.en = place, vi, en
        super().__init__(self.render())

    def render(self) -> str:
        return f"{self.place}: {self.vi}\n  ({self.place}: {self.en})"


class HistoryError(AllocatorError):
    """The run history cannot record (or read) a run: busy, read-only, corrupt or full."""

    exit_status = 5
    aftermath_vi = "Lần chạy này KHÔNG được ghi vào lịch sử (dùng --no-history nếu không cần)."
    aftermath_en = "This run was NOT recorded in the run history (--no-history: no record)."

    def __init__(self, place: str, vi: str, en: str) -> None:
        self.place, self.vi, self.en = place, vi, en
        super().__init__(self.render())

    def render(self) -> str:
        return f"{self.place}: {self.vi}\n  ({self.place}: {self.en})"


class ServiceError(AllocatorError):
    """A service the run needs cannot be reached (a Dask scheduler)."""

    exit_status = 6

    def __init__(self, place: str, vi: str, en: str) -> None:
        self.place, self.vi, self.en = place, vi, en
        super().__init__(self.render())

    def render(self) -> str:
        return f"{self.place}: {self.vi}\n  ({self.place}: {self.en})"


class InputError(AllocatorError):
    """The input cannot be used. Carries every problem found (at most a few dozen)."""

    MAX_SHOWN = 30
    exit_status = 2

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = problems
        super().__init__(self.render())

    @classmethod
    def one(
        cls, file: str, row: int | None, column: str | None, vi: str, en: str
    ) -> InputError:
        return cls([Problem(file, row, column, vi, en)])

    def render(self) -> str:
        shown = self.problems[: self.MAX_SHOWN]
        lines = [p.render() for p in shown]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            lines.append(f"… và {rest} lỗi khác (and {rest} more problems)")
        return "\n".join(lines)


class Collector:
    """Gathers problems while a stage validates, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, row: int | None, column: str | None, vi: str, en: str) -> None:
        self.problems.append(Problem(file, row, column, vi, en))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
