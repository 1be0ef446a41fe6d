"""``allocator generate``: a synthetic province or country in the scenario format."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

LIMIT_KINDS = ("department", "unit")


def register(app: typer.Typer) -> None:
    @app.command()
    def generate(
        out: Annotated[Path, typer.Argument(help="Folder to write the scenario into (files "
                                                 "generated there before are replaced; other "
                                                 "files are kept).")],
        size: Annotated[int, typer.Option(help="Number of candidates (100 … 1,000,000).",
                                          min=1)] = 10_000,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same "
                                               "files.")] = 0,
        coupled: Annotated[bool, typer.Option(
            "--coupled/--uncoupled",
            help="Add department limits per rank and unit rank-structure limits (cơ cấu hạng, "
                 "as max_share of staff.csv headcount).")] = False,
        limits: Annotated[list[str] | None, typer.Option(
            "--limits",
            help="Only these limits: 'department' and/or 'unit' (repeat the option or "
                 "separate by commas); overrides --coupled.")] = None,
        budget: Annotated[bool, typer.Option(
            "--budget/--no-budget", help="Add a binding budget on salary increases.")] = False,
        budget_share: Annotated[float, typer.Option(
            help="Budget as a share of what a plain sort and cut of every pool would spend.",
            min=0.0)] = 0.85,
        tightness: Annotated[float, typer.Option(
            help="Department limits as a share of their pools' expected winners.",
            min=0.0)] = 0.85,
        provinces: Annotated[int | None, typer.Option(
            help="Number of provinces (default: one below 300,000 candidates, then one per "
                 "60,000).", min=1)] = None,
        ties: Annotated[float, typer.Option(
            help="Share of candidates made exactly equal to a neighbour of their pool on "
                 "every priority criterion.", min=0.0, max=0.5)] = 0.03,
        incomplete_births: Annotated[float, typer.Option(
            help="Share of birth dates known only to the year (or month); off by default: in a "
                 "large coupled component each one makes hundreds of candidates unorderable.",
            min=0.0, max=0.5)] = 0.0,
    ) -> None:
        """Sinh dữ liệu mô phỏng một tỉnh / cả nước. / Generate a synthetic round.

        Deterministic: the same options give the same bytes.
        """
        from allocator.synthetic.generate import Options
        from allocator.synthetic.generate import generate as make

        dept: bool | None = None
        unit: bool | None = None
        if limits is not None:
            chosen = {part.strip() for item in limits for part in item.split(",") if part.strip()}
            unknown = chosen - set(LIMIT_KINDS)
            if unknown:
                raise typer.BadParameter(
                    f"không rõ / unknown: {', '.join(sorted(unknown))} "
                    f"(department, unit)", param_hint="--limits")
            dept, unit = "department" in chosen, "unit" in chosen
        start = time.perf_counter()
        make(Options(size=size, seed=seed, coupled=coupled, budget=budget,
                     department_limits=dept, unit_limits=unit, budget_share=budget_share,
                     tightness=tightness, provinces=provinces, tie_share=ties,
                     incomplete_birth_share=incomplete_births), out)
        typer.echo(f"{out}: {size} ứng viên/candidates, hạt giống/seed {seed} "
                   f"({time.perf_counter() - start:.1f} s)")
