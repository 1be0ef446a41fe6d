"""Progress reporting: a protocol with a silent default; the CLI plugs in a display."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str) -> None: ...

    def start(self, total: int, label: str) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class Silent:
    def stage(self, name: str) -> None:
        pass

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass
