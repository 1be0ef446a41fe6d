"""What-if variants for tests: in memory (applied to a base built from builder arguments) and
on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from allocator.io.validate import validate
from allocator.io.variants import Loaded, apply_variant, dump_variant, parse_variant
from tests.support.builders import raw

ROOT = Path(__file__).resolve().parents[2]
DIEN_BIEN = ROOT / "scenarios" / "dien-bien-2024"
BINH_DINH = ROOT / "scenarios" / "binh-dinh-2024"


def loaded(args: dict[str, Any]) -> Loaded:
    """A base built in memory from builder arguments (tests.support.strategies.scenarios)."""
    r = raw(**args)
    return Loaded(validate(r))


def apply(base: Loaded, spec: dict[str, Any], label: str = "variant.toml") -> Loaded:
    """Apply a variant given as plain data (without ``base``) to a loaded base."""
    variant = parse_variant({"base": "unused", **spec}, label)
    return apply_variant(base, variant, label, Path("."))


def write_variant(path: Path, base: Path | str, spec: dict[str, Any]) -> Path:
    """Write a variant file whose ``base`` is the given path (kept as written)."""
    path.write_text(dump_variant({"base": str(base), **spec}), encoding="utf-8")
    return path
