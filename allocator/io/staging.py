"""All-or-nothing writing of an output folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_staged(out: Path, fill: Callable[[Path], object]) -> list[Path]:
    """Let ``fill`` write into a staging folder beside ``out``, then move what it wrote into
    ``out`` (replacing files of the same name). A failure anywhere leaves ``out`` as it was
    and removes the staging folder. Returns the paths written, sorted by name."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        fill(stage)
        written = sorted(p.name for p in stage.iterdir())
        if not out.exists():
            os.replace(stage, out)
        else:
            for name in written:
                target = out / name
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(stage / name, target)
            shutil.rmtree(stage, ignore_errors=True)
        return [out / name for name in written]
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
