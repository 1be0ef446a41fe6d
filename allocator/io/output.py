"""The run's outputs of SCENARIO.md, written atomically.

Files are written to a temporary folder beside the destination and moved into place
only when every one is complete, so a failed run leaves the destination untouched.
CSV output is canonical (sorted, fixed columns, LF line ends) and therefore byte-identical
for identical input.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from allocator.io.staging import write_staged
from models.result import RunResult


def write_outputs(result: RunResult, out: Path,
                  extra: Callable[[RunResult, Path], None] | None = None) -> list[Path]:
    """Write decisions.csv, pools.csv, escalations.csv and summary.json into ``out``.

    ``extra`` may add more files (e.g. a workbook) into the staging folder first.
    """
    def fill(stage: Path) -> None:
        result.decisions.write_csv(stage / "decisions.csv")
        result.pools.write_csv(stage / "pools.csv")
        result.escalations.write_csv(stage / "escalations.csv")
        (stage / "summary.json").write_text(result.summary.to_json(), encoding="utf-8")
        if extra is not None:
            extra(result, stage)

    return write_staged(out, fill)
