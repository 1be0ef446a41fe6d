"""``allocator generate``: a synthetic province or country in the scenario format."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def generate(
        out: Annotated[Path, typer.Argument(help="Folder to write the scenario into.")],
        size: Annotated[int, typer.Option(help="Number of candidates (100 … 1,000,000).",
                                          min=1)] = 10_000,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same "
                                               "files.")] = 0,
        coupled: Annotated[bool, typer.Option(
            "--coupled/--uncoupled",
            help="Add department limits per rank and unit rank-structure limits.")] = False,
        budget: Annotated[bool, typer.Option(
            "--budget/--no-budget", help="Add a binding budget on salary increases.")] = False,
    ) -> None:
        """Sinh dữ liệu mô phỏng một tỉnh / cả nước. / Generate a synthetic round."""
        from allocator.generate import Options
        from allocator.generate import generate as make

        start = time.perf_counter()
        make(Options(size=size, seed=seed, coupled=coupled, budget=budget), out)
        typer.echo(f"{out}: {size} ứng viên/candidates, hạt giống/seed {seed} "
                   f"({time.perf_counter() - start:.1f} s)")
