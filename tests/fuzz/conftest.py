"""The fuzz suite's tally: cases tried per input kind and kills survived, printed at the end
of the session (``FUZZ_SCALE`` multiplies every kind's number of cases)."""

from __future__ import annotations

import os
from collections import Counter

import pytest

TALLY: Counter[str] = Counter()
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def cases(n: int) -> int:
    """The number of hypothesis examples of a kind, scaled by ``FUZZ_SCALE``."""
    return max(1, round(n * SCALE))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    terminalreporter.section("fuzz tally")
    for kind, n in sorted(TALLY.items()):
        terminalreporter.write_line(f"{kind:<28} {n:>6}")
    kills = sum(n for k, n in TALLY.items() if k.startswith("kills"))
    inputs = sum(n for k, n in TALLY.items() if not k.startswith(("kills", " ")))
    terminalreporter.write_line(f"{'input cases in all':<28} {inputs:>6}")
    terminalreporter.write_line(f"{'kills in all':<28} {kills:>6}")
