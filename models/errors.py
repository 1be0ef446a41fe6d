"""Errors about the user's input: each names the file, row and column, in Vietnamese and English.

The CLI prints them and exits with status 2 before anything is written.
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


class InputError(Exception):
    """The input cannot be used. Carries every problem found (at most a few dozen)."""

    MAX_SHOWN = 30

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
