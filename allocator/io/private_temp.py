"""Temporary folders holding copies of personal data (a sweep's restored inputs, a replay's
stored files, a history import): private (mode 0700), named after the process that made
them, removed on every exit path Python sees, and, for a process killed outright, removed by
the next process that makes one with the same prefix."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def make(prefix: str, parent: Path | None = None) -> Path:
    """A new private folder ``<prefix><pid>-XXXX`` (under ``parent`` or the system's
    temporary folder), after removing those of processes no longer alive."""
    clean_stale(prefix, parent)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


@contextlib.contextmanager
def folder(prefix: str, parent: Path | None = None) -> Iterator[Path]:
    """:func:`make`, removed when the block ends, however it ends."""
    path = make(prefix, parent)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def clean_stale(prefix: str, parent: Path | None = None) -> list[Path]:
    """Remove the folders ``<prefix><pid>-…`` whose process is gone; return them."""
    where = parent or Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(where.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def alive(pid: int) -> bool:
    """Whether a process of that id exists (one of another user's counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
